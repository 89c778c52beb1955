// Support for the install test: building the Debian package, a copy of it at a higher
// version, snapshots of the paths it ships (to prove a purge leaves the machine as it
// was) and the machine's own system bus started from the installed configuration.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const INSTALLED_NODE = '/usr/lib/trustpath/node';
export const BUS_NAME = 'org.freedesktop.PolicyKit1';

export interface Run { readonly status: number | null; readonly stdout: string; readonly stderr: string }

export function run(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: opts.env ?? process.env, input: opts.input, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs cmd and returns its stdout; a non-zero exit throws with its output. */
export function must(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv } = {}): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** packaging/build-deb.sh at `version` into dir (gzip: the test builds, it does not ship). */
export function buildDeb(dir: string, version: string): string {
  const env = { ...process.env, TRUSTPATH_DEB_COMPRESS: '-Zgzip' };
  return must('bash', [join(ROOT, 'packaging/build-deb.sh'), dir, '--version', version], { env }).trim();
}

/** The same package at another version (dpkg-deb -R, Version changed, dpkg-deb -b). */
export function repackAtVersion(deb: string, dir: string, version: string): string {
  const tree = join(dir, `tree-${version}`);
  must('dpkg-deb', ['-R', deb, tree]);
  const control = join(tree, 'DEBIAN/control');
  writeFileSync(control, readFileSync(control, 'utf8').replace(/^Version: .*$/m, `Version: ${version}`));
  const out = join(dir, `trustpath_${version}_repacked.deb`);
  must('dpkg-deb', ['-Zgzip', '--root-owner-group', '-b', tree, out]);
  return out;
}

/** What a path is: absent, a directory, a symlink and its target, or a file and its hash. */
export function describePath(path: string): string {
  let st;
  try { st = lstatSync(path); } catch { return 'absent'; }
  if (st.isSymbolicLink()) return `symlink -> ${readlinkSync(path)}`;
  if (st.isDirectory()) return 'directory';
  const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
  return `file ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${hash}`;
}

/** Every path the package ships, with what is there now (before install, after purge). */
export function snapshotPackagePaths(deb: string): Map<string, string> {
  const paths = must('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -t', 'sh', deb]);
  const snap = new Map<string, string>();
  for (const line of paths.split('\n')) {
    const p = line.replace(/^\.\/?/, '/').replace(/\/$/, '');
    if (p === '' || p === '/') continue;
    snap.set(p, describePath(p));
  }
  return snap;
}

export function packageStatus(name: string): string {
  const r = run('dpkg-query', ['-W', '-f=${Status}', name]);
  return r.status === 0 ? r.stdout : 'not-installed';
}

export function diversionsBy(pkg: string): string[] {
  return must('dpkg-divert', ['--list']).split('\n').filter((l) => l.endsWith(` by ${pkg}`));
}

/** The machine's system bus: dbus-daemon --system, reading the installed configuration. */
export interface SystemBus {
  readonly process: ChildProcess;
  log(): string;
  /** Waits for `pattern` in the bus's log (which spawnSync callers let pile up unread). */
  untilLogged(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startSystemBus(): Promise<SystemBus> {
  const proc = spawn('dbus-daemon', ['--system', '--nofork', '--nopidfile', '--print-address=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  await new Promise<void>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`dbus-daemon --system exited with ${code}: ${err}`)));
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve();
    });
  });
  proc.removeAllListeners('exit');
  return {
    process: proc,
    log: () => err,
    async untilLogged(pattern, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(err)) {
        if (Date.now() > deadline) throw new Error(`${String(pattern)} not in the bus log:\n${err}`);
        await sleep(50);
      }
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await once(proc, 'exit');
      }
    },
  };
}

/** The pid owning `name` on the system bus, or undefined when nobody owns it. */
export function ownerPid(name: string): number | undefined {
  const r = run('dbus-send', ['--system', '--print-reply=literal', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus',
    'org.freedesktop.DBus.GetConnectionUnixProcessID', `string:${name}`]);
  const m = /uint32\s+(\d+)/.exec(r.stdout);
  return r.status === 0 && m ? Number(m[1]) : undefined;
}

/** Pids of processes running the installed Node runtime (trustpathd as installed). */
export function installedDaemonPids(): number[] {
  const r = run('pgrep', ['-f', `^${INSTALLED_NODE} `]);
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

/** Waits until no process runs the installed runtime; kills what is left after timeoutMs. */
export async function untilDaemonGone(timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (installedDaemonPids().length > 0 && Date.now() < deadline) await sleep(100);
  for (const pid of installedDaemonPids()) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}

export function fileIfExists(path: string): Buffer | undefined {
  return existsSync(path) ? readFileSync(path) : undefined;
}

/** ps's view of a process's user (ps -o user=), which is what an administrator sees. */
export function processUser(pid: number): string {
  return execFileSync('ps', ['-o', 'user:32=', '-p', String(pid)], { encoding: 'utf8' }).trim();
}
