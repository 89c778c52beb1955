/* Shared helpers for the X test clients: open the display, count X errors
 * instead of exiting, print one result line and flush. Test fixtures only. */
#ifndef TP_TEST_COMMON_H
#define TP_TEST_COMMON_H
#include <X11/Xlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int tp_errors;

static inline int
tp_on_error(Display *dpy, XErrorEvent *ev)
{
    (void) dpy;
    (void) ev;
    tp_errors++;
    return 0;
}

static inline int
tp_on_io_error(Display *dpy)
{
    (void) dpy;
    printf("IOERROR\n");
    fflush(stdout);
    exit(3);
}

static inline Display *
tp_open(void)
{
    Display *dpy = XOpenDisplay(NULL);
    if (!dpy) {
        printf("NODISPLAY\n");
        fflush(stdout);
        exit(2);
    }
    XSetErrorHandler(tp_on_error);
    XSetIOErrorHandler(tp_on_io_error);
    return dpy;
}

static inline void
tp_say(const char *fmt, long value)
{
    printf(fmt, value);
    printf("\n");
    fflush(stdout);
}

static inline long
tp_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}
#endif
