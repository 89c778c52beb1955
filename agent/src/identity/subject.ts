// Subjects and identities as they arrive on the wire ((sa{sv})), turned into typed
// values or rejected with polkit's exact error texts. This module is the only
// parser of them; dict keys are read with Object.hasOwn, never by prototype lookup.
import dbus from 'dbus-next';
import { failed } from '../bus/errors.js';
import { isUniqueName } from '../bus/signature.js';
import { isReceivedFd } from '../bus/dbus-next-hardening.js';

const { Variant } = dbus;

export type Subject =
  | { readonly kind: 'unix-process'; readonly pid: number; readonly startTime: bigint; readonly uid: number | undefined }
  | { readonly kind: 'unix-session'; readonly sessionId: string }
  | { readonly kind: 'system-bus-name'; readonly name: string };

export type Identity =
  | { readonly kind: 'unix-user'; readonly uid: number }
  | { readonly kind: 'unix-group'; readonly gid: number }
  | { readonly kind: 'unix-netgroup'; readonly name: string };

const TYPE_NAMES: Readonly<Record<string, string>> = { u: 'u', t: 't', i: 'i', s: 's', b: 'b', h: 'h' };

/** GLib's lookup_asv: a key of an exact type, with its error texts. */
function lookup(dict: Record<string, unknown>, key: string, type: string): unknown {
  if (!Object.hasOwn(dict, key)) throw failed(`Didn't find value for key \`${key}' of type ${type}`);
  const v = dict[key];
  if (!(v instanceof Variant)) throw failed(`Didn't find value for key \`${key}' of type ${type}`);
  if (v.signature !== type) {
    throw failed(`Value for key \`${key}' found but is of type ${TYPE_NAMES[v.signature] ?? v.signature} and type ${type} was expected`);
  }
  return v.value;
}

function optional(dict: Record<string, unknown>, key: string, type: string): unknown {
  if (!Object.hasOwn(dict, key)) return undefined;
  const v = dict[key];
  return v instanceof Variant && v.signature === type ? v.value : undefined;
}

function asPair(raw: unknown): [string, Record<string, unknown>] {
  if (!Array.isArray(raw) || raw.length !== 2 || typeof raw[0] !== 'string' || raw[1] === null || typeof raw[1] !== 'object') {
    throw failed('Malformed (sa{sv}) value');
  }
  return [raw[0], raw[1] as Record<string, unknown>];
}

function prefixed<T>(prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof Error && 'errorName' in e) e.message = `${prefix}${e.message}`;
    throw e;
  }
}

/**
 * polkit 124+: a `pidfd` that arrived as a real fd names the process (its pid and
 * start time were read while the fd pinned it, dbus-next-hardening.ts); `uid` is then
 * required. A `pidfd` without an attached fd is ignored, as polkit ignores it.
 */
function pidfdProcess(dict: Record<string, unknown>): Subject | undefined {
  if (!Object.hasOwn(dict, 'pidfd')) return undefined;
  const v = dict.pidfd;
  if (!(v instanceof Variant) || v.signature !== 'h' || !isReceivedFd(v.value)) return undefined;
  const uid = optional(dict, 'uid', 'i');
  if (typeof uid !== 'number' || uid === -1) throw failed("'pidfd' specified withtout 'uid'");
  const p = v.value.process;
  if (!p) throw failed('The process of the pidfd has exited or the fd is not a pidfd');
  return { kind: 'unix-process', pid: p.pid, startTime: p.startTime, uid: uid >>> 0 };
}

/** polkit_subject_new_for_gvariant; errors carry "Error parsing … subject: ". */
export function parseSubject(raw: unknown): Subject {
  const [kind, dict] = asPair(raw);
  if (kind === 'unix-process') {
    return prefixed('Error parsing unix-process subject: ', () => {
      const pidfd = pidfdProcess(dict);
      if (pidfd) return pidfd;
      const pid = lookup(dict, 'pid', 'u') as number;
      const startTime = lookup(dict, 'start-time', 't') as bigint;
      const uidValue = optional(dict, 'uid', 'i');
      const uid = typeof uidValue === 'number' && uidValue !== -1 ? uidValue >>> 0 : undefined;
      return { kind: 'unix-process', pid, startTime, uid } as const;
    });
  }
  if (kind === 'unix-session') {
    return prefixed('Error parsing unix-session subject: ', () =>
      ({ kind: 'unix-session', sessionId: lookup(dict, 'session-id', 's') as string }) as const);
  }
  if (kind === 'system-bus-name') {
    return prefixed('Error parsing system-bus-name subject: ', () => {
      const name = lookup(dict, 'name', 's') as string;
      if (!isUniqueName(name)) throw failed(`\`${name}' is not a valid unique name`);
      return { kind: 'system-bus-name', name } as const;
    });
  }
  throw failed(`Unknown subject of kind \`${kind}'`);
}

/** polkit_identity_new_for_gvariant */
export function parseIdentity(raw: unknown): Identity {
  const [kind, dict] = asPair(raw);
  if (kind === 'unix-user') {
    return prefixed('Error parsing unix-user identity: ', () => ({ kind: 'unix-user', uid: lookup(dict, 'uid', 'u') as number }) as const);
  }
  if (kind === 'unix-group') {
    return prefixed('Error parsing unix-group identity: ', () => ({ kind: 'unix-group', gid: lookup(dict, 'gid', 'u') as number }) as const);
  }
  if (kind === 'unix-netgroup') {
    return prefixed('Error parsing netgroup identity: ', () => ({ kind: 'unix-netgroup', name: lookup(dict, 'name', 's') as string }) as const);
  }
  throw failed(`Unknown identity of kind \`${kind}'`);
}

/** Wire form of a process subject, as polkit sends it (uid as 'i'). */
export function processToWire(pid: number, startTime: bigint, uid: number): [string, Record<string, InstanceType<typeof Variant>>] {
  return ['unix-process', {
    pid: new Variant('u', pid),
    'start-time': new Variant('t', startTime),
    uid: new Variant('i', uid | 0),
  }];
}

export function userToWire(uid: number): [string, Record<string, InstanceType<typeof Variant>>] {
  return ['unix-user', { uid: new Variant('u', uid) }];
}

export function subjectToString(s: Subject): string {
  switch (s.kind) {
    case 'unix-process': return `unix-process:${s.pid}:${s.startTime}`;
    case 'unix-session': return `unix-session:${s.sessionId}`;
    case 'system-bus-name': return `system-bus-name:${s.name}`;
  }
}
