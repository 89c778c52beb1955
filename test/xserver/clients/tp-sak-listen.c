/* Stands in for trustpathd's SAK socket in tests: binds PATH (a datagram socket),
 * prints "LISTENING", then one line per datagram: "SAK <size> <magic> <version>
 * <device_id> <device_name>". Run as the trusted user. */
#include "common.h"
#include "../../../xserver-ext/src/sak_msg.h"
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
    struct sockaddr_un addr;
    struct tp_sak_msg msg;
    int fd;
    ssize_t n;

    if (argc != 2 || strlen(argv[1]) >= sizeof(addr.sun_path))
        return 2;
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    strcpy(addr.sun_path, argv[1]);
    unlink(argv[1]);
    fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *) &addr, sizeof(addr)) != 0)
        return 1;
    tp_say("LISTENING", 0);
    for (;;) {
        memset(&msg, 0, sizeof(msg));
        n = recv(fd, &msg, sizeof(msg), 0);
        if (n < 0)
            return 1;
        msg.device_name[sizeof(msg.device_name) - 1] = '\0';
        printf("SAK %zd %.4s %u %u %s\n", n, msg.magic, msg.version, msg.device_id, msg.device_name);
        fflush(stdout);
    }
}
