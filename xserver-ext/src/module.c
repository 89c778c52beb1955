/* Module entry: version info, Setup (options), the TRUSTPATH extension whose init
 * runs every server generation and (re)registers every callback. */
#include "tp.h"
#include "xf86Module.h"
#include "xf86.h"
#include "extinit.h"
#include "extnsionst.h"
#include <X11/Xproto.h>

#define X_TrustpathQueryVersion 0

typedef struct {
    BYTE type;
    BYTE pad1;
    CARD16 sequenceNumber;
    CARD32 length;
    CARD16 majorVersion;
    CARD16 minorVersion;
    CARD32 flags;               /* bit 0: audit mode (nothing is denied) */
    CARD32 pad2, pad3, pad4, pad5;
} xTrustpathQueryVersionReply;

static Bool disabled = FALSE;

static int
proc_query_version(ClientPtr client)
{
    xTrustpathQueryVersionReply rep;

    REQUEST_SIZE_MATCH(xReq);
    memset(&rep, 0, sizeof(rep));
    rep.type = X_Reply;
    rep.sequenceNumber = client->sequence;
    rep.majorVersion = TP_VERSION_MAJOR;
    rep.minorVersion = TP_VERSION_MINOR;
    rep.flags = tp_cfg.audit ? 1 : 0;
    WriteToClient(client, sizeof(rep), &rep);
    return Success;
}

static int
proc_trustpath(ClientPtr client)
{
    REQUEST(xReq);
    if (stuff->data == X_TrustpathQueryVersion)
        return proc_query_version(client);
    return BadRequest;
}

/* Trusted clients are local, so same byte order; a swapped client is refused. */
static int
sproc_trustpath(ClientPtr client)
{
    (void) client;
    return BadRequest;
}

/* As `xhost +si:localuser:NAME`: the trusted user needs no cookie. */
static void
grant_trusted_user(void)
{
    char addr[10 + sizeof(tp_cfg.trusted_name)];
    size_t len = strlen(tp_cfg.trusted_name);

    if (tp_cfg.trusted_uid == (uid_t) -1 || len == 0)
        return;
    memcpy(addr, "localuser", 10);
    memcpy(addr + 10, tp_cfg.trusted_name, len);
    if (AddHost(NULL, FamilyServerInterpreted, (unsigned) (10 + len), addr) != Success)
        LogMessage(X_ERROR, "trustpath: could not grant display access to %s\n",
                   tp_cfg.trusted_name);
}

static void
trustpath_ext_init(void)
{
    if (!AddExtension(TP_EXT_NAME, 0, 0, proc_trustpath, sproc_trustpath, NULL,
                      StandardMinorOpcode)) {
        LogMessage(X_ERROR, "trustpath: AddExtension failed; module inactive\n");
        return;
    }
    tp_trust_init();
    tp_hooks_register();
    grant_trusted_user();
    LogMessage(X_INFO, "trustpath: active (generation %lu, trusted uid %ld%s)\n",
               serverGeneration, (long) tp_cfg.trusted_uid, tp_cfg.audit ? ", audit mode" : "");
}

static const ExtensionModule trustpath_ext = {
    trustpath_ext_init, TP_EXT_NAME, &disabled
};

static void *
trustpath_setup(void *module, void *opts, int *errmaj, int *errmin)
{
    (void) module;
    (void) errmaj;
    (void) errmin;
    tp_config_parse(opts);
    LoadExtensionList(&trustpath_ext, 1, FALSE);
    return (void *) 1;
}

static XF86ModuleVersionInfo trustpath_version = {
    "trustpath", "trustpath", MODINFOSTRING1, MODINFOSTRING2,
    XORG_VERSION_CURRENT, TP_VERSION_MAJOR, TP_VERSION_MINOR, 0,
    ABI_CLASS_EXTENSION, ABI_EXTENSION_VERSION, MOD_CLASS_EXTENSION, {0, 0, 0, 0}
};

_X_EXPORT XF86ModuleData trustpathModuleData = {
    &trustpath_version, trustpath_setup, NULL
};
