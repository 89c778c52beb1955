/* Attack client for the xserver tests: one attack per run, one result line.
 *   tp-attack MODE [WINDOW] [MS] [KEYCODE]   (KEYCODE: count only that key, XI2 modes)
 * Result lines: "EVENTS n" (key information seen), "ERRORS n" (X errors),
 * "PIXEL rrggbb" / "NOIMAGE", "ABOVE" / "BELOW", "PRESENT" / "ABSENT". */
#include "common.h"
#include <X11/Xutil.h>
#include <X11/extensions/XInput2.h>
#include <X11/extensions/XInput.h>
#include <X11/extensions/XTest.h>
#include <X11/extensions/record.h>
#include <X11/extensions/XShm.h>
#include <X11/XKBlib.h>
#include <X11/Xlibint.h>
#include <X11/extensions/Xcomposite.h>
#include <X11/extensions/Xrender.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

static Display *dpy;
static Window target;
static long duration = 1500;
static long only_keycode;       /* 0: count every key event */

static int
wanted(XEvent *e)
{
    int ok = 1;

    if (!only_keycode)
        return 1;
    if (!XGetEventData(dpy, &e->xcookie))
        return 0;
    if (e->xcookie.evtype == XI_RawKeyPress || e->xcookie.evtype == XI_RawKeyRelease)
        ok = ((XIRawEvent *) e->xcookie.data)->detail == only_keycode;
    else
        ok = ((XIDeviceEvent *) e->xcookie.data)->detail == only_keycode;
    XFreeEventData(dpy, &e->xcookie);
    return ok;
}

static int
is_xi2_key(XEvent *e, int opcode)
{
    return e->type == GenericEvent && e->xcookie.extension == opcode && wanted(e);
}

static int
is_type(XEvent *e, int type)
{
    return e->type == type;
}

/* Once the caller has selected its events: says LISTENING, then counts for
 * `duration` ms the events that `match` accepts. */
static long
listen_count(int (*match)(XEvent *e, int arg), int arg)
{
    long n = 0, end;
    XEvent e;

    XSync(dpy, False);
    tp_say("LISTENING", 0);
    for (end = tp_now_ms() + duration; tp_now_ms() < end; usleep(2000))
        while (XPending(dpy)) {
            XNextEvent(dpy, &e);
            if (match(&e, arg))
                n++;
        }
    return n;
}

static long
count_xi2(int raw)
{
    unsigned char bits[XIMaskLen(XI_LASTEVENT)] = {0};
    XIEventMask mask = {XIAllDevices, sizeof(bits), bits};
    int op, ev, er;

    if (!XQueryExtension(dpy, "XInputExtension", &op, &ev, &er))
        return -1;
    int major = 2, minor = 2;
    XIQueryVersion(dpy, &major, &minor);
    XISetMask(bits, raw ? XI_RawKeyPress : XI_KeyPress);
    XISetMask(bits, raw ? XI_RawKeyRelease : XI_KeyRelease);
    XISelectEvents(dpy, DefaultRootWindow(dpy), &mask, 1);
    return listen_count(is_xi2_key, op);
}

static int physical_keyboard_id(int *master);

/* XI1: open the physical keyboard and select DeviceKeyPress on the root window. */
static long
count_xi1(void)
{
    int master = 0, id = physical_keyboard_id(&master), type = -1;
    XDevice *dev = id >= 0 ? XOpenDevice(dpy, (XID) id) : NULL;
    XEventClass cls;

    if (!dev)
        return -1;
    DeviceKeyPress(dev, type, cls);
    XSelectExtensionEvent(dpy, DefaultRootWindow(dpy), &cls, 1);
    return listen_count(is_type, type);
}

/* XKB state notifications (modifier changes, with the keycode that caused them). */
static long
count_xkb_state(void)
{
    int op, ev, er, maj = XkbMajorVersion, min = XkbMinorVersion;

    if (!XkbQueryExtension(dpy, &op, &ev, &er, &maj, &min))
        return -1;
    XkbSelectEvents(dpy, XkbUseCoreKbd, XkbStateNotifyMask, XkbStateNotifyMask);
    return listen_count(is_type, ev);
}

static long
poll_keymap(void)
{
    char keys[32];
    long n = 0, end;
    int i;

    tp_say("LISTENING", 0);
    for (end = tp_now_ms() + duration; tp_now_ms() < end; usleep(1000)) {
        memset(keys, 0, sizeof(keys));
        XQueryKeymap(dpy, keys);
        for (i = 0; i < 32; i++)
            if (keys[i])
                n++;
    }
    return n;
}

static void
record_cb(XPointer closure, XRecordInterceptData *d)
{
    if (d->category == XRecordFromServer && d->data && d->data[0] == KeyPress)
        (*(long *) closure)++;
    XRecordFreeData(d);
}

static long
record_keys(void)
{
    Display *data = XOpenDisplay(NULL);
    XRecordClientSpec all = XRecordAllClients;
    XRecordRange *range = XRecordAllocRange();
    XRecordContext ctx;
    int maj, min;
    long n = 0, end;

    if (!data || !range || !XRecordQueryVersion(dpy, &maj, &min))
        return -1;
    range->device_events.first = KeyPress;
    range->device_events.last = KeyRelease;
    ctx = XRecordCreateContext(dpy, 0, &all, 1, &range, 1);
    XSync(dpy, False);
    if (!ctx || tp_errors)
        return -1;
    if (!XRecordEnableContextAsync(data, ctx, record_cb, (XPointer) &n))
        return -1;
    tp_say("LISTENING", 0);
    for (end = tp_now_ms() + duration; tp_now_ms() < end; usleep(2000))
        XRecordProcessReplies(data);
    return n;
}

static void
print_pixel(XImage *img, int x, int y)
{
    if (!img) {
        tp_say("NOIMAGE", 0);
        return;
    }
    printf("PIXEL %06lx\n", XGetPixel(img, x, y) & 0xffffff);
    fflush(stdout);
}

static void
shm_image(void)
{
    XShmSegmentInfo shm;
    XImage *img;
    int scr = DefaultScreen(dpy);

    if (!XShmQueryExtension(dpy)) {
        tp_say("NOIMAGE", 0);
        return;
    }
    img = XShmCreateImage(dpy, DefaultVisual(dpy, scr), DefaultDepth(dpy, scr), ZPixmap,
                          NULL, &shm, 400, 400);
    shm.shmid = shmget(IPC_PRIVATE, (size_t) img->bytes_per_line * img->height, IPC_CREAT | 0600);
    shm.shmaddr = img->data = shmat(shm.shmid, NULL, 0);
    shm.readOnly = False;
    XShmAttach(dpy, &shm);
    shmctl(shm.shmid, IPC_RMID, NULL);
    if (!XShmGetImage(dpy, DefaultRootWindow(dpy), img, 0, 0, AllPlanes) || (XSync(dpy, False), tp_errors))
        tp_say("NOIMAGE", 0);
    else
        print_pixel(img, 250, 200);
}

static void
copy_area(void)
{
    Window root = DefaultRootWindow(dpy);
    Pixmap pm = XCreatePixmap(dpy, root, 400, 400, (unsigned) DefaultDepth(dpy, DefaultScreen(dpy)));
    GC gc = XCreateGC(dpy, pm, 0, NULL);
    XImage *img;

    XSetForeground(dpy, gc, 0);
    XFillRectangle(dpy, pm, gc, 0, 0, 400, 400);
    XSetSubwindowMode(dpy, gc, IncludeInferiors);
    XCopyArea(dpy, root, pm, gc, 0, 0, 400, 400, 0, 0);
    img = XGetImage(dpy, pm, 0, 0, 400, 400, AllPlanes, ZPixmap);
    print_pixel(img, 250, 200);
}

static Window
own_window_in(Window parent, Bool override)
{
    XSetWindowAttributes a;
    a.override_redirect = override;
    a.background_pixel = 0xff0000;
    return XCreateWindow(dpy, parent, 50, 50, 500, 400, 0, CopyFromParent,
                         InputOutput, CopyFromParent, CWOverrideRedirect | CWBackPixel, &a);
}

static Window
own_window(Bool override)
{
    return own_window_in(DefaultRootWindow(dpy), override);
}

/* Render Composite from a picture of the root window (IncludeInferiors) into ours.
 * With a line on stdin first ("render-late"), the root picture is made before the
 * prompt maps and used after. */
static void
render_copy(int late)
{
    Window root = DefaultRootWindow(dpy);
    int depth = DefaultDepth(dpy, DefaultScreen(dpy));
    XRenderPictFormat *fmt = XRenderFindVisualFormat(dpy, DefaultVisual(dpy, DefaultScreen(dpy)));
    XRenderPictureAttributes pa;
    Pixmap pm = XCreatePixmap(dpy, root, 400, 400, (unsigned) depth);
    Picture src, dst;
    GC gc = XCreateGC(dpy, pm, 0, NULL);
    char line[32];

    XSetForeground(dpy, gc, 0);
    XFillRectangle(dpy, pm, gc, 0, 0, 400, 400);
    pa.subwindow_mode = IncludeInferiors;
    src = XRenderCreatePicture(dpy, root, fmt, CPSubwindowMode, &pa);
    dst = XRenderCreatePicture(dpy, pm, fmt, 0, NULL);
    XSync(dpy, False);
    if (late) {
        tp_say("MAPPED", 0);
        if (!fgets(line, sizeof(line), stdin))
            return;
    }
    XRenderComposite(dpy, PictOpSrc, src, None, dst, 0, 0, 0, 0, 0, 0, 400, 400);
    print_pixel(XGetImage(dpy, pm, 0, 0, 400, 400, AllPlanes, ZPixmap), 250, 200);
}

/* The id of the physical test keyboard (the inputtest slave), or -1. */
static int
physical_keyboard_id(int *master)
{
    int n, i, id = -1;
    XIDeviceInfo *info = XIQueryDevice(dpy, XIAllDevices, &n);

    for (i = 0; info && i < n; i++)
        if (info[i].use == XISlaveKeyboard && strstr(info[i].name, "XTEST") == NULL) {
            id = info[i].deviceid;
            *master = info[i].attachment;
        }
    if (info)
        XIFreeDeviceInfo(info);
    return id;
}

/* Grab the physical keyboard's slave device (XI2), or float it off its master;
 * hold that until a line arrives on stdin, then undo it. */
static void
steal_device(int floating)
{
    unsigned char bits[XIMaskLen(XI_LASTEVENT)] = {0};
    XIEventMask mask = {0, sizeof(bits), bits};
    int major = 2, minor = 2, master = 0, id;
    char line[16];
    int status = 0;

    XIQueryVersion(dpy, &major, &minor);
    id = physical_keyboard_id(&master);
    mask.deviceid = id;
    XISetMask(bits, XI_KeyPress);
    if (floating) {
        XIDetachSlaveInfo d = {XIDetachSlave, id};
        XIChangeHierarchy(dpy, (XIAnyHierarchyChangeInfo *) &d, 1);
    } else {
        status = XIGrabDevice(dpy, id, DefaultRootWindow(dpy), CurrentTime, None,
                              XIGrabModeAsync, XIGrabModeAsync, False, &mask);
    }
    XSync(dpy, False);
    tp_say(status == 0 && !tp_errors ? "STOLEN" : "REFUSED", 0);
    if (!fgets(line, sizeof(line), stdin))
        return;
    if (floating) {
        XIAttachSlaveInfo a = {XIAttachSlave, id, master};
        XIChangeHierarchy(dpy, (XIAnyHierarchyChangeInfo *) &a, 1);
    } else {
        XIUngrabDevice(dpy, id, CurrentTime);
    }
    XSync(dpy, False);
    tp_errors = 0;
}

/* Malformed TRUSTPATH requests: unknown minor, QueryVersion with a wrong length. */
static void
bad_extension_requests(void)
{
    int op, ev, er;
    xReq *req;

    if (!XQueryExtension(dpy, "TRUSTPATH", &op, &ev, &er)) {
        tp_say("ABSENT", 0);
        return;
    }
    LockDisplay(dpy);
    req = (xReq *) _XGetRequest(dpy, 0, sizeof(xReq));
    req->reqType = (CARD8) op;
    req->data = 7;
    req = (xReq *) _XGetRequest(dpy, 0, sizeof(xReq) + 4);
    req->reqType = (CARD8) op;
    req->data = 0;
    UnlockDisplay(dpy);
    SyncHandle();
    XSync(dpy, False);
}

/* Redirect the prompt and read its Composite backing pixmap. */
static void
composite_pixmap(void)
{
    Pixmap pm;
    XImage *img = NULL;

    XCompositeRedirectWindow(dpy, target, CompositeRedirectAutomatic);
    XSync(dpy, False);
    pm = XCompositeNameWindowPixmap(dpy, target);
    XSync(dpy, False);
    if (!tp_errors)
        img = XGetImage(dpy, pm, 0, 0, 50, 50, AllPlanes, ZPixmap);
    print_pixel(img, 10, 10);
}

/* A window inside the Composite overlay window, where an overlay prompt lives. */
static void
cover_overlay(void)
{
    Window cow = XCompositeGetOverlayWindow(dpy, DefaultRootWindow(dpy));
    Window mine = own_window_in(cow, True);
    XWindowAttributes wa;

    XMapRaised(dpy, mine);
    XSync(dpy, False);
    XGetWindowAttributes(dpy, mine, &wa);
    tp_say(wa.map_state == IsViewable ? "ABOVE" : "BELOW", 0);
}

static void
report_stacking(Window mine)
{
    Window r, p, *kids = NULL;
    unsigned n, i;
    int seen_target = 0, above = 0;
    XWindowAttributes wa;

    XSync(dpy, False);
    XGetWindowAttributes(dpy, mine, &wa);
    if (XQueryTree(dpy, DefaultRootWindow(dpy), &r, &p, &kids, &n))
        for (i = 0; i < n; i++) {
            if (kids[i] == target)
                seen_target = 1;
            else if (kids[i] == mine && seen_target)
                above = 1;
        }
    tp_say(above && wa.map_state == IsViewable ? "ABOVE" : "BELOW", 0);
}

/* Is the target the topmost viewable child of the root? */
static void
top_check(void)
{
    Window r, p, *kids = NULL;
    unsigned n;
    XWindowAttributes wa;
    Window top = None;

    if (XQueryTree(dpy, DefaultRootWindow(dpy), &r, &p, &kids, &n))
        while (n-- > 0)
            if (XGetWindowAttributes(dpy, kids[n], &wa) && wa.map_state == IsViewable) {
                top = kids[n];
                break;
            }
    tp_say(top == target ? "TOP" : "NOTTOP", 0);
}

/* Maps our own window, says MAPPED, then reads the prompt's window id (the prompt
 * is mapped after us) into `target`; returns our window, or None on end of input. */
static Window
map_then_read_target(void)
{
    Window mine = own_window(True);
    char line[32];

    XMapWindow(dpy, mine);
    XSync(dpy, False);
    tp_say("MAPPED", 0);
    if (!fgets(line, sizeof(line), stdin))
        return None;
    target = (Window) strtoul(line, NULL, 0);
    return mine;
}

/* Like restack, but through CirculateWindow(RaiseLowest) on the root window. */
static void
circulate(void)
{
    Window mine = map_then_read_target();

    if (mine == None)
        return;
    XCirculateSubwindowsUp(dpy, DefaultRootWindow(dpy));
    report_stacking(mine);
}

static void
restack(void)
{
    Window mine = map_then_read_target();

    if (mine == None)
        return;
    XRaiseWindow(dpy, mine);
    report_stacking(mine);
}

static void
send_key(void)
{
    XEvent ev;
    memset(&ev, 0, sizeof(ev));
    ev.xkey.type = KeyPress;
    ev.xkey.window = target;
    ev.xkey.root = DefaultRootWindow(dpy);
    ev.xkey.keycode = XKeysymToKeycode(dpy, 'x');
    ev.xkey.same_screen = True;
    XSendEvent(dpy, target, True, KeyPressMask, &ev);
}

static void
xtest_type(void)
{
    KeyCode kc = XKeysymToKeycode(dpy, 'q');
    XTestFakeKeyEvent(dpy, kc, True, 0);
    XTestFakeKeyEvent(dpy, kc, False, 0);
}

static void
xtest_sak(void)
{
    KeyCode c = XKeysymToKeycode(dpy, 0xffe3), a = XKeysymToKeycode(dpy, 0xffe9);
    KeyCode p = XKeysymToKeycode(dpy, 0xff13);
    XTestFakeKeyEvent(dpy, c, True, 0);
    XTestFakeKeyEvent(dpy, a, True, 0);
    XTestFakeKeyEvent(dpy, p, True, 0);
    XTestFakeKeyEvent(dpy, p, False, 0);
    XTestFakeKeyEvent(dpy, a, False, 0);
    XTestFakeKeyEvent(dpy, c, False, 0);
}

/* Hold Ctrl+Alt through XTEST until a line arrives on stdin. */
static void
xtest_hold_mods(void)
{
    KeyCode c = XKeysymToKeycode(dpy, 0xffe3), a = XKeysymToKeycode(dpy, 0xffe9);
    char line[16];
    XTestFakeKeyEvent(dpy, c, True, 0);
    XTestFakeKeyEvent(dpy, a, True, 0);
    XSync(dpy, False);
    tp_say("HOLDING", 0);
    if (fgets(line, sizeof(line), stdin)) {
        XTestFakeKeyEvent(dpy, a, False, 0);
        XTestFakeKeyEvent(dpy, c, False, 0);
    }
}

static void
xkb_state(void)
{
    XkbStateRec st;
    XkbGetState(dpy, XkbUseCoreKbd, &st);
}

static int
run(const char *mode)
{
    Window mine;

    if (!strcmp(mode, "xi2raw")) tp_say("EVENTS %ld", count_xi2(1));
    else if (!strcmp(mode, "xi2keys")) tp_say("EVENTS %ld", count_xi2(0));
    else if (!strcmp(mode, "xkbevents")) tp_say("EVENTS %ld", count_xkb_state());
    else if (!strcmp(mode, "xi1keys")) tp_say("EVENTS %ld", count_xi1());
    else if (!strcmp(mode, "keymap")) tp_say("EVENTS %ld", poll_keymap());
    else if (!strcmp(mode, "record")) tp_say("EVENTS %ld", record_keys());
    else if (!strcmp(mode, "getimage-root"))
        print_pixel(XGetImage(dpy, DefaultRootWindow(dpy), 0, 0, 400, 400, AllPlanes, ZPixmap), 250, 200);
    else if (!strcmp(mode, "getimage-win"))
        print_pixel(XGetImage(dpy, target, 0, 0, 50, 50, AllPlanes, ZPixmap), 10, 10);
    else if (!strcmp(mode, "shm")) shm_image();
    else if (!strcmp(mode, "copyarea")) copy_area();
    else if (!strcmp(mode, "cover")) { mine = own_window(True); XMapRaised(dpy, mine); report_stacking(mine); }
    else if (!strcmp(mode, "restack")) restack();
    else if (!strcmp(mode, "circulate")) circulate();
    else if (!strcmp(mode, "sendevent")) send_key();
    else if (!strcmp(mode, "unmap")) XUnmapWindow(dpy, target);
    else if (!strcmp(mode, "destroy")) XDestroyWindow(dpy, target);
    else if (!strcmp(mode, "reparent")) { mine = own_window(False); XReparentWindow(dpy, target, mine, 0, 0); }
    else if (!strcmp(mode, "kill")) XKillClient(dpy, target);
    else if (!strcmp(mode, "xtest")) xtest_type();
    else if (!strcmp(mode, "xtest-sak")) xtest_sak();
    else if (!strcmp(mode, "xtest-hold-mods")) xtest_hold_mods();
    else if (!strcmp(mode, "xkbstate")) xkb_state();
    else if (!strcmp(mode, "top")) top_check();
    else if (!strcmp(mode, "cover-overlay")) cover_overlay();
    else if (!strcmp(mode, "composite-pixmap")) composite_pixmap();
    else if (!strcmp(mode, "render")) render_copy(0);
    else if (!strcmp(mode, "bad-ext")) bad_extension_requests();
    else if (!strcmp(mode, "xigrab-device")) steal_device(0);
    else if (!strcmp(mode, "float-keyboard")) steal_device(1);
    else if (!strcmp(mode, "render-late")) render_copy(1);
    else if (!strcmp(mode, "ext")) {
        int op, ev, er;
        tp_say(XQueryExtension(dpy, "TRUSTPATH", &op, &ev, &er) ? "PRESENT" : "ABSENT", 0);
    } else if (!strcmp(mode, "ping")) tp_say("PONG", 0);
    else if (!strcmp(mode, "grabserver")) {
        XGrabServer(dpy); XSync(dpy, False); tp_say("GRABBED", 0);
        usleep((useconds_t) duration * 1000); XUngrabServer(dpy);
    } else return 0;
    XSync(dpy, False);
    tp_say("ERRORS %ld", tp_errors);
    return 1;
}

int
main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    if (argc > 2)
        target = (Window) strtoul(argv[2], NULL, 0);
    if (argc > 3)
        duration = strtol(argv[3], NULL, 10);
    if (argc > 4)
        only_keycode = strtol(argv[4], NULL, 10);
    dpy = tp_open();
    return run(argv[1]) ? 0 : 2;
}
