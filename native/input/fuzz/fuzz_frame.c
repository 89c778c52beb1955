/* libFuzzer target for trustpath-input's decoders: frame headers against the
 * input table and an empty one (trustpath-sak-listen), the PIPE and PINCHECK
 * payload checks, and the text editing and UTF-8 checks fed by key presses. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../frame.h"
#include "../text.h"

static void
decode_all(const uint8_t *data, size_t size)
{
	struct tpi_pipe pipe;
	uint32_t plen;
	uint8_t type;

	while (size > 0) {
		if (tpi_decode_hdr(data, size, tpi_input_rules, tpi_input_nrules,
		    &type, &plen) != TPI_DEC_OK)
			return;
		if (plen > TPI_PIPE_FIXED + TPI_MAX_PATH || size - TPI_HDR_LEN < plen)
			return;
		if (type == TPI_IN_PIPE && tpi_parse_pipe(data + TPI_HDR_LEN, plen, &pipe) == 0 &&
		    (pipe.path[0] != '/' || strlen(pipe.path) != plen - TPI_PIPE_FIXED))
			__builtin_trap();
		if (type == TPI_IN_PINCHECK)
			(void)tpi_check_hash(data + TPI_HDR_LEN, plen);
		data += TPI_HDR_LEN + plen;
		size -= TPI_HDR_LEN + plen;
	}
}

/* Bytes as key presses: 0x08 is BackSpace, anything else appended in runs. */
static void
edit(const uint8_t *data, size_t size)
{
	static struct tpi_text t;
	size_t i, n;

	tpi_text_wipe(&t);
	for (i = 0; i < size; i += n) {
		n = (size - i) < 4 ? size - i : 4;
		if (data[i] == 0x08) {
			n = 1;
			(void)tpi_text_backspace(&t);
		} else if (tpi_utf8_printable((const char *)data + i, n)) {
			(void)tpi_text_append(&t, (const char *)data + i, n);
		}
		if (t.len > TPI_TEXT_MAX || tpi_text_count(&t) > t.len)
			__builtin_trap();
		if (t.len > 0 && !tpi_utf8_printable((const char *)t.bytes, t.len))
			__builtin_trap(); /* only whole printable characters get in or out */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t plen;
	uint8_t type;

	decode_all(data, size);
	if (tpi_decode_hdr(data, size, tpi_input_rules, 0, &type, &plen) > 0)
		__builtin_trap(); /* an empty table accepts nothing */
	if (tpi_check_hash(data, size) == 0 && (size < 30 || data[0] != '$'))
		__builtin_trap();
	edit(data, size);
	return 0;
}
