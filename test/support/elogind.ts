// A real elogind for tests. elogind cannot be apt-installed next to the rest of the
// test stack, so its two packages are fetched with `apt-get download` once, unpacked
// with `dpkg -x` under CACHE_DIR, and its daemon runs against a private dbus-daemon
// (DBUS_SYSTEM_BUS_ADDRESS). It still writes machine-wide state (/run/systemd/{seats,
// sessions,users}, the name=elogind cgroup, /run/user/UID mounts), so callers hold
// withLock(ELOGIND_LOCK, ...) while it runs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import dbus from 'dbus-next';
import { withLock } from './lock.js';

export const CACHE_DIR = '/var/cache/trustpath-test/elogind';
export const ELOGIND_LOCK = 'elogind';
const PACKAGES = ['elogind', 'libelogind0'];
const ROOT = join(CACHE_DIR, 'root');
const DAEMON = join(ROOT, 'lib/elogind/elogind');

/** Downloads and unpacks elogind once; returns the daemon's path. */
export async function ensureElogind(): Promise<string> {
  if (existsSync(DAEMON)) return DAEMON;
  return withLock('elogind-fetch', async () => {
    if (existsSync(DAEMON)) return DAEMON;
    mkdirSync(CACHE_DIR, { recursive: true });
    const work = mkdtempSync(join(CACHE_DIR, 'fetch-'));
    try {
      run('apt-get', ['download', ...PACKAGES], work);
      const tree = join(work, 'root');
      for (const deb of readdirSync(work).filter((f) => f.endsWith('.deb'))) run('dpkg', ['-x', deb, tree], work);
      if (!existsSync(join(tree, 'lib/elogind/elogind'))) throw new Error('elogind packages hold no lib/elogind/elogind');
      rmSync(ROOT, { recursive: true, force: true });
      renameSync(tree, ROOT);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    return DAEMON;
  });
}

function run(cmd: string, args: string[], cwd: string): void {
  let r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0 && cmd === 'apt-get') {
    // A machine whose package lists were never fetched knows no candidate yet.
    spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8' });
    r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  }
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

export interface CreatedSession {
  readonly id: string;
  readonly seat: string;
  /** Closes the session's fifo: logind then removes the session. */
  close(): void;
}

export interface SessionRequest {
  readonly uid: number;
  readonly pid: number;
  readonly type: string;
  readonly seat: string;
  readonly vtnr: number;
  readonly display: string;
  readonly remote: boolean;
  readonly remoteHost?: string;
  readonly tty?: string;
}

export interface Elogind {
  readonly process: ChildProcess;
  log(): string;
  /** Manager.CreateSession as root, as pam_elogind does. */
  createSession(req: SessionRequest): Promise<CreatedSession>;
  stop(): Promise<void>;
}

/** Starts elogind on the bus at busAddress and waits until it owns org.freedesktop.login1. */
export async function startElogind(busAddress: string): Promise<Elogind> {
  const daemon = await ensureElogind();
  clearStaleState();
  const proc = spawn(daemon, [], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
      DBUS_SYSTEM_BUS_ADDRESS: busAddress,
      LD_LIBRARY_PATH: `${join(ROOT, 'lib/elogind')}:${join(ROOT, 'lib/x86_64-linux-gnu')}`,
      SYSTEMD_LOG_TARGET: 'console',
      SYSTEMD_LOG_LEVEL: 'info',
    },
  });
  let output = '';
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => { output += s; });
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => { output += s; });
  // dbus-next passes negotiateUnixFd through for any bus; its types name it only for systemBus.
  const busOptions = { busAddress, negotiateUnixFd: true };
  const bus = dbus.sessionBus(busOptions);
  const held: CreatedSession[] = [];
  try {
    await waitForName(bus, proc, () => output);
  } catch (err) {
    bus.disconnect();
    await killAndWait(proc);
    throw err;
  }
  return {
    process: proc,
    log: () => output,
    async createSession(req) {
      const s = await createSession(bus, req);
      held.push(s);
      return s;
    },
    async stop() {
      for (const s of held) s.close();
      // Let elogind see the fifos close so that it removes the sessions' state files.
      await sleep(300);
      bus.disconnect();
      await killAndWait(proc);
      clearStaleState(['/run/systemd/seats']);
    },
  };
}

/**
 * elogind restores sessions from /run/systemd/{sessions,users} when it starts; a test
 * that died with elogind still running leaves such files behind. They are ours to
 * remove only where no systemd-logind keeps its state there. After a stop, the seat
 * files elogind wrote go too.
 */
function clearStaleState(extraDirs: string[] = []): void {
  if (existsSync('/run/systemd/system')) {
    throw new Error('systemd is booted here: a test elogind would clobber systemd-logind state in /run/systemd');
  }
  for (const dir of ['/run/systemd/sessions', '/run/systemd/users', ...extraDirs]) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

async function waitForName(bus: dbus.MessageBus, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`elogind exited:\n${log()}`);
    const reply = await bus.call(new dbus.Message({
      destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus',
      member: 'NameHasOwner', signature: 's', body: ['org.freedesktop.login1'],
    }));
    if (reply?.body[0] === true) return;
    await sleep(50);
  }
  throw new Error(`elogind did not take org.freedesktop.login1:\n${log()}`);
}

async function createSession(bus: dbus.MessageBus, req: SessionRequest): Promise<CreatedSession> {
  const reply = await bus.call(new dbus.Message({
    destination: 'org.freedesktop.login1', path: '/org/freedesktop/login1',
    interface: 'org.freedesktop.login1.Manager', member: 'CreateSession', signature: 'uusssssussbssa(sv)',
    body: [req.uid, req.pid, 'trustpath-test', req.type, 'user', '', req.seat, req.vtnr, req.tty ?? '',
      req.display, req.remote, req.remote ? 'tester' : '', req.remoteHost ?? '', []],
  }));
  const body = reply?.body ?? [];
  const [id, , , fd, , seat] = body as [unknown, unknown, unknown, unknown, unknown, unknown];
  if (typeof id !== 'string' || typeof fd !== 'number' || typeof seat !== 'string') {
    throw new Error(`CreateSession: unexpected reply ${JSON.stringify(body, (_k, v: unknown) => typeof v === 'bigint' ? String(v) : v)}`);
  }
  let open = true;
  return {
    id, seat,
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

async function killAndWait(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
  await once(proc, 'exit');
  clearTimeout(timer);
}
