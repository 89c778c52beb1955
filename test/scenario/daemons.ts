// Shared setup of the scenario tests: both authorities, each on its own private bus,
// a non-root test user with a long-lived process, and the test action tree.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { startPrivateAuthority, type AuthorityOnBus, type DaemonOptions } from '../support/system-bus.js';
import type { AuthorityKind } from '../support/authority.js';
import { TRUSTPATHD } from '../support/authority.js';
import { withLock } from '../support/lock.js';
import { ensureTestUser, type TestUser } from '../support/users.js';

export const KINDS: readonly AuthorityKind[] = ['polkitd', 'trustpathd'];
export const ACTIONS_LOCK = 'polkit-actions-dir';
export const SYSTEM_ACTIONS_DIR = '/usr/share/polkit-1/actions';

/** Test actions: `keep` is auth_admin_keep everywhere, `admin` auth_admin, `self` auth_self. */
export const TEST_ACTIONS = {
  keep: 'org.trustpath.scenario.keep',
  admin: 'org.trustpath.scenario.admin',
  self: 'org.trustpath.scenario.self',
} as const;
export const TEST_POLICY_FILE = 'org.trustpath.scenario.policy';

function action(id: string, value: string, message: string): string {
  return `  <action id="${id}">
    <description>trustpath scenario action (${value})</description>
    <message>${message}</message>
    <icon_name>trustpath-scenario</icon_name>
    <defaults><allow_any>${value}</allow_any><allow_inactive>${value}</allow_inactive><allow_active>${value}</allow_active></defaults>
    <annotate key="org.trustpath.scenario">${value}</annotate>
  </action>
`;
}

export const TEST_POLICY = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE policyconfig PUBLIC "-//freedesktop//DTD polkit Policy Configuration 1.0//EN"
 "http://www.freedesktop.org/software/polkit/policyconfig-1.dtd">
<policyconfig>
  <vendor>trustpath tests</vendor>
  <vendor_url>https://example.invalid/trustpath</vendor_url>
${action(TEST_ACTIONS.keep, 'auth_admin_keep', 'Scenario: keep the admin authorization')}${action(TEST_ACTIONS.admin, 'auth_admin', 'Scenario: admin authorization')}${action(TEST_ACTIONS.self, 'auth_self', 'Scenario: own password')}</policyconfig>
`;

/** A directory holding the test .policy file (for trustpathd's --actions-dir). */
export function testActionsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tp-scen-actions-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, TEST_POLICY_FILE), TEST_POLICY, { mode: 0o644 });
  return dir;
}

/**
 * Runs fn with the test actions visible to both daemons: polkitd 122 reads only
 * /usr/share/polkit-1/actions, so the file is copied there (under the lock that every
 * test holds while the system action set must not change) and removed after.
 */
export async function withTestActions<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  return withLock(ACTIONS_LOCK, async () => {
    const dir = testActionsDir();
    const installed = join(SYSTEM_ACTIONS_DIR, TEST_POLICY_FILE);
    copyFileSync(join(dir, TEST_POLICY_FILE), installed);
    try {
      return await fn(dir);
    } finally {
      rmSync(installed, { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** Starts `kind` on a private bus; trustpathd also gets `actionsDir` as an extra dir. */
export function startDaemon(kind: AuthorityKind, actionsDir?: string, extra: DaemonOptions = {}): Promise<AuthorityOnBus> {
  if (kind === 'trustpathd' && !existsSync(TRUSTPATHD)) {
    return Promise.reject(new Error(`trustpathd is not built (${TRUSTPATHD} missing)`));
  }
  return startPrivateAuthority(kind, { ...extra, ...(actionsDir ? { actionsDirs: [actionsDir] } : {}) });
}

export interface UserProcess {
  readonly user: TestUser;
  readonly pid: number;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

const sleepers = new Set<ChildProcess>();
process.on('exit', () => { for (const p of sleepers) p.kill('SIGKILL'); });

/** A long-lived `sleep` running as `user` (killed at the latest when the test process exits). */
export function sleepAs(user: TestUser): UserProcess {
  const proc = spawn('sleep', ['3600'], { uid: user.uid, gid: user.gid, stdio: 'ignore', cwd: '/' });
  if (proc.pid === undefined) throw new Error('could not start sleep as the test user');
  sleepers.add(proc);
  proc.once('exit', () => sleepers.delete(proc));
  return {
    user, pid: proc.pid, process: proc,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await once(proc, 'exit');
      }
    },
  };
}

/** The non-root test user of the scenario tests. */
export function scenarioUser(): TestUser {
  return ensureTestUser('tptscen-user', 'tptscen-user-pw');
}

export interface Held<T> {
  readonly value: T;
  release(): Promise<void>;
}

/**
 * Turns a scoped runner (withLock-style: runs fn, cleans up after) into a value held
 * from before() until release() in after().
 */
export async function hold<T>(runner: (fn: (v: T) => Promise<void>) => Promise<void>): Promise<Held<T>> {
  let release!: () => void;
  const released = new Promise<void>((r) => { release = r; });
  let finished!: Promise<void>;
  const value = await new Promise<T>((resolve, reject) => {
    finished = runner(async (v) => { resolve(v); await released; }).catch((e: unknown) => { reject(e as Error); });
  });
  return { value, async release() { release(); await finished; } };
}

export type HeldActions = Held<string>;

/** withTestActions for before()/after() hooks: value is the actions directory. */
export function holdTestActions(): Promise<HeldActions> {
  return hold((fn) => withTestActions(fn));
}
