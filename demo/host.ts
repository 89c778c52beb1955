// The machine outside the demo's namespace: what it looked like before and after
// (account files, the system bus if one runs), and the processes the demo left
// behind, found by the demo's mount namespace (every process it started lives there,
// and nothing else does).
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const ACCOUNT_FILES = ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow'];
const SYSTEM_BUS_SOCKET = '/run/dbus/system_bus_socket';

export interface HostState {
  /** sha256 of each account file (null: absent) */
  readonly files: ReadonlyMap<string, string | null>;
  /** the running system bus's id (GetId), or null when none answers */
  readonly busId: string | null;
  /** who owns org.freedesktop.PolicyKit1 there ('' when nobody) */
  readonly polkitOwner: string;
}

function busCall(member: string, args: readonly string[] = []): string | null {
  const r = spawnSync('dbus-send', ['--system', '--print-reply=literal', '--dest=org.freedesktop.DBus',
    '/org/freedesktop/DBus', `org.freedesktop.DBus.${member}`, ...args],
  { encoding: 'utf8', timeout: 3000, env: { PATH: '/usr/bin:/bin' } });
  return r.status === 0 ? r.stdout.trim() : null;
}

export function hostState(): HostState {
  const files = new Map<string, string | null>();
  for (const f of ACCOUNT_FILES) {
    files.set(f, existsSync(f) ? createHash('sha256').update(readFileSync(f)).digest('hex') : null);
  }
  const busId = existsSync(SYSTEM_BUS_SOCKET) ? busCall('GetId') : null;
  const polkitOwner = busId ? busCall('GetNameOwner', ['string:org.freedesktop.PolicyKit1']) ?? '' : '';
  return { files, busId, polkitOwner };
}

export interface HostCheck {
  /** what the demo did to the machine (must be empty) */
  readonly failures: string[];
  /** one clause on the account files and the system bus, for the transcript */
  readonly clause: string;
}

function mentions(file: string, user: string): boolean {
  try {
    return readFileSync(file, 'utf8').split('\n').some((l) => l.startsWith(`${user}:`));
  } catch {
    return false;
  }
}

function describeBus(before: HostState, after: HostState): string {
  if (before.busId !== after.busId) return `the system bus went from ${before.busId ?? 'none'} to ${after.busId ?? 'none'} meanwhile (another program's doing)`;
  if (!before.busId) return `no system bus runs on this machine (the demo's bus had ${SYSTEM_BUS_SOCKET} inside its namespace only)`;
  return `the system bus at ${SYSTEM_BUS_SOCKET} (id ${before.busId}) never saw the demo: the same bus still answers, ` +
    `and org.freedesktop.PolicyKit1 there is owned as before (${after.polkitOwner || 'by nobody'})`;
}

/**
 * Compares two states. The demo writes none of these files and never reaches the
 * system bus, so a change is the demo's only if it carries the demo user; anything
 * else is another program at work (tests running in parallel re-set their users'
 * passwords, start and stop buses) and is told, not failed.
 */
export function checkHost(before: HostState, after: HostState, demoUser: string): HostCheck {
  const failures: string[] = [];
  const changed: string[] = [];
  for (const [f, sum] of before.files) {
    if (mentions(f, demoUser)) failures.push(`${f} has a line for '${demoUser}'`);
    else if (after.files.get(f) !== sum) changed.push(f);
  }
  if (spawnSync('getent', ['passwd', demoUser]).status === 0) failures.push(`user '${demoUser}' is visible outside the demo`);
  const files = changed.length === 0
    ? `/etc/passwd, shadow, group and gshadow are as before (no ${demoUser} outside the namespace)`
    : `no ${demoUser} in /etc/passwd, shadow, group or gshadow (${changed.join(', ')} changed meanwhile by another program)`;
  return { failures, clause: `${files}, and ${describeBus(before, after)}` };
}

/** Whether the system bus (if one runs) has a connection from inside mount namespace `ns` owning the polkit name. */
export function busReachedFrom(ns: string): string | null {
  const owner = existsSync(SYSTEM_BUS_SOCKET) ? busCall('GetNameOwner', ['string:org.freedesktop.PolicyKit1']) : null;
  if (!owner) return null;
  const pid = Number(/(\d+)\s*$/.exec(busCall('GetConnectionUnixProcessID', [`string:${owner}`]) ?? '')?.[1]);
  try {
    return Number.isInteger(pid) && pid > 0 && readlinkSync(`/proc/${pid}/ns/mnt`) === ns
      ? `the system bus's org.freedesktop.PolicyKit1 is owned by pid ${pid} of the demo` : null;
  } catch {
    return null;
  }
}

function pidsIn(ns: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/ns/mnt`) === ns) pids.push(Number(name));
    } catch {
      // gone meanwhile, or a kernel thread
    }
  }
  return pids;
}

/**
 * SIGKILLs whatever still runs in mount namespace `ns` (never the caller's own) and
 * returns how many processes that was. Normally none: the inner demo stops what it started.
 */
export async function sweepNamespace(ns: string, own: string): Promise<number> {
  if (!/^mnt:\[\d+\]$/.test(ns) || ns === own) throw new Error(`refusing to sweep mount namespace ${ns}`);
  const killed = new Set<number>();
  for (let round = 0; round < 50; round++) {
    const pids = pidsIn(ns);
    if (pids.length === 0) return killed.size;
    for (const pid of pids) {
      try { process.kill(pid, 'SIGKILL'); killed.add(pid); } catch { /* already gone */ }
    }
    await sleep(100);
  }
  throw new Error(`processes still run in the demo's namespace ${ns}: ${pidsIn(ns).join(' ')}`);
}
