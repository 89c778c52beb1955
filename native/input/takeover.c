/* Making the host's window the prompt: override-redirect, in the Composite
 * overlay window when a compositing manager runs (it never redirects the
 * overlay, so it neither hides the prompt nor needs its pixels), full screen,
 * on top, focused, with the keyboard and pointer grabbed. And giving it back. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xcb/composite.h>

#include "input.h"
#include "io.h"

#define TPI_GRAB_TRIES 100      /* 10 ms apart: a grab held by another client */
#define TPI_GRAB_PAUSE_NS 10000000L

static int
checked(struct tpi_x *x, xcb_void_cookie_t ck)
{
	xcb_generic_error_t *e = xcb_request_check(x->c, ck);

	free(e);
	return e == NULL ? 0 : -1;
}

static int
compositor_running(struct tpi_x *x)
{
	char name[32];
	xcb_get_selection_owner_reply_t *r;
	xcb_atom_t sel;
	int running;

	snprintf(name, sizeof(name), "_NET_WM_CM_S%d", x->screen_num);
	sel = tpi_x_atom(x, name);
	if (sel == XCB_NONE)
		return 0;
	r = xcb_get_selection_owner_reply(x->c, xcb_get_selection_owner(x->c, sel), NULL);
	running = r != NULL && r->owner != XCB_NONE;
	free(r);
	return running;
}

static xcb_window_t
get_overlay(struct tpi_x *x)
{
	xcb_composite_query_version_reply_t *v;
	xcb_composite_get_overlay_window_reply_t *o;
	xcb_window_t w = XCB_NONE;

	v = xcb_composite_query_version_reply(x->c, xcb_composite_query_version(x->c, 0, 4), NULL);
	if (v == NULL)
		return XCB_NONE;
	free(v);
	o = xcb_composite_get_overlay_window_reply(x->c, xcb_composite_get_overlay_window(x->c, x->root), NULL);
	if (o != NULL)
		w = o->overlay_win;
	free(o);
	return w;
}

static xcb_window_t
parent_of(struct tpi_x *x, xcb_window_t w)
{
	xcb_query_tree_reply_t *t;
	xcb_window_t p;

	t = xcb_query_tree_reply(x->c, xcb_query_tree(x->c, w), NULL);
	p = t ? t->parent : XCB_NONE;
	free(t);
	return p;
}

/* ICCCM withdrawal (unmap, and a synthetic UnmapNotify to the root): a window
 * manager that framed the window lets go of it and puts it back under the root
 * itself, instead of doing so later and undoing the take-over. */
static void
withdraw(struct tpi_x *x)
{
	struct timespec pause = { 0, TPI_GRAB_PAUSE_NS };
	xcb_unmap_notify_event_t ev;
	char raw[32];
	int i;

	memset(&ev, 0, sizeof(ev));
	ev.response_type = XCB_UNMAP_NOTIFY;
	ev.event = x->root;
	ev.window = x->win;
	memset(raw, 0, sizeof(raw));
	memcpy(raw, &ev, sizeof(ev));
	xcb_unmap_window(x->c, x->win);
	xcb_send_event(x->c, 0, x->root, XCB_EVENT_MASK_SUBSTRUCTURE_REDIRECT |
	    XCB_EVENT_MASK_SUBSTRUCTURE_NOTIFY, raw);
	for (i = 0; i < TPI_GRAB_TRIES && parent_of(x, x->win) != x->root; i++)
		nanosleep(&pause, NULL);
}

/* Override-redirect first: no window manager manages it from now on. */
static int
place(struct tpi_x *x)
{
	const uint32_t redirect = 1;
	xcb_window_t cur;

	if (checked(x, xcb_change_window_attributes_checked(x->c, x->win,
	    XCB_CW_OVERRIDE_REDIRECT, &redirect)) != 0)
		return -1;
	x->parent = x->root;
	if (compositor_running(x)) {
		x->overlay = get_overlay(x);
		if (x->overlay == XCB_NONE)
			return -1;
		x->parent = x->overlay;
	}
	cur = parent_of(x, x->win);
	if (cur != x->root && cur != x->parent && cur != XCB_NONE) {
		withdraw(x);
		cur = parent_of(x, x->win);
	}
	if (cur == XCB_NONE)
		return -1;
	if (cur != x->parent && checked(x, xcb_reparent_window_checked(x->c,
	    x->win, x->parent, 0, 0)) != 0)
		return -1;
	return 0;
}

/* Full screen, no border, on top. */
static xcb_void_cookie_t
fit(struct tpi_x *x)
{
	const uint32_t geo[] = { 0, 0, x->screen->width_in_pixels,
	    x->screen->height_in_pixels, 0, XCB_STACK_MODE_ABOVE };

	return xcb_configure_window_checked(x->c, x->win,
	    XCB_CONFIG_WINDOW_X | XCB_CONFIG_WINDOW_Y | XCB_CONFIG_WINDOW_WIDTH |
	    XCB_CONFIG_WINDOW_HEIGHT | XCB_CONFIG_WINDOW_BORDER_WIDTH |
	    XCB_CONFIG_WINDOW_STACK_MODE, geo);
}

/* A window manager that framed the window moves it back to where its frame was
 * when it lets go, after the take-over (no module stops it there): put it back. */
void
tpi_refit(struct tpi_x *x, const xcb_configure_notify_event_t *ev)
{
	if (ev->x == 0 && ev->y == 0 && ev->border_width == 0 &&
	    ev->width == x->screen->width_in_pixels &&
	    ev->height == x->screen->height_in_pixels)
		return;
	xcb_discard_reply(x->c, fit(x).sequence);
}

static int
show(struct tpi_x *x)
{
	xcb_get_window_attributes_reply_t *a;
	int viewable;

	if (checked(x, fit(x)) != 0)
		return -1;
	if (checked(x, xcb_map_window_checked(x->c, x->win)) != 0)
		return -1;
	/* an override-redirect child of a mapped parent is viewable at once */
	a = xcb_get_window_attributes_reply(x->c, xcb_get_window_attributes(x->c, x->win), NULL);
	viewable = a != NULL && a->map_state == XCB_MAP_STATE_VIEWABLE;
	free(a);
	if (!viewable)
		return -1;
	return checked(x, xcb_set_input_focus_checked(x->c, XCB_INPUT_FOCUS_PARENT,
	    x->win, XCB_CURRENT_TIME));
}

/* 1 grabbed, 0 held by someone else for now, -1 refused for good; *what and
 * *st say which grab failed and why (for the log). */
static int
try_grab(struct tpi_x *x, const char **what, int *st)
{
	xcb_grab_keyboard_reply_t *k;
	xcb_grab_pointer_reply_t *p;

	*what = "keyboard";
	k = xcb_grab_keyboard_reply(x->c, xcb_grab_keyboard(x->c, 0, x->win,
	    XCB_CURRENT_TIME, XCB_GRAB_MODE_ASYNC, XCB_GRAB_MODE_ASYNC), NULL);
	*st = k ? k->status : -1;
	free(k);
	if (*st == XCB_GRAB_STATUS_SUCCESS) {
		*what = "pointer";
		p = xcb_grab_pointer_reply(x->c, xcb_grab_pointer(x->c, 0, x->win, 0,
		    XCB_GRAB_MODE_ASYNC, XCB_GRAB_MODE_ASYNC, XCB_NONE, XCB_NONE,
		    XCB_CURRENT_TIME), NULL);
		*st = p ? p->status : -1;
		free(p);
		if (*st == XCB_GRAB_STATUS_SUCCESS)
			return 1;
		xcb_ungrab_keyboard(x->c, XCB_CURRENT_TIME);
	}
	return *st == XCB_GRAB_STATUS_ALREADY_GRABBED || *st == XCB_GRAB_STATUS_FROZEN ? 0 : -1;
}

static const char *
grab_status_name(int st)
{
	static const char *const names[] = { "Success", "AlreadyGrabbed",
	    "InvalidTime", "NotViewable", "Frozen" };

	return st >= 0 && st <= 4 ? names[st] : "no reply";
}

static int
grab(struct tpi_x *x)
{
	struct timespec pause = { 0, TPI_GRAB_PAUSE_NS };
	const char *what = "keyboard";
	int i, r = 0, st = -1;

	for (i = 0; i < TPI_GRAB_TRIES && r == 0; i++) {
		r = try_grab(x, &what, &st);
		if (r == 0)
			nanosleep(&pause, NULL);
	}
	if (r > 0)
		return 0;
	tpi_log("%s grab failed with status %d (%s) after %d tries", what, st, grab_status_name(st), i);
	return -1;
}

int
tpi_take(struct tpi_x *x, const char **why)
{
	const uint32_t mask = XCB_EVENT_MASK_STRUCTURE_NOTIFY;

	if (place(x) != 0) {
		*why = "could not take over the host window";
		return -1;
	}
	if (show(x) != 0) {
		*why = "could not show the host window";
		return -1;
	}
	if (grab(x) != 0) {
		*why = "could not grab the keyboard and pointer";
		return -1;
	}
	/* selected last, so that only what others do to the window is reported */
	if (checked(x, xcb_change_window_attributes_checked(x->c, x->win,
	    XCB_CW_EVENT_MASK, &mask)) != 0) {
		*why = "host window vanished";
		return -1;
	}
	return 0;
}

void
tpi_release(struct tpi_x *x)
{
	xcb_get_input_focus_reply_t *r;

	xcb_ungrab_keyboard(x->c, XCB_CURRENT_TIME);
	xcb_ungrab_pointer(x->c, XCB_CURRENT_TIME);
	if (x->win != XCB_NONE) {
		xcb_unmap_window(x->c, x->win);
		/* the overlay window is destroyed, children and all, when its last
		 * holder releases it: the host's window goes back to the root first */
		if (x->overlay != XCB_NONE)
			xcb_reparent_window(x->c, x->win, x->root, 0, 0);
	}
	if (x->overlay != XCB_NONE)
		xcb_composite_release_overlay_window(x->c, x->root);
	/* a round trip: everything above has been processed when this returns */
	r = xcb_get_input_focus_reply(x->c, xcb_get_input_focus(x->c), NULL);
	free(r);
}
