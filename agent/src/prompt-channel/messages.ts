// Prompt-channel messages: typed values <-> frames (frame.ts). The payload is JSON of
// a fixed shape per type, checked field by field in both directions (exact keys, no
// extras); the daemon cuts every text it sends so a frame stays under its cap.
//
//   encodeDaemonMessage(m) / decodeDaemonFrame(f)   daemon -> client
//   encodeClientMessage(m) / decodeClientFrame(f)   client -> daemon
import type { OfferedIdentity, PromptRequest } from '../auth/prompt-side.js';
import type { AuthResult } from '../auth/types.js';
import { ClientType, CLIENT_CAPS, DaemonType, DAEMON_CAPS, encodeFrame, type Frame } from './frame.js';

/** Where a root client opens the response pipe: /proc/PID/fd/FD, checked by dev+ino. */
export interface PipeRef {
  readonly pid: number;
  readonly fd: number;
  /** st_dev and st_ino of the pipe, decimal: the client checks them after opening */
  readonly dev: string;
  readonly ino: string;
}

export interface ShowMessage {
  readonly type: 'show';
  readonly id: number;
  readonly actionId: string;
  readonly message: string;
  readonly iconName: string;
  readonly subject: string;
  readonly requester: { readonly pid: number; readonly uid: number; readonly exe: string; readonly cmdline: readonly string[]; readonly busName: string | null };
  readonly untrustedDetails: Readonly<Record<string, string>>;
}

export type DaemonMessage =
  | ShowMessage
  | { readonly type: 'choose'; readonly id: number; readonly identities: readonly { uid: number; name: string | null; realName: string }[] }
  | { readonly type: 'pam'; readonly id: number; readonly kind: 'prompt' | 'info' | 'error'; readonly echo: boolean; readonly text: string; readonly pipe: PipeRef | null }
  | { readonly type: 'retry'; readonly id: number; readonly remaining: number }
  | { readonly type: 'locked'; readonly id: number; readonly uid: number; readonly until: number }
  | { readonly type: 'finished'; readonly id: number; readonly outcome: string; readonly uid?: number; readonly reason?: string; readonly detail?: string };

export type ClientMessage =
  | { readonly type: 'chosen'; readonly id: number; readonly uid: number | null }
  | { readonly type: 'dismiss'; readonly id: number }
  | { readonly type: 'answered'; readonly id: number };

type Check = (v: unknown) => boolean;
interface Field { readonly check: Check; readonly optional?: boolean }
type Shape = Readonly<Record<string, Field>>;

const MAX_ID = 0xffffffff;
const isUint = (max: number): Check => (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const isId: Check = (v) => isUint(MAX_ID)(v) && v !== 0;
const isText = (max: number): Check => (v) => typeof v === 'string' && v.length <= max;
const isBool: Check = (v) => typeof v === 'boolean';
const orNull = (c: Check): Check => (v) => v === null || c(v);
const oneOf = (...xs: string[]): Check => (v) => typeof v === 'string' && xs.includes(v);
const isDecimal: Check = (v) => typeof v === 'string' && /^[0-9]{1,20}$/.test(v);
const req = (check: Check): Field => ({ check });
const opt = (check: Check): Field => ({ check, optional: true });

/** @internal a plain object whose keys are exactly the shape's (optional ones may be absent) */
function fits(v: unknown, shape: Shape): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  if (Object.keys(o).some((k) => !Object.hasOwn(shape, k))) return false;
  return Object.entries(shape).every(([k, f]) => (Object.hasOwn(o, k) ? f.check(o[k]) : f.optional === true));
}

const shapeCheck = (shape: Shape): Check => (v) => fits(v, shape);
const arrayOf = (max: number, c: Check): Check => (v) => Array.isArray(v) && v.length <= max && v.every(c);
const textMap = (max: number, key: number, value: number): Check => (v) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length <= max &&
  Object.entries(v).every(([k, x]) => k.length <= key && isText(value)(x));

/** Cuts of what the daemon sends. */
export const LIMITS = Object.freeze({
  text: 4096, short: 256, args: 64, arg: 1024, details: 32, detailKey: 256, detailValue: 1024,
  identities: 1024, name: 64, pamText: 1024,
});

const DAEMON_SHAPES: Readonly<Record<number, Shape>> = {
  [DaemonType.Show]: {
    id: req(isId), actionId: req(isText(LIMITS.short)), message: req(isText(LIMITS.text)), iconName: req(isText(LIMITS.short)),
    subject: req(isText(LIMITS.short)),
    requester: req(shapeCheck({
      pid: req(isUint(MAX_ID)), uid: req(isUint(MAX_ID)), exe: req(isText(LIMITS.text)),
      cmdline: req(arrayOf(LIMITS.args, isText(LIMITS.arg))), busName: req(orNull(isText(LIMITS.short))),
    })),
    untrustedDetails: req(textMap(LIMITS.details, LIMITS.detailKey, LIMITS.detailValue)),
  },
  [DaemonType.Choose]: {
    id: req(isId),
    identities: req(arrayOf(LIMITS.identities, shapeCheck({
      uid: req(isUint(MAX_ID)), name: req(orNull(isText(LIMITS.name))), realName: req(isText(LIMITS.name)),
    }))),
  },
  [DaemonType.Pam]: {
    id: req(isId), kind: req(oneOf('prompt', 'info', 'error')), echo: req(isBool), text: req(isText(LIMITS.pamText)),
    pipe: req(orNull(shapeCheck({ pid: req(isId), fd: req(isUint(0x7fffffff)), dev: req(isDecimal), ino: req(isDecimal) }))),
  },
  [DaemonType.Retry]: { id: req(isId), remaining: req(isUint(1000)) },
  [DaemonType.Locked]: { id: req(isId), uid: req(isUint(MAX_ID)), until: req(isUint(Number.MAX_SAFE_INTEGER)) },
  [DaemonType.Finished]: {
    id: req(isId), outcome: req(oneOf('authenticated', 'dismissed', 'cancelled', 'failed')),
    uid: opt(isUint(MAX_ID)), reason: opt(isText(64)), detail: opt(isText(LIMITS.short)),
  },
};

const CLIENT_SHAPES: Readonly<Record<number, Shape>> = {
  [ClientType.Chosen]: { id: req(isId), uid: req(orNull(isUint(MAX_ID))) },
  [ClientType.Dismiss]: { id: req(isId) },
  [ClientType.Answered]: { id: req(isId) },
};

const DAEMON_TYPES: Readonly<Record<DaemonMessage['type'], DaemonType>> = {
  show: DaemonType.Show, choose: DaemonType.Choose, pam: DaemonType.Pam,
  retry: DaemonType.Retry, locked: DaemonType.Locked, finished: DaemonType.Finished,
};
const DAEMON_NAMES = Object.fromEntries(Object.entries(DAEMON_TYPES).map(([k, v]) => [v, k])) as Record<number, DaemonMessage['type']>;
const CLIENT_NAMES: Readonly<Record<number, ClientMessage['type']>> = {
  [ClientType.Chosen]: 'chosen', [ClientType.Dismiss]: 'dismiss', [ClientType.Answered]: 'answered',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** @internal payload -> object of the type's shape, or an error text */
function decodePayload(frame: Frame, shapes: Readonly<Record<number, Shape>>): Record<string, unknown> | string {
  const shape = shapes[frame.type];
  if (shape === undefined) return `unexpected frame type ${frame.type}`;
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(frame.payload));
  } catch {
    return `frame type ${frame.type}: payload is not UTF-8 JSON`;
  }
  return fits(value, shape) ? value : `frame type ${frame.type}: payload does not have the expected shape`;
}

export function decodeClientFrame(frame: Frame): ClientMessage | string {
  const v = decodePayload(frame, CLIENT_SHAPES);
  return typeof v === 'string' ? v : { ...v, type: CLIENT_NAMES[frame.type] } as ClientMessage;
}

export function decodeDaemonFrame(frame: Frame): DaemonMessage | string {
  const v = decodePayload(frame, DAEMON_SHAPES);
  return typeof v === 'string' ? v : { ...v, type: DAEMON_NAMES[frame.type] } as DaemonMessage;
}

/** @internal the JSON payload of a message, after checking it against its own shape */
function payloadOf(type: number, m: { readonly type: string }, shapes: Readonly<Record<number, Shape>>): Buffer {
  const { type: _name, ...fields } = m;
  void _name;
  const shape = shapes[type];
  if (shape === undefined || !fits(fields, shape)) throw new RangeError(`message '${m.type}' does not have its shape`);
  return Buffer.from(JSON.stringify(fields), 'utf8');
}

/** Throws when the message does not fit its shape or cap (the caller fails closed). */
export function encodeDaemonMessage(m: DaemonMessage): Buffer {
  const type = DAEMON_TYPES[m.type];
  return encodeFrame(type, payloadOf(type, m, DAEMON_SHAPES), DAEMON_CAPS);
}

export function encodeClientMessage(m: ClientMessage): Buffer {
  const type = m.type === 'chosen' ? ClientType.Chosen : m.type === 'dismiss' ? ClientType.Dismiss : ClientType.Answered;
  return encodeFrame(type, payloadOf(type, m, CLIENT_SHAPES), CLIENT_CAPS);
}

const cut = (s: string, max: number): string => (s.length <= max ? s : s.slice(0, max));

/** SHOW for a request, texts cut to LIMITS; `lean` also drops details and arguments. */
export function showMessage(id: number, r: PromptRequest, lean = false): ShowMessage {
  const q = r.requester;
  const details = lean ? [] : Object.entries(r.untrustedDetails).slice(0, LIMITS.details);
  return {
    type: 'show', id, actionId: cut(r.actionId, LIMITS.short), message: cut(r.message, LIMITS.text),
    iconName: cut(r.iconName, LIMITS.short), subject: cut(r.subject, LIMITS.short),
    requester: {
      pid: q.pid, uid: q.uid, exe: cut(q.exe, LIMITS.text), busName: q.busName === undefined ? null : cut(q.busName, LIMITS.short),
      cmdline: q.cmdline.slice(0, lean ? 1 : LIMITS.args).map((a) => cut(a, LIMITS.arg)),
    },
    untrustedDetails: Object.fromEntries(details.map(([k, v]) => [cut(k, LIMITS.detailKey), cut(v, LIMITS.detailValue)])),
  };
}

/** SHOW as a frame: the lean form when the full one is above the cap. */
export function encodeShow(id: number, r: PromptRequest): Buffer {
  try {
    return encodeDaemonMessage(showMessage(id, r));
  } catch {
    return encodeDaemonMessage(showMessage(id, r, true));
  }
}

export function chooseMessage(id: number, identities: readonly OfferedIdentity[]): DaemonMessage {
  return {
    type: 'choose', id,
    identities: identities.slice(0, LIMITS.identities).map((i) => ({
      uid: i.uid, name: i.name === null ? null : cut(i.name, LIMITS.name), realName: cut(i.realName, LIMITS.name),
    })),
  };
}

export function finishedMessage(id: number, r: AuthResult): DaemonMessage {
  switch (r.outcome) {
    case 'authenticated': return { type: 'finished', id, outcome: r.outcome, uid: r.uid };
    case 'failed': return r.reason === 'error'
      ? { type: 'finished', id, outcome: r.outcome, reason: r.reason, detail: cut(r.detail, LIMITS.short) }
      : { type: 'finished', id, outcome: r.outcome, reason: r.reason };
    default: return { type: 'finished', id, outcome: r.outcome };
  }
}
