/* What Enter does with the typed text in each mode. The text is wiped on
 * every path and the mode goes back to NONE: one answer per mode frame. */
#define _GNU_SOURCE
#include <argon2.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"
#include "io.h"

#define TPI_PIN_MIN 4u          /* characters */
#define TPI_ARGON_T 3u
#define TPI_ARGON_M 65536u      /* KiB */
#define TPI_ARGON_P 1u
#define TPI_SALT_LEN 16u
#define TPI_HASH_LEN 32u

void
tpi_wipe(struct tpi_session *s)
{
	tpi_text_wipe(&s->secret->text);
	explicit_bzero(s->secret->answer, sizeof(s->secret->answer));
	explicit_bzero(s->secret->key, sizeof(s->secret->key));
	tpi_keys_compose_reset(&s->x);
}

static int
fail(const char *why)
{
	return tpi_send(TPI_OUT_FAIL, why, strlen(why));
}

/* Opens the PIPE path without following links or blocking, and checks that it
 * is the very FIFO the daemon named, so no other file can receive the answer. */
static int
open_fifo(const struct tpi_pipe *p)
{
	struct stat st;
	int fd;

	fd = open(p->path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode) ||
	    (uint64_t)st.st_dev != p->dev || (uint64_t)st.st_ino != p->ino) {
		close(fd);
		return -1;
	}
	return fd;
}

/* u16 BE length | bytes in one write: at most 514 bytes, below PIPE_BUF, so
 * the reader gets all of it or nothing. */
static int
write_answer(struct tpi_session *s)
{
	struct tpi_secret *sec = s->secret;
	size_t n = sec->text.len;
	ssize_t w;
	int fd;

	fd = open_fifo(&s->pipe);
	if (fd < 0)
		return -1;
	sec->answer[0] = (uint8_t)(n >> 8);
	sec->answer[1] = (uint8_t)n;
	memcpy(sec->answer + 2, sec->text.bytes, n);
	w = write(fd, sec->answer, n + 2);
	close(fd);
	return w == (ssize_t)(n + 2) ? 0 : -1;
}

static int
submit_pipe(struct tpi_session *s)
{
	const uint8_t wrote = 1;
	int r = write_answer(s);

	tpi_wipe(s);
	if (r != 0)
		return fail("could not write the answer to the pipe");
	return tpi_send(TPI_OUT_SUBMIT, &wrote, 1);
}

static int
submit_pincheck(struct tpi_session *s)
{
	uint8_t ok;

	ok = argon2id_verify(s->hash, s->secret->text.bytes, s->secret->text.len) == ARGON2_OK;
	tpi_wipe(s);
	return tpi_send(TPI_OUT_PINRESULT, &ok, 1);
}

static int
submit_pinset(struct tpi_session *s)
{
	char encoded[TPI_MAX_HASH];
	uint8_t salt[TPI_SALT_LEN];
	int rc;

	if (tpi_text_count(&s->secret->text) < TPI_PIN_MIN) {
		tpi_wipe(s);
		return tpi_send(TPI_OUT_PINHASH, NULL, 0);
	}
	if (getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt)) {
		tpi_wipe(s);
		return fail("no random salt");
	}
	rc = argon2id_hash_encoded(TPI_ARGON_T, TPI_ARGON_M, TPI_ARGON_P,
	    s->secret->text.bytes, s->secret->text.len, salt, sizeof(salt),
	    TPI_HASH_LEN, encoded, sizeof(encoded));
	tpi_wipe(s);
	if (rc != ARGON2_OK)
		return fail(argon2_error_message(rc));
	return tpi_send(TPI_OUT_PINHASH, encoded, strlen(encoded));
}

int
tpi_submit(struct tpi_session *s)
{
	const uint8_t wrote = 0;
	enum tpi_mode mode = s->mode;

	s->mode = TPI_MODE_NONE;
	switch (mode) {
	case TPI_MODE_PIPE:
		return submit_pipe(s);
	case TPI_MODE_PINCHECK:
		return submit_pincheck(s);
	case TPI_MODE_PINSET:
		return submit_pinset(s);
	case TPI_MODE_NONE:
	default:
		tpi_wipe(s);
		return tpi_send(TPI_OUT_SUBMIT, &wrote, 1);
	}
}
