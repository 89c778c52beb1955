// Per-user state of the trusted prompt, in trustpathd's state directory (0700,
// owned by the daemon's user, so readable by no one else):
//   secrets/UID   32 random bytes, created at the user's first prompt; the secret
//                 image and phrase are drawn from them (prompt-ui/src/secret-art.ts)
//   pins/UID      the user's PIN as an argon2id hash (computed by trustpath-input,
//                 which alone sees the PIN) and the count of failures since the
//                 password was last used: 5 failures disable it until then.
// Files are replaced atomically (write, fsync, rename) and opened O_NOFOLLOW.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const SECRET_BYTES = 32;
export const PIN_MAX_FAILURES = 5;
const PIN_FILE_CAP = 1024;
const ARGON2ID = /^\$argon2id\$v=19\$m=[0-9]{1,8},t=[0-9]{1,3},p=[0-9]{1,3}\$[A-Za-z0-9+/]{10,64}\$[A-Za-z0-9+/]{20,128}$/;

export interface PinRecord { readonly hash: string; readonly failures: number }

export class UserSecrets {
  constructor(private readonly stateDir: string) {}

  /** The user's secret, created (random) on first use. */
  secretOf(uid: number): Buffer {
    const dir = this.#dir('secrets');
    const path = join(dir, String(uid));
    const existing = readSmall(path, SECRET_BYTES + 1);
    if (existing !== null) {
      if (existing.length !== SECRET_BYTES) throw new Error(`${path}: not a ${SECRET_BYTES}-byte secret; refusing to show a secret image`);
      return existing;
    }
    const secret = randomBytes(SECRET_BYTES);
    writeAtomic(path, secret);
    return secret;
  }

  pin(uid: number): PinRecord | null {
    const raw = readSmall(join(this.#dir('pins'), String(uid)), PIN_FILE_CAP);
    if (raw === null) return null;
    const o = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    if (typeof o.hash !== 'string' || !ARGON2ID.test(o.hash) || typeof o.failures !== 'number' || !Number.isInteger(o.failures) || o.failures < 0) {
      throw new Error(`pins/${uid}: malformed`);
    }
    return { hash: o.hash, failures: o.failures };
  }

  /** A PIN that may be used now: set and not disabled by failures. */
  usablePin(uid: number): PinRecord | null {
    const p = this.pin(uid);
    return p !== null && p.failures < PIN_MAX_FAILURES ? p : null;
  }

  setPin(uid: number, hash: string): void {
    if (!ARGON2ID.test(hash)) throw new Error('not an argon2id hash');
    writeAtomic(join(this.#dir('pins'), String(uid)), Buffer.from(JSON.stringify({ hash, failures: 0 })));
  }

  pinFailed(uid: number): number {
    const p = this.pin(uid);
    if (p === null) return 0;
    const failures = p.failures + 1;
    writeAtomic(join(this.#dir('pins'), String(uid)), Buffer.from(JSON.stringify({ hash: p.hash, failures })));
    return failures;
  }

  /** The password was used: the PIN's failures are forgotten. */
  passwordUsed(uid: number): void {
    const p = this.pin(uid);
    if (p !== null && p.failures !== 0) this.setPin(uid, p.hash);
  }

  removePin(uid: number): void {
    rmSync(join(this.#dir('pins'), String(uid)), { force: true });
  }

  #dir(name: string): string {
    const dir = join(this.stateDir, name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }
}

/** The file's bytes (at most cap), or null if it does not exist. Refuses links and files not ours. */
function readSmall(path: string, cap: number): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0) throw new Error(`${path}: not a private regular file of ours`);
    const buf = Buffer.alloc(cap);
    const n = readSync(fd, buf, 0, cap, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function writeAtomic(path: string, data: Buffer): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
