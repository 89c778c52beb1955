// Support for the authentication-session scenarios: a manager wired to the real
// setuid helper installed by test/pam/support.ts (run as the `trustpath` user, as
// the daemon runs it), real users, and an audit log in a private directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../agent/src/audit/audit-log.js';
import { AuthenticationManager, type AuthManagerOptions } from '../../agent/src/auth/authentication-manager.js';
import type { AuthRequest } from '../../agent/src/auth/types.js';
import { SystemUserDatabase, type UserDatabase, type UserRecord } from '../../agent/src/identity/users.js';
import { DAEMON, HELPER } from '../pam/support.js';

export { prepare } from '../pam/support.js';

export const AUDIT_DIR = mkdtempSync(join(tmpdir(), 'tpt-auth-audit-'));
process.on('exit', () => rmSync(AUDIT_DIR, { recursive: true, force: true }));

export interface Harness {
  readonly manager: AuthenticationManager;
  /** helper pids in start order */
  readonly pids: number[];
  readonly logs: string[];
  readonly auditPath: string;
}

/** A manager on the real helper; `name` names its audit file. */
export function harness(name: string, over: Partial<AuthManagerOptions> = {}): Harness {
  const pids: number[] = [];
  const logs: string[] = [];
  const auditPath = join(AUDIT_DIR, `${name}.jsonl`);
  const manager = new AuthenticationManager({
    users: new SystemUserDatabase(), log: (m) => logs.push(m), audit: new AuditLog(auditPath, (m) => logs.push(m)),
    helper: { path: HELPER, spawnAs: DAEMON },
    observer: { started: (pid) => { if (pid !== undefined) pids.push(pid); } },
    ...over,
  });
  return { manager, pids, logs, auditPath };
}

let serial = 0;

export function request(uid: number, over: Partial<AuthRequest> = {}): AuthRequest {
  serial += 1;
  return {
    sessionKey: `session-${serial}`, candidates: [uid], actionId: 'org.trustpath.test.auth',
    subject: `unix-process:${process.pid}:${serial}`,
    requester: { pid: process.pid, uid: 0, exe: process.execPath, cmdline: ['node', 'test'] },
    presentation: { message: 'Authentication is needed to test', iconName: '', untrustedDetails: {} },
    signal: new AbortController().signal, ...over,
  };
}

/** true while a process with this pid exists (zombies included) */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The system database plus uids whose names have no account: a user unknown to PAM. */
export class UserDatabaseWithGhosts implements UserDatabase {
  readonly #system = new SystemUserDatabase();
  constructor(private readonly ghosts: Readonly<Record<number, string>>) {}
  async userByUid(uid: number): Promise<UserRecord | null> {
    const name = this.ghosts[uid];
    if (name === undefined) return this.#system.userByUid(uid);
    return { name, uid, gid: uid, gecos: '', home: '/nonexistent', shell: '/bin/false' };
  }
  userByName(name: string) { return this.#system.userByName(name); }
  groupByGid(gid: number) { return this.#system.groupByGid(gid); }
  groupByName(name: string) { return this.#system.groupByName(name); }
  groupsOfUser(name: string, gid: number) { return this.#system.groupsOfUser(name, gid); }
}
