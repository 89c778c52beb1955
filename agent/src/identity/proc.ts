// What the kernel says about a process, read from /proc with polkit's own error
// texts (GLib's and polkitunixprocess.c's), because clients see them.
import { readFileSync, readlinkSync } from 'node:fs';
import { CallError, failed } from '../bus/errors.js';

const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  ESRCH: 'No such process',
  ENOTDIR: 'Not a directory',
  EPERM: 'Operation not permitted',
};

function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code ?? '';
  return STRERROR[code] ?? (e as Error)?.message ?? String(e);
}

/** GFileError codes, for the error names GDBus gives unmapped GLib errors. */
const G_FILE_ERROR: Readonly<Record<string, number>> = { EACCES: 2, ENOENT: 4, ENOTDIR: 5, EPERM: 22 };

/** @internal GLib: g_file_get_contents; polkitd passes its GFileError on, so its D-Bus name is GDBus's unmapped one */
function getContents(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch (e) {
    const code = G_FILE_ERROR[(e as NodeJS.ErrnoException)?.code ?? ''] ?? 24;
    throw new CallError(`org.gtk.GDBus.UnmappedGError.Quark._g_2dfile_2derror_2dquark.Code${code}`,
      `Failed to open file “${path}”: ${strerror(e)}`);
  }
}

/** Field 22 of /proc/PID/stat (clock ticks since boot), parsed after the last ')'. */
export function parseStartTime(stat: string): bigint | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0 || close + 2 >= stat.length) return undefined;
  const tokens = stat.slice(close + 2).split(' ');
  const t = tokens[19];
  if (t === undefined || !/^[0-9]+/.test(t)) return undefined;
  return BigInt(/^[0-9]+/.exec(t)![0]);
}

/** polkit's get_start_time_for_pid; throws Failed with its texts. */
export function startTimeOf(pid: number): bigint {
  const path = `/proc/${pid}/stat`;
  let stat: string;
  try {
    stat = readFileSync(path, 'latin1');
  } catch (e) {
    throw failed(`Cannot get contents of ${path}: ${strerror(e)}\n`);
  }
  const t = parseStartTime(stat);
  if (t === undefined) throw failed(`Error parsing file ${path}`);
  return t;
}

/** The real uid on the `Uid:` line of /proc/PID/status, as an unsigned 32-bit value. */
export function parseRealUid(status: string, path: string): number {
  for (const line of status.split('\n')) {
    if (!line.startsWith('Uid:')) continue;
    const m = /^\s*(-?[0-9]+)\s+(-?[0-9]+)/.exec(line.slice(4));
    if (!m) throw failed(`Unexpected line \`${line}' in file ${path}`);
    return Number(BigInt.asUintN(32, BigInt(m[1]!)));
  }
  throw failed(`Didn't find any line starting with \`Uid:' in file ${path}`);
}

/**
 * polkit_unix_process_get_racy_uid__: the process's real uid, checked against
 * `startTime` read after it, so that a pid reused in between is noticed.
 */
export function racyUidOf(pid: number, startTime: bigint): number {
  const path = `/proc/${pid}/status`;
  const uid = parseRealUid(getContents(path), path);
  const now = startTimeOf(pid);
  if (now !== startTime) throw failed(`process with PID ${pid} has been replaced`);
  return uid;
}

/** Command line of a live process, for logs, audit and prompts (world-readable in /proc). */
export interface ProcessFacts { cmdline: string | null; argv: string[] }

export function processFacts(pid: number): ProcessFacts {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`);
    if (raw.length === 0) return { cmdline: null, argv: [] };
    const text = raw.subarray(0, 4096).toString('utf8').replace(/\0+$/, '');
    return { cmdline: text.replaceAll('\0', ' ').trim(), argv: text.split('\0') };
  } catch {
    return { cmdline: null, argv: [] }; // gone
  }
}

/**
 * A process's executable and its start time, read after the link so that a reused
 * pid can be told apart. /proc/PID/exe of another user's process needs root: the
 * daemon asks its policy reader (policy-source/), which calls this.
 */
export interface ExeFacts {
  readonly pid: number;
  readonly exe: string | null;
  readonly startTime: bigint | null;
  /** the process's message locale (LC_ALL, LC_MESSAGES or LANG), for the prompt's language */
  readonly locale: string | null;
  /** its character locale (LC_ALL, LC_CTYPE or LANG), for the keyboard's Compose table */
  readonly ctype: string | null;
}

/** What is known of a process that is gone or cannot be read: nothing. */
export function unknownProcess(pid: number): ExeFacts {
  return { pid, exe: null, startTime: null, locale: null, ctype: null };
}

export function exeOf(pid: number): ExeFacts {
  let exe: string | null = null;
  let startTime: bigint | null = null;
  try { exe = readlinkSync(`/proc/${pid}/exe`).slice(0, 4096); } catch { /* gone, a kernel thread, or not ours to see */ }
  const { messages: locale, ctype } = localesOf(pid);
  try { startTime = parseStartTime(readFileSync(`/proc/${pid}/stat`, 'latin1')) ?? null; } catch { /* gone */ }
  return { pid, exe, startTime, locale, ctype };
}

const ENVIRON_CAP = 128 * 1024;
/** A POSIX locale name: [1] language_territory, [2] codeset, [3] modifier. */
export const LOCALE_NAME = /^([A-Za-z]{2,8}(?:_[A-Za-z0-9]{2,8})?)(?:\.([A-Za-z0-9-]{1,20}))?(?:@([A-Za-z0-9]{1,20}))?$/;

/**
 * The locales of a process from /proc/PID/environ, as setlocale(3) would choose them:
 * for messages LC_ALL, else LC_MESSAGES, else LANG; for characters LC_ALL, else
 * LC_CTYPE, else LANG. The first one set decides; null when it is malformed or none is.
 */
export function localesOf(pid: number): { messages: string | null; ctype: string | null } {
  let raw: Buffer;
  try { raw = readFileSync(`/proc/${pid}/environ`); } catch { return { messages: null, ctype: null }; }
  const vars = new Map<string, string>();
  for (const entry of raw.subarray(0, ENVIRON_CAP).toString('utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) vars.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  const pick = (category: string): string | null => {
    for (const key of ['LC_ALL', category, 'LANG']) {
      const v = vars.get(key);
      if (v !== undefined && v !== '') return LOCALE_NAME.test(v) ? v : null;
    }
    return null;
  };
  return { messages: pick('LC_MESSAGES'), ctype: pick('LC_CTYPE') };
}
