/* Hardening and framed I/O shared by trustpath-input and trustpath-sak-listen. */
#define _GNU_SOURCE
#include "io.h"
#include "../common/write_full.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

int
tpi_harden(void)
{
	struct rlimit core = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &core) != 0 || prctl(PR_SET_DUMPABLE, 0) != 0)
		return -1;
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -1;
	umask(077);
	/* The daemon passes stdin, stdout and stderr; anything else is a leak. */
	if (close_range(3, ~0U, 0) != 0)
		return -1;
	return 0;
}

int
tpi_send(uint8_t type, const void *payload, size_t len)
{
	uint8_t frame[TPI_HDR_LEN + TPI_MAX_HASH];

	if (tpi_encode_hdr(frame, type, len) != 0 || len > sizeof(frame) - TPI_HDR_LEN)
		return -1;
	if (len > 0)
		memcpy(frame + TPI_HDR_LEN, payload, len);
	/* one write: a frame is never interleaved or half sent on success */
	return tp_write_full(STDOUT_FILENO, frame, TPI_HDR_LEN + len);
}

/* Bytes the frame being read still needs before it can be checked or used. */
static size_t
wanted(const struct tpi_reader *r)
{
	return r->have < TPI_HDR_LEN ? TPI_HDR_LEN - r->have
	    : TPI_HDR_LEN + (size_t)r->plen - r->have;
}

static enum tpi_read
check_header(struct tpi_reader *r)
{
	enum tpi_decode d;

	d = tpi_decode_hdr(r->buf, r->have, r->rules, r->nrules, &r->type, &r->plen);
	if (d == TPI_DEC_NEED_MORE)
		return TPI_READ_MORE;
	if (d != TPI_DEC_OK)
		return TPI_READ_PROTOCOL;
	return r->plen == 0 ? TPI_READ_FRAME : TPI_READ_MORE;
}

enum tpi_read
tpi_read_frame(struct tpi_reader *r, int fd)
{
	ssize_t n;

	n = read(fd, r->buf + r->have, wanted(r));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? TPI_READ_MORE : TPI_READ_ERROR;
	if (n == 0)
		return r->have == 0 ? TPI_READ_EOF : TPI_READ_PROTOCOL;
	r->have += (size_t)n;
	/* the type byte alone is checked at once: an unknown type is refused
	 * before waiting for a length */
	if (r->have <= TPI_HDR_LEN)
		return check_header(r);
	return wanted(r) == 0 ? TPI_READ_FRAME : TPI_READ_MORE;
}

void
tpi_reader_done(struct tpi_reader *r)
{
	explicit_bzero(r->buf, sizeof(r->buf));
	r->have = 0;
	r->plen = 0;
}

void
tpi_log(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	dprintf(STDERR_FILENO, "%s: %s\n", program_invocation_short_name, line);
}
