/* trustpath-input: shared state of the grabber's parts. */
#ifndef TPI_INPUT_H
#define TPI_INPUT_H

#include <stdint.h>
#include <xcb/xcb.h>
#include <xkbcommon/xkbcommon.h>

#include "frame.h"
#include "text.h"

#define TPI_MAX_KEY 128u     /* window title nonce */
#define TPI_MAX_LOCALE 64u   /* --compose-locale */
#define TPI_COMPOSE_DEFAULT "C.UTF-8" /* its default, and the fallback: en_US.UTF-8's table */
#define TPI_KEYBUF 64u       /* UTF-8 of one key press */

/* Everything that holds typed text, in one locked page. */
struct tpi_secret {
	struct tpi_text text;
	uint8_t answer[2 + TPI_TEXT_MAX];   /* u16 BE length | bytes, for the pipe */
	char key[TPI_KEYBUF];               /* one key press's text */
};

struct tpi_x {
	xcb_connection_t *c;
	xcb_screen_t *screen;
	int screen_num;
	xcb_window_t root;
	xcb_window_t win;          /* the prompt host's window, once found */
	xcb_window_t parent;       /* where it was put: root or the overlay */
	xcb_window_t overlay;      /* XCB_NONE unless the overlay window is held */
	int protected_display;     /* TRUSTPATH present and not in audit mode */
	uint8_t xkb_event;         /* XKB's event code */
	int32_t kbd_id;            /* the core keyboard */
	struct xkb_context *ctx;
	struct xkb_keymap *keymap;
	struct xkb_state *state;
	struct xkb_compose_state *compose;  /* NULL: no Compose table (dead keys give nothing) */
};

/* x.c: connection, extension, finding the host window */
int tpi_x_connect(struct tpi_x *x);
void tpi_x_query_trustpath(struct tpi_x *x);
int tpi_x_find(struct tpi_x *x, const char *key, long timeout_ms, const char **why);
xcb_atom_t tpi_x_atom(struct tpi_x *x, const char *name);

/* takeover.c: making the window the prompt, and giving it back */
int tpi_take(struct tpi_x *x, const char **why);
void tpi_refit(struct tpi_x *x, const xcb_configure_notify_event_t *ev);
void tpi_release(struct tpi_x *x);

/* keys.c: key events to actions with the server's current layout */
enum tpi_key {
	TPI_KEY_NONE,
	TPI_KEY_CANCEL,
	TPI_KEY_TEXT,        /* secret->key holds the text, *n its length */
	TPI_KEY_BACKSPACE,
	TPI_KEY_CLEAR,
	TPI_KEY_PREV,
	TPI_KEY_NEXT,
	TPI_KEY_SUBMIT,
};
int tpi_keys_init(struct tpi_x *x, const char *compose_locale);
int tpi_keys_reload(struct tpi_x *x);
/* Follows XKB events; -1 if the keymap could not be reloaded. */
int tpi_keys_xkb_event(struct tpi_x *x, const xcb_generic_event_t *ev);
enum tpi_key tpi_key_of(struct tpi_x *x, uint8_t keycode, char *buf, size_t cap, size_t *n);
void tpi_keys_free(struct tpi_x *x);
/* Forgets a dead key or Compose sequence in progress. */
void tpi_keys_compose_reset(struct tpi_x *x);

/* submit.c: what Enter does in each mode */
enum tpi_mode { TPI_MODE_NONE, TPI_MODE_PIPE, TPI_MODE_PINCHECK, TPI_MODE_PINSET };
struct tpi_session {
	struct tpi_x x;
	struct tpi_secret *secret;
	int armed;
	enum tpi_mode mode;
	struct tpi_pipe pipe;
	char hash[TPI_MAX_HASH + 1];
};
/* Returns -1 when a frame could not be sent (the daemon is gone). */
int tpi_submit(struct tpi_session *s);
void tpi_wipe(struct tpi_session *s);

#endif
