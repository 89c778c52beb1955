/* Secure attention key: detected on the physical slave keyboard's own state,
 * swallowed in every delivery, reported to the agent as one datagram. */
#include "tp.h"
#include "xkbsrv.h"
#include "exevents.h"
#include <X11/extensions/XI2.h>
#include <X11/extensions/XI2proto.h>
#include <X11/extensions/XI.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "sak_msg.h"

/* One bit per keycode: whose SAK press was eaten (its deliveries, release included,
 * are swallowed until the key is pressed again without the SAK modifiers), and which
 * SAK key is held down now (its autorepeat is not a new SAK; the release, which
 * XACE_KEY_AVAIL also sees, ends it). */
static unsigned char swallowing[32];
static unsigned char held[32];

static int
map_get(const unsigned char *map, unsigned kc)
{
    return kc < 256 && (map[kc >> 3] & (1u << (kc & 7)));
}

static void
map_set(unsigned char *map, unsigned kc, int on)
{
    if (kc >= 256)
        return;
    if (on)
        map[kc >> 3] |= (unsigned char) (1u << (kc & 7));
    else
        map[kc >> 3] &= (unsigned char) ~(1u << (kc & 7));
}

static int
bit_get(unsigned kc)
{
    return map_get(swallowing, kc);
}

static void
bit_set(unsigned kc, int on)
{
    map_set(swallowing, kc, on);
}

/* A slave keyboard that is not an XTEST device. */
static int
physical_keyboard(DeviceIntPtr dev)
{
    return dev && dev->type == SLAVE && dev->xtest_master_id == 0 &&
        dev->key && dev->key->xkbInfo && dev->key->xkbInfo->desc;
}

static int
is_sak_press(DeviceIntPtr dev, unsigned kc)
{
    XkbDescPtr xkb;
    unsigned mods;

    if (!physical_keyboard(dev) || kc > 255)
        return 0;
    xkb = dev->key->xkbInfo->desc;
    if (kc < xkb->min_key_code || kc > xkb->max_key_code || !xkb->map)
        return 0;
    if (XkbKeyNumSyms(xkb, kc) < 1 || XkbKeySymEntry(xkb, kc, 0, 0) != tp_cfg.sak_keysym)
        return 0;
    mods = dev->key->xkbInfo->state.mods;
    return (mods & tp_cfg.sak_mods) == tp_cfg.sak_mods;
}

/* Only root and the trusted user may enter the socket's directory. */
static int
socket_dir_safe(const char *path)
{
    char copy[sizeof(tp_cfg.sak_socket)];
    struct stat st;
    const char *dir;

    memcpy(copy, path, sizeof(copy));
    copy[sizeof(copy) - 1] = '\0';
    dir = dirname(copy);
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    if (st.st_uid != 0 && st.st_uid != tp_cfg.trusted_uid)
        return 0;
    if (st.st_mode & (S_IWOTH | S_IXOTH | S_IWGRP))
        return 0;
    if ((st.st_mode & S_IXGRP) && st.st_gid != 0 && st.st_gid != tp_cfg.trusted_gid)
        return 0;
    return 1;
}

static void
sak_report(DeviceIntPtr dev, CARD32 time)
{
    struct tp_sak_msg msg;
    struct sockaddr_un addr;
    int fd;

    if (!socket_dir_safe(tp_cfg.sak_socket)) {
        LogMessage(X_WARNING, "trustpath: SAK not reported: socket directory unsafe or missing\n");
        return;
    }
    memset(&msg, 0, sizeof(msg));
    memcpy(msg.magic, TP_SAK_MAGIC, sizeof(msg.magic));
    msg.version = TP_SAK_VERSION;
    msg.size = sizeof(msg);
    msg.time = time;
    msg.device_id = (uint32_t) dev->id;
    if (dev->name)
        strncpy(msg.device_name, dev->name, sizeof(msg.device_name) - 1);
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, tp_cfg.sak_socket, sizeof(addr.sun_path));
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    if (sendto(fd, &msg, sizeof(msg), MSG_DONTWAIT, (struct sockaddr *) &addr, sizeof(addr)) < 0)
        LogMessage(X_WARNING, "trustpath: SAK not reported: %s\n", strerror(errno));
    else
        LogMessage(X_INFO, "trustpath: SAK from device %d reported\n", dev->id);
    close(fd);
}

void
tp_sak_key_avail(xEventPtr ev, DeviceIntPtr dev)
{
    unsigned kc = ev->u.u.detail;
    int type = ev->u.u.type & 0x7f;

    if (dev->type != SLAVE)
        return;
    if (type == KeyRelease) {
        map_set(held, kc, 0);
        return;
    }
    if (type != KeyPress)
        return;
    if (!is_sak_press(dev, kc)) {
        bit_set(kc, 0);
        return;
    }
    if (!map_get(held, kc))     /* autorepeat of a held SAK is not a new SAK */
        sak_report(dev, ev->u.keyButtonPointer.time);
    map_set(held, kc, 1);
    bit_set(kc, 1);
}

static int
raw_swallow(const xXIRawEvent *raw)
{
    DeviceIntPtr src = NULL;

    if (raw->evtype == XI_RawKeyRelease)
        return bit_get(raw->detail);
    if (dixLookupDevice(&src, raw->sourceid, serverClient, DixReadAccess) != Success)
        return 0;
    return is_sak_press(src, raw->detail);
}

int
tp_sak_swallow(const xEvent *ev, DeviceIntPtr dev)
{
    int type = ev->u.u.type & 0x7f;
    ExtensionEntry *xi;

    (void) dev;
    if (type == KeyPress || type == KeyRelease)
        return bit_get(ev->u.u.detail);
    xi = CheckExtension("XInputExtension");
    if (!xi)
        return 0;
    if (type == xi->eventBase + XI_DeviceKeyPress || type == xi->eventBase + XI_DeviceKeyRelease)
        return bit_get(ev->u.u.detail);
    if (type == GenericEvent) {
        const xGenericEvent *ge = (const xGenericEvent *) ev;
        if (ge->extension != xi->base)
            return 0;
        if (ge->evtype == XI_KeyPress || ge->evtype == XI_KeyRelease)
            return bit_get(((const xXIDeviceEvent *) ev)->detail);
        if (ge->evtype == XI_RawKeyPress || ge->evtype == XI_RawKeyRelease)
            return raw_swallow((const xXIRawEvent *) ev);
    }
    return 0;
}
