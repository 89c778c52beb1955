// Support for trustpathd's own authentication sessions end to end: a shared private
// bus, trustpathd with --prompt-socket and the test build of the PAM helper, test
// actions (auth_self, auth_admin_keep) and an admin rule naming a test user, subject
// processes of test users, and Debian's pkcheck as the client.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTimeOf } from '../../agent/src/identity/proc.js';
import { startAuthority, type RunningAuthority } from '../support/authority.js';
import { startSharedPrivateBus } from '../support/system-bus.js';
import type { TestBus } from '../support/bus.js';
import { PromptClient } from '../support/prompt-client.js';
import { HELPER } from '../pam/support.js';
import type { TestUser } from '../support/users.js';

export { alive } from '../auth/support.js';

export const ACTION_SELF = 'org.trustpath.owntest.self';
export const ACTION_KEEP = 'org.trustpath.owntest.keep';

function action(id: string, value: string): string {
  return `  <action id="${id}">
    <description>own session test (${value})</description>
    <message>Own session test wants ${value}</message>
    <defaults><allow_any>${value}</allow_any><allow_inactive>${value}</allow_inactive><allow_active>${value}</allow_active></defaults>
  </action>
`;
}

function policyFile(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE policyconfig PUBLIC "-//freedesktop//DTD polkit Policy Configuration 1.0//EN"
 "http://www.freedesktop.org/software/polkit/policyconfig-1.dtd">
<policyconfig>
${action(ACTION_SELF, 'auth_self')}${action(ACTION_KEEP, 'auth_admin_keep')}</policyconfig>
`;
}

export interface OwnDaemon {
  readonly bus: TestBus;
  readonly daemon: RunningAuthority;
  readonly socket: string;
  readonly auditLog: string;
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

/** trustpathd on a private bus with own sessions; `admin` is what the admin rule returns;
 *  `extraArgs` are further daemon options (e.g. the lockout policy). */
export async function startOwnDaemon(admin: TestUser, extraArgs: readonly string[] = []): Promise<OwnDaemon> {
  const scratch = mkdtempSync(join(tmpdir(), 'tpt-own-'));
  chmodSync(scratch, 0o755);
  const actions = join(scratch, 'actions');
  const rules = join(scratch, 'rules');
  for (const [dir, name, text] of [
    [actions, 'org.trustpath.owntest.policy', policyFile()],
    [rules, '10-owntest.rules', `polkit.addAdminRule(function (action, subject) {\n  return ["unix-user:${admin.name}"];\n});\n`],
  ] as const) {
    mkdirSync(dir, { mode: 0o755 });
    writeFileSync(join(dir, name), text, { mode: 0o644 });
  }
  const state = join(scratch, 'state');
  const runtime = join(scratch, 'runtime');
  const socket = join(runtime, 'prompt.sock');
  const bus = await startSharedPrivateBus();
  const args = ['--no-system-dirs', '--actions-dir', actions, '--rules-dir', rules, '--state-dir', state,
    '--runtime-dir', runtime, '--prompt-socket', socket, '--pam-helper', HELPER, ...extraArgs];
  let daemon: RunningAuthority;
  try {
    daemon = await startAuthority('trustpathd', bus.address, { args });
  } catch (e) {
    await bus.stop();
    rmSync(scratch, { recursive: true, force: true });
    throw e;
  }
  return {
    bus, daemon, socket, auditLog: join(state, 'audit.log'),
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DBUS_SYSTEM_BUS_ADDRESS: bus.address },
    async stop() {
      await daemon.stop();
      await bus.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Connects to the prompt socket, waiting (bounded) for the daemon to listen. */
export async function connectPrompt(path: string): Promise<PromptClient> {
  for (let i = 0; ; i++) {
    try {
      return await PromptClient.connect(path);
    } catch (e) {
      if (i >= 100) throw e;
      await sleep(50);
    }
  }
}

/** A long-lived process of `user`: the subject of the checks. */
export class Subject {
  readonly process: ChildProcess;
  constructor(user: TestUser) {
    this.process = spawn('sleep', ['3600'], { uid: user.uid, gid: user.gid, stdio: 'ignore' });
  }
  get spec(): string {
    return processSpec(this.process.pid!);
  }
  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill('SIGKILL');
    await once(this.process, 'exit');
  }
}

/** pkcheck's --process argument for a live process: pid,start-time,uid. */
export function processSpec(pid: number): string {
  return `${pid},${startTimeOf(pid)},${readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)![1]}`;
}

export interface PkcheckRun {
  readonly process: ChildProcess;
  readonly done: Promise<{ status: number | null; stdout: string; stderr: string; ms: number }>;
}

/** Debian's pkcheck -u (interaction allowed; without -u when `interactive` is false)
 *  for the subject (a Subject, or any `{ spec }` from processSpec) and action. */
export function pkcheck(env: Record<string, string>, subject: { readonly spec: string }, actionId: string,
  opts: { readonly interactive?: boolean } = {}): PkcheckRun {
  const t0 = performance.now();
  const args = [...(opts.interactive === false ? [] : ['-u']), '--process', subject.spec, '--action-id', actionId];
  const child = spawn('pkcheck', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  const done = new Promise<{ status: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    child.on('close', (status) => resolve({ status, stdout, stderr, ms: performance.now() - t0 }));
  });
  return { process: child, done };
}

/** Pids of the PAM helpers the daemon has running (its children named trustpath-pam-helper). */
export function helperPids(daemonPid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === daemonPid && comm.startsWith('trustpath-pam')) out.push(Number(name));
  }
  return out;
}

/** The audit log's records. */
export function auditRecords(path: string): Record<string, unknown>[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** System call numbers of timed sleeps: select, pselect6, nanosleep, clock_nanosleep.
 *  libpam's failure delay is a select(); the helper itself waits only in poll and read. */
const SLEEP_SYSCALLS: Partial<Record<string, readonly number[]>> = {
  x64: [23, 270, 35, 230],
  arm64: [72, 101, 115],
};

function sleepingSyscall(pid: number): boolean {
  const sleeps = SLEEP_SYSCALLS[process.arch];
  if (sleeps === undefined) throw new Error(`no sleep system call numbers known for ${process.arch}`);
  const nr = Number(readFileSync(`/proc/${pid}/syscall`, 'latin1').split(' ')[0]);
  return sleeps.includes(nr);
}

/**
 * Waits (bounded) until PAM helper `pid` sleeps in PAM's failure delay — after a wrong
 * answer, before its failure report — and stops it there (SIGSTOP), so that what the
 * test does next happens while the delay lasts however slow the machine is. The daemon
 * cannot tell a stopped helper from a sleeping one. Returns `resume` (SIGCONT; harmless
 * once the helper is gone).
 */
export async function holdInFailureDelay(pid: number): Promise<() => void> {
  for (let i = 0; !sleepingSyscall(pid); i++) {
    if (i >= 2000) throw new Error(`helper ${pid} never entered the failure delay`);
    await sleep(2);
  }
  process.kill(pid, 'SIGSTOP');
  const resume = (): void => {
    try {
      process.kill(pid, 'SIGCONT');
    } catch { /* gone */ }
  };
  for (let i = 0; processState(pid) !== 'T'; i++) {
    if (i >= 500) throw new Error(`helper ${pid} did not stop`);
    await sleep(2);
  }
  if (!sleepingSyscall(pid)) {
    resume();
    throw new Error(`helper ${pid} left the failure delay before it was held`);
  }
  return resume;
}

/** The state letter of /proc/PID/stat (R, S, T, …). */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}
