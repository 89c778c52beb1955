/* Editing the typed answer: bounded, no allocation. */
#define _DEFAULT_SOURCE
#include "text.h"

#include <string.h>

static int
is_continuation(uint8_t c)
{
	return (c & 0xC0) == 0x80;
}

int
tpi_text_append(struct tpi_text *t, const char *s, size_t n)
{
	if (n == 0 || n > TPI_TEXT_MAX - t->len)
		return 0;
	memcpy(t->bytes + t->len, s, n);
	t->len += n;
	return 1;
}

int
tpi_text_backspace(struct tpi_text *t)
{
	uint8_t c;

	if (t->len == 0)
		return 0;
	/* back to and including the lead byte of the last character */
	do {
		c = t->bytes[--t->len];
		t->bytes[t->len] = 0;
	} while (t->len > 0 && is_continuation(c));
	return 1;
}

uint32_t
tpi_text_count(const struct tpi_text *t)
{
	uint32_t count = 0;
	size_t i;

	for (i = 0; i < t->len; i++)
		if (!is_continuation(t->bytes[i]))
			count++;
	return count;
}

void
tpi_text_wipe(struct tpi_text *t)
{
	explicit_bzero(t->bytes, sizeof(t->bytes));
	t->len = 0;
}

/* Decodes one character at s; returns its length, or 0 if malformed
 * (truncated, overlong, surrogate or above U+10FFFF). */
static size_t
utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0)
		len = 2, v = s[0] & 0x1Fu;
	else if ((s[0] & 0xF0) == 0xE0)
		len = 3, v = s[0] & 0x0Fu;
	else if ((s[0] & 0xF8) == 0xF0)
		len = 4, v = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if (!is_continuation(s[i]))
			return 0;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

int
tpi_utf8_printable(const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	uint32_t cp;
	size_t i = 0, k;

	if (n == 0)
		return 0;
	while (i < n) {
		k = utf8_decode(p + i, n - i, &cp);
		if (k == 0 || cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
			return 0;
		i += k;
	}
	return 1;
}
