// The audit log: one JSON line per authentication, appended to a file.
//
//   const audit = new AuditLog('/var/log/trustpath/audit.jsonl', log);
//   audit.record({ via: 'prompt', requester, actionId, subject, offered, identity, outcome });
//   audit.close();
//
// Opened O_WRONLY|O_APPEND|O_CREAT|O_NOFOLLOW|O_CLOEXEC, regular files only, mode 0600; each record
// is written with a single write(2) (a line never interleaves with another). A
// record is at most MAX_RECORD bytes: long strings are cut, then optional fields
// dropped. When the file would pass `maxBytes` it is renamed to PATH.1 (the older
// PATH.1 goes), so the log takes at most twice `maxBytes` on disk. Errors are logged
// (once per kind of failure in a row) and never thrown. The entry type has no field
// for a response, and the record is built from named fields only.
import { closeSync, fchmodSync, fstatSync, openSync, renameSync, writeSync, constants } from 'node:fs';

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = Object.freeze(['authenticated', 'dismissed', 'cancelled', 'failed']);
export type AuditOutcome = 'authenticated' | 'dismissed' | 'cancelled' | 'failed';

export interface AuditEntry {
  /** 'agent' for a registered polkit agent, 'prompt' for trustpathd's own prompt */
  readonly via: 'agent' | 'prompt';
  /** who asked: verified by the authority */
  readonly requester: { readonly pid: number; readonly uid: number; readonly exe: string; readonly busName?: string };
  readonly actionId: string;
  /** polkit's string form of the subject */
  readonly subject: string;
  /** uids offered */
  readonly offered: readonly number[];
  /** the uid authenticated as (on success) or chosen, when known */
  readonly identity?: number;
  readonly outcome: AuditOutcome;
  /** a stable reason for failures ('retries-exhausted', 'locked-out', …) */
  readonly reason?: string;
  /** a short technical detail for 'error' failures */
  readonly detail?: string;
}

/** What the authentication manager needs of an audit log. */
export interface AuditSink {
  record(entry: AuditEntry): void;
}

export const MAX_RECORD = 4096;
const MAX_STRING = 256;
const MAX_OFFERED_LOGGED = 64;
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

export interface AuditLogOptions {
  /** rotate when the file would pass this size (default 16 MiB) */
  readonly maxBytes?: number;
  /** Seam for the time stamp (default: now). */
  readonly now?: () => Date;
}

export class AuditLog implements AuditSink {
  #fd: number | null = null;
  #size = 0;
  #closed = false;
  #lastError = '';
  readonly #maxBytes: number;

  constructor(private readonly path: string, private readonly log: (msg: string) => void, private readonly opts: AuditLogOptions = {}) {
    this.#maxBytes = Math.max(MAX_RECORD, opts.maxBytes ?? DEFAULT_MAX_BYTES);
    this.#open();
  }

  /** Appends one record; never throws. */
  record(entry: AuditEntry): void {
    if (this.#closed) return;
    try {
      const line = encodeRecord(entry, (this.opts.now ?? (() => new Date()))());
      if (this.#size + line.length > this.#maxBytes && !this.#rotate()) return;
      if (this.#fd === null) this.#open();
      if (this.#fd === null) return;
      const n = writeSync(this.#fd, line);
      this.#size += n;
      if (n !== line.length) this.#problem(`short write to ${this.path} (${n} of ${line.length} bytes)`);
      else this.#lastError = '';
    } catch (e) {
      this.#problem(`cannot write ${this.path}: ${errText(e)}`);
      this.#closeFd(); // reopen on the next record
    }
  }

  close(): void {
    this.#closed = true;
    this.#closeFd();
  }

  #open(): void {
    try {
      // O_NONBLOCK: a FIFO put at the path must not hang the daemon (it is refused below).
      const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW
        | constants.O_NONBLOCK | O_CLOEXEC;
      const fd = openSync(this.path, flags, 0o600);
      try {
        const st = fstatSync(fd);
        if (!st.isFile()) throw new Error('not a regular file');
        fchmodSync(fd, 0o600); // an existing file keeps its mode otherwise
        this.#size = st.size;
      } catch (e) {
        closeSync(fd);
        throw e;
      }
      this.#fd = fd;
    } catch (e) {
      this.#fd = null;
      this.#problem(`cannot open ${this.path}: ${errText(e)}`);
    }
  }

  /** false when the file could not be moved aside (then nothing is written) */
  #rotate(): boolean {
    this.#closeFd();
    try {
      renameSync(this.path, `${this.path}.1`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#problem(`cannot rotate ${this.path}: ${errText(e)}`);
        return false;
      }
    }
    this.#open();
    return true;
  }

  #closeFd(): void {
    if (this.#fd === null) return;
    try {
      closeSync(this.#fd);
    } catch {
      // already gone
    }
    this.#fd = null;
  }

  /** logs a failure once until a write succeeds again */
  #problem(msg: string): void {
    if (msg === this.#lastError) return;
    this.#lastError = msg;
    try {
      this.log(`audit: ${msg}`);
    } catch {
      // a broken logger must not break the caller either
    }
  }
}

/** O_CLOEXEC (02000000 on Linux); node's fs.constants does not export it. */
const O_CLOEXEC = 0o2000000;

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function cut(s: unknown): string {
  const t = typeof s === 'string' ? s : String(s);
  return t.length > MAX_STRING ? `${t.slice(0, MAX_STRING)}…` : t;
}

function uint(n: unknown): number | null {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? n : null;
}

/** @internal one record as a line of at most MAX_RECORD bytes, named fields only */
export function encodeRecord(e: AuditEntry, time: Date): Buffer {
  const outcome = AUDIT_OUTCOMES.includes(e.outcome) ? e.outcome : 'invalid';
  const offered = Array.isArray(e.offered) ? e.offered.slice(0, MAX_OFFERED_LOGGED).map(uint) : [];
  const record: Record<string, unknown> = {
    time: time.toISOString(),
    via: e.via === 'agent' ? 'agent' : 'prompt',
    requester: {
      pid: uint(e.requester?.pid), uid: uint(e.requester?.uid), exe: cut(e.requester?.exe ?? ''),
      ...(e.requester?.busName !== undefined ? { busName: cut(e.requester.busName) } : {}),
    },
    actionId: cut(e.actionId), subject: cut(e.subject), offered,
    ...(Array.isArray(e.offered) && e.offered.length > MAX_OFFERED_LOGGED ? { offeredTotal: e.offered.length } : {}),
    ...(e.identity !== undefined ? { identity: uint(e.identity) } : {}),
    outcome,
    ...(e.reason !== undefined ? { reason: cut(e.reason) } : {}),
    ...(e.detail !== undefined ? { detail: cut(e.detail) } : {}),
  };
  const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
  if (line.length <= MAX_RECORD) return line;
  // Only long strings full of escapes get here: keep the fixed-size facts.
  const minimal = { time: record.time, via: record.via, requester: { pid: uint(e.requester?.pid), uid: uint(e.requester?.uid) },
    offered: offered.slice(0, 8), identity: record.identity, outcome,
    reason: typeof e.reason === 'string' && /^[a-z-]{1,40}$/.test(e.reason) ? e.reason : undefined, truncated: true };
  return Buffer.from(`${JSON.stringify(minimal)}\n`, 'utf8');
}
