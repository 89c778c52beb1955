/* Frame decoding and encoding: pure, bounded, no allocation. */
#include "frame.h"

#include <string.h>

/* Daemon frames allowed per state, and the largest payload of each type. */
struct tp_rule {
	uint8_t type;
	uint32_t max_payload;
	unsigned states; /* bit per enum tp_state */
};

static const struct tp_rule tp_rules[] = {
	{ TP_IN_BEGIN, 0, 1u << TP_STATE_INIT },
	{ TP_IN_CANCEL, 0, (1u << TP_STATE_INIT) | (1u << TP_STATE_CONV) },
};

static uint32_t
get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

enum tp_decode
tp_decode_in(const uint8_t *buf, size_t len, enum tp_state st,
    uint8_t *type, uint32_t *payload_len, size_t *frame_len)
{
	const struct tp_rule *rule = NULL;
	uint32_t plen;
	size_t i;

	if (len < 1)
		return TP_DEC_NEED_MORE;
	for (i = 0; i < sizeof(tp_rules) / sizeof(tp_rules[0]); i++)
		if (tp_rules[i].type == buf[0])
			rule = &tp_rules[i];
	if (rule == NULL)
		return TP_DEC_BAD_TYPE;
	if ((rule->states & (1u << st)) == 0)
		return TP_DEC_NOT_ALLOWED;
	if (len < TP_HDR_LEN)
		return TP_DEC_NEED_MORE;
	plen = get_be32(buf + 1);
	if (plen > rule->max_payload)
		return TP_DEC_TOO_LONG;
	if (len - TP_HDR_LEN < plen)
		return TP_DEC_NEED_MORE;
	*type = buf[0];
	*payload_len = plen;
	*frame_len = TP_HDR_LEN + (size_t)plen;
	return TP_DEC_FRAME;
}

int
tp_check_response_len(const uint8_t hdr[TP_RESP_HDR_LEN], uint16_t *len)
{
	uint16_t n = (uint16_t)(((unsigned)hdr[0] << 8) | hdr[1]);

	if (n > TP_MAX_RESPONSE)
		return -1;
	*len = n;
	return 0;
}

int
tp_check_response_bytes(const uint8_t *buf, size_t len)
{
	/* A NUL would silently shorten the C string handed to PAM. */
	return memchr(buf, '\0', len) == NULL ? 0 : -1;
}

int
tp_encode_hdr(uint8_t hdr[TP_HDR_LEN], enum tp_out_type type, size_t len)
{
	if (len > TP_MAX_TEXT)
		return -1;
	hdr[0] = (uint8_t)type;
	hdr[1] = (uint8_t)(len >> 24);
	hdr[2] = (uint8_t)(len >> 16);
	hdr[3] = (uint8_t)(len >> 8);
	hdr[4] = (uint8_t)len;
	return 0;
}

size_t
tp_utf8_prefix(const char *s, size_t len, size_t max)
{
	size_t n = len;

	if (n <= max)
		return n;
	n = max;
	/* back off over continuation bytes so that no sequence is cut */
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}
