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

/** Sentences on what changed between two states; empty when nothing did. */
export function hostChanges(before: HostState, after: HostState, demoUser: string): string[] {
  const changes: string[] = [];
  for (const [f, sum] of before.files) if (after.files.get(f) !== sum) changes.push(`${f} changed`);
  if (spawnSync('getent', ['passwd', demoUser]).status === 0) changes.push(`user '${demoUser}' is visible outside the demo`);
  if (before.busId !== after.busId) {
    changes.push(`the system bus went from ${before.busId ?? 'none'} to ${after.busId ?? 'none'}`);
  } else if (before.polkitOwner !== after.polkitOwner) {
    changes.push(`org.freedesktop.PolicyKit1 on the system bus went from '${before.polkitOwner}' to '${after.polkitOwner}'`);
  }
  return changes;
}

export function describeBus(s: HostState): string {
  if (!s.busId) return `no system bus runs on this machine (the demo's bus had ${SYSTEM_BUS_SOCKET} inside its namespace only)`;
  return `the system bus at ${SYSTEM_BUS_SOCKET} (id ${s.busId}) still answers, with the same id and the same ` +
    `org.freedesktop.PolicyKit1 owner (${s.polkitOwner || 'none'}): the demo never reached it`;
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
