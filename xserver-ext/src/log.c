/* Rate-limited denial log. Callers pass a fixed description and the client only:
 * no keycode, key name or event content ever reaches the log. */
#include "tp.h"
#include "os.h"

#define TP_LOG_BURST 20         /* lines per window */
#define TP_LOG_WINDOW_MS 10000

static CARD32 window_start;
static unsigned in_window;
static unsigned suppressed;

void
tp_log_denial(const char *what, ClientPtr client)
{
    CARD32 now = GetTimeInMillis();
    int index = client ? client->index : -1;

    if (now - window_start > TP_LOG_WINDOW_MS) {
        if (suppressed)
            LogMessage(X_WARNING, "trustpath: %u denials not logged\n", suppressed);
        window_start = now;
        in_window = 0;
        suppressed = 0;
    }
    if (in_window >= TP_LOG_BURST) {
        suppressed++;
        return;
    }
    in_window++;
    LogMessage(X_WARNING, "trustpath: %s %s for client %d\n",
               tp_cfg.audit ? "would deny" : "denied", what, index);
}

/* Records a denial; in audit mode logs only. Returns 1 when denied. */
int
tp_deny(int *status, const char *what, ClientPtr client)
{
    tp_log_denial(what, client);
    if (tp_cfg.audit)
        return 0;
    *status = BadAccess;
    return 1;
}
