/* I/O on the control channel (stdin/stdout) and the response pipe (fd 3).
 * Every read is bounded by a fixed buffer; nothing here allocates. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"
#include "../common/write_full.h"

/* Sends one frame; text longer than the cap is cut at a UTF-8 boundary. */
int
tp_send(enum tp_out_type type, const char *text, size_t len)
{
	uint8_t hdr[TP_HDR_LEN];

	len = tp_utf8_prefix(text, len, TP_MAX_TEXT);
	if (tp_encode_hdr(hdr, type, len) != 0)
		return -1;
	if (tp_write_full(TP_CTL_OUT, hdr, sizeof(hdr)) != 0)
		return -1;
	return len == 0 ? 0 : tp_write_full(TP_CTL_OUT, text, len);
}

/* Consumes complete frames in ctx->inbuf. Returns 0 when more input is needed,
 * 1 for BEGIN, or -reason when the conversation must end. */
static int
consume_frames(struct tp_ctx *ctx)
{
	uint8_t type;
	uint32_t plen;
	size_t flen;
	enum tp_decode d;

	d = tp_decode_in(ctx->inbuf, ctx->inlen, ctx->state, &type, &plen, &flen);
	if (d == TP_DEC_NEED_MORE)
		return 0;
	if (d != TP_DEC_FRAME)
		return -TP_R_PROTOCOL;
	memmove(ctx->inbuf, ctx->inbuf + flen, ctx->inlen - flen);
	ctx->inlen -= flen;
	if (type == TP_IN_CANCEL)
		return -TP_R_CANCELLED;
	/* BEGIN: only reachable in TP_STATE_INIT per the table */
	ctx->state = TP_STATE_CONV;
	return 1;
}

/* Reads what is available on the control channel. Returns like consume_frames;
 * end of file is a cancel. */
int
tp_read_ctl(struct tp_ctx *ctx)
{
	ssize_t r;

	if (ctx->inlen >= sizeof(ctx->inbuf))
		return -TP_R_PROTOCOL;
	r = read(TP_CTL_IN, ctx->inbuf + ctx->inlen, sizeof(ctx->inbuf) - ctx->inlen);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (r <= 0) /* end of file: a cancel, unless it cuts a frame */
		return ctx->inlen > 0 ? -TP_R_PROTOCOL : -TP_R_CANCELLED;
	ctx->inlen += (size_t)r;
	return consume_frames(ctx);
}

int
tp_wait_begin(struct tp_ctx *ctx)
{
	int rc;

	do
		rc = tp_read_ctl(ctx);
	while (rc == 0);
	if (rc < 0)
		return rc;
	/* bytes that came with BEGIN are judged now, against the new state */
	if (ctx->inlen > 0 && (rc = consume_frames(ctx)) < 0)
		return rc;
	return 0;
}

/* Waits until the response pipe is readable, watching the control channel for a
 * cancel meanwhile. Returns 0 when readable, or -reason. */
static int
wait_response(struct tp_ctx *ctx)
{
	struct pollfd p[2] = {
		{ .fd = TP_CTL_IN, .events = POLLIN },
		{ .fd = TP_RESP_FD, .events = POLLIN },
	};
	int rc;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -TP_R_SYSTEM;
		}
		if (p[0].revents != 0) {
			rc = tp_read_ctl(ctx);
			if (rc != 0)
				return rc < 0 ? rc : -TP_R_PROTOCOL;
		}
		if (p[1].revents != 0)
			return 0;
	}
}

static int
read_resp_bytes(struct tp_ctx *ctx, uint8_t *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;
	int rc;

	while (got < n) {
		if ((rc = wait_response(ctx)) != 0)
			return rc;
		r = read(TP_RESP_FD, buf + got, n - got);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return -TP_R_CANCELLED; /* keyboard side closed the pipe */
		got += (size_t)r;
	}
	return 0;
}

/* Reads one response (u16 BE length, bytes) into out as a C string.
 * The caller wipes out on every path. Returns 0 or -reason. */
int
tp_read_response(struct tp_ctx *ctx, char *out, size_t outsz, size_t *outlen)
{
	uint8_t hdr[TP_RESP_HDR_LEN];
	uint16_t len;
	int rc;

	if ((rc = read_resp_bytes(ctx, hdr, sizeof(hdr))) != 0)
		return rc;
	if (tp_check_response_len(hdr, &len) != 0 || (size_t)len >= outsz)
		return -TP_R_PROTOCOL;
	if ((rc = read_resp_bytes(ctx, (uint8_t *)out, len)) != 0)
		return rc;
	if (tp_check_response_bytes((uint8_t *)out, len) != 0)
		return -TP_R_PROTOCOL;
	out[len] = '\0';
	*outlen = len;
	return 0;
}
