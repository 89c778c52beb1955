/* The X side of trustpath-input before the take-over: the connection, the
 * TRUSTPATH extension, and finding the prompt host's window by its title. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xcb/xcbext.h>
#include <xcb/res.h>

#include "input.h"
#include "io.h"

#define TPI_FIND_POLL_MS 50
#define TPI_MAX_CHILDREN 4096   /* windows looked at per level */

int
tpi_x_connect(struct tpi_x *x)
{
	const xcb_setup_t *setup;
	xcb_screen_iterator_t it;
	int i;

	x->c = xcb_connect(NULL, &x->screen_num);
	if (xcb_connection_has_error(x->c))
		return -1;
	setup = xcb_get_setup(x->c);
	it = xcb_setup_roots_iterator(setup);
	for (i = 0; it.rem > 0 && i < x->screen_num; i++)
		xcb_screen_next(&it);
	if (it.rem == 0)
		return -1;
	x->screen = it.data;
	x->root = it.data->root;
	return 0;
}

xcb_atom_t
tpi_x_atom(struct tpi_x *x, const char *name)
{
	xcb_intern_atom_reply_t *r;
	xcb_atom_t a;

	r = xcb_intern_atom_reply(x->c,
	    xcb_intern_atom(x->c, 0, (uint16_t)strlen(name), name), NULL);
	a = r ? r->atom : XCB_NONE;
	free(r);
	return a;
}

/* TRUSTPATH request 0 (QueryVersion); the reply carries major, minor, flags. */
static xcb_extension_t tpi_trustpath_ext = { "TRUSTPATH", 0 };

struct tpi_tp_reply {
	uint8_t response_type, pad0;
	uint16_t sequence;
	uint32_t length;
	uint16_t major, minor;
	uint32_t flags;            /* bit 0: audit mode */
	uint32_t pad[4];
};

void
tpi_x_query_trustpath(struct tpi_x *x)
{
	static const xcb_protocol_request_t req = { 2, &tpi_trustpath_ext, 0, 0 };
	const xcb_query_extension_reply_t *ext;
	struct { uint8_t major, minor; uint16_t length; } out = { 0, 0, 1 };
	struct iovec parts[4];
	struct tpi_tp_reply *rep;
	unsigned int seq;

	x->protected_display = 0;
	ext = xcb_get_extension_data(x->c, &tpi_trustpath_ext);
	if (ext == NULL || !ext->present)
		return;
	parts[2].iov_base = &out;
	parts[2].iov_len = sizeof(out);
	parts[3].iov_base = NULL;
	parts[3].iov_len = 0;
	seq = xcb_send_request(x->c, XCB_REQUEST_CHECKED, parts + 2, &req);
	rep = xcb_wait_for_reply(x->c, seq, NULL);
	if (rep == NULL)
		return;
	x->protected_display = (rep->flags & 1u) == 0;
	free(rep);
}

/* 1 when the window's WM_NAME or _NET_WM_NAME is exactly key. */
static int
titled(struct tpi_x *x, xcb_window_t w, xcb_atom_t net_name, const char *key)
{
	xcb_get_property_cookie_t ck[2];
	xcb_get_property_reply_t *r;
	size_t n = strlen(key);
	int i, hit = 0;

	ck[0] = xcb_get_property(x->c, 0, w, XCB_ATOM_WM_NAME, XCB_GET_PROPERTY_TYPE_ANY, 0, TPI_MAX_KEY / 4 + 1);
	ck[1] = xcb_get_property(x->c, 0, w, net_name, XCB_GET_PROPERTY_TYPE_ANY, 0, TPI_MAX_KEY / 4 + 1);
	for (i = 0; i < 2; i++) {
		r = xcb_get_property_reply(x->c, ck[i], NULL);
		if (r != NULL && r->format == 8 && r->bytes_after == 0 &&
		    (size_t)xcb_get_property_value_length(r) == n &&
		    memcmp(xcb_get_property_value(r), key, n) == 0)
			hit = 1;
		free(r);
	}
	return hit;
}

/* The pid of the client that owns window w, from the server (XRes), or -1. */
static long
owner_pid(struct tpi_x *x, xcb_window_t w)
{
	xcb_res_client_id_spec_t spec = { w, XCB_RES_CLIENT_ID_MASK_LOCAL_CLIENT_PID };
	xcb_res_query_client_ids_reply_t *r;
	xcb_res_client_id_value_iterator_t it;
	long pid = -1;

	r = xcb_res_query_client_ids_reply(x->c, xcb_res_query_client_ids(x->c, 1, &spec), NULL);
	if (r == NULL)
		return -1;
	for (it = xcb_res_query_client_ids_ids_iterator(r); it.rem > 0; xcb_res_client_id_value_next(&it)) {
		if ((it.data->spec.mask & XCB_RES_CLIENT_ID_MASK_LOCAL_CLIENT_PID) &&
		    xcb_res_client_id_value_value_length(it.data) == 1)
			pid = (long)*xcb_res_client_id_value_value(it.data);
	}
	free(r);
	return pid > 0 ? pid : -1;
}

/* 1 when process pid runs with real and effective uid == ours. */
static int
pid_is_ours(long pid)
{
	char path[64], buf[4096];
	unsigned long ruid, euid;
	const char *line;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	line = strstr(buf, "\nUid:");
	if (line == NULL || sscanf(line + 5, "%lu %lu", &ruid, &euid) != 2)
		return 0;
	return ruid == (unsigned long)getuid() && euid == (unsigned long)getuid();
}

struct tpi_find {
	const char *key;
	xcb_atom_t net_name;
	int wrong_owner;       /* a titled window of another user was seen */
};

/* Checks w; 1 and x->win set when it is the host. */
static int
consider(struct tpi_x *x, struct tpi_find *f, xcb_window_t w)
{
	long pid;

	if (!titled(x, w, f->net_name, f->key))
		return 0;
	pid = owner_pid(x, w);
	if (pid < 0 || !pid_is_ours(pid)) {
		f->wrong_owner = 1;
		return 0;
	}
	x->win = w;
	return 1;
}

/* Looks at the children of w, and (depth 1) their children, for WM frames. */
static int
search(struct tpi_x *x, struct tpi_find *f, xcb_window_t w, int depth)
{
	xcb_query_tree_reply_t *t;
	xcb_window_t *kids;
	int i, n, found = 0;

	t = xcb_query_tree_reply(x->c, xcb_query_tree(x->c, w), NULL);
	if (t == NULL)
		return 0;
	kids = xcb_query_tree_children(t);
	n = xcb_query_tree_children_length(t);
	if (n > TPI_MAX_CHILDREN)
		n = TPI_MAX_CHILDREN;
	/* topmost first: the newest window with the title is the likeliest */
	for (i = n - 1; i >= 0 && !found; i--)
		found = consider(x, f, kids[i]) || (depth == 0 && search(x, f, kids[i], 1));
	free(t);
	return found;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int
tpi_x_find(struct tpi_x *x, const char *key, long timeout_ms, const char **why)
{
	struct tpi_find f = { key, tpi_x_atom(x, "_NET_WM_NAME"), 0 };
	struct timespec pause = { 0, TPI_FIND_POLL_MS * 1000000L };
	long deadline = now_ms() + timeout_ms;

	for (;;) {
		if (search(x, &f, x->root, 0))
			return 0;
		if (xcb_connection_has_error(x->c)) {
			*why = "X connection lost";
			return -1;
		}
		if (now_ms() >= deadline)
			break;
		nanosleep(&pause, NULL);
	}
	*why = f.wrong_owner ? "host window belongs to another user"
	    : "host window not found";
	return -1;
}
