// The only parser of prompt-channel frames (PROTOCOL.md beside this file).
// Pure: bytes in, frames out, with a payload cap per type checked from the header
// before any payload is buffered.
//
//   encodeFrame(type, payload)                    -> Buffer (throws above the cap)
//   const d = new FrameDecoder(CLIENT_CAPS);      // caps of the types d may receive
//   d.push(chunk)                                 -> { frames, error? }
//
// Frame: u8 type | u32 big-endian payload length | payload (UTF-8 JSON).

export const HEADER_LEN = 5;

/** daemon -> client */
export const DaemonType = {
  Show: 0x01,
  Choose: 0x02,
  Pam: 0x03,
  Retry: 0x04,
  Locked: 0x05,
  Finished: 0x06,
} as const;
export type DaemonType = (typeof DaemonType)[keyof typeof DaemonType];

/** client -> daemon */
export const ClientType = {
  Chosen: 0x81,
  Dismiss: 0x82,
  /** the keyboard side submitted an answer to the current prompt (no text: a notice) */
  Answered: 0x83,
} as const;
export type ClientType = (typeof ClientType)[keyof typeof ClientType];

/** Payload caps of what the daemon sends (the client's decoder uses them). */
export const DAEMON_CAPS: Readonly<Record<number, number>> = Object.freeze({
  [DaemonType.Show]: 64 * 1024,
  [DaemonType.Choose]: 32 * 1024,
  [DaemonType.Pam]: 8 * 1024,
  [DaemonType.Retry]: 64,
  [DaemonType.Locked]: 128,
  [DaemonType.Finished]: 256,
});

/** Payload caps of what a client sends (the daemon's decoder uses them). */
export const CLIENT_CAPS: Readonly<Record<number, number>> = Object.freeze({
  [ClientType.Chosen]: 64,
  [ClientType.Dismiss]: 32,
  [ClientType.Answered]: 32,
});

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
