// Real test users for PAM and pkexec scenarios: created with useradd/chpasswd,
// idempotently, and left in place (creating users is slow; names are test-only).
import { execFileSync, spawnSync } from 'node:child_process';

export interface TestUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly password: string;
}

function lookup(name: string): { uid: number; gid: number } | null {
  const r = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const f = r.stdout.trim().split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

/**
 * Ensures a user `name` exists with `password` (and optional supplementary groups).
 * Names must start with "tpt" so that tests never touch a real account.
 */
export function ensureTestUser(name: string, password: string, opts: { groups?: string[]; uid?: number } = {}): TestUser {
  if (!/^tpt[a-z0-9_-]{1,28}$/.test(name)) throw new Error(`test user names must start with tpt: ${name}`);
  let ids = lookup(name);
  if (!ids) {
    const args = ['--create-home', '--shell', '/bin/bash', '--user-group'];
    if (opts.uid !== undefined) args.push('--uid', String(opts.uid), '--non-unique');
    spawnSync('useradd', [...args, name], { encoding: 'utf8' });
    ids = lookup(name);
    if (!ids) throw new Error(`useradd ${name} failed`);
  }
  for (const g of opts.groups ?? []) {
    spawnSync('groupadd', ['-f', g]);
    execFileSync('usermod', ['-a', '-G', g, name]);
  }
  setPassword(name, password);
  // Unlock and un-expire in case an earlier test locked or expired the account.
  spawnSync('usermod', ['-U', name]);
  spawnSync('chage', ['-E', '-1', '-M', '99999', '-d', '20000', name]);
  return { name, uid: ids.uid, gid: ids.gid, password };
}

/** Sets `name`'s password (chpasswd, as root). */
export function setPassword(name: string, password: string): void {
  execFileSync('chpasswd', { input: `${name}:${password}\n` });
}
