// Two changes to how dbus-next reads messages, made once, by the bus connection:
//
// 1. dbus-next throws from inside its socket reader when a message carries a value
//    of type 'h' (unix fd) without an attached fd ('No FDs available'); the
//    exception escapes the stream handler and would end the process. Any local user
//    can send such a message. A missing fd now reads as MISSING_FD.
// 2. Received fds are never kept (CVE-2021-4115: a client must not be able to
//    exhaust the daemon's fds). An 'h' value is turned into what polkit wants of it —
//    the pid behind a pidfd, with that process's start time, read while the fd pins
//    it — and closed at once; every other fd a message carries is closed right after
//    the message has been read.
import { createRequire } from 'node:module';
import { closeSync, readFileSync } from 'node:fs';
import { parseStartTime } from '../identity/proc.js';

export const MISSING_FD = -1;

/** What an 'h' value becomes: a process, if the fd was a live pidfd. */
export interface ReceivedFd {
  readonly receivedFd: true;
  /** null when the fd was not a pidfd or its process has exited */
  readonly process: { readonly pid: number; readonly startTime: bigint } | null;
}

export function isReceivedFd(v: unknown): v is ReceivedFd {
  return typeof v === 'object' && v !== null && (v as ReceivedFd).receivedFd === true;
}

interface Buf {
  fds?: unknown[];
  readInt32(): number;
  __tpHandled?: Set<number>;
}

interface DBusBufferProto {
  readSimpleType(this: Buf, t: string): unknown;
  readArray(this: Buf, ...args: unknown[]): unknown;
}

function pidOfPidfd(fd: number): number | null {
  try {
    const m = /^Pid:\s*(-?\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** @internal reads the pidfd's process and its start time, checking the pid stayed the same */
export function processOfPidfd(fd: number): ReceivedFd['process'] {
  const pid = pidOfPidfd(fd);
  if (pid === null || pid <= 0) return null;
  let startTime: bigint | undefined;
  try {
    startTime = parseStartTime(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return null;
  }
  if (startTime === undefined || pidOfPidfd(fd) !== pid) return null;
  return { pid, startTime };
}

function closeQuietly(fd: unknown): void {
  if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 3) return;
  try { closeSync(fd); } catch { /* already gone */ }
}

function handled(buf: Buf): Set<number> {
  if (!buf.__tpHandled) {
    buf.__tpHandled = new Set();
    const fds = buf.fds;
    const done = buf.__tpHandled;
    if (Array.isArray(fds) && fds.length > 0) {
      // The message is parsed and dispatched synchronously; close what is left after.
      setImmediate(() => fds.forEach((fd, i) => { if (!done.has(i)) { done.add(i); closeQuietly(fd); } }));
    }
  }
  return buf.__tpHandled;
}

const require = createRequire(import.meta.url);
const DBusBuffer = require('dbus-next/lib/dbus-buffer.js') as { prototype: DBusBufferProto };
const originalSimple = DBusBuffer.prototype.readSimpleType;
const originalArray = DBusBuffer.prototype.readArray;

DBusBuffer.prototype.readArray = function readArray(this: Buf, ...args: unknown[]): unknown {
  handled(this); // every message reads its header fields as an array first
  return originalArray.apply(this, args);
};

DBusBuffer.prototype.readSimpleType = function readSimpleType(this: Buf, t: string): unknown {
  if (t !== 'h') return originalSimple.call(this, t);
  const idx = this.readInt32();
  const fds = this.fds;
  if (!Array.isArray(fds) || idx < 0 || idx >= fds.length) return MISSING_FD;
  const done = handled(this);
  if (done.has(idx)) return { receivedFd: true, process: null } satisfies ReceivedFd;
  done.add(idx);
  const fd = fds[idx];
  const value: ReceivedFd = { receivedFd: true, process: typeof fd === 'number' ? processOfPidfd(fd) : null };
  closeQuietly(fd);
  return value;
};
