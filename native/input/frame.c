/* Frame headers and payload checks: pure, bounded, no allocation. */
#include "frame.h"

#include <string.h>

/* Bounds on a hash handed to PINCHECK: the daemon only stores hashes this
 * program made (t=3, m=65536, p=1); larger costs would let a bad file stall
 * the prompt or exhaust memory. */
#define TPI_HASH_MAX_M 262144u   /* KiB */
#define TPI_HASH_MAX_T 16u
#define TPI_HASH_MAX_P 4u
#define TPI_B64_MAX 128u

const struct tpi_rule tpi_input_rules[] = {
	{ TPI_IN_ARM, 0 },
	{ TPI_IN_PIPE, TPI_PIPE_FIXED + TPI_MAX_PATH },
	{ TPI_IN_UNPIPE, 0 },
	{ TPI_IN_QUIT, 0 },
	{ TPI_IN_PINCHECK, TPI_MAX_HASH },
	{ TPI_IN_PINSET, 0 },
};
const size_t tpi_input_nrules = sizeof(tpi_input_rules) / sizeof(tpi_input_rules[0]);

static const struct tpi_rule tpi_output_rules[] = {
	{ TPI_OUT_READY, 5 },
	{ TPI_OUT_EDIT, 4 },
	{ TPI_OUT_SUBMIT, 1 },
	{ TPI_OUT_CANCEL, 0 },
	{ TPI_OUT_NAV, 1 },
	{ TPI_OUT_FAIL, TPI_MAX_FAIL },
	{ TPI_OUT_PINRESULT, 1 },
	{ TPI_OUT_PINHASH, TPI_MAX_HASH },
	{ TPI_OUT_LISTENING, 0 },
	{ TPI_OUT_SAK, 12 },
};

static uint32_t
get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static uint64_t
get_be64(const uint8_t *p)
{
	return ((uint64_t)get_be32(p) << 32) | get_be32(p + 4);
}

void
tpi_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static const struct tpi_rule *
find_rule(const struct tpi_rule *rules, size_t nrules, uint8_t type)
{
	size_t i;

	for (i = 0; i < nrules; i++)
		if (rules[i].type == type)
			return &rules[i];
	return NULL;
}

enum tpi_decode
tpi_decode_hdr(const uint8_t *buf, size_t len, const struct tpi_rule *rules,
    size_t nrules, uint8_t *type, uint32_t *payload_len)
{
	const struct tpi_rule *rule;
	uint32_t plen;

	if (len < 1)
		return TPI_DEC_NEED_MORE;
	rule = find_rule(rules, nrules, buf[0]);
	if (rule == NULL)
		return TPI_DEC_BAD_TYPE;
	if (len < TPI_HDR_LEN)
		return TPI_DEC_NEED_MORE;
	plen = get_be32(buf + 1);
	if (plen > rule->cap)
		return TPI_DEC_TOO_LONG;
	*type = buf[0];
	*payload_len = plen;
	return TPI_DEC_OK;
}

int
tpi_parse_pipe(const uint8_t *p, size_t len, struct tpi_pipe *out)
{
	size_t plen;

	if (len <= TPI_PIPE_FIXED || len > TPI_PIPE_FIXED + TPI_MAX_PATH)
		return -1;
	plen = len - TPI_PIPE_FIXED;
	if (p[TPI_PIPE_FIXED] != '/' || memchr(p + TPI_PIPE_FIXED, '\0', plen) != NULL)
		return -1;
	out->dev = get_be64(p);
	out->ino = get_be64(p + 8);
	memcpy(out->path, p + TPI_PIPE_FIXED, plen);
	out->path[plen] = '\0';
	return 0;
}

/* Reads a decimal number 1..max without leading zeros at *i; -1 if none. */
static int
take_number(const uint8_t *p, size_t len, size_t *i, uint32_t max)
{
	uint32_t v = 0;
	size_t start = *i;

	while (*i < len && p[*i] >= '0' && p[*i] <= '9') {
		v = v * 10 + (uint32_t)(p[*i] - '0');
		if (v > max)
			return -1;
		(*i)++;
	}
	if (*i == start || p[start] == '0')
		return -1;
	return 0;
}

static int
take_literal(const uint8_t *p, size_t len, size_t *i, const char *lit)
{
	size_t n = strlen(lit);

	if (len - *i < n || memcmp(p + *i, lit, n) != 0)
		return -1;
	*i += n;
	return 0;
}

static int
is_b64(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* Base64 (unpadded, as argon2 encodes) of 1..TPI_B64_MAX characters at *i. */
static int
take_b64(const uint8_t *p, size_t len, size_t *i)
{
	size_t start = *i;

	while (*i < len && is_b64(p[*i]))
		(*i)++;
	return *i > start && *i - start <= TPI_B64_MAX ? 0 : -1;
}

int
tpi_check_hash(const uint8_t *p, size_t len)
{
	size_t i = 0;

	if (len > TPI_MAX_HASH)
		return -1;
	if (take_literal(p, len, &i, "$argon2id$v=19$m=") != 0 ||
	    take_number(p, len, &i, TPI_HASH_MAX_M) != 0 ||
	    take_literal(p, len, &i, ",t=") != 0 ||
	    take_number(p, len, &i, TPI_HASH_MAX_T) != 0 ||
	    take_literal(p, len, &i, ",p=") != 0 ||
	    take_number(p, len, &i, TPI_HASH_MAX_P) != 0 ||
	    take_literal(p, len, &i, "$") != 0 || take_b64(p, len, &i) != 0 ||
	    take_literal(p, len, &i, "$") != 0 || take_b64(p, len, &i) != 0)
		return -1;
	return i == len ? 0 : -1;
}

int
tpi_encode_hdr(uint8_t hdr[TPI_HDR_LEN], uint8_t type, size_t len)
{
	size_t n = sizeof(tpi_output_rules) / sizeof(tpi_output_rules[0]);
	const struct tpi_rule *rule = find_rule(tpi_output_rules, n, type);

	if (rule == NULL || len > rule->cap)
		return -1;
	hdr[0] = type;
	tpi_put_be32(hdr + 1, (uint32_t)len);
	return 0;
}
