/* Shared by the native programs: a whole buffer to a file descriptor. */
#ifndef TP_WRITE_FULL_H
#define TP_WRITE_FULL_H

#include <stddef.h>

/* Writes all len bytes of buf to fd, retrying short writes and EINTR.
 * 0 on success, -1 on any error (errno set) or a write of 0 bytes. */
int tp_write_full(int fd, const void *buf, size_t len);

#endif
