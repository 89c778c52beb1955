/* XACE hooks: what untrusted clients may do while a prompt is up, and always. */
#include "tp.h"
#include "extnsionst.h"
#include "picturestr.h"
#include "registry.h"
#include <X11/extensions/XI2.h>
#include <X11/extensions/XI2proto.h>
#include <X11/extensions/XKB.h>

#define TRUSTED_WINDOW_ALLOWED (DixGetAttrAccess | DixGetPropAccess | DixListPropAccess)
#define DEVICE_DENIED_WHILE_UP (DixReadAccess | DixGrabAccess | DixFreezeAccess | \
    DixSetFocusAccess | DixManageAccess | DixAddAccess | DixRemoveAccess | \
    DixForceAccess | DixSetAttrAccess)
#define X_kbSelectEventsMinor 1
#define X_kbGetStateMinor 4

static int
ext_is(const ExtensionEntry *ext, const char *name)
{
    return ext && ext->name && strcmp(ext->name, name) == 0;
}

/* Core, XI1, XI2 and XKB events that carry keys or modifier state. */
static int
key_info_event(const xEvent *ev)
{
    int type = ev->u.u.type & 0x7f;
    ExtensionEntry *xi = CheckExtension("XInputExtension");
    ExtensionEntry *xkb = CheckExtension("XKEYBOARD");

    if ((type >= KeyPress && type <= LeaveNotify) || type == KeymapNotify)
        return 1;
    if (xi && type >= xi->eventBase && type < xi->eventLast)
        return 1;
    if (xkb && type >= xkb->eventBase && type < xkb->eventLast)
        return 1;
    if (type == GenericEvent && xi) {
        const xGenericEvent *ge = (const xGenericEvent *) ev;
        if (ge->extension != xi->base)
            return 0;
        return (ge->evtype >= XI_KeyPress && ge->evtype <= XI_FocusOut) ||
            ge->evtype == XI_RawKeyPress || ge->evtype == XI_RawKeyRelease;
    }
    return 0;
}

static void
window_access(XaceResourceAccessRec *rec, int up)
{
    WindowPtr win = rec->res;
    Mask mode = rec->access_mode;

    if (!win)
        return;
    if (tp_window_trusted(win)) {
        if (mode & ~TRUSTED_WINDOW_ALLOWED)
            tp_deny(&rec->status, "access to a trusted window", rec->client);
        return;
    }
    if (!up)
        return;
    if (mode & DixReadAccess) {
        tp_deny(&rec->status, "reading window contents while a prompt is up", rec->client);
        return;
    }
    if (!win->parent && (mode & DixManageAccess)) {   /* CirculateWindow on the root */
        tp_deny(&rec->status, "restacking the root's children while a prompt is up", rec->client);
        return;
    }
    if (tp_window_toplevel(win) && (mode & (DixShowAccess | DixManageAccess)))
        tp_deny(&rec->status, "mapping or restacking a top-level window while a prompt is up",
                rec->client);
}

/* Render's PictureType is not exported by Xorg; match the type by its name. */
static int
is_picture_type(RESTYPE type)
{
    const char *name = LookupResourceName(type);
    return name && strcmp(name, "PICTURE") == 0;
}

static void
picture_access(XaceResourceAccessRec *rec, int up)
{
    PicturePtr pict = rec->res;
    DrawablePtr draw = pict ? pict->pDrawable : NULL;

    if (!draw || draw->type != DRAWABLE_WINDOW || !(rec->access_mode & DixReadAccess))
        return;
    if (up || tp_window_trusted((WindowPtr) draw))
        tp_deny(&rec->status, "reading a window picture", rec->client);
}

static void
resource_access(CallbackListPtr *list, void *data, void *call)
{
    XaceResourceAccessRec *rec = call;

    (void) list;
    (void) data;
    if (tp_client_trusted(rec->client)) {
        /* a trusted top-level about to map: a prompt is coming up */
        if (rec->rtype == RT_WINDOW && (rec->access_mode & DixShowAccess) &&
            tp_window_toplevel(rec->res) && !tp_cfg.audit)
            tp_xkb_mute();
        return;
    }
    tp_xkb_unmute_if_done();
    if (rec->ptype == RT_WINDOW && tp_window_trusted(rec->parent) &&
        (rec->access_mode & DixCreateAccess)) {
        tp_deny(&rec->status, "creating a resource on a trusted window", rec->client);
        return;
    }
    if (rec->rtype == RT_WINDOW)       /* tp_prompt_up() walks the top-level windows */
        window_access(rec, tp_prompt_up());
    else if (is_picture_type(rec->rtype))
        picture_access(rec, tp_prompt_up());
}

static void
device_access(CallbackListPtr *list, void *data, void *call)
{
    XaceDeviceAccessRec *rec = call;

    (void) list;
    (void) data;
    if (tp_client_trusted(rec->client) || !(rec->access_mode & DEVICE_DENIED_WHILE_UP))
        return;
    if (tp_prompt_up())
        tp_deny(&rec->status, "device access while a prompt is up", rec->client);
}

static void
send_access(CallbackListPtr *list, void *data, void *call)
{
    XaceSendAccessRec *rec = call;

    (void) list;
    (void) data;
    if (!rec->client) {         /* delivery of a device event */
        if (rec->count > 0 && rec->events && tp_sak_swallow(rec->events, rec->dev))
            rec->status = BadAccess;
        return;
    }
    if (!tp_client_trusted(rec->client) && tp_window_trusted(rec->pWin))
        tp_deny(&rec->status, "SendEvent to a trusted window", rec->client);
}

static void
receive_access(CallbackListPtr *list, void *data, void *call)
{
    XaceReceiveAccessRec *rec = call;

    (void) list;
    (void) data;
    if (rec->count <= 0 || !rec->events)
        return;
    if (tp_sak_swallow(rec->events, NULL)) {
        rec->status = BadAccess;
        return;
    }
    if (tp_client_trusted(rec->client) || !key_info_event(rec->events))
        return;
    if (tp_prompt_up())
        tp_deny(&rec->status, "key event delivery while a prompt is up", rec->client);
}

static void
client_access(CallbackListPtr *list, void *data, void *call)
{
    XaceClientAccessRec *rec = call;

    (void) list;
    (void) data;
    if (tp_client_trusted(rec->client) || !tp_client_trusted(rec->target))
        return;
    if (rec->access_mode & (DixDestroyAccess | DixManageAccess | DixSetAttrAccess))
        tp_deny(&rec->status, "killing or managing a trusted client", rec->client);
}

static void
server_access(CallbackListPtr *list, void *data, void *call)
{
    XaceServerAccessRec *rec = call;

    (void) list;
    (void) data;
    if (tp_client_trusted(rec->client) || !(rec->access_mode & DixGrabAccess))
        return;
    if (tp_prompt_up())
        tp_deny(&rec->status, "server grab while a prompt is up", rec->client);
}

/* Shared by EXT_ACCESS (query, list) and EXT_DISPATCH (requests). */
static void
ext_check(ClientPtr client, ExtensionEntry *ext, int *status, int dispatch)
{
    if (tp_client_trusted(client) || !ext)
        return;
    if (ext_is(ext, "RECORD")) {
        tp_deny(status, "RECORD extension", client);
    } else if (ext_is(ext, TP_EXT_NAME)) {
        *status = BadAccess;    /* hidden from untrusted clients; not worth a log line */
    } else if (dispatch && ext_is(ext, "XTEST")) {
        if (tp_prompt_up())
            tp_deny(status, "XTEST request while a prompt is up", client);
    } else if (dispatch && ext_is(ext, "XKEYBOARD") && client->requestBuffer) {
        const xReq *req = client->requestBuffer;
        if ((req->data == X_kbGetStateMinor || req->data == X_kbSelectEventsMinor) && tp_prompt_up())
            tp_deny(status, "XKB state query while a prompt is up", client);
    }
}

static void
ext_access(CallbackListPtr *list, void *data, void *call)
{
    XaceExtAccessRec *rec = call;

    (void) list;
    (void) data;
    ext_check(rec->client, rec->ext, &rec->status, 0);
}

static void
ext_dispatch(CallbackListPtr *list, void *data, void *call)
{
    XaceExtAccessRec *rec = call;

    (void) list;
    (void) data;
    ext_check(rec->client, rec->ext, &rec->status, 1);
}

static void
key_avail(CallbackListPtr *list, void *data, void *call)
{
    XaceKeyAvailRec *rec = call;

    (void) list;
    (void) data;
    if (rec->event && rec->keybd)
        tp_sak_key_avail(rec->event, rec->keybd);
    tp_xkb_unmute_if_done();
}

void
tp_hooks_register(void)
{
    XaceRegisterCallback(XACE_RESOURCE_ACCESS, resource_access, NULL);
    XaceRegisterCallback(XACE_DEVICE_ACCESS, device_access, NULL);
    XaceRegisterCallback(XACE_SEND_ACCESS, send_access, NULL);
    XaceRegisterCallback(XACE_RECEIVE_ACCESS, receive_access, NULL);
    XaceRegisterCallback(XACE_CLIENT_ACCESS, client_access, NULL);
    XaceRegisterCallback(XACE_SERVER_ACCESS, server_access, NULL);
    XaceRegisterCallback(XACE_EXT_ACCESS, ext_access, NULL);
    XaceRegisterCallback(XACE_EXT_DISPATCH, ext_dispatch, NULL);
    XaceRegisterCallback(XACE_KEY_AVAIL, key_avail, NULL);
}
