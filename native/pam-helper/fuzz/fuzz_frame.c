/* libFuzzer target for the helper's decoders: control frames in both states,
 * response headers and bodies, and the UTF-8 cut used on outgoing text. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../frame.h"

static void
decode_all(const uint8_t *data, size_t size, enum tp_state st)
{
	uint8_t type;
	uint32_t plen;
	size_t flen;

	while (size > 0) {
		if (tp_decode_in(data, size, st, &type, &plen, &flen) != TP_DEC_FRAME)
			return;
		if (flen < TP_HDR_LEN || flen > size || plen != flen - TP_HDR_LEN)
			__builtin_trap();
		if (st == TP_STATE_CONV && type != TP_IN_CANCEL)
			__builtin_trap(); /* the state table forbids anything else */
		data += flen;
		size -= flen;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t len;
	size_t n;

	decode_all(data, size, TP_STATE_INIT);
	decode_all(data, size, TP_STATE_CONV);
	if (size >= TP_RESP_HDR_LEN && tp_check_response_len(data, &len) == 0) {
		if (len > TP_MAX_RESPONSE)
			__builtin_trap();
		n = size - TP_RESP_HDR_LEN < len ? size - TP_RESP_HDR_LEN : len;
		(void)tp_check_response_bytes(data + TP_RESP_HDR_LEN, n);
	}
	n = tp_utf8_prefix((const char *)data, size, 64);
	if (n > size || (size > 64 && n > 64))
		__builtin_trap();
	return 0;
}
