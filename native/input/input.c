/* trustpath-input: the keyboard side of the trusted prompt. Finds the prompt
 * host's window by its title nonce, makes it a full-screen override-redirect
 * window holding the keyboard and pointer grabs, turns key presses into text
 * with the user's layout, and hands the text only to the PAM helper's pipe or
 * the PIN hash; trustpathd learns counts and decisions, never the text.
 *
 *   usage: trustpath-input --window-title KEY [--find-timeout-ms N] [--compose-locale L]
 *          trustpath-input --probe    (one READY: is this display protected? then exit 0)
 *   stdin/stdout: frames with trustpathd (PROTOCOL.md); stderr: diagnostics
 *
 * Exit status: 0 QUIT or end of file, 1 protocol error or fatal FAIL,
 * 2 misuse (no frames). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "input.h"
#include "io.h"

#define TPI_DEFAULT_FIND_MS 5000L
#define TPI_MAX_FIND_MS 600000L
#define TPI_READY_PROTECTED 0x01
#define TPI_READY_OVERLAY 0x02
#define USAGE "usage: trustpath-input --window-title KEY [--find-timeout-ms N] [--compose-locale L] | --probe"

struct tpi_args {
	const char *key;
	long find_ms;
	const char *compose;        /* the locale whose Compose table dead keys use */
	int probe;                  /* --probe: only say whether the display is protected */
};

/* Locked so that typed text never reaches swap; wiped after every use. */
static struct tpi_secret secret_page __attribute__((aligned(4096)));

static void __attribute__((noreturn))
misuse(const char *why)
{
	tpi_log("refused: %s", why);
	_exit(TPI_EXIT_MISUSE);
}

/* The nonce the host puts in its title: printable ASCII, no spaces. */
static int
valid_key(const char *k)
{
	size_t i, n = strnlen(k, TPI_MAX_KEY + 1);

	if (n == 0 || n > TPI_MAX_KEY)
		return 0;
	for (i = 0; i < n; i++)
		if (k[i] <= 0x20 || k[i] >= 0x7f)
			return 0;
	return 1;
}

/* A locale name as the daemon passes it (pt_BR.UTF-8, sr_RS.UTF-8@latin): it only
 * selects a system Compose table, and is never a path. */
static int
valid_locale(const char *l)
{
	size_t i, n = strnlen(l, TPI_MAX_LOCALE + 1);

	if (n == 0 || n > TPI_MAX_LOCALE || l[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)l[i]) && strchr("_.@-", l[i]) == NULL)
			return 0;
	return 1;
}

static long
parse_ms(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < 0 || v > TPI_MAX_FIND_MS)
		misuse("--find-timeout-ms takes 0..600000");
	return v;
}

static struct tpi_args
parse_args(int argc, char **argv)
{
	struct tpi_args a = { NULL, TPI_DEFAULT_FIND_MS, TPI_COMPOSE_DEFAULT, 0 };
	int i;

	if (argc == 2 && strcmp(argv[1], "--probe") == 0) {
		a.probe = 1;
		return a;
	}
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--window-title") == 0 && a.key == NULL)
			a.key = argv[i + 1];
		else if (strcmp(argv[i], "--find-timeout-ms") == 0)
			a.find_ms = parse_ms(argv[i + 1]);
		else if (strcmp(argv[i], "--compose-locale") == 0 && valid_locale(argv[i + 1]))
			a.compose = argv[i + 1];
		else
			misuse(USAGE);
	}
	if (i != argc || a.key == NULL || !valid_key(a.key))
		misuse(USAGE);
	return a;
}

/* Only the X variables survive; xkbcommon is told not to read any either. */
static void
reset_environment(void)
{
	char display[256] = "", xauth[4096] = "";
	const char *d = getenv("DISPLAY"), *a = getenv("XAUTHORITY");

	if (d == NULL || strlen(d) >= sizeof(display) || (a && strlen(a) >= sizeof(xauth)))
		misuse("DISPLAY unset or too long");
	strcpy(display, d);
	if (a != NULL)
		strcpy(xauth, a);
	if (clearenv() != 0 || setenv("DISPLAY", display, 1) != 0 ||
	    (a != NULL && setenv("XAUTHORITY", xauth, 1) != 0))
		misuse("cannot reset the environment");
}

static void
prepare_process(struct tpi_session *s)
{
	if (getuid() == 0 || geteuid() != getuid())
		misuse("must run as the trustpath user, not root or setuid");
	if (tpi_harden() != 0)
		misuse("cannot harden the process");
	if (mlock(&secret_page, sizeof(secret_page)) != 0)
		misuse("cannot lock the text buffer in memory");
	s->secret = &secret_page;
	tpi_wipe(s);
}

/* Fatal: report, give the window back, exit 1. */
static void __attribute__((noreturn))
die(struct tpi_session *s, const char *why)
{
	tpi_wipe(s);
	(void)tpi_send(TPI_OUT_FAIL, why, strlen(why));
	tpi_log("%s", why);
	if (s->x.c != NULL && !xcb_connection_has_error(s->x.c))
		tpi_release(&s->x);
	_exit(TPI_EXIT_FAIL);
}

static void __attribute__((noreturn))
finish(struct tpi_session *s, int status)
{
	tpi_wipe(s);
	if (s->x.c != NULL && !xcb_connection_has_error(s->x.c))
		tpi_release(&s->x);
	_exit(status);
}

static void
send_or_die(struct tpi_session *s, uint8_t type, const void *p, size_t n)
{
	if (tpi_send(type, p, n) != 0)
		finish(s, TPI_EXIT_FAIL); /* stdout gone: the daemon is */
}

static void
send_edit(struct tpi_session *s)
{
	uint8_t count[4];

	tpi_put_be32(count, tpi_text_count(&s->secret->text));
	send_or_die(s, TPI_OUT_EDIT, count, sizeof(count));
}

static void
send_nav(struct tpi_session *s, int8_t delta)
{
	uint8_t b = (uint8_t)delta;

	send_or_die(s, TPI_OUT_NAV, &b, 1);
}

static void
on_key(struct tpi_session *s, uint8_t keycode)
{
	struct tpi_secret *sec = s->secret;
	size_t n;
	enum tpi_key k = tpi_key_of(&s->x, keycode, sec->key, sizeof(sec->key), &n);
	int changed = 0;

	if (k == TPI_KEY_CANCEL) {
		tpi_wipe(s);
		send_or_die(s, TPI_OUT_CANCEL, NULL, 0);
		return;
	}
	if (!s->armed) {
		explicit_bzero(sec->key, sizeof(sec->key));
		tpi_keys_compose_reset(&s->x); /* no half sequence carries over the SAK */
		return;
	}
	if (k == TPI_KEY_TEXT)
		changed = tpi_text_append(&sec->text, sec->key, n);
	else if (k == TPI_KEY_BACKSPACE)
		changed = tpi_text_backspace(&sec->text);
	else if (k == TPI_KEY_CLEAR && sec->text.len > 0) {
		tpi_text_wipe(&sec->text);
		changed = 1;
	} else if (k == TPI_KEY_PREV || k == TPI_KEY_NEXT)
		send_nav(s, k == TPI_KEY_PREV ? -1 : 1);
	else if (k == TPI_KEY_SUBMIT && tpi_submit(s) != 0)
		finish(s, TPI_EXIT_FAIL);
	explicit_bzero(sec->key, sizeof(sec->key));
	if (changed)
		send_edit(s);
}

static void
on_x_event(struct tpi_session *s, xcb_generic_event_t *ev)
{
	uint8_t type = ev->response_type;

	/* the send_event bit: made up by some client (SendEvent), not by the server;
	 * a fake key, XKB state or unmap must change nothing */
	if (type & 0x80)
		return;
	if (type == XCB_KEY_PRESS) {
		on_key(s, ((xcb_key_press_event_t *)ev)->detail);
	} else if (type == s->x.xkb_event) {
		if (tpi_keys_xkb_event(&s->x, ev) != 0)
			die(s, "could not load the new keymap");
	} else if (type == XCB_UNMAP_NOTIFY || type == XCB_DESTROY_NOTIFY) {
		s->x.win = type == XCB_DESTROY_NOTIFY ? XCB_NONE : s->x.win;
		die(s, "the host window was unmapped or destroyed");
	} else if (type == XCB_CONFIGURE_NOTIFY) {
		tpi_refit(&s->x, (xcb_configure_notify_event_t *)ev);
	} else if (type == XCB_REPARENT_NOTIFY &&
	    ((xcb_reparent_notify_event_t *)ev)->parent != s->x.parent) {
		die(s, "the host window was moved away");
	} else if (type == 0) {
		xcb_generic_error_t *e = (xcb_generic_error_t *)ev;
		tpi_log("X error %u (request %u.%u)", e->error_code, e->major_code, e->minor_code);
	}
}

static void
drain_x(struct tpi_session *s)
{
	xcb_generic_event_t *ev;

	while ((ev = xcb_poll_for_event(s->x.c)) != NULL) {
		on_x_event(s, ev);
		free(ev);
	}
	if (xcb_connection_has_error(s->x.c)) {
		tpi_wipe(s);
		(void)tpi_send(TPI_OUT_FAIL, "X connection lost", 17);
		_exit(TPI_EXIT_FAIL);
	}
}

/* A mode frame starts a new answer: whatever was typed is wiped. */
static void
on_frame(struct tpi_session *s, uint8_t type, const uint8_t *p, uint32_t n)
{
	if (type == TPI_IN_ARM) {
		s->armed = 1;
		return;
	}
	if (type == TPI_IN_QUIT)
		finish(s, TPI_EXIT_OK);
	tpi_wipe(s);
	s->mode = TPI_MODE_NONE;
	if (type == TPI_IN_PIPE) {
		if (tpi_parse_pipe(p, n, &s->pipe) != 0)
			die(s, "protocol: malformed PIPE");
		s->mode = TPI_MODE_PIPE;
	} else if (type == TPI_IN_PINCHECK) {
		if (tpi_check_hash(p, n) != 0)
			die(s, "protocol: malformed PINCHECK");
		memcpy(s->hash, p, n);
		s->hash[n] = '\0';
		s->mode = TPI_MODE_PINCHECK;
	} else if (type == TPI_IN_PINSET) {
		s->mode = TPI_MODE_PINSET;
	}
}

static void
read_stdin(struct tpi_session *s, struct tpi_reader *r)
{
	enum tpi_read rd = tpi_read_frame(r, STDIN_FILENO);

	if (rd == TPI_READ_EOF)
		finish(s, TPI_EXIT_OK);
	if (rd == TPI_READ_PROTOCOL)
		die(s, "protocol: bad frame from the daemon");
	if (rd == TPI_READ_ERROR)
		die(s, "cannot read stdin");
	if (rd == TPI_READ_FRAME) {
		on_frame(s, r->type, r->buf + TPI_HDR_LEN, r->plen);
		tpi_reader_done(r);
	}
}

static int
signal_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static void __attribute__((noreturn))
run(struct tpi_session *s, int sfd)
{
	static struct tpi_reader reader = { tpi_input_rules, 0, 0, 0, 0, { 0 } };
	struct pollfd fds[3];

	reader.nrules = tpi_input_nrules;
	fds[0] = (struct pollfd){ STDIN_FILENO, POLLIN, 0 };
	fds[1] = (struct pollfd){ xcb_get_file_descriptor(s->x.c), POLLIN, 0 };
	fds[2] = (struct pollfd){ sfd, POLLIN, 0 };
	for (;;) {
		drain_x(s);
		xcb_flush(s->x.c);
		if (poll(fds, 3, -1) < 0 && errno != EINTR)
			die(s, "poll failed");
		if (fds[2].revents != 0)
			finish(s, TPI_EXIT_FAIL);
		if (fds[0].revents != 0)
			read_stdin(s, &reader);
	}
}

static void
send_ready(struct tpi_session *s)
{
	uint8_t ready[5];

	ready[0] = (uint8_t)((s->x.protected_display ? TPI_READY_PROTECTED : 0) |
	    (s->x.overlay != XCB_NONE ? TPI_READY_OVERLAY : 0));
	tpi_put_be32(ready + 1, s->x.win);
	send_or_die(s, TPI_OUT_READY, ready, sizeof(ready));
}

int
main(int argc, char **argv)
{
	static struct tpi_session s;
	struct tpi_args a;
	const char *why = NULL;
	int sfd;

	prepare_process(&s);
	a = parse_args(argc, argv);
	reset_environment();
	sfd = signal_fd();
	if (sfd < 0)
		misuse("cannot set up signals");
	if (tpi_x_connect(&s.x) != 0)
		die(&s, "cannot connect to the X display");
	tpi_x_query_trustpath(&s.x);
	if (a.probe) {
		/* Before anything is shown: the daemon refuses an unprotected display when
		 * configured so, without a window ever appearing there. */
		send_ready(&s);
		finish(&s, 0);
	}
	if (tpi_x_find(&s.x, a.key, a.find_ms, &why) != 0 || tpi_take(&s.x, &why) != 0)
		die(&s, why);
	send_ready(&s);
	/* After READY: the prompt is on screen a keymap fetch sooner. Key events wait in
	 * xcb's queue meanwhile, and nothing is typed before ARM anyway. */
	if (tpi_keys_init(&s.x, a.compose) != 0)
		die(&s, "cannot read the keymap (XKB)");
	run(&s, sfd);
}
