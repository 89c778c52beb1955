/* The trusted test prompt: run as the trusted user. Maps an override-redirect
 * window filled with PROMPT_RGB at 100,100 (300x200), grabs the keyboard, reports
 * whether the TRUSTPATH extension is visible, then prints "KEY <name>" per key press
 * (this is a test fixture; the real prompt never prints keys).
 *
 *   tp-prompt [--overlay] [--title T]
 *
 * --title T stands in for the prompt host (test/input): the window is titled T
 * (WM_NAME and _NET_WM_NAME) and does not grab, since trustpath-input does. */
#include "common.h"
#include <X11/Xutil.h>
#include <X11/Xproto.h>
#include <X11/Xlibint.h>
#include <X11/extensions/Xcomposite.h>

#define PROMPT_RGB 0x12ab34

static void
report_extension(Display *dpy)
{
    int op, ev, er;
    xReq *req;
    xGenericReply rep;

    if (!XQueryExtension(dpy, "TRUSTPATH", &op, &ev, &er)) {
        tp_say("EXT absent", 0);
        return;
    }
    LockDisplay(dpy);
    req = (xReq *) _XGetRequest(dpy, 0, sizeof(xReq));
    req->reqType = (CARD8) op;
    req->data = 0;
    if (!_XReply(dpy, (xReply *) &rep, 0, xFalse)) {
        UnlockDisplay(dpy);
        SyncHandle();
        tp_say("EXT noreply", 0);
        return;
    }
    UnlockDisplay(dpy);
    SyncHandle();
    printf("EXT present %u.%u\n", rep.data00 & 0xffff, rep.data00 >> 16);
    fflush(stdout);
}

static void
set_title(Display *dpy, Window w, const char *title)
{
    XStoreName(dpy, w, title);
    XChangeProperty(dpy, w, XInternAtom(dpy, "_NET_WM_NAME", False), XInternAtom(dpy, "UTF8_STRING", False),
                    8, PropModeReplace, (const unsigned char *) title, (int) strlen(title));
}

static Window
make_window(Display *dpy, Window parent, const char *title)
{
    XSetWindowAttributes a;
    Window w;
    XEvent ev;

    a.override_redirect = True;
    a.background_pixel = PROMPT_RGB;
    a.event_mask = KeyPressMask | StructureNotifyMask | ExposureMask;
    w = XCreateWindow(dpy, parent, 100, 100, 300, 200, 0, CopyFromParent,
                      InputOutput, CopyFromParent, CWOverrideRedirect | CWBackPixel | CWEventMask, &a);
    if (title)
        set_title(dpy, w, title);
    XMapRaised(dpy, w);
    do
        XNextEvent(dpy, &ev);
    while (ev.type != MapNotify);
    return w;
}

static void
grab(Display *dpy, Window w)
{
    int i;

    for (i = 0; i < 200; i++) {
        if (XGrabKeyboard(dpy, w, False, GrabModeAsync, GrabModeAsync, CurrentTime) == GrabSuccess)
            return;
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    tp_say("GRABFAILED", 0);
    exit(4);
}

/* --overlay: live inside the Composite overlay window, above every window and
 * never redirected, so a compositing manager cannot hide the prompt. */
static Window
parent_window(Display *dpy, int overlay)
{
    int ev, er;

    if (overlay && XCompositeQueryExtension(dpy, &ev, &er))
        return XCompositeGetOverlayWindow(dpy, DefaultRootWindow(dpy));
    return DefaultRootWindow(dpy);
}

int
main(int argc, char **argv)
{
    Display *dpy = tp_open();
    const char *title = NULL;
    int i, overlay = 0;
    Window w;
    XEvent ev;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--overlay") == 0)
            overlay = 1;
        else if (strcmp(argv[i], "--title") == 0 && i + 1 < argc)
            title = argv[++i];
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    report_extension(dpy);
    w = make_window(dpy, parent_window(dpy, overlay), title);
    if (!title)
        grab(dpy, w);
    XClearWindow(dpy, w);
    XSync(dpy, False);
    printf("READY 0x%lx\n", (unsigned long) w);
    fflush(stdout);
    for (;;) {
        XNextEvent(dpy, &ev);
        if (ev.type == KeyPress) {
            KeySym sym = XLookupKeysym(&ev.xkey, 0);
            const char *name = XKeysymToString(sym);
            printf("KEY %s\n", name ? name : "?");
            fflush(stdout);
        } else if (ev.type == UnmapNotify) {
            tp_say("UNMAPPED", 0);
        }
    }
}
