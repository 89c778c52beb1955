/* Framing between trustpathd and trustpath-input / trustpath-sak-listen (see
 * PROTOCOL.md), and the payload checks. Pure functions: no I/O, no allocation;
 * the fuzz target drives them directly. */
#ifndef TPI_FRAME_H
#define TPI_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define TPI_HDR_LEN 5u           /* u8 type, u32 big-endian payload length */
#define TPI_MAX_PATH 255u        /* PIPE path */
#define TPI_PIPE_FIXED 16u       /* PIPE: u64 dev, u64 ino */
#define TPI_MAX_HASH 256u        /* PINCHECK / PINHASH encoded hash */
#define TPI_MAX_FAIL 256u        /* FAIL text */
#define TPI_MAX_IN_FRAME (TPI_HDR_LEN + TPI_PIPE_FIXED + TPI_MAX_PATH)

/* daemon -> trustpath-input */
enum tpi_in_type {
	TPI_IN_ARM = 0x01,
	TPI_IN_PIPE = 0x02,
	TPI_IN_UNPIPE = 0x03,
	TPI_IN_QUIT = 0x04,
	TPI_IN_PINCHECK = 0x05,
	TPI_IN_PINSET = 0x06,
};

/* trustpath-input / trustpath-sak-listen -> daemon */
enum tpi_out_type {
	TPI_OUT_READY = 0x81,
	TPI_OUT_EDIT = 0x82,
	TPI_OUT_SUBMIT = 0x83,
	TPI_OUT_CANCEL = 0x84,
	TPI_OUT_NAV = 0x85,
	TPI_OUT_FAIL = 0x86,
	TPI_OUT_PINRESULT = 0x87,
	TPI_OUT_PINHASH = 0x88,
	TPI_OUT_LISTENING = 0x90,
	TPI_OUT_SAK = 0x91,
};

/* One accepted frame type and the largest payload it may carry. */
struct tpi_rule {
	uint8_t type;
	uint32_t cap;
};

/* What each program accepts on stdin (trustpath-sak-listen: nothing). */
extern const struct tpi_rule tpi_input_rules[];
extern const size_t tpi_input_nrules;

enum tpi_decode {
	TPI_DEC_NEED_MORE = 0,   /* fewer than TPI_HDR_LEN bytes */
	TPI_DEC_OK = 1,          /* *type and *payload_len are set */
	TPI_DEC_BAD_TYPE = -1,   /* not in the table */
	TPI_DEC_TOO_LONG = -2,   /* length above the type's cap */
};

/* Checks a frame header (the first bytes of buf) against a table. */
enum tpi_decode tpi_decode_hdr(const uint8_t *buf, size_t len,
    const struct tpi_rule *rules, size_t nrules, uint8_t *type,
    uint32_t *payload_len);

/* PIPE payload: the FIFO the answer is written to. */
struct tpi_pipe {
	uint64_t dev;
	uint64_t ino;
	char path[TPI_MAX_PATH + 1];
};

/* 0 and *out filled: u64 BE dev | u64 BE ino | absolute path, 1..255 bytes,
 * no NUL. -1: malformed. */
int tpi_parse_pipe(const uint8_t *p, size_t len, struct tpi_pipe *out);

/* 0 when p is `$argon2id$v=19$m=M,t=T,p=P$SALT$HASH` with bounded costs and
 * base64 salt and hash (so that a hash cannot make the grabber allocate or
 * compute without limit), -1 otherwise. */
int tpi_check_hash(const uint8_t *p, size_t len);

/* Writes an outgoing header; -1 if type is unknown or len exceeds its cap. */
int tpi_encode_hdr(uint8_t hdr[TPI_HDR_LEN], uint8_t type, size_t len);

void tpi_put_be32(uint8_t *p, uint32_t v);

#endif
