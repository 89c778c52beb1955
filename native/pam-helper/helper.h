/* Shared declarations of trustpath-pam-helper's units. */
#ifndef TP_HELPER_H
#define TP_HELPER_H

#include <stddef.h>
#include <stdint.h>

#include <security/pam_appl.h>

#include "frame.h"

#define TP_CTL_IN 0      /* frames from trustpathd */
#define TP_CTL_OUT 1     /* frames to trustpathd */
#define TP_RESP_FD 3     /* read end of the response pipe */

#ifndef TP_PAM_SERVICE
#define TP_PAM_SERVICE "trustpath"
#endif

/* Conversation state: the only mutable state shared between units. */
struct tp_ctx {
	enum tp_state state;
	int fail_reason;           /* first failure seen in the conversation, 0 if none */
	uint8_t inbuf[16];         /* partial daemon frame (all allowed frames are 5 bytes) */
	size_t inlen;
};

/* alloc.c: every allocation of the helper goes through here (fault injection) */
void tp_alloc_init(void);
void *tp_calloc(size_t n, size_t size);
void *tp_malloc(size_t size);

/* io.c */
int tp_send(enum tp_out_type type, const char *text, size_t len);
int tp_read_ctl(struct tp_ctx *ctx);
int tp_read_response(struct tp_ctx *ctx, char *out, size_t outsz, size_t *outlen);
int tp_wait_begin(struct tp_ctx *ctx);

/* conv.c */
int tp_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data);

#endif
