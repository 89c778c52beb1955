/* What both programs share: process hardening, frames on stdin/stdout, and
 * diagnostics on stderr (never key data). */
#ifndef TPI_IO_H
#define TPI_IO_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

/* Exit statuses (PROTOCOL.md). */
#define TPI_EXIT_OK 0        /* QUIT or end of file on stdin */
#define TPI_EXIT_FAIL 1      /* protocol error, X connection lost, fatal FAIL */
#define TPI_EXIT_MISUSE 2    /* bad arguments or environment; no frames */

/* Not dumpable, no core, SIGPIPE ignored, umask 077, fds above 2 closed.
 * Returns -1 if any of it failed. */
int tpi_harden(void);

/* Writes one frame to stdout; -1 if the cap is exceeded or the write failed. */
int tpi_send(uint8_t type, const void *payload, size_t len);

/* Reads stdin frame by frame: the header first, checked against the table,
 * then exactly the payload, so nothing beyond the cap is ever buffered. */
struct tpi_reader {
	const struct tpi_rule *rules;
	size_t nrules;
	size_t have;
	uint8_t type;
	uint32_t plen;
	uint8_t buf[TPI_MAX_IN_FRAME];
};

enum tpi_read {
	TPI_READ_MORE = 0,       /* no complete frame yet */
	TPI_READ_FRAME = 1,      /* r->type, r->plen, payload at r->buf + TPI_HDR_LEN */
	TPI_READ_EOF = 2,        /* end of file between frames */
	TPI_READ_PROTOCOL = -1,  /* bad type, too long, end of file inside a frame */
	TPI_READ_ERROR = -2,     /* read error */
};

/* Reads what the current frame still needs (one read; call when readable).
 * After TPI_READ_FRAME the caller handles the frame, then calls
 * tpi_reader_done, which wipes it. */
enum tpi_read tpi_read_frame(struct tpi_reader *r, int fd);
void tpi_reader_done(struct tpi_reader *r);

/* One diagnostic line on stderr, prefixed with the program name. */
void tpi_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
