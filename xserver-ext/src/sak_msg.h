/* The SAK datagram (see ../PROTOCOL.md). Fixed size, host byte order. */
#ifndef TP_SAK_MSG_H
#define TP_SAK_MSG_H
#include <stdint.h>

#define TP_SAK_MAGIC "TPSK"
#define TP_SAK_VERSION 1

struct tp_sak_msg {
    char magic[4];              /* "TPSK" */
    uint16_t version;           /* 1 */
    uint16_t size;              /* 48: sizeof the whole datagram */
    uint32_t time;              /* X server time of the key press, ms */
    uint32_t device_id;         /* X input device id of the physical keyboard */
    char device_name[32];       /* NUL-terminated, truncated */
};
_Static_assert(sizeof(struct tp_sak_msg) == 48, "SAK datagram is 48 bytes");
#endif
