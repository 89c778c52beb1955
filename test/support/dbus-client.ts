// A raw D-Bus client of the polkit Authority for conformance tests: any member, any
// signature, any body (dbus-next marshals what it is given; nothing is checked here),
// with the reply reduced to a comparable outcome. Plus subject builders and a fake
// authentication agent (org.freedesktop.PolicyKit1.AuthenticationAgent) that records
// what the authority asks of it.
import { readFileSync } from 'node:fs';
import dbus from 'dbus-next';

export const AUTHORITY_NAME = 'org.freedesktop.PolicyKit1';
export const AUTHORITY_PATH = '/org/freedesktop/PolicyKit1/Authority';
export const AUTHORITY_IFACE = 'org.freedesktop.PolicyKit1.Authority';
export const AGENT_IFACE = 'org.freedesktop.PolicyKit1.AuthenticationAgent';
export const POLKIT_CANCELLED = 'org.freedesktop.PolicyKit1.Error.Cancelled';

const { Message, Variant } = dbus;
export { Variant };

export type Outcome =
  | { readonly ok: true; readonly signature: string; readonly body: unknown[] }
  | { readonly ok: false; readonly error: string; readonly message: string };

export interface RawCall {
  readonly member: string;
  readonly signature?: string;
  readonly body?: unknown[];
  readonly iface?: string;
  readonly path?: string;
  readonly destination?: string;
}

/** A connection to the bus at `address`, connected (Hello answered) on return. */
export async function connect(address: string): Promise<dbus.MessageBus> {
  const conn = dbus.sessionBus({ busAddress: address });
  await ping(conn);
  return conn;
}

/** The unique name of a connected bus. */
export function uniqueName(conn: dbus.MessageBus): string {
  const name = (conn as unknown as { name?: string }).name;
  if (typeof name !== 'string') throw new Error('connection has no unique name yet');
  return name;
}

/** Resolves once the bus daemon has answered a call (so the connection is live). */
export async function ping(conn: dbus.MessageBus): Promise<void> {
  await conn.call(new Message({
    destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus',
    interface: 'org.freedesktop.DBus.Peer', member: 'Ping',
  }));
}

function errorOutcome(e: unknown): Outcome {
  const err = e as { type?: unknown; text?: unknown; message?: unknown };
  if (typeof err.type === 'string') return { ok: false, error: err.type, message: String(err.text ?? '') };
  throw e;
}

/** Sends one method call to the authority (or `destination`) and reduces the reply. */
export async function callRaw(conn: dbus.MessageBus, c: RawCall): Promise<Outcome> {
  const msg = new Message({
    destination: c.destination ?? AUTHORITY_NAME, path: c.path ?? AUTHORITY_PATH,
    interface: c.iface ?? AUTHORITY_IFACE, member: c.member,
    ...(c.signature ? { signature: c.signature, body: c.body ?? [] } : {}),
  });
  try {
    const reply = await conn.call(msg);
    return { ok: true, signature: reply?.signature ?? '', body: reply?.body ?? [] };
  } catch (e) {
    return errorOutcome(e);
  }
}

/** A message whose body holds a `h` (fd index) while no fd is attached to the message. */
export async function callWithDanglingFd(conn: dbus.MessageBus, c: RawCall): Promise<Outcome> {
  const msg = new Message({
    destination: c.destination ?? AUTHORITY_NAME, path: c.path ?? AUTHORITY_PATH,
    interface: c.iface ?? AUTHORITY_IFACE, member: c.member, signature: c.signature ?? '', body: c.body ?? [],
  });
  // dbus-next counts `h` values into the UNIX_FDS header field; pin it to absent.
  Object.defineProperty(msg, 'unixFd', { get: () => undefined, set: () => undefined });
  try {
    const reply = await conn.call(msg);
    return { ok: true, signature: reply?.signature ?? '', body: reply?.body ?? [] };
  } catch (e) {
    return errorOutcome(e);
  }
}

// ---- subjects and identities -------------------------------------------------------

export type Subject = [string, Record<string, dbus.Variant>];

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot). */
export function startTimeOf(pid: number): bigint {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  if (start === undefined) throw new Error(`cannot parse /proc/${pid}/stat`);
  return BigInt(start);
}

export function processSubject(pid: number, startTime?: bigint, uid?: number): Subject {
  const d: Record<string, dbus.Variant> = { pid: new Variant('u', pid), 'start-time': new Variant('t', startTime ?? startTimeOf(pid)) };
  if (uid !== undefined) d.uid = new Variant('i', uid);
  return ['unix-process', d];
}

export function busNameSubject(name: string): Subject {
  return ['system-bus-name', { name: new Variant('s', name) }];
}

export function sessionSubject(id: string): Subject {
  return ['unix-session', { 'session-id': new Variant('s', id) }];
}

export function unixUser(uid: number): Subject {
  return ['unix-user', { uid: new Variant('u', uid) }];
}

/** CheckAuthorization with the usual argument types. */
export function checkAuthorization(conn: dbus.MessageBus, subject: Subject, action: string,
  details: Record<string, string> = {}, flags = 0, cancellationId = ''): Promise<Outcome> {
  return callRaw(conn, {
    member: 'CheckAuthorization', signature: '(sa{sv})sa{ss}us',
    body: [subject, action, details, flags, cancellationId],
  });
}

/** Plain JSON of an outcome's body: variants as {sig, value}, bigints as strings. */
export function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Variant) return { sig: v.signature, value: plain(v.value) };
  if (Array.isArray(v)) return v.map(plain);
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

// ---- a fake authentication agent -----------------------------------------------------

export interface BeginCall {
  readonly actionId: string;
  readonly message: string;
  readonly iconName: string;
  readonly details: Record<string, string>;
  readonly cookie: string;
  readonly identities: Subject[];
}

/** What the agent does when BeginAuthentication arrives. */
export type AgentBehaviour =
  | 'hold' // keep the call open until the test answers (succeed()/dismiss())
  | 'dismiss'; // reply org.freedesktop.PolicyKit1.Error.Cancelled at once

interface Pending { readonly msg: dbus.Message; readonly call: BeginCall }

/**
 * Serves AuthenticationAgent at `path` on its own connection. Records every
 * BeginAuthentication and CancelAuthentication; the test decides the answers.
 */
export class FakeAgent {
  readonly begins: BeginCall[] = [];
  readonly cancels: string[] = [];
  private readonly pending: Pending[] = [];
  private waiters: (() => void)[] = [];
  behaviour: AgentBehaviour = 'hold';

  private constructor(readonly conn: dbus.MessageBus, readonly path: string) {
    conn.addMethodHandler((msg: dbus.Message) => this.onCall(msg));
  }

  static async start(address: string, path = '/org/trustpath/test/Agent'): Promise<FakeAgent> {
    return new FakeAgent(await connect(address), path);
  }

  private onCall(msg: dbus.Message): boolean {
    if (msg.path !== this.path || msg.interface !== AGENT_IFACE) return false;
    if (msg.member === 'BeginAuthentication') this.onBegin(msg);
    else if (msg.member === 'CancelAuthentication') {
      this.cancels.push(String(msg.body[0]));
      this.conn.send(Message.newMethodReturn(msg, '', []));
    } else return false;
    this.notify();
    return true;
  }

  private onBegin(msg: dbus.Message): void {
    const [actionId, message, iconName, details, cookie, identities] = msg.body as
      [string, string, string, Record<string, string>, string, Subject[]];
    const call = { actionId, message, iconName, details, cookie, identities };
    this.begins.push(call);
    if (this.behaviour === 'dismiss') {
      this.conn.send(Message.newError(msg as unknown as string, POLKIT_CANCELLED, 'dismissed by the test'));
    } else {
      this.pending.push({ msg, call });
    }
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits until cond() holds (checked after each call the agent receives). */
  async until(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`fake agent: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** Resolves with the next BeginAuthentication (number `index`, 0-based). */
  async begin(index: number): Promise<BeginCall> {
    await this.until(() => this.begins.length > index, `BeginAuthentication #${index}`);
    return this.begins[index]!;
  }

  /** Returns from the oldest held BeginAuthentication normally. */
  finishHeld(): void {
    const p = this.pending.shift();
    if (!p) throw new Error('fake agent: no BeginAuthentication is held');
    this.conn.send(Message.newMethodReturn(p.msg, '', []));
  }

  /** Register for `subject` (RegisterAuthenticationAgent). */
  register(subject: Subject, locale = 'C'): Promise<Outcome> {
    return callRaw(this.conn, { member: 'RegisterAuthenticationAgent', signature: '(sa{sv})ss', body: [subject, locale, this.path] });
  }

  disconnect(): void {
    this.conn.disconnect();
  }
}

/** AuthenticationAgentResponse2 (as a setuid helper would send it). */
export function agentResponse2(conn: dbus.MessageBus, uid: number, cookie: string, identity: Subject): Promise<Outcome> {
  return callRaw(conn, { member: 'AuthenticationAgentResponse2', signature: 'us(sa{sv})', body: [uid, cookie, identity] });
}

// ---- calls from another uid ------------------------------------------------------------

/** JSON with variants as {$v:[sig, value]} and bigints as {$t:"n"} (for a child process). */
export function encodeWire(v: unknown): unknown {
  if (typeof v === 'bigint') return { $t: v.toString() };
  if (v instanceof Variant) return { $v: [v.signature, encodeWire(v.value)] };
  if (Array.isArray(v)) return v.map(encodeWire);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeWire(x)]));
  return v;
}

export function decodeWire(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeWire);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$t === 'string') return BigInt(o.$t);
    if (Array.isArray(o.$v)) return new Variant(String(o.$v[0]), decodeWire(o.$v[1]));
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decodeWire(x)]));
  }
  return v;
}

const CHILD = new URL('./dbus-call-child.js', import.meta.url).pathname;

/** Makes one raw call from a process running as uid:gid; the outcome's body is plain(). */
export async function callAs(uid: number, gid: number, address: string, c: RawCall): Promise<Outcome> {
  const { execFile } = await import('node:child_process');
  const spec = JSON.stringify({ address, call: { ...c, body: encodeWire(c.body ?? []) } });
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CHILD, spec], { uid, gid, timeout: 20_000, cwd: '/' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`call as ${uid} failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Outcome);
    });
  });
}

/** Unique names on the bus whose connection belongs to process `pid`. */
export async function namesOfPid(conn: dbus.MessageBus, pid: number): Promise<string[]> {
  const bus = (member: string, signature: string, body: unknown[]): Promise<Outcome> =>
    callRaw(conn, { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus', member, signature, body });
  const names = await bus('ListNames', '', []);
  if (!names.ok) throw new Error(`ListNames: ${names.message}`);
  const found: string[] = [];
  for (const n of (names.body[0] as string[]).filter((x) => x.startsWith(':'))) {
    const p = await bus('GetConnectionUnixProcessID', 's', [n]);
    if (p.ok && p.body[0] === pid) found.push(n);
  }
  return found;
}
