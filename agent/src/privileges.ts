// Dropping root for good: supplementary groups, gid, uid, in that order, then a
// check that root cannot be regained. Directories the daemon needs are created
// before, owned by the daemon's user.
import { chownSync, chmodSync, lstatSync, mkdirSync } from 'node:fs';
import type { UserRecord } from './identity/users.js';

/** Creates `dir` (mode `mode`, owned by `user`) or fixes an existing one; refuses a symlink. */
export function ensureOwnedDir(dir: string, user: UserRecord, mode: number): void {
  mkdirSync(dir, { recursive: true, mode });
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
  chownSync(dir, user.uid, user.gid);
  chmodSync(dir, mode);
}

interface PosixProcess {
  initgroups(user: string, extraGroup: number): void;
  setgid(id: number): void;
  setuid(id: number): void;
}

export function dropPrivileges(user: UserRecord): void {
  const p = process as unknown as PosixProcess;
  p.initgroups(user.name, user.gid);
  p.setgid(user.gid);
  p.setuid(user.uid);
  let regained = false;
  try {
    p.setuid(0);
    regained = true;
  } catch { /* expected */ }
  if (regained || process.getuid?.() !== user.uid || process.geteuid?.() !== user.uid) {
    throw new Error('could not drop root privileges');
  }
}
