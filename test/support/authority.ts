// Starts an authority under test on a given bus: Debian's polkitd (the baseline) or
// trustpathd (this project's build), and waits until it owns org.freedesktop.PolicyKit1.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const execFileP = promisify(execFile);
export const POLKITD = '/usr/lib/polkit-1/polkitd';
export const TRUSTPATHD = fileURLToPath(new URL('../../agent/src/trustpathd.js', import.meta.url));

export type AuthorityKind = 'polkitd' | 'trustpathd';

export interface RunningAuthority {
  readonly kind: AuthorityKind;
  readonly process: ChildProcess;
  /** everything the daemon wrote to stderr so far */
  log(): string;
  stop(): Promise<void>;
}

export interface AuthorityOptions {
  /** trustpathd only: extra command-line options (e.g. --actions-dir, --state-dir) */
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

async function nameHasOwner(address: string): Promise<boolean> {
  try {
    const { stdout } = await execFileP('dbus-send', [`--bus=${address}`, '--print-reply', '--dest=org.freedesktop.DBus',
      '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.PolicyKit1'], { timeout: 2000 });
    return /boolean true/.test(stdout);
  } catch {
    return false;
  }
}

/** Starts `kind` with DBUS_SYSTEM_BUS_ADDRESS=address; resolves once it owns the name. */
export async function startAuthority(kind: AuthorityKind, address: string, opts: AuthorityOptions = {}): Promise<RunningAuthority> {
  const argv = kind === 'polkitd' ? [POLKITD, '--no-debug'] : [process.execPath, TRUSTPATHD, ...(opts.args ?? [])];
  const proc = spawn(argv[0]!, argv.slice(1), {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...opts.env, DBUS_SYSTEM_BUS_ADDRESS: address },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => { err = (err + c).slice(-256 * 1024); });
  const deadline = performance.now() + (opts.timeoutMs ?? 20_000);
  while (!(await nameHasOwner(address))) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`${kind} exited (${proc.exitCode ?? proc.signalCode}) before owning the name:\n${err}`);
    }
    if (performance.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${kind} did not own org.freedesktop.PolicyKit1 in time:\n${err}`);
    }
    await sleep(50);
  }
  return {
    kind,
    process: proc,
    log: () => err,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await once(proc, 'exit');
        clearTimeout(t);
      }
    },
  };
}
