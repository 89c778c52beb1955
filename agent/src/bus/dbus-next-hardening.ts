// dbus-next throws from inside its socket reader when a message carries a value of
// type 'h' (unix fd) without an attached fd ('No FDs available'); the exception
// escapes the stream handler and would end the process. Any local user can send
// such a message, so the one place that reads 'h' is replaced: a missing fd reads
// as -1, which every parser here rejects. Imported once, by the bus connection.
import { createRequire } from 'node:module';

export const MISSING_FD = -1;

interface DBusBufferProto {
  readSimpleType(this: DBusBufferProto & { fds?: unknown[]; readInt32(): number }, t: string): unknown;
}

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const DBusBuffer = require('dbus-next/lib/dbus-buffer.js') as { prototype: DBusBufferProto };
const original = DBusBuffer.prototype.readSimpleType;

DBusBuffer.prototype.readSimpleType = function readSimpleType(t: string): unknown {
  if (t !== 'h') return original.call(this, t);
  const idx = this.readInt32();
  const fds = this.fds;
  return Array.isArray(fds) && idx >= 0 && idx < fds.length ? fds[idx] : MISSING_FD;
};
