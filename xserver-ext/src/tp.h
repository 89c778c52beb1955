/* trustpath Xorg module: shared declarations. Runs inside the X server as root. */
#ifndef TP_H
#define TP_H

#include <xorg-server.h>
#include <X11/X.h>
#include "misc.h"
#include "dixstruct.h"
#include "inputstr.h"
#include "windowstr.h"
#include "xacestr.h"

#define TP_EXT_NAME "TRUSTPATH"
#define TP_VERSION_MAJOR 1
#define TP_VERSION_MINOR 0

/* Configuration, fixed at module load (Setup). */
struct tp_config {
    uid_t trusted_uid;
    gid_t trusted_gid;
    char trusted_name[64];
    char sak_socket[108];       /* sizeof(sun_path) */
    unsigned sak_mods;          /* core modifier mask that must be held */
    unsigned sak_keysym;        /* keysym of the SAK key (group 0, level 0) */
    int audit;                  /* 1: log what would be denied, deny nothing */
};
extern struct tp_config tp_cfg;

/* config.c */
int tp_config_parse(void *opts);

/* trust.c: which clients are trusted and whether a prompt is up */
void tp_trust_init(void);
int tp_client_trusted(ClientPtr client);
int tp_window_trusted(WindowPtr win);
int tp_prompt_up(void);
int tp_window_toplevel(WindowPtr win);   /* child of root or of the overlay window */

/* hooks.c */
void tp_hooks_register(void);

/* sak.c */
void tp_sak_key_avail(xEventPtr ev, DeviceIntPtr dev);
int tp_sak_swallow(const xEvent *ev, DeviceIntPtr dev);

/* xkbmute.c: XKB notifications bypass XACE */
void tp_xkb_mute(void);
void tp_xkb_unmute_if_done(void);
int tp_xkb_muting(void);

/* log.c: rate-limited denial log; never given key data */
void tp_log_denial(const char *what, ClientPtr client);
int tp_deny(int *status, const char *what, ClientPtr client);

#endif
