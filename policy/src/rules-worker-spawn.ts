// polkit.spawn() and netgroup membership for the rules worker: synchronous, as in
// polkit, but only this worker thread waits. Error texts match polkit's
// (polkitbackendduktapeauthority.c js_polkit_spawn + GLib's GSpawnError messages).

import { spawnSync } from 'node:child_process';

export { SPAWN_TIMEOUT_MS } from './rules-protocol.js';
const MAX_OUTPUT = 4 * 1024 * 1024;

/** Linux signal numbers and names (polkit_backend_common_get_signal_name). */
const SIGNALS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
};

/** errno name → [GSpawnError code, strerror text]. */
const EXEC_ERRORS: Record<string, [number, string]> = {
  EACCES: [3, 'Permission denied'], EPERM: [4, 'Operation not permitted'], E2BIG: [5, 'Argument list too long'],
  ENOEXEC: [6, 'Exec format error'], ENAMETOOLONG: [7, 'File name too long'], ENOENT: [8, 'No such file or directory'],
  ENOMEM: [9, 'Cannot allocate memory'], ENOTDIR: [10, 'Not a directory'], ELOOP: [11, 'Too many levels of symbolic links'],
  ETXTBSY: [12, 'Text file busy'], EIO: [13, 'Input/output error'], ENFILE: [14, 'Too many open files in system'],
  EMFILE: [15, 'Too many open files'], EINVAL: [16, 'Invalid argument'], EISDIR: [17, 'Is a directory'],
  ELIBBAD: [18, 'Accessing a corrupted shared library'],
};

export function timeoutMessage(timeoutMs: number): string {
  return `Error spawning helper: Timed out after ${Math.round(timeoutMs / 1000)} seconds (g-io-error-quark, 24)`;
}

export function execFailureMessage(program: string, errnoName: string): string {
  const [code, text] = EXEC_ERRORS[errnoName] ?? [19, errnoName];
  return `Error spawning helper: Error spawning: Failed to execute child process \u201c${program}\u201d (${text}) (g-exec-error-quark, ${code})`;
}

export function signalName(signal: string): [string, number] {
  const n = SIGNALS[signal];
  return n === undefined ? ['UNKNOWN_SIGNAL', 0] : [signal, n];
}

/** Runs argv; returns stdout, or throws an Error whose message is polkit's text. */
export function polkitSpawn(argv: readonly string[], timeoutMs: number): string {
  const program = argv[0];
  if (program === undefined || program === '') throw new Error('Error spawning helper: argv is empty (g-exec-error-quark, 19)');
  const r = spawnSync(program, argv.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGTERM', maxBuffer: MAX_OUTPUT,
    encoding: 'utf8', windowsHide: true,
  });
  const err = r.error as NodeJS.ErrnoException | undefined;
  if (err?.code === 'ETIMEDOUT') throw new Error(timeoutMessage(timeoutMs));
  if (err !== undefined && r.pid === 0) throw new Error(execFailureMessage(program, err.code ?? 'EFAILED'));
  if (err !== undefined && err.code === 'ENOBUFS') {
    throw new Error(`Error spawning helper: Output exceeds ${MAX_OUTPUT} bytes (g-io-error-quark, 0)`);
  }
  if (err !== undefined) throw new Error(execFailureMessage(program, err.code ?? 'EFAILED'));
  const tail = `, stdout=\`${r.stdout ?? ''}', stderr=\`${r.stderr ?? ''}'`;
  if (r.signal !== null) {
    const [name, n] = signalName(r.signal);
    throw new Error(`Helper was signaled with signal ${name} (${n})${tail}`);
  }
  if (r.status !== 0) throw new Error(`Helper exited with non-zero exit status ${r.status ?? -1}${tail}`);
  return r.stdout ?? '';
}

/**
 * innetgr(netgroup, NULL, user, NULL) via `getent netgroup`: true if a triple's user
 * field is the user or empty (a wildcard). Unknown netgroup or no getent → false.
 */
export function userIsInNetGroup(user: string, netgroup: string, log: (msg: string) => void): boolean {
  if (netgroup === '' || netgroup.startsWith('-') || /[\s\0]/.test(netgroup)) return false;
  const r = spawnSync('getent', ['netgroup', netgroup], {
    stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT, encoding: 'utf8',
  });
  if (r.error !== undefined) {
    log(`Netgroup lookup unavailable (${r.error.message}); treating ${user} as not in netgroup ${netgroup}`);
    return false;
  }
  if (r.status !== 0) return false;
  return netgroupOutputHasUser(r.stdout ?? '', user);
}

/** @private Parses `getent netgroup` output: "NAME (h,u,d) (h,u,d) …". */
export function netgroupOutputHasUser(output: string, user: string): boolean {
  for (const m of output.matchAll(/\(\s*([^,()]*?)\s*,\s*([^,()]*?)\s*,\s*([^,()]*?)\s*\)/g)) {
    const u = m[2] ?? '';
    if (u === '' || u === user) return true;
  }
  return false;
}
