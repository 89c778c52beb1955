/* trustpath-sak-listen: receives the X module's secure attention key
 * datagrams (xserver-ext/PROTOCOL.md) for trustpathd and passes each one on
 * as a SAK frame, after checking that the kernel says root sent it.
 *
 *   usage: trustpath-sak-listen SOCKET_PATH
 *   stdin: nothing (end of file ends the program); stdout: frames (PROTOCOL.md)
 *
 * Exit status: 0 end of file on stdin, 1 protocol or socket error,
 * 2 misuse (bad path or directory; no frames). */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../../xserver-ext/src/sak_msg.h"
#include "io.h"

#define TPI_DROP_LOG_FIRST 5     /* drops logged one by one */
#define TPI_DROP_LOG_EVERY 10    /* then one summary line per this many seconds */

static unsigned long drops;

static void __attribute__((noreturn))
misuse(const char *why, const char *path)
{
	tpi_log("refused: %s: %s", why, path);
	_exit(TPI_EXIT_MISUSE);
}

/* Anyone who could enter the directory could bind the path first and learn
 * when the SAK is pressed (or feed us nothing at all), so it must be ours alone. */
static void
check_directory(const char *path)
{
	char copy[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;
	const char *dir;

	strcpy(copy, path);
	dir = dirname(copy);
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		misuse("socket directory missing or not a directory", dir);
	if (st.st_uid != getuid() || (st.st_mode & 077) != 0)
		misuse("socket directory must be ours with mode 0700", dir);
}

static void
remove_stale(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISSOCK(st.st_mode) || unlink(path) != 0)
		misuse("cannot replace what is at the socket path", path);
}

static int
bind_socket(const char *path)
{
	struct sockaddr_un addr;
	const int on = 1;
	int fd;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		misuse("socket", strerror(errno));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    chmod(path, 0600) != 0)
		misuse("cannot bind", path);
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) != 0)
		misuse("SO_PASSCRED", strerror(errno));
	return fd;
}

static void
dropped(const char *why)
{
	static time_t last;
	struct timespec now;

	drops++;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (drops <= TPI_DROP_LOG_FIRST) {
		tpi_log("dropped a datagram: %s", why);
	} else if (now.tv_sec - last >= TPI_DROP_LOG_EVERY) {
		tpi_log("dropped %lu datagrams so far (last: %s)", drops, why);
		last = now.tv_sec;
	}
}

static const struct ucred *
credentials(struct msghdr *m)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
			return (const struct ucred *)(const void *)CMSG_DATA(c);
	return NULL;
}

static const char *
check_datagram(const struct tp_sak_msg *msg, ssize_t n, struct msghdr *m,
    const struct ucred **cred)
{
	if (n != (ssize_t)sizeof(*msg) || (m->msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		return "wrong size";
	*cred = credentials(m);
	if (*cred == NULL || (*cred)->uid != 0)
		return "not sent by root";
	if (memcmp(msg->magic, TP_SAK_MAGIC, 4) != 0 ||
	    msg->version != TP_SAK_VERSION || msg->size != sizeof(*msg))
		return "bad magic, version or size";
	return NULL;
}

/* Receives one datagram; -1 if the socket failed or stdout is gone. */
static int
receive(int fd)
{
	struct tp_sak_msg msg;
	union { char buf[CMSG_SPACE(sizeof(struct ucred))]; struct cmsghdr align; } ctl;
	struct iovec iov = { &msg, sizeof(msg) };
	struct msghdr m = { NULL, 0, &iov, 1, ctl.buf, sizeof(ctl.buf), 0 };
	const struct ucred *cred = NULL;
	uint8_t frame[12];
	const char *bad;
	ssize_t n;

	n = recvmsg(fd, &m, MSG_TRUNC | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	bad = check_datagram(&msg, n, &m, &cred);
	if (bad != NULL) {
		dropped(bad);
		return 0;
	}
	tpi_put_be32(frame, (uint32_t)cred->pid);
	tpi_put_be32(frame + 4, msg.time);
	tpi_put_be32(frame + 8, msg.device_id);
	return tpi_send(TPI_OUT_SAK, frame, sizeof(frame));
}

/* Nothing may arrive on stdin: any byte is an unknown frame type. */
static void
check_stdin(void)
{
	uint8_t b;
	ssize_t n = read(STDIN_FILENO, &b, 1);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n == 0)
		_exit(TPI_EXIT_OK);
	tpi_log("protocol: unexpected input on stdin");
	_exit(TPI_EXIT_FAIL);
}

int
main(int argc, char **argv)
{
	struct pollfd fds[2];
	int fd;

	if (tpi_harden() != 0)
		misuse("cannot harden the process", "");
	if (argc != 2 || argv[1][0] != '/')
		misuse("usage: trustpath-sak-listen /ABSOLUTE/SOCKET_PATH", argc > 1 ? argv[1] : "");
	if (strlen(argv[1]) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		misuse("socket path too long", argv[1]);
	check_directory(argv[1]);
	remove_stale(argv[1]);
	fd = bind_socket(argv[1]);
	if (tpi_send(TPI_OUT_LISTENING, NULL, 0) != 0)
		return TPI_EXIT_FAIL;
	fds[0] = (struct pollfd){ STDIN_FILENO, POLLIN, 0 };
	fds[1] = (struct pollfd){ fd, POLLIN, 0 };
	for (;;) {
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			return TPI_EXIT_FAIL;
		if (fds[0].revents != 0)
			check_stdin();
		if (fds[1].revents != 0 && receive(fd) != 0)
			return TPI_EXIT_FAIL;
	}
}
