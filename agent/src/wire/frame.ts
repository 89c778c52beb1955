// Typed, length-prefixed frames, the framing of every channel between trustpath's
// own processes (prompt channel, policy reader): u8 type | u32 big-endian payload
// length | payload. Pure: bytes in, frames out, with a payload cap per type checked
// from the header before any payload is buffered. What a payload means is each
// channel's own parser's business.
//
//   encodeFrame(type, payload, caps)              -> Buffer (throws above the cap)
//   const d = new FrameDecoder(caps);             // caps of the types d may receive
//   d.push(chunk)                                 -> { frames, error? }

export const HEADER_LEN = 5;

export interface Frame {
  readonly type: number;
  readonly payload: Buffer;
}

export function encodeFrame(type: number, payload: Buffer, caps: Readonly<Record<number, number>>): Buffer {
  const cap = caps[type];
  if (cap === undefined) throw new RangeError(`unknown frame type ${type}`);
  if (payload.length > cap) throw new RangeError(`frame type ${type}: ${payload.length} bytes above cap ${cap}`);
  const out = Buffer.alloc(HEADER_LEN + payload.length);
  out[0] = type;
  out.writeUInt32BE(payload.length, 1);
  payload.copy(out, HEADER_LEN);
  return out;
}

/**
 * Incremental decoder. After an error nothing more is accepted: the caller drops
 * the peer. At most one header plus one capped payload is ever buffered.
 */
export class FrameDecoder {
  #buffered: Buffer = Buffer.alloc(0);
  #failed = false;

  constructor(private readonly caps: Readonly<Record<number, number>>) {}

  push(chunk: Uint8Array): { frames: Frame[]; error?: string } {
    const frames: Frame[] = [];
    if (this.#failed) return { frames, error: 'data after an error' };
    let buf = this.#buffered.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buffered, chunk]);
    while (buf.length > 0) {
      const cap = this.caps[buf[0] as number];
      if (cap === undefined) return this.#fail(frames, `unknown frame type ${buf[0]}`);
      if (buf.length < HEADER_LEN) break;
      const len = buf.readUInt32BE(1);
      if (len > cap) return this.#fail(frames, `frame type ${buf[0]} length ${len} above cap ${cap}`);
      if (buf.length < HEADER_LEN + len) break;
      frames.push({ type: buf[0] as number, payload: Buffer.from(buf.subarray(HEADER_LEN, HEADER_LEN + len)) });
      buf = buf.subarray(HEADER_LEN + len);
    }
    this.#buffered = Buffer.from(buf);
    return { frames };
  }

  /** bytes of an incomplete frame held (a peer that closes mid-frame left these) */
  get pending(): number {
    return this.#buffered.length;
  }

  #fail(frames: Frame[], error: string): { frames: Frame[]; error: string } {
    this.#failed = true;
    this.#buffered = Buffer.alloc(0);
    return { frames, error };
  }
}
