// The session monitor: which logind session a subject is in, and whether polkit would
// call it local and active (POLKIT-REFERENCE §1.5 step 6). Without logind every
// subject has no session, as with polkitd built without it.
import type { MessageBus } from 'dbus-next';
import { LogindSessionMonitor } from './logind-session-monitor.js';
import { DEFAULT_CALL_TIMEOUT_MS, LOGIND_NAME, callBounded, expectBool, only } from './logind-wire.js';

export { LogindSessionMonitor } from './logind-session-monitor.js';

export interface SessionInfo {
  readonly id: string;
  readonly uid: number;
  /** '' when the session has no seat (remote or seatless). */
  readonly seat: string;
  readonly active: boolean;
  readonly remote: boolean;
  /** x11, wayland, tty, mir, unspecified */
  readonly type: string;
  /** X display e.g. ":0", or '' */
  readonly display: string;
  /** online, active, closing */
  readonly state: string;
}

export interface SubjectSessionState {
  readonly session: SessionInfo | null;
  readonly local: boolean;
  readonly active: boolean;
}

export interface SessionMonitor {
  /** Session of a live process, or null if it has none (or logind is absent). Never throws for 'no session'; throws on lookup errors the caller must treat as failure. */
  sessionOfPid(pid: number): Promise<string | null>;
  session(id: string): Promise<SessionInfo | null>;
  /** sd_uid_get_state(uid) === 'active' */
  userIsActive(uid: number): Promise<boolean>;
  /** polkit's fallback: the user's display session (User.Display) when the pid has none */
  displaySessionOfUser(uid: number): Promise<string | null>;
  /** local = session has a seat; active as polkit computes it */
  subjectSessionState(pid: number, uid: number): Promise<SubjectSessionState>;
  /** SessionNew/SessionRemoved/PropertiesChanged → generic change */
  onChanged(listener: () => void): void;
  close(): void;
}

const NO_SESSION: SubjectSessionState = Object.freeze({ session: null, local: false, active: false });

/** logind absent: no subject has a session, so nothing is local or active. */
export class NoSessionMonitor implements SessionMonitor {
  async sessionOfPid(_pid: number): Promise<string | null> { return null; }
  async session(_id: string): Promise<SessionInfo | null> { return null; }
  async userIsActive(_uid: number): Promise<boolean> { return false; }
  async displaySessionOfUser(_uid: number): Promise<string | null> { return null; }
  async subjectSessionState(_pid: number, _uid: number): Promise<SubjectSessionState> { return NO_SESSION; }
  onChanged(_listener: () => void): void { /* sessions never change */ }
  close(): void { /* nothing held */ }
}

async function busAsk(bus: MessageBus, member: string, signature: string, body: unknown[]): Promise<unknown[]> {
  return callBounded(bus, {
    destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus',
    member, signature, body,
  }, DEFAULT_CALL_TIMEOUT_MS);
}

/**
 * Whether org.freedesktop.login1 has an owner now, or can be activated and does start.
 * Activatable is not enough: where systemd is installed but not running (containers,
 * chroots) logind's activation fails every time, and every lookup would fail with it;
 * polkitd treats that machine as one without sessions, and so does this.
 */
export async function logindAvailable(bus: MessageBus): Promise<boolean> {
  const owned = expectBool(only(await busAsk(bus, 'NameHasOwner', 's', [LOGIND_NAME]), 'NameHasOwner'), 'NameHasOwner');
  if (owned) return true;
  const names = only(await busAsk(bus, 'ListActivatableNames', '', []), 'ListActivatableNames');
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
    throw new Error('ListActivatableNames: reply is not a list of strings');
  }
  if (!names.includes(LOGIND_NAME)) return false;
  try {
    await busAsk(bus, 'StartServiceByName', 'su', [LOGIND_NAME, 0]);
    return true;
  } catch {
    return false;
  }
}

/** logind's monitor if org.freedesktop.login1 is owned or activatable, else NoSessionMonitor (logged). */
export async function createSessionMonitor(bus: MessageBus, log: (msg: string) => void): Promise<SessionMonitor> {
  if (await logindAvailable(bus)) {
    log('session monitor: using logind (org.freedesktop.login1)');
    return new LogindSessionMonitor(bus);
  }
  log('session monitor: org.freedesktop.login1 is neither running nor starts on activation; subjects have no session');
  return new NoSessionMonitor();
}
