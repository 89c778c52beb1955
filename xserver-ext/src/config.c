/* Module options, read once at load from the xorg.conf Module SubSection:
 *   Option "User"      "trustpath"          name or numeric uid (never root)
 *   Option "SAK"       "Ctrl+Alt+Pause"     modifiers + one key from a fixed table
 *   Option "SAKSocket" "/run/trustpath/sak.sock"
 *   Option "Mode"      "enforce" | "audit"  audit logs what it would deny, denies nothing
 * Any invalid option leaves nobody trusted (fail closed) and is logged. */
#include "tp.h"
#include "xf86.h"
#include "xf86Opt.h"
#include <pwd.h>
#include <stdlib.h>
#include <strings.h>

struct tp_config tp_cfg;

static const struct { const char *name; unsigned mask; } mod_names[] = {
    {"ctrl", ControlMask}, {"control", ControlMask}, {"alt", Mod1Mask},
    {"mod1", Mod1Mask}, {"shift", ShiftMask}, {"super", Mod4Mask}, {"mod4", Mod4Mask},
};

static const struct { const char *name; unsigned keysym; } key_names[] = {
    {"pause", 0xff13}, {"break", 0xff6b}, {"print", 0xff61}, {"scroll_lock", 0xff14},
    {"delete", 0xffff}, {"escape", 0xff1b}, {"f1", 0xffbe}, {"f2", 0xffbf},
    {"f3", 0xffc0}, {"f4", 0xffc1}, {"f5", 0xffc2}, {"f6", 0xffc3}, {"f7", 0xffc4},
    {"f8", 0xffc5}, {"f9", 0xffc6}, {"f10", 0xffc7}, {"f11", 0xffc8}, {"f12", 0xffc9},
};

static int
lookup_mod(const char *word, unsigned *mask)
{
    size_t i;

    for (i = 0; i < sizeof(mod_names) / sizeof(mod_names[0]); i++)
        if (strcasecmp(word, mod_names[i].name) == 0) {
            *mask |= mod_names[i].mask;
            return 1;
        }
    return 0;
}

static int
lookup_key(const char *word, unsigned *keysym)
{
    size_t i;

    for (i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++)
        if (strcasecmp(word, key_names[i].name) == 0) {
            *keysym = key_names[i].keysym;
            return 1;
        }
    return 0;
}

/* "Ctrl+Alt+Pause": every word but the last is a modifier. */
static int
parse_sak(const char *text)
{
    char buf[64], *word, *next, *save = NULL;
    unsigned mods = 0, keysym = 0;

    if (strlen(text) >= sizeof(buf))
        return 0;
    strcpy(buf, text);
    for (word = strtok_r(buf, "+", &save); word; word = next) {
        next = strtok_r(NULL, "+", &save);
        if (next ? !lookup_mod(word, &mods) : !lookup_key(word, &keysym))
            return 0;
    }
    if (!keysym || !mods)
        return 0;
    tp_cfg.sak_mods = mods;
    tp_cfg.sak_keysym = keysym;
    return 1;
}

static struct passwd *
lookup_user(const char *text)
{
    char *end = NULL;
    unsigned long uid;

    if (text[0] >= '0' && text[0] <= '9') {
        uid = strtoul(text, &end, 10);
        if (*end || uid > 0x7fffffffUL)
            return NULL;
        return getpwuid((uid_t) uid);
    }
    return getpwnam(text);
}

static int
parse_user(const char *text)
{
    struct passwd *pw = lookup_user(text);

    if (!pw || pw->pw_uid == 0 || strlen(pw->pw_name) >= sizeof(tp_cfg.trusted_name))
        return 0;
    tp_cfg.trusted_uid = pw->pw_uid;
    tp_cfg.trusted_gid = pw->pw_gid;
    strcpy(tp_cfg.trusted_name, pw->pw_name);
    return 1;
}

static const char *
option(void *opts, const char *name, const char *fallback)
{
    const char *v = opts ? xf86FindOptionValue(opts, name) : NULL;
    return v ? v : fallback;
}

/* Returns 1 when every option is valid. */
int
tp_config_parse(void *opts)
{
    const char *user = option(opts, "User", "trustpath");
    const char *sak = option(opts, "SAK", "Ctrl+Alt+Pause");
    const char *sock = option(opts, "SAKSocket", "/run/trustpath/sak.sock");
    const char *mode = option(opts, "Mode", "enforce");
    int ok = 1;

    memset(&tp_cfg, 0, sizeof(tp_cfg));
    tp_cfg.trusted_uid = (uid_t) -1;
    tp_cfg.trusted_gid = (gid_t) -1;
    if (!parse_user(user))
        ok = 0, LogMessage(X_ERROR, "trustpath: unknown or root trusted user; nobody is trusted\n");
    if (!parse_sak(sak))
        ok = 0, LogMessage(X_ERROR, "trustpath: invalid SAK option; SAK disabled\n");
    if (sock[0] != '/' || strlen(sock) >= sizeof(tp_cfg.sak_socket))
        ok = 0, LogMessage(X_ERROR, "trustpath: SAKSocket must be an absolute path\n");
    else
        strcpy(tp_cfg.sak_socket, sock);
    if (strcmp(mode, "audit") == 0)
        tp_cfg.audit = 1;
    else if (strcmp(mode, "enforce") != 0)
        ok = 0, LogMessage(X_ERROR, "trustpath: Mode must be enforce or audit; enforcing\n");
    if (!ok)
        tp_cfg.trusted_uid = (uid_t) -1;
    return ok;
}
