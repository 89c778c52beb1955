// Buses that an authority under test and its clients can share, as the system bus is
// shared: the socket sits in a directory every uid may enter (polkitd drops to
// `polkitd`, trustpathd to `trustpath`, pkcheck runs as test users). Two forms:
//   - a private bus at a fresh path (DBUS_SYSTEM_BUS_ADDRESS points clients at it);
//   - the well-known /run/dbus/system_bus_socket, under withLock('system-bus'), for
//     pkexec and polkit-agent-helper-1, which never read DBUS_SYSTEM_BUS_ADDRESS.
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { startBus, SYSTEM_BUS_SOCKET, type TestBus } from './bus.js';
import { startAuthority, type AuthorityKind, type AuthorityOptions, type RunningAuthority } from './authority.js';
import { withLock } from './lock.js';
import { AUTHORITY_IFACE, callRaw, connect } from './dbus-client.js';
import { setTimeout as sleep } from 'node:timers/promises';

export const SYSTEM_BUS_LOCK = 'system-bus';

/** A bus plus the authority serving on it. */
export interface AuthorityOnBus {
  readonly kind: AuthorityKind;
  readonly bus: TestBus;
  readonly authority: RunningAuthority;
  /** Environment for clients (PATH and DBUS_SYSTEM_BUS_ADDRESS). */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export interface DaemonOptions {
  /** trustpathd: extra directories of .policy files (--actions-dir). */
  readonly actionsDirs?: readonly string[];
  /** trustpathd: extra directories of .rules files (--rules-dir). */
  readonly rulesDirs?: readonly string[];
  /** trustpathd: --expiration-seconds. */
  readonly expirationSeconds?: number;
  /** trustpathd: more options, after the others (a repeated option's last value wins) */
  readonly extraArgs?: readonly string[];
}

/** Starts dbus-daemon on a fresh socket in a directory every user may enter. */
export async function startSharedPrivateBus(): Promise<TestBus> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-sysbus-'));
  chmodSync(dir, 0o755);
  const bus = await startBus(join(dir, 'system_bus_socket'));
  return {
    ...bus,
    async stop() {
      await bus.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function trustpathUserIds(): { uid: number; gid: number } | null {
  try {
    const fields = execFileSync('getent', ['passwd', 'trustpath'], { encoding: 'utf8' }).split(':');
    return { uid: Number(fields[2]), gid: Number(fields[3]) };
  } catch {
    return null;
  }
}

/** trustpathd's command line: private state and runtime directories, the test's extras. */
export function trustpathdArgs(opts: DaemonOptions, scratch: string): string[] {
  const state = join(scratch, 'state');
  const runtime = join(scratch, 'runtime');
  const ids = trustpathUserIds();
  for (const dir of [state, runtime]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (ids) chownSync(dir, ids.uid, ids.gid);
  }
  const args = ['--state-dir', state, '--runtime-dir', runtime];
  for (const d of opts.actionsDirs ?? []) args.push('--actions-dir', d);
  for (const d of opts.rulesDirs ?? []) args.push('--rules-dir', d);
  if (opts.expirationSeconds !== undefined) args.push('--expiration-seconds', String(opts.expirationSeconds));
  args.push(...(opts.extraArgs ?? []));
  return args;
}

/**
 * Owning the name is not yet serving: waits until the Authority answers a property
 * read (a daemon that owns the name before exporting its object is caught by a
 * test of its own, see test/scenario/conformance.test.ts).
 */
export async function untilAuthorityAnswers(address: string, timeoutMs = 10_000): Promise<void> {
  const conn = await connect(address);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const o = await callRaw(conn, { iface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: [AUTHORITY_IFACE, 'BackendName'] });
      if (o.ok) return;
      if (Date.now() > deadline) throw new Error(`the authority owns its name but does not answer: ${o.error}: ${o.message}`);
      await sleep(50);
    }
  } finally {
    conn.disconnect();
  }
}

/** Starts `kind` on `bus`; stop() stops the daemon and then the bus. */
export async function startAuthorityOn(kind: AuthorityKind, bus: TestBus, opts: DaemonOptions = {}): Promise<AuthorityOnBus> {
  const scratch = mkdtempSync(join(tmpdir(), 'tp-daemon-'));
  chmodSync(scratch, 0o755);
  const aopts: AuthorityOptions = kind === 'trustpathd' ? { args: trustpathdArgs(opts, scratch) } : {};
  let authority: RunningAuthority;
  try {
    authority = await startAuthority(kind, bus.address, aopts);
  } catch (e) {
    rmSync(scratch, { recursive: true, force: true });
    throw e;
  }
  try {
    await untilAuthorityAnswers(bus.address);
  } catch (e) {
    await authority.stop();
    rmSync(scratch, { recursive: true, force: true });
    throw e;
  }
  return {
    kind, bus, authority,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DBUS_SYSTEM_BUS_ADDRESS: bus.address },
    async stop() {
      await authority.stop();
      await bus.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** A private shared bus with `kind` serving on it. */
export async function startPrivateAuthority(kind: AuthorityKind, opts: DaemonOptions = {}): Promise<AuthorityOnBus> {
  const bus = await startSharedPrivateBus();
  try {
    return await startAuthorityOn(kind, bus, opts);
  } catch (e) {
    await bus.stop();
    throw e;
  }
}

async function somethingListens(path: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  const sock = createConnection(path);
  try {
    await Promise.race([once(sock, 'connect'), once(sock, 'error').then(([e]) => { throw e; })]);
    return true;
  } catch {
    return false;
  } finally {
    sock.destroy();
  }
}

/**
 * Runs fn with a test dbus-daemon on /run/dbus/system_bus_socket and `kind` serving on
 * it, under the 'system-bus' lock. Refuses to touch a system bus that is really running.
 */
export async function withSystemBusAuthority<T>(kind: AuthorityKind, opts: DaemonOptions,
  fn: (a: AuthorityOnBus) => Promise<T>): Promise<T> {
  return withLock(SYSTEM_BUS_LOCK, async () => {
    if (await somethingListens(SYSTEM_BUS_SOCKET)) {
      throw new Error(`${SYSTEM_BUS_SOCKET} is answered by a running bus; scenario tests need it free`);
    }
    mkdirSync('/run/dbus', { recursive: true, mode: 0o755 });
    const bus = await startBus(SYSTEM_BUS_SOCKET);
    let a: AuthorityOnBus;
    try {
      a = await startAuthorityOn(kind, bus, opts);
    } catch (e) {
      await bus.stop();
      throw e;
    }
    try {
      return await fn(a);
    } finally {
      await a.stop();
    }
  });
}
