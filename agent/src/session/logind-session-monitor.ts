// Sessions from logind over D-Bus. Every reply is type-checked (logind-wire.ts); a
// reply of the wrong shape is an error, never "no session". Session and user lookups
// are cached briefly and the cache is dropped on any logind signal.
import dbus from 'dbus-next';
import type { Message } from 'dbus-next';
import type { SessionInfo, SessionMonitor, SubjectSessionState } from './session-monitor.js';
import {
  DEFAULT_CALL_TIMEOUT_MS, LOGIND_NAME, LOGIND_PATH, LogindCallError, MANAGER_IFACE, PROPS_IFACE, SESSION_IFACE,
  USER_IFACE, callBounded, expectBool, expectObjectPath, expectPropDict, expectString, expectStructWithPath,
  expectUint32, only, prop, type LogindBus,
} from './logind-wire.js';

export interface LogindMonitorOptions {
  readonly callTimeoutMs?: number;
  /** How long a session or user lookup is reused; 0 disables the cache. */
  readonly cacheTtlMs?: number;
}

const NO_SESSION: SubjectSessionState = Object.freeze({ session: null, local: false, active: false });
/** Session ids as logind makes them; "", "self" and "auto" (which mean the caller's own) never pass. */
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CALLER_RELATIVE_IDS = new Set(['self', 'auto']);
const VANISHED = new Set(['org.freedesktop.DBus.Error.UnknownObject', 'org.freedesktop.DBus.Error.UnknownMethod']);
const CACHE_MAX = 1024;

interface Cached<T> { readonly value: T; readonly expires: number }

export class LogindSessionMonitor implements SessionMonitor {
  private readonly timeoutMs: number;
  private cacheTtlMs: number;
  private readonly sessions = new Map<string, Cached<SessionInfo | null>>();
  private readonly userStates = new Map<number, Cached<string>>();
  private readonly listeners: Array<() => void> = [];
  private owner: string | null = null;
  private closed = false;
  private readonly onMessage = (msg: Message): void => this.handleMessage(msg);

  constructor(private readonly bus: LogindBus, opts: LogindMonitorOptions = {}) {
    this.timeoutMs = opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.cacheTtlMs = opts.cacheTtlMs ?? 1_000;
    bus.on('message', this.onMessage);
    void this.subscribe();
  }

  async sessionOfPid(pid: number): Promise<string | null> {
    // pid 0 would ask logind for the caller's (our own) session.
    if (!Number.isInteger(pid) || pid <= 0 || pid > 0x7fffffff) throw new Error(`invalid pid ${pid}`);
    const path = await this.managerPath('GetSessionByPID', 'u', [pid], 'org.freedesktop.login1.NoSessionForPID');
    return path === null ? null : this.sessionIdAt(path);
  }

  async session(id: string): Promise<SessionInfo | null> {
    if (!SESSION_ID.test(id) || CALLER_RELATIVE_IDS.has(id)) return null;
    const hit = this.fromCache(this.sessions, id);
    if (hit !== undefined) return hit;
    const info = await this.fetchSession(id);
    this.toCache(this.sessions, id, info);
    return info;
  }

  async userIsActive(uid: number): Promise<boolean> {
    return (await this.userState(uid)) === 'active';
  }

  async displaySessionOfUser(uid: number): Promise<string | null> {
    const path = await this.userPath(uid);
    if (path === null) return null;
    const body = await this.getProperty(path, USER_IFACE, 'Display');
    const [id] = expectStructWithPath(propValue(body, '(so)', 'User.Display'), 'User.Display');
    const sid = expectString(id, 'User.Display id', 256);
    return sid === '' ? null : sid;
  }

  async subjectSessionState(pid: number, uid: number): Promise<SubjectSessionState> {
    const id = (await this.sessionOfPid(pid)) ?? (await this.displaySessionOfUser(uid));
    if (id === null) return NO_SESSION;
    const session = await this.session(id);
    if (session === null) return NO_SESSION;
    return { session, local: session.seat !== '', active: await this.sessionActive(session) };
  }

  onChanged(listener: () => void): void {
    if (!this.closed) this.listeners.push(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.length = 0;
    this.bus.removeListener('message', this.onMessage);
    for (const rule of MATCH_RULES) void this.busDriver('RemoveMatch', 's', [rule]).catch(() => undefined);
  }

  // ---- private ----

  /** polkit: sd_uid_get_state(session's uid) == "active", falling back to sd_session_is_active. */
  private async sessionActive(session: SessionInfo): Promise<boolean> {
    try {
      return await this.userIsActive(session.uid);
    } catch {
      return session.active;
    }
  }

  private async fetchSession(id: string): Promise<SessionInfo | null> {
    const path = await this.managerPath('GetSession', 's', [id], 'org.freedesktop.login1.NoSuchSession');
    if (path === null) return null;
    let props: Readonly<Record<string, unknown>>;
    try {
      props = expectPropDict(only(await this.call(path, PROPS_IFACE, 'GetAll', 's', [SESSION_IFACE]), 'GetAll'), 'session properties');
    } catch (err: unknown) {
      if (err instanceof LogindCallError && VANISHED.has(err.errorName)) return null;
      throw err;
    }
    const info = parseSession(props);
    if (info.id !== id) throw new Error(`logind: session ${id} answered as ${info.id}`);
    return info;
  }

  private async sessionIdAt(path: string): Promise<string | null> {
    try {
      const id = expectString(propValue(await this.getProperty(path, SESSION_IFACE, 'Id'), 's', 'Session.Id'), 'Session.Id', 256);
      if (!SESSION_ID.test(id)) throw new Error('logind: malformed session id');
      return id;
    } catch (err: unknown) {
      if (err instanceof LogindCallError && VANISHED.has(err.errorName)) return null;
      throw err;
    }
  }

  private async userState(uid: number): Promise<string> {
    expectUint32(uid, 'uid');
    const hit = this.fromCache(this.userStates, uid);
    if (hit !== undefined) return hit;
    const path = await this.userPath(uid);
    // sd_uid_get_state says "offline" for a user logind does not know.
    const state = path === null ? 'offline'
      : expectString(propValue(await this.getProperty(path, USER_IFACE, 'State'), 's', 'User.State'), 'User.State', 64);
    this.toCache(this.userStates, uid, state);
    return state;
  }

  private async userPath(uid: number): Promise<string | null> {
    expectUint32(uid, 'uid');
    return this.managerPath('GetUser', 'u', [uid], 'org.freedesktop.login1.NoSuchUser');
  }

  /** A Manager lookup that answers one object path, or null when logind says `notFound`. */
  private async managerPath(member: string, signature: string, body: unknown[], notFound: string): Promise<string | null> {
    try {
      return expectObjectPath(only(await this.manager(member, signature, body), member), `${member} path`);
    } catch (err: unknown) {
      if (isLogindError(err, notFound)) return null;
      throw err;
    }
  }

  private getProperty(path: string, iface: string, name: string): Promise<unknown[]> {
    return this.call(path, PROPS_IFACE, 'Get', 'ss', [iface, name]);
  }

  private manager(member: string, signature: string, body: unknown[]): Promise<unknown[]> {
    return this.call(LOGIND_PATH, MANAGER_IFACE, member, signature, body);
  }

  private call(path: string, iface: string, member: string, signature: string, body: unknown[]): Promise<unknown[]> {
    if (this.closed) return Promise.reject(new Error('session monitor is closed'));
    return callBounded(this.bus, { path, iface, member, signature, body }, this.timeoutMs);
  }

  private busDriver(member: string, signature: string, body: unknown[]): Promise<unknown[]> {
    return callBounded(this.bus, {
      destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus',
      member, signature, body,
    }, this.timeoutMs);
  }

  /** Match rules, then logind's current owner. Without the rules the cache is turned off. */
  private async subscribe(): Promise<void> {
    try {
      for (const rule of MATCH_RULES) await this.busDriver('AddMatch', 's', [rule]);
    } catch {
      this.cacheTtlMs = 0;
      this.invalidate();
      return;
    }
    try {
      const owner = expectString(only(await this.busDriver('GetNameOwner', 's', [LOGIND_NAME]), 'GetNameOwner'), 'owner');
      if (this.owner === null) this.owner = owner;
    } catch {
      // Not running yet (activatable): NameOwnerChanged will name it when it starts.
    }
  }

  private handleMessage(msg: Message): void {
    if (this.closed || msg.type !== dbus.MessageType.SIGNAL) return;
    if (isOwnerChange(msg)) {
      const owner = msg.body[2];
      this.owner = typeof owner === 'string' && owner !== '' ? owner : null;
      this.changed();
      return;
    }
    if (!isLogindSignal(msg)) return;
    this.invalidate();
    if (this.owner !== null && msg.sender === this.owner) this.changed();
  }

  private changed(): void {
    this.invalidate();
    for (const listener of [...this.listeners]) {
      try { listener(); } catch { /* a listener's failure is its own */ }
    }
  }

  private invalidate(): void {
    this.sessions.clear();
    this.userStates.clear();
  }

  private fromCache<K, V>(cache: Map<K, Cached<V>>, key: K): V | undefined {
    const hit = cache.get(key);
    if (hit === undefined) return undefined;
    if (hit.expires > Date.now()) return hit.value;
    cache.delete(key);
    return undefined;
  }

  private toCache<K, V>(cache: Map<K, Cached<V>>, key: K, value: V): void {
    if (this.cacheTtlMs <= 0) return;
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, { value, expires: Date.now() + this.cacheTtlMs });
  }
}

const MATCH_RULES = [
  `type='signal',sender='${LOGIND_NAME}',interface='${MANAGER_IFACE}'`,
  `type='signal',sender='${LOGIND_NAME}',interface='${PROPS_IFACE}',member='PropertiesChanged',path_namespace='${LOGIND_PATH}'`,
  `type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='${LOGIND_NAME}'`,
];

const MANAGER_CHANGES = new Set(['SessionNew', 'SessionRemoved', 'UserNew', 'UserRemoved', 'SeatNew', 'SeatRemoved']);

function isOwnerChange(msg: Message): boolean {
  return msg.sender === 'org.freedesktop.DBus' && msg.interface === 'org.freedesktop.DBus'
    && msg.member === 'NameOwnerChanged' && msg.body[0] === LOGIND_NAME;
}

function isLogindSignal(msg: Message): boolean {
  if (msg.interface === MANAGER_IFACE) return msg.path === LOGIND_PATH && MANAGER_CHANGES.has(msg.member);
  return msg.interface === PROPS_IFACE && msg.member === 'PropertiesChanged'
    && typeof msg.path === 'string' && msg.path.startsWith(`${LOGIND_PATH}/`);
}

function isLogindError(err: unknown, name: string): boolean {
  return err instanceof LogindCallError && err.errorName === name;
}

function propValue(body: unknown[], signature: string, what: string): unknown {
  const v = only(body, what);
  if (typeof v !== 'object' || v === null || (v as { signature?: unknown }).signature !== signature) {
    throw new Error(`logind: ${what} is not a variant of ${signature}`);
  }
  return (v as { value: unknown }).value;
}

/** Session properties (a{sv}) → SessionInfo; throws on any missing or mistyped value. */
export function parseSession(props: Readonly<Record<string, unknown>>): SessionInfo {
  const [uid] = expectStructWithPath(prop(props, 'User', '(uo)'), 'Session.User');
  const [seat] = expectStructWithPath(prop(props, 'Seat', '(so)'), 'Session.Seat');
  return Object.freeze({
    id: expectString(prop(props, 'Id', 's'), 'Session.Id', 256),
    uid: expectUint32(uid, 'Session.User uid'),
    seat: expectString(seat, 'Session.Seat id', 256),
    active: expectBool(prop(props, 'Active', 'b'), 'Session.Active'),
    remote: expectBool(prop(props, 'Remote', 'b'), 'Session.Remote'),
    type: expectString(prop(props, 'Type', 's'), 'Session.Type', 64),
    display: expectString(prop(props, 'Display', 's'), 'Session.Display', 256),
    state: expectString(prop(props, 'State', 's'), 'Session.State', 64),
  });
}
