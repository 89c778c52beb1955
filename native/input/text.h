/* The typed answer: a fixed buffer of UTF-8 text. Pure functions; where the
 * buffer lives (locked memory) and when it is wiped is the caller's business. */
#ifndef TPI_TEXT_H
#define TPI_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define TPI_TEXT_MAX 512u   /* the PAM helper's answer cap */

struct tpi_text {
	size_t len;
	uint8_t bytes[TPI_TEXT_MAX];
};

/* Appends s if the whole of it fits: 1 appended, 0 not (nothing changed). */
int tpi_text_append(struct tpi_text *t, const char *s, size_t n);

/* Removes the last UTF-8 character: 1 removed, 0 the text was empty. */
int tpi_text_backspace(struct tpi_text *t);

/* Number of characters (UTF-8 lead bytes). */
uint32_t tpi_text_count(const struct tpi_text *t);

void tpi_text_wipe(struct tpi_text *t);

/* 1 when s is well-formed UTF-8 of at least one character and none of its
 * characters is a control character (C0, DEL, C1). */
int tpi_utf8_printable(const char *s, size_t n);

#endif
