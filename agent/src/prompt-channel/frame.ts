// The prompt channel's frame types and their payload caps (PROTOCOL.md beside this
// file); the framing itself is wire/frame.ts. Payloads are UTF-8 JSON (messages.ts).
//
//   encodeFrame(type, payload, DAEMON_CAPS)       -> Buffer (throws above the cap)
//   const d = new FrameDecoder(CLIENT_CAPS);      // caps of the types d may receive

export { HEADER_LEN, encodeFrame, FrameDecoder, type Frame } from '../wire/frame.js';

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
