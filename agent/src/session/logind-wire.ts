// The only code that talks to logind (org.freedesktop.login1) on the wire: bounded
// method calls and runtime checks of every value that comes back. Anything of an
// unexpected type is an error (fail closed), never a default.
import dbus from 'dbus-next';
import type { Message, MessageBus } from 'dbus-next';

export const LOGIND_NAME = 'org.freedesktop.login1';
export const LOGIND_PATH = '/org/freedesktop/login1';
export const MANAGER_IFACE = 'org.freedesktop.login1.Manager';
export const SESSION_IFACE = 'org.freedesktop.login1.Session';
export const USER_IFACE = 'org.freedesktop.login1.User';
export const PROPS_IFACE = 'org.freedesktop.DBus.Properties';

/** How long one logind call may take before it fails. */
export const DEFAULT_CALL_TIMEOUT_MS = 5_000;

/** The part of dbus-next's MessageBus that the session monitor uses (a seam for tests). */
export type LogindBus = Pick<MessageBus, 'call' | 'on' | 'removeListener'>;

/** A logind error reply, by name; other failures (timeouts, bad types) are plain Errors. */
export class LogindCallError extends Error {
  constructor(readonly errorName: string, text: string) {
    super(`${errorName}: ${text}`);
  }
}

export interface CallSpec {
  readonly destination?: string;
  readonly path: string;
  readonly iface: string;
  readonly member: string;
  readonly signature?: string;
  readonly body?: unknown[];
}

/** One method call with a deadline; returns the reply body. */
export async function callBounded(bus: LogindBus, spec: CallSpec, timeoutMs: number): Promise<unknown[]> {
  const msg = new dbus.Message({
    destination: spec.destination ?? LOGIND_NAME,
    path: spec.path,
    interface: spec.iface,
    member: spec.member,
    signature: spec.signature ?? '',
    body: spec.body ?? [],
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${spec.iface}.${spec.member} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const reply = await Promise.race([bus.call(msg), deadline]);
    return replyBody(reply);
  } catch (err: unknown) {
    throw asCallError(err);
  } finally {
    clearTimeout(timer);
  }
}

function replyBody(reply: Message | null): unknown[] {
  if (reply === null || !Array.isArray(reply.body)) throw new Error('logind: empty reply');
  return reply.body;
}

function asCallError(err: unknown): Error {
  if (err instanceof LogindCallError) return err;
  if (err instanceof dbus.DBusError) return new LogindCallError(String(err.type), String(err.text));
  return err instanceof Error ? err : new Error(String(err));
}

// ---- value checks ----

export function expectString(v: unknown, what: string, maxLen = 4096): string {
  if (typeof v !== 'string' || v.length > maxLen) throw new Error(`logind: ${what} is not a string`);
  return v;
}

export function expectBool(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') throw new Error(`logind: ${what} is not a boolean`);
  return v;
}

export function expectUint32(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new Error(`logind: ${what} is not a uint32`);
  }
  return v;
}

const OBJECT_PATH = /^\/([A-Za-z0-9_]+(\/[A-Za-z0-9_]+)*)?$/;

export function expectObjectPath(v: unknown, what: string): string {
  const s = expectString(v, what);
  if (!OBJECT_PATH.test(s)) throw new Error(`logind: ${what} is not an object path`);
  return s;
}

/** The single value of a one-value reply body, e.g. GetSessionByPID's `o`. */
export function only(body: unknown[], what: string): unknown {
  if (body.length !== 1) throw new Error(`logind: ${what} reply has ${body.length} values, expected 1`);
  return body[0];
}

/** A Variant's value after checking its signature. */
export function variantValue(v: unknown, signature: string, what: string): unknown {
  if (typeof v !== 'object' || v === null || !('signature' in v) || !('value' in v)) {
    throw new Error(`logind: ${what} is not a variant`);
  }
  if ((v as { signature: unknown }).signature !== signature) {
    throw new Error(`logind: ${what} has signature ${String((v as { signature: unknown }).signature)}, expected ${signature}`);
  }
  return (v as { value: unknown }).value;
}

/** A property dictionary a{sv} as returned by Properties.GetAll. */
export function expectPropDict(v: unknown, what: string): Readonly<Record<string, unknown>> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`logind: ${what} is not a dictionary`);
  return v as Record<string, unknown>;
}

/** A property that must be present, with its variant signature checked. */
export function prop(dict: Readonly<Record<string, unknown>>, name: string, signature: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(dict, name)) throw new Error(`logind: property ${name} missing`);
  return variantValue(dict[name], signature, `property ${name}`);
}

/** A `(so)` or `(uo)` struct: its first member and its object path. */
export function expectStructWithPath(v: unknown, what: string): [unknown, string] {
  if (!Array.isArray(v) || v.length !== 2) throw new Error(`logind: ${what} is not a 2-member struct`);
  return [v[0], expectObjectPath(v[1], `${what} path`)];
}
