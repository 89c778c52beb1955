/* Key presses to actions, with the server's current keymap and state for the
 * core keyboard (xkbcommon-x11), so the user's own layout is used and layout
 * changes while the prompt is up are followed. Dead keys and Compose sequences
 * go through the system's Compose table for the user's locale (LC_CTYPE of the
 * requesting process, as the daemon passes it), as in the user's own programs:
 * pt_BR's ´ then c gives ç where en_US's gives ć. The environment is cleared, so
 * no XCOMPOSEFILE or user's ~/.XCompose is read. */
#include <stdlib.h>
#include <string.h>
#include <xcb/xkb.h>
#include <xkbcommon/xkbcommon-compose.h>
#include <xkbcommon/xkbcommon-x11.h>

#include "input.h"
#include "io.h"

int
tpi_keys_init(struct tpi_x *x, const char *compose_locale)
{
	struct xkb_compose_table *table;

	/* no environment, no include paths: the keymap comes from the server only */
	x->ctx = xkb_context_new(XKB_CONTEXT_NO_DEFAULT_INCLUDES | XKB_CONTEXT_NO_ENVIRONMENT_NAMES);
	if (x->ctx == NULL)
		return -1;
	if (!xkb_x11_setup_xkb_extension(x->c, XKB_X11_MIN_MAJOR_XKB_VERSION,
	    XKB_X11_MIN_MINOR_XKB_VERSION, XKB_X11_SETUP_XKB_EXTENSION_NO_FLAGS,
	    NULL, NULL, &x->xkb_event, NULL))
		return -1;
	x->kbd_id = xkb_x11_get_core_keyboard_device_id(x->c);
	if (x->kbd_id < 0)
		return -1;
	/* A locale without a table of its own gets the common UTF-8 one; without any
	 * (no X locale data installed) dead keys give no text. */
	table = xkb_compose_table_new_from_locale(x->ctx, compose_locale, XKB_COMPOSE_COMPILE_NO_FLAGS);
	if (table == NULL && strcmp(compose_locale, TPI_COMPOSE_DEFAULT) != 0) {
		tpi_log("no Compose table for %s; using %s's", compose_locale, TPI_COMPOSE_DEFAULT);
		table = xkb_compose_table_new_from_locale(x->ctx, TPI_COMPOSE_DEFAULT, XKB_COMPOSE_COMPILE_NO_FLAGS);
	}
	if (table != NULL) {
		x->compose = xkb_compose_state_new(table, XKB_COMPOSE_STATE_NO_FLAGS);
		xkb_compose_table_unref(table); /* the state holds its own reference */
	}
	return tpi_keys_reload(x);
}

void
tpi_keys_compose_reset(struct tpi_x *x)
{
	if (x->compose != NULL)
		xkb_compose_state_reset(x->compose);
}

/* Keymap changes (setxkbmap, a new keyboard) and every modifier/group change. */
static int
select_xkb_events(struct tpi_x *x)
{
	enum {
		events = XCB_XKB_EVENT_TYPE_NEW_KEYBOARD_NOTIFY |
		    XCB_XKB_EVENT_TYPE_MAP_NOTIFY | XCB_XKB_EVENT_TYPE_STATE_NOTIFY,
		map_parts = XCB_XKB_MAP_PART_KEY_TYPES | XCB_XKB_MAP_PART_KEY_SYMS |
		    XCB_XKB_MAP_PART_MODIFIER_MAP | XCB_XKB_MAP_PART_EXPLICIT_COMPONENTS |
		    XCB_XKB_MAP_PART_KEY_ACTIONS | XCB_XKB_MAP_PART_VIRTUAL_MODS |
		    XCB_XKB_MAP_PART_VIRTUAL_MOD_MAP,
		state_parts = XCB_XKB_STATE_PART_MODIFIER_BASE |
		    XCB_XKB_STATE_PART_MODIFIER_LATCH | XCB_XKB_STATE_PART_MODIFIER_LOCK |
		    XCB_XKB_STATE_PART_GROUP_BASE | XCB_XKB_STATE_PART_GROUP_LATCH |
		    XCB_XKB_STATE_PART_GROUP_LOCK,
	};
	static const xcb_xkb_select_events_details_t details = {
		.affectNewKeyboard = XCB_XKB_NKN_DETAIL_KEYCODES,
		.newKeyboardDetails = XCB_XKB_NKN_DETAIL_KEYCODES,
		.affectState = state_parts,
		.stateDetails = state_parts,
	};
	xcb_generic_error_t *e;

	e = xcb_request_check(x->c, xcb_xkb_select_events_aux_checked(x->c,
	    (xcb_xkb_device_spec_t)x->kbd_id, events, 0, 0, map_parts, map_parts, &details));
	free(e);
	return e == NULL ? 0 : -1;
}

void
tpi_keys_free(struct tpi_x *x)
{
	xkb_state_unref(x->state);
	xkb_keymap_unref(x->keymap);
	x->state = NULL;
	x->keymap = NULL;
}

int
tpi_keys_reload(struct tpi_x *x)
{
	struct xkb_keymap *km;
	struct xkb_state *st;

	km = xkb_x11_keymap_new_from_device(x->ctx, x->c, x->kbd_id, XKB_KEYMAP_COMPILE_NO_FLAGS);
	if (km == NULL)
		return -1;
	st = xkb_x11_state_new_from_device(km, x->c, x->kbd_id);
	if (st == NULL) {
		xkb_keymap_unref(km);
		return -1;
	}
	tpi_keys_free(x);
	x->keymap = km;
	x->state = st;
	return select_xkb_events(x);
}

/* The XKB events share one event code; xkbType tells them apart. */
union tpi_xkb_event {
	struct {
		uint8_t response_type;
		uint8_t xkbType;
		uint16_t sequence;
		xcb_timestamp_t time;
		uint8_t deviceID;
	} any;
	xcb_xkb_new_keyboard_notify_event_t new_keyboard;
	xcb_xkb_map_notify_event_t map;
	xcb_xkb_state_notify_event_t state;
};

int
tpi_keys_xkb_event(struct tpi_x *x, const xcb_generic_event_t *ev)
{
	const union tpi_xkb_event *e = (const union tpi_xkb_event *)ev;

	if (e->any.deviceID != x->kbd_id)
		return 0;
	switch (e->any.xkbType) {
	case XCB_XKB_NEW_KEYBOARD_NOTIFY:
		if (e->new_keyboard.changed & XCB_XKB_NKN_DETAIL_KEYCODES)
			return tpi_keys_reload(x);
		return 0;
	case XCB_XKB_MAP_NOTIFY:
		return tpi_keys_reload(x);
	case XCB_XKB_STATE_NOTIFY:
		xkb_state_update_mask(x->state, e->state.baseMods, e->state.latchedMods,
		    e->state.lockedMods, (xkb_layout_index_t)e->state.baseGroup,
		    (xkb_layout_index_t)e->state.latchedGroup,
		    (xkb_layout_index_t)e->state.lockedGroup);
		return 0;
	default:
		return 0;
	}
}

static int
mod_active(struct tpi_x *x, const char *name)
{
	return xkb_state_mod_name_is_active(x->state, name, XKB_STATE_MODS_EFFECTIVE) > 0;
}

static enum tpi_key
special_key(struct tpi_x *x, xkb_keysym_t sym)
{
	switch (sym) {
	case XKB_KEY_Escape:
		return TPI_KEY_CANCEL;
	case XKB_KEY_Return:
	case XKB_KEY_KP_Enter:
		return TPI_KEY_SUBMIT;
	case XKB_KEY_BackSpace:
		return TPI_KEY_BACKSPACE;
	case XKB_KEY_Up:
	case XKB_KEY_ISO_Left_Tab:
		return TPI_KEY_PREV;
	case XKB_KEY_Down:
		return TPI_KEY_NEXT;
	case XKB_KEY_Tab:
		return mod_active(x, XKB_MOD_NAME_SHIFT) ? TPI_KEY_PREV : TPI_KEY_NEXT;
	default:
		return TPI_KEY_NONE;
	}
}

static enum tpi_key
text(const char *buf, int len, size_t cap, size_t *n)
{
	if (len <= 0 || (size_t)len >= cap || !tpi_utf8_printable(buf, (size_t)len))
		return TPI_KEY_NONE;
	*n = (size_t)len;
	return TPI_KEY_TEXT;
}

enum tpi_key
tpi_key_of(struct tpi_x *x, uint8_t keycode, char *buf, size_t cap, size_t *n)
{
	xkb_keysym_t sym = xkb_state_key_get_one_sym(x->state, keycode);
	enum tpi_key k = special_key(x, sym);

	*n = 0;
	/* Alt+key is a shortcut, not text (AltGr is a level, not Alt) */
	if (k != TPI_KEY_NONE || mod_active(x, XKB_MOD_NAME_CTRL) || mod_active(x, XKB_MOD_NAME_ALT)) {
		/* not text: a dead key or Compose sequence in progress ends without any */
		tpi_keys_compose_reset(x);
		if (k == TPI_KEY_NONE && mod_active(x, XKB_MOD_NAME_CTRL) && xkb_keysym_to_lower(sym) == XKB_KEY_u)
			return TPI_KEY_CLEAR;
		return k;
	}
	/* the table ignores modifier keysyms (Shift inside a sequence) */
	if (x->compose != NULL && xkb_compose_state_feed(x->compose, sym) == XKB_COMPOSE_FEED_ACCEPTED) {
		switch (xkb_compose_state_get_status(x->compose)) {
		case XKB_COMPOSE_COMPOSING:
			return TPI_KEY_NONE;
		case XKB_COMPOSE_COMPOSED: {
			int len = xkb_compose_state_get_utf8(x->compose, buf, cap);

			tpi_keys_compose_reset(x);
			return text(buf, len, cap, n);
		}
		case XKB_COMPOSE_CANCELLED:
			/* not a sequence of the table: its keys give nothing, as in X clients */
			tpi_keys_compose_reset(x);
			return TPI_KEY_NONE;
		case XKB_COMPOSE_NOTHING:
			break;
		}
	}
	return text(buf, xkb_state_key_get_utf8(x->state, keycode, buf, cap), cap, n);
}
