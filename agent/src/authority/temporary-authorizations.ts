// Temporary authorizations from *_keep challenges (POLKIT-REFERENCE §5): keyed by
// action and process (pid + start time + uid, so a reused pid never inherits one),
// scoped to the agent's subject, timed on the monotonic clock and not refreshed on
// use. Bounded: the oldest entry goes when the table is full.
import { startTimeOf } from '../identity/proc.js';
import type { ProcessKey } from './subjects.js';

export interface TemporaryAuthorization {
  readonly id: string;
  readonly actionId: string;
  readonly process: ProcessKey;
  /** the agent's subject, as a string (unix-session:ID or unix-process:PID:START) */
  readonly scope: string;
  readonly grantedMs: number;
  readonly expiresMs: number;
}

export interface TemporaryStoreOptions {
  readonly lifetimeMs: number;
  readonly maxEntries?: number;
  /** how often vanished processes and expired entries are swept (polkit: 2 s) */
  readonly sweepMs?: number;
  readonly now?: () => number;
  readonly processAlive?: (p: ProcessKey) => boolean;
}

function liveAndSame(p: ProcessKey): boolean {
  try {
    return startTimeOf(p.pid) === p.startTime;
  } catch {
    return false;
  }
}

export class TemporaryAuthorizationStore {
  #entries: TemporaryAuthorization[] = [];
  #serial = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #now: () => number;
  readonly #alive: (p: ProcessKey) => boolean;
  readonly #max: number;

  constructor(private readonly opts: TemporaryStoreOptions, private readonly onChanged: () => void) {
    this.#now = opts.now ?? (() => performance.now());
    this.#alive = opts.processAlive ?? liveAndSame;
    this.#max = opts.maxEntries ?? 10_000;
  }

  get size(): number { return this.#entries.length; }

  add(actionId: string, process: ProcessKey, scope: string): TemporaryAuthorization {
    const now = this.#now();
    const entry: TemporaryAuthorization = {
      id: `tmpauthz${this.#serial++}`, actionId, process, scope, grantedMs: now, expiresMs: now + this.opts.lifetimeMs,
    };
    if (this.#entries.length >= this.#max) this.#entries.shift();
    this.#entries.push(entry);
    this.#arm();
    return entry;
  }

  /** An unexpired entry for exactly this process (pid, start time and uid) and action. */
  find(actionId: string, process: ProcessKey): TemporaryAuthorization | undefined {
    const now = this.#now();
    return this.#entries.find((e) => e.actionId === actionId && e.expiresMs > now &&
      e.process.pid === process.pid && e.process.startTime === process.startTime && e.process.uid === process.uid);
  }

  inScope(scope: string): TemporaryAuthorization[] {
    const now = this.#now();
    return this.#entries.filter((e) => e.scope === scope && e.expiresMs > now);
  }

  byId(id: string): TemporaryAuthorization | undefined {
    return this.#entries.find((e) => e.id === id);
  }

  /** Removes matching entries; emits Changed once if any went. */
  remove(pred: (e: TemporaryAuthorization) => boolean): number {
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((e) => !pred(e));
    const removed = before - this.#entries.length;
    if (removed > 0) this.onChanged();
    return removed;
  }

  /** Drops expired entries and those whose process is gone. */
  sweep(): void {
    const now = this.#now();
    this.remove((e) => e.expiresMs <= now || !this.#alive(e.process));
    if (this.#entries.length === 0) this.#disarm();
  }

  #arm(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.sweep(), this.opts.sweepMs ?? 2000);
    this.#timer.unref();
  }

  #disarm(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  close(): void { this.#disarm(); }
}
