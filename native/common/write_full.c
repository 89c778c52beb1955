/* Shared by the native programs (native/README.md): a whole buffer to a file
 * descriptor. Compiled into each program by its own Makefile. */
#include "write_full.h"

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

int
tp_write_full(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}
