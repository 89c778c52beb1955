// Resolves subjects to users, processes and sessions the way polkitd's session
// monitor does, from the bus daemon and /proc only. Every failure throws (and so
// denies); nothing ever defaults to uid 0.
import { failed } from '../bus/errors.js';
import type { BusDaemon } from '../bus/bus-daemon.js';
import { racyUidOf, startTimeOf } from '../identity/proc.js';
import type { Subject } from '../identity/subject.js';
import type { SessionMonitor, SessionInfo } from '../session/session-monitor.js';

/** A process pinned by pid, start time and uid (CVE-2019-6133: all three must match). */
export interface ProcessKey { readonly pid: number; readonly startTime: bigint; readonly uid: number }

export interface UserOfSubject { readonly uid: number; readonly matches: boolean }

export class SubjectResolver {
  constructor(private readonly busDaemon: BusDaemon, private readonly sessions: SessionMonitor) {}

  /** polkit_backend_session_monitor_get_user_for_subject */
  async userOf(subject: Subject): Promise<UserOfSubject> {
    switch (subject.kind) {
      case 'unix-process': {
        const uid = subject.uid ?? this.#racyUidQuiet(subject.pid, subject.startTime);
        if (uid === undefined) throw failed('Unix process subject does not have uid set');
        const live = racyUidOf(subject.pid, subject.startTime);
        return { uid, matches: live === uid };
      }
      case 'system-bus-name':
        return { uid: await this.busDaemon.uidOf(subject.name), matches: true };
      case 'unix-session': {
        const info = await this.#sessionInfo(subject.sessionId);
        if (!info) throw failed('Error getting uid for session');
        return { uid: info.uid, matches: true };
      }
    }
  }

  /** What polkit's constructor does when no uid was passed: read it, ignore errors. */
  #racyUidQuiet(pid: number, startTime: bigint): number | undefined {
    try {
      return racyUidOf(pid, startTime);
    } catch {
      return undefined;
    }
  }

  async #sessionInfo(id: string): Promise<SessionInfo | null> {
    try {
      return await this.sessions.session(id);
    } catch {
      return null;
    }
  }

  /** The pid behind a subject (none for sessions); bus names are asked of the bus daemon. */
  async pidOf(subject: Subject): Promise<number | undefined> {
    if (subject.kind === 'unix-process') return subject.pid;
    if (subject.kind === 'system-bus-name') return this.busDaemon.pidOf(subject.name);
    return undefined;
  }

  /** A bus name's process, pinned (polkit_system_bus_name_get_process_sync). */
  async processOfName(name: string): Promise<ProcessKey> {
    const pid = await this.busDaemon.pidOf(name);
    const uid = await this.busDaemon.uidOf(name);
    return { pid, startTime: startTimeOf(pid), uid };
  }

  /** The process a subject stands for, for temporary authorizations; undefined for sessions. */
  async processKeyOf(subject: Subject, uid: number): Promise<ProcessKey | undefined> {
    if (subject.kind === 'unix-process') return { pid: subject.pid, startTime: subject.startTime, uid: subject.uid ?? uid };
    if (subject.kind === 'system-bus-name') return this.processOfName(subject.name);
    return undefined;
  }

  /** The session id of a subject, or null (polkit: get_session_for_subject). */
  async sessionOf(subject: Subject, uid?: number): Promise<string | null> {
    if (subject.kind === 'unix-session') return subject.sessionId;
    const pid = await this.pidOf(subject);
    if (pid === undefined) return null;
    const s = await this.sessions.sessionOfPid(pid);
    if (s !== null || uid === undefined) return s;
    return this.sessions.displaySessionOfUser(uid);
  }

  /** local/active as polkit computes them; lookup errors throw (deny). */
  async sessionState(subject: Subject, uid: number): Promise<{ session: SessionInfo | null; local: boolean; active: boolean }> {
    if (subject.kind === 'unix-session') {
      const info = await this.sessions.session(subject.sessionId);
      if (!info) return { session: null, local: false, active: false };
      const active = (await this.sessions.userIsActive(info.uid)) || info.active;
      return { session: info, local: info.seat !== '', active };
    }
    const pid = await this.pidOf(subject);
    if (pid === undefined) return { session: null, local: false, active: false };
    return this.sessions.subjectSessionState(pid, uid);
  }
}
