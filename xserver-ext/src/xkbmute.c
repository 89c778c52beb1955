/* XKB notifications are written to clients without any XACE hook, so while a prompt is
 * up the module mutes untrusted clients' XKB state, indicator, AccessX and action
 * interests (which would reveal modifier and lock key presses), and restores them
 * afterwards. Interests beyond the table stay muted for good (fail closed). */
#include "tp.h"
#include "xkbsrv.h"

#define TP_MUTE_MAX 512

struct muted {
    XkbInterestPtr interest;
    XID resource;
    CARD16 state;
    CARD32 istate;
    CARD16 accessx;
    BOOL action;
};

static struct muted saved[TP_MUTE_MAX];
static int n_saved;
static int muting;

static void
mute_one(XkbInterestPtr in)
{
    if (n_saved < TP_MUTE_MAX) {
        struct muted *m = &saved[n_saved++];
        m->interest = in;
        m->resource = in->resource;
        m->state = in->stateNotifyMask;
        m->istate = in->iStateNotifyMask;
        m->accessx = in->accessXNotifyMask;
        m->action = in->actionMessageMask;
    }
    in->stateNotifyMask = 0;
    in->iStateNotifyMask = 0;
    in->accessXNotifyMask = 0;
    in->actionMessageMask = 0;
}

static void
mute_list(DeviceIntPtr dev)
{
    XkbInterestPtr in;

    for (; dev; dev = dev->next)
        for (in = dev->xkb_interest; in; in = in->next)
            if (!tp_client_trusted(in->client))
                mute_one(in);
}

void
tp_xkb_mute(void)
{
    if (muting)
        return;
    muting = 1;
    n_saved = 0;
    mute_list(inputInfo.devices);
    mute_list(inputInfo.off_devices);
}

/* The interest may have been freed since it was muted: restore only live ones. */
static int
interest_alive(const struct muted *m)
{
    DeviceIntPtr dev;
    XkbInterestPtr in;
    DeviceIntPtr lists[2] = { inputInfo.devices, inputInfo.off_devices };
    int i;

    for (i = 0; i < 2; i++)
        for (dev = lists[i]; dev; dev = dev->next)
            for (in = dev->xkb_interest; in; in = in->next)
                if (in == m->interest && in->resource == m->resource)
                    return 1;
    return 0;
}

void
tp_xkb_unmute_if_done(void)
{
    int i;

    if (!muting || tp_prompt_up())
        return;
    for (i = 0; i < n_saved; i++) {
        struct muted *m = &saved[i];
        if (!interest_alive(m))
            continue;
        m->interest->stateNotifyMask = m->state;
        m->interest->iStateNotifyMask = m->istate;
        m->interest->accessXNotifyMask = m->accessx;
        m->interest->actionMessageMask = m->action;
    }
    n_saved = 0;
    muting = 0;
}

int
tp_xkb_muting(void)
{
    return muting;
}
