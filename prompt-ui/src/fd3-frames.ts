// The state channel from trustpathd to the Electron host (fd 3): frames of
//   u8 type 0x01 (STATE) | u32 big-endian payload length | payload (UTF-8 JSON object)
// with the length checked against the 64 KiB cap from the header, before any payload
// is buffered. Pure: bytes in, parsed states out; after an error it accepts nothing
// more and the host exits (the daemon sees the channel close and ends the prompt).
//
//   const d = new StateFrameDecoder();
//   d.push(chunk) -> { states: object[], error?: string }
//   encodeStateFrame(state) -> Buffer   (the daemon's side, and tests)

export const STATE_FRAME = 0x01;
export const STATE_FRAME_CAP = 64 * 1024;
const HEADER = 5;

export function encodeStateFrame(state: object): Buffer {
  const payload = Buffer.from(JSON.stringify(state), 'utf8');
  if (payload.length > STATE_FRAME_CAP) throw new RangeError(`state of ${payload.length} bytes above the ${STATE_FRAME_CAP}-byte cap`);
  const header = Buffer.alloc(HEADER);
  header[0] = STATE_FRAME;
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class StateFrameDecoder {
  #held: Buffer = Buffer.alloc(0);
  #failed: string | null = null;

  push(chunk: Uint8Array): { states: Record<string, unknown>[]; error?: string } {
    const states: Record<string, unknown>[] = [];
    if (this.#failed !== null) return { states, error: this.#failed };
    let buf = this.#held.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#held, chunk]);
    while (buf.length > 0) {
      if (buf[0] !== STATE_FRAME) return this.#fail(states, `unknown frame type ${buf[0]}`);
      if (buf.length < HEADER) break;
      const len = buf.readUInt32BE(1);
      if (len > STATE_FRAME_CAP) return this.#fail(states, `frame length ${len} above cap ${STATE_FRAME_CAP}`);
      if (buf.length < HEADER + len) break;
      const state = parseObject(buf.subarray(HEADER, HEADER + len));
      if (state === null) return this.#fail(states, 'frame payload is not a UTF-8 JSON object');
      states.push(state);
      buf = buf.subarray(HEADER + len);
    }
    this.#held = Buffer.from(buf);
    return { states };
  }

  #fail(states: Record<string, unknown>[], error: string): { states: Record<string, unknown>[]; error: string } {
    this.#failed = error;
    this.#held = Buffer.alloc(0);
    return { states, error };
  }
}

/** @internal the payload as a plain JSON object, or null */
function parseObject(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(utf8.decode(bytes));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
