/* Framing between trustpathd and trustpath-pam-helper (see PROTOCOL.md).
 * Pure functions: no I/O, no allocation; the fuzz target drives them directly. */
#ifndef TP_FRAME_H
#define TP_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define TP_HDR_LEN 5u          /* u8 type, u32 big-endian payload length */
#define TP_MAX_TEXT 1024u      /* cap on helper -> daemon message text */
#define TP_MAX_RESPONSE 512u   /* cap on one response from the response pipe */
#define TP_RESP_HDR_LEN 2u     /* u16 big-endian response length */

/* helper -> daemon */
enum tp_out_type {
	TP_OUT_PROMPT_ECHO_OFF = 0x01,
	TP_OUT_PROMPT_ECHO_ON = 0x02,
	TP_OUT_INFO = 0x03,
	TP_OUT_ERROR = 0x04,
	TP_OUT_SUCCESS = 0x05,
	TP_OUT_FAILURE = 0x06,
};

/* daemon -> helper */
enum tp_in_type {
	TP_IN_BEGIN = 0x10,
	TP_IN_CANCEL = 0x11,
};

/* helper states; each has a table of daemon frames it accepts */
enum tp_state {
	TP_STATE_INIT = 0,     /* before BEGIN */
	TP_STATE_CONV = 1,     /* PAM running */
};

/* reason codes carried by FAILURE (stable; the TS codec mirrors them) */
enum tp_reason {
	TP_R_AUTH = 1,             /* wrong secret, max tries, insufficient credentials */
	TP_R_USER_UNKNOWN = 2,
	TP_R_ACCT_EXPIRED = 3,
	TP_R_AUTHTOK_EXPIRED = 4,  /* password expired and could not be changed */
	TP_R_PERM_DENIED = 5,      /* account locked / access denied by account stack */
	TP_R_USER_CHANGED = 6,     /* PAM_USER differs from the requested user */
	TP_R_OOM = 7,
	TP_R_PROTOCOL = 8,         /* bad frame, unexpected frame, bad response */
	TP_R_CANCELLED = 9,        /* CANCEL frame, stdin closed, response pipe closed */
	TP_R_SYSTEM = 10,          /* PAM or system error */
};

/* Result of looking at the start of a buffer for one daemon frame. */
enum tp_decode {
	TP_DEC_NEED_MORE = 0,   /* header or payload incomplete */
	TP_DEC_FRAME = 1,       /* *type, *payload_len, *frame_len are set */
	TP_DEC_BAD_TYPE = -1,   /* unknown type */
	TP_DEC_TOO_LONG = -2,   /* length above the cap for its type */
	TP_DEC_NOT_ALLOWED = -3 /* known type, not allowed in this state */
};

enum tp_decode tp_decode_in(const uint8_t *buf, size_t len, enum tp_state st,
    uint8_t *type, uint32_t *payload_len, size_t *frame_len);

/* Response pipe: u16 BE length then bytes; returns 0 ok, -1 bad. */
int tp_check_response_len(const uint8_t hdr[TP_RESP_HDR_LEN], uint16_t *len);
int tp_check_response_bytes(const uint8_t *buf, size_t len);

/* Writes a header for an outgoing frame; returns -1 if len exceeds the cap. */
int tp_encode_hdr(uint8_t hdr[TP_HDR_LEN], enum tp_out_type type, size_t len);

/* Largest prefix of s (at most max bytes) that does not cut a UTF-8 sequence. */
size_t tp_utf8_prefix(const char *s, size_t len, size_t max);

#endif
