// Changes to how dbus-next reads messages, made once, by the bus connection:
//
// 1. dbus-next throws from inside its socket reader when a message carries a value
//    of type 'h' (unix fd) without an attached fd ('No FDs available'); the
//    exception escapes the stream handler and would end the process. Any local user
//    can send such a message. A missing fd now reads as MISSING_FD.
// 2. Received fds are never kept (CVE-2021-4115: a client must not be able to
//    exhaust the daemon's fds). An 'h' value is turned into what polkit wants of it —
//    the pid behind a pidfd, with that process's start time, read while the fd pins
//    it — and closed at once; every other fd a message carries is closed as soon as
//    the message has been read.
// 3. Each message gets exactly its own fds. dbus-next's reader (lib/message.js)
//    takes the body with usocket's read(n, null), which hands over *every* fd
//    received so far: when one recvmsg brings two messages (say the bus's
//    NameOwnerChanged for a new client, then that client's call with a pidfd), the
//    first message takes the second one's fd, and the call arrives without it. The
//    reader is replaced by one that reads the message, then takes from usocket's
//    fd queue as many fds as its UNIX_FDS header field declares (the kernel
//    delivers fds in order with the bytes they were sent with, and dbus-daemon
//    refuses messages whose fd count does not match their header). usocket receives
//    at most 64 fds per read; the system bus allows 16 per message
//    (max_message_unix_fds), so none is cut off.
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

/** Marks an fd of a message's list as already closed. */
const CLOSED = -1;

function closeQuietly(fd: unknown): void {
  if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 3) return;
  try { closeSync(fd); } catch { /* already gone */ }
}

/** Closes every fd of the list that no 'h' value has taken (and closed) yet. */
function closeRest(fds: unknown[]): void {
  fds.forEach((fd, i) => { fds[i] = CLOSED; closeQuietly(fd); });
}

interface Buf {
  fds?: unknown[] | null;
  readInt32(): number;
  readArray(sig: unknown, length: number): unknown[];
  align(power: number): void;
  read(signature: string): unknown[];
}

interface DBusBufferCtor {
  new (buf: Buffer, start: number, endian: number, fds: unknown[] | null, opts: unknown): Buf;
  prototype: { readSimpleType(this: Buf, t: string): unknown };
}

const require = createRequire(import.meta.url);
const DBusBuffer = require('dbus-next/lib/dbus-buffer.js') as DBusBufferCtor;
const messageModule = require('dbus-next/lib/message.js') as { unmarshalMessages: typeof unmarshalMessages };
const constants = require('dbus-next/lib/constants.js') as { headerTypeName: (string | null)[]; endianness: { le: number } };
const headerSignature = require('dbus-next/lib/header-signature.json') as [{ child: [unknown] }];
const originalSimple = DBusBuffer.prototype.readSimpleType;

DBusBuffer.prototype.readSimpleType = function readSimpleType(this: Buf, t: string): unknown {
  if (t !== 'h') return originalSimple.call(this, t);
  const idx = this.readInt32();
  const fds = this.fds;
  if (!Array.isArray(fds) || idx < 0 || idx >= fds.length) return MISSING_FD;
  const fd = fds[idx];
  fds[idx] = CLOSED; // a second 'h' naming the same index gets no process
  if (typeof fd !== 'number' || fd === CLOSED) return { receivedFd: true, process: null } satisfies ReceivedFd;
  const value: ReceivedFd = { receivedFd: true, process: processOfPidfd(fd) };
  closeQuietly(fd);
  return value;
};

/** dbus-next's stream: node's net.Socket, or usocket's USocket with its fd queue. */
interface MessageStream {
  on(event: 'readable', f: () => void): unknown;
  read(size: number, fdSize?: number): unknown;
  _wrap?: { fds?: unknown } | null;
}

/** The first `count` fds usocket has received (none on node's own socket). */
function takeFds(stream: MessageStream, count: unknown): unknown[] {
  const queue = stream._wrap?.fds;
  if (!Array.isArray(queue) || typeof count !== 'number' || count <= 0) return [];
  return queue.splice(0, count);
}

interface Header { readonly fixed: Buffer; readonly le: boolean; readonly fieldsLength: number; readonly bodyLength: number }

function readHeader(fixed: Buffer): Header {
  const le = fixed.readUInt8(0) === constants.endianness.le;
  const fieldsLength = le ? fixed.readUInt32LE(12) : fixed.readUInt32BE(12);
  const bodyLength = le ? fixed.readUInt32LE(4) : fixed.readUInt32BE(4);
  return { fixed, le, fieldsLength, bodyLength };
}

/** As dbus-next's reader, but with the message's own fds, closed once it is read. */
function parseMessage(h: Header, data: Buffer, stream: MessageStream, opts: unknown): Record<string, unknown> {
  const buf = new DBusBuffer(data, 0, h.fixed.readUInt8(0), null, opts);
  const fields = buf.readArray(headerSignature[0].child[0], h.fieldsLength) as [number, [unknown, [unknown]]][];
  buf.align(3);
  const message: Record<string, unknown> = {
    serial: h.le ? h.fixed.readUInt32LE(8) : h.fixed.readUInt32BE(8), type: h.fixed[1], flags: h.fixed[2],
  };
  for (const [code, [, [value]]] of fields) {
    const name = constants.headerTypeName[code];
    if (typeof name === 'string') message[name] = value;
  }
  const fds = takeFds(stream, message.unixFd);
  buf.fds = fds;
  try {
    if (h.bodyLength > 0 && typeof message.signature === 'string') message.body = buf.read(message.signature);
  } finally {
    closeRest(fds);
  }
  return message;
}

function unmarshalMessages(stream: MessageStream, onMessage: (m: Record<string, unknown>) => void, opts: unknown): void {
  let header: Header | null = null;
  stream.on('readable', () => {
    for (;;) {
      if (!header) {
        const fixed = stream.read(16);
        if (!Buffer.isBuffer(fixed)) return;
        header = readHeader(fixed);
      }
      const padded = ((header.fieldsLength + 7) >> 3) << 3;
      // fdSize 0: usocket returns { data, fds: [] } and leaves its fd queue alone
      const chunk = stream.read(padded + header.bodyLength, 0) as { data?: unknown } | Buffer | null;
      const data = Buffer.isBuffer(chunk) ? chunk : chunk?.data;
      if (!Buffer.isBuffer(data)) return;
      const h = header;
      header = null;
      onMessage(parseMessage(h, data, stream, opts));
    }
  });
}

messageModule.unmarshalMessages = unmarshalMessages;
