// The only parser of trustpath-pam-helper frames (native/pam-helper/PROTOCOL.md).
// Pure: bytes in, typed values out, with the same caps as the C side.
//
//   decodeHelperFrames(state, chunk) -> { frames, error? }   helper -> daemon
//   encodeControl(type)              -> Buffer               daemon -> helper
//   encodeResponse(bytes)            -> Buffer               keyboard side -> helper
//
// Frame: u8 type, u32 big-endian payload length, payload. The length is checked
// against the cap of its type before any payload is buffered.

export const HEADER_LEN = 5;
export const MAX_TEXT = 1024;
export const MAX_RESPONSE = 512;

/** helper -> daemon frame types */
export const HelperType = {
  PromptEchoOff: 0x01,
  PromptEchoOn: 0x02,
  Info: 0x03,
  Error: 0x04,
  Success: 0x05,
  Failure: 0x06,
} as const;

/** daemon -> helper frame types */
export const ControlType = { Begin: 0x10, Cancel: 0x11 } as const;
export type ControlType = (typeof ControlType)[keyof typeof ControlType];

/** FAILURE reason codes (stable; mirror enum tp_reason in frame.h) */
export const FAILURE_REASONS = {
  1: 'auth',
  2: 'user-unknown',
  3: 'account-expired',
  4: 'password-expired',
  5: 'permission-denied',
  6: 'user-changed',
  7: 'out-of-memory',
  8: 'protocol',
  9: 'cancelled',
  10: 'system',
} as const;
export type HelperFailureReason = (typeof FAILURE_REASONS)[keyof typeof FAILURE_REASONS];

export type HelperFrame =
  | { readonly kind: 'prompt'; readonly echo: boolean; readonly text: string }
  | { readonly kind: 'info'; readonly text: string }
  | { readonly kind: 'error'; readonly text: string }
  | { readonly kind: 'success' }
  | { readonly kind: 'failure'; readonly reason: HelperFailureReason };

const MAX_PAYLOAD: Record<number, number> = {
  [HelperType.PromptEchoOff]: MAX_TEXT,
  [HelperType.PromptEchoOn]: MAX_TEXT,
  [HelperType.Info]: MAX_TEXT,
  [HelperType.Error]: MAX_TEXT,
  [HelperType.Success]: 0,
  [HelperType.Failure]: 1,
};

/** Incremental decoder state. After an error or a final frame nothing more is accepted. */
export interface DecoderState {
  buffered: Buffer;
  done: boolean;
}

export function newDecoderState(): DecoderState {
  return { buffered: Buffer.alloc(0), done: false };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeText(payload: Buffer): string | null {
  if (payload.includes(0)) return null;
  try {
    return utf8.decode(payload);
  } catch {
    return null;
  }
}

/** @internal turns one complete frame into a typed value, or an error text */
function toFrame(type: number, payload: Buffer): HelperFrame | string {
  switch (type) {
    case HelperType.PromptEchoOff:
    case HelperType.PromptEchoOn:
    case HelperType.Info:
    case HelperType.Error: {
      const text = decodeText(payload);
      if (text === null) return 'text is not UTF-8 without NUL';
      if (type === HelperType.Info) return { kind: 'info', text };
      if (type === HelperType.Error) return { kind: 'error', text };
      return { kind: 'prompt', echo: type === HelperType.PromptEchoOn, text };
    }
    case HelperType.Success:
      return { kind: 'success' };
    default: {
      const reason = FAILURE_REASONS[payload[0] as keyof typeof FAILURE_REASONS];
      if (payload.length !== 1 || reason === undefined) return 'unknown failure reason';
      return { kind: 'failure', reason };
    }
  }
}

/**
 * Appends `chunk` and returns every complete frame. An error (unknown type, a length
 * above the cap, bad text, bytes after the final frame) ends the stream: the caller
 * must kill the helper.
 */
export function decodeHelperFrames(state: DecoderState, chunk: Uint8Array): { frames: HelperFrame[]; error?: string } {
  const frames: HelperFrame[] = [];
  if (state.done) return { frames, error: 'data after the end of the stream' };
  let buf = Buffer.concat([state.buffered, chunk]);
  for (;;) {
    if (buf.length === 0) break;
    if (state.done) return fail(state, frames, 'data after the final frame');
    const type = buf[0] as number;
    const cap = MAX_PAYLOAD[type];
    if (cap === undefined) return fail(state, frames, `unknown frame type ${type}`);
    if (buf.length < HEADER_LEN) break;
    const len = buf.readUInt32BE(1);
    if (len > cap) return fail(state, frames, `frame type ${type} length ${len} above cap ${cap}`);
    if (buf.length < HEADER_LEN + len) break;
    const frame = toFrame(type, buf.subarray(HEADER_LEN, HEADER_LEN + len));
    if (typeof frame === 'string') return fail(state, frames, frame);
    frames.push(frame);
    if (frame.kind === 'success' || frame.kind === 'failure') state.done = true;
    buf = buf.subarray(HEADER_LEN + len);
  }
  state.buffered = Buffer.from(buf);
  return { frames };
}

function fail(state: DecoderState, frames: HelperFrame[], error: string): { frames: HelperFrame[]; error: string } {
  state.done = true;
  state.buffered = Buffer.alloc(0);
  return { frames, error };
}

export function encodeControl(type: ControlType): Buffer {
  const b = Buffer.alloc(HEADER_LEN);
  b[0] = type;
  return b;
}

/**
 * Encodes one answer for the response pipe: u16 big-endian length, then the bytes
 * (no terminator). Throws above MAX_RESPONSE bytes or on a NUL byte.
 * Only the keyboard side (trustpath-input, or a test) writes these.
 */
export function encodeResponse(answer: Uint8Array | string): Buffer {
  const bytes = typeof answer === 'string' ? Buffer.from(answer, 'utf8') : answer;
  try {
    if (bytes.length > MAX_RESPONSE) throw new RangeError(`response above ${MAX_RESPONSE} bytes`);
    if (bytes.includes(0)) throw new RangeError('response contains NUL');
    const out = Buffer.alloc(2 + bytes.length);
    out.writeUInt16BE(bytes.length, 0);
    out.set(bytes, 2);
    return out;
  } finally {
    if (typeof answer === 'string') bytes.fill(0); // our temporary copy only
  }
}
