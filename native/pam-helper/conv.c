/* The PAM conversation: every message style, any number of messages and rounds.
 * Questions go out as PROMPT frames; answers come only from the response pipe. */
#include <stdlib.h>
#include <string.h>

#include "helper.h"

/* Holds one answer; locked in memory with the rest of the process (mlockall). */
static char tp_answer[TP_MAX_RESPONSE + 1];

static void
free_responses(struct pam_response *r, int n)
{
	int i;

	if (r == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (r[i].resp != NULL) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	}
	free(r);
}

static int
send_text(enum tp_out_type type, const char *text)
{
	const char *t = text != NULL ? text : "";

	return tp_send(type, t, strlen(t)) == 0 ? 0 : -TP_R_CANCELLED;
}

/* Asks one question; on success *out is a heap copy PAM will own. */
static int
ask(struct tp_ctx *ctx, const struct pam_message *m, char **out)
{
	enum tp_out_type type = m->msg_style == PAM_PROMPT_ECHO_ON ?
	    TP_OUT_PROMPT_ECHO_ON : TP_OUT_PROMPT_ECHO_OFF;
	size_t len = 0;
	int rc;

	if ((rc = send_text(type, m->msg)) != 0)
		return rc;
	rc = tp_read_response(ctx, tp_answer, sizeof(tp_answer), &len);
	if (rc == 0) {
		*out = tp_malloc(len + 1);
		if (*out == NULL)
			rc = -TP_R_OOM;
		else
			memcpy(*out, tp_answer, len + 1);
	}
	explicit_bzero(tp_answer, sizeof(tp_answer));
	return rc;
}

static int
answer_one(struct tp_ctx *ctx, const struct pam_message *m, struct pam_response *r)
{
	switch (m->msg_style) {
	case PAM_PROMPT_ECHO_OFF:
	case PAM_PROMPT_ECHO_ON:
		return ask(ctx, m, &r->resp);
	case PAM_TEXT_INFO:
		return send_text(TP_OUT_INFO, m->msg);
	case PAM_ERROR_MSG:
		return send_text(TP_OUT_ERROR, m->msg);
	default:
		return -TP_R_SYSTEM; /* unknown style (e.g. binary prompts): refuse */
	}
}

int
tp_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct tp_ctx *ctx = data;
	struct pam_response *r;
	int i, rc = 0;

	*resp = NULL;
	if (ctx->fail_reason != 0)
		return PAM_CONV_ERR; /* a failed conversation stays failed */
	if (n <= 0 || n > PAM_MAX_NUM_MSG) {
		ctx->fail_reason = TP_R_SYSTEM;
		return PAM_CONV_ERR;
	}
	if ((r = tp_calloc((size_t)n, sizeof(*r))) == NULL) {
		ctx->fail_reason = TP_R_OOM;
		return PAM_BUF_ERR;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = answer_one(ctx, msg[i], &r[i]);
	if (rc != 0) {
		free_responses(r, n);
		ctx->fail_reason = -rc;
		return rc == -TP_R_OOM ? PAM_BUF_ERR : PAM_CONV_ERR;
	}
	*resp = r;
	return PAM_SUCCESS;
}
