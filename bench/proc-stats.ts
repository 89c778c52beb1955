// Readings of a process from /proc: start time (for unix-process subjects), resident
// memory (current and peak) and CPU time. The bench reads only its own children here.
import { readFileSync } from 'node:fs';

/** Fields of /proc/PID/stat after the command name (which may contain spaces). */
function statFields(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error(`unparsable /proc/${pid}/stat`);
  return text.slice(close + 2).trim().split(' ');
}

/** Field 22 of /proc/PID/stat (clock ticks since boot), as polkit's `start-time`. */
export function processStartTime(pid: number): bigint {
  const field = statFields(pid)[19];
  if (field === undefined || !/^\d+$/.test(field)) throw new Error(`no start time for pid ${pid}`);
  return BigInt(field);
}

/** utime + stime of the whole process (all threads), in clock ticks. */
export function cpuTicks(pid: number): number {
  const f = statFields(pid);
  return Number(f[11]) + Number(f[12]);
}

export interface MemoryReading {
  /** VmRSS in KiB */
  readonly rssKiB: number;
  /** VmHWM (peak resident set since start) in KiB */
  readonly peakKiB: number;
  readonly threads: number;
}

function statusField(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text);
  if (!m?.[1]) throw new Error(`no ${name} in /proc status`);
  return Number(m[1]);
}

/** Memory of a process (threads share it, so rules worker threads are included). */
export function memory(pid: number): MemoryReading {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssKiB: statusField(text, 'VmRSS'), peakKiB: statusField(text, 'VmHWM'), threads: statusField(text, 'Threads') };
}

/** Clock ticks per second as /proc reports them (USER_HZ; 100 on Linux). */
export const TICKS_PER_SECOND = 100;
