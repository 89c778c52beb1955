/* Trust decisions: a client is trusted when it connected locally with the trusted
 * uid (kernel credentials, never anything the client says); the server itself is
 * trusted. A prompt is up while a trusted top-level window is viewable. */
#include "tp.h"
#include "os.h"
#include "scrnintstr.h"

static unsigned char trusted[MAXCLIENTS];

static int
creds_trusted(ClientPtr client)
{
    LocalClientCredRec *lcc = NULL;
    int ok = 0;

    if (GetLocalClientCreds(client, &lcc) != 0 || !lcc)
        return 0;
    if ((lcc->fieldsSet & LCC_UID_SET) && lcc->euid == (int) tp_cfg.trusted_uid)
        ok = 1;
    FreeLocalClientCreds(lcc);
    return ok;
}

static void
client_state(CallbackListPtr *list, void *data, void *call)
{
    NewClientInfoRec *info = call;
    ClientPtr client = info->client;

    (void) list;
    (void) data;
    if (!client || client->index < 0 || client->index >= MAXCLIENTS)
        return;
    switch (client->clientState) {
    case ClientStateInitial:
    case ClientStateRunning:
        trusted[client->index] = creds_trusted(client) ? 1 : 0;
        break;
    default:
        trusted[client->index] = 0;
        break;
    }
}

void
tp_trust_init(void)
{
    memset(trusted, 0, sizeof(trusted));
    AddCallback(&ClientStateCallback, client_state, NULL);
}

int
tp_client_trusted(ClientPtr client)
{
    if (!client)
        return 0;
    if (client == serverClient || client->index == 0)
        return 1;
    if (client->index < 0 || client->index >= MAXCLIENTS)
        return 0;
    return trusted[client->index];
}

int
tp_window_trusted(WindowPtr win)
{
    ClientPtr owner;

    if (!win || !win->parent)   /* root windows belong to the server */
        return 0;
    owner = wClient(win);
    return owner && owner != serverClient && tp_client_trusted(owner);
}

/* A server-owned child of the root: the Composite overlay window. A prompt created
 * inside it is never redirected, so a compositing manager cannot hide or read it. */
static int
server_layer(WindowPtr win)
{
    return win && win->parent && !win->parent->parent && wClient(win) == serverClient;
}

int
tp_window_toplevel(WindowPtr win)
{
    return win && win->parent && (!win->parent->parent || server_layer(win->parent));
}

static int
layer_has_prompt(WindowPtr parent)
{
    WindowPtr child;

    for (child = parent->firstChild; child; child = child->nextSib) {
        if (!child->viewable)
            continue;
        if (tp_window_trusted(child))
            return 1;
        if (server_layer(child) && layer_has_prompt(child))
            return 1;
    }
    return 0;
}

static int
screen_has_prompt(ScreenPtr screen)
{
    return screen && screen->root && layer_has_prompt(screen->root);
}

int
tp_prompt_up(void)
{
    int i;

    for (i = 0; i < screenInfo.numScreens; i++)
        if (screen_has_prompt(screenInfo.screens[i]))
            return 1;
    return 0;
}
