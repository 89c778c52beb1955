// Lockout per target user: after `maxFailures` failed attempts for one uid within
// `windowMs`, attempts for that uid are refused for `durationMs`. A success clears
// the uid's failures. Monotonic time only; the table is bounded.

export interface LockoutPolicy {
  /** failures within the window that lock the user (default 5) */
  readonly maxFailures: number;
  /** default 15 minutes */
  readonly windowMs: number;
  /** how long a lockout lasts (default 10 minutes) */
  readonly durationMs: number;
  /** users tracked at most (default 10000) */
  readonly maxTracked: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = Object.freeze({
  maxFailures: 5, windowMs: 15 * 60_000, durationMs: 10 * 60_000, maxTracked: 10_000,
});

interface Entry {
  /** monotonic times of failures within the window, oldest first */
  failures: number[];
  lockedUntil: number;
}

export class LockoutTracker {
  readonly #entries = new Map<number, Entry>();

  constructor(private readonly policy: LockoutPolicy, private readonly now: () => number) {}

  /** The monotonic time the uid's lockout ends, or null when it may try. */
  lockedUntil(uid: number): number | null {
    const e = this.#entries.get(uid);
    if (e === undefined || e.lockedUntil <= this.now()) return null;
    return e.lockedUntil;
  }

  /** Counts a failure; returns the lockout end when this failure locks the uid. */
  recordFailure(uid: number): number | null {
    const now = this.now();
    const e = this.#entry(uid, now);
    e.failures = e.failures.filter((t) => now - t < this.policy.windowMs);
    e.failures.push(now);
    if (e.failures.length < this.policy.maxFailures) return null;
    e.failures = [];
    e.lockedUntil = now + this.policy.durationMs;
    return e.lockedUntil;
  }

  recordSuccess(uid: number): void {
    const e = this.#entries.get(uid);
    if (e !== undefined && e.lockedUntil <= this.now()) this.#entries.delete(uid);
  }

  get size(): number {
    return this.#entries.size;
  }

  #entry(uid: number, now: number): Entry {
    let e = this.#entries.get(uid);
    if (e !== undefined) return e;
    if (this.#entries.size >= this.policy.maxTracked) this.#evict(now);
    e = { failures: [], lockedUntil: 0 };
    this.#entries.set(uid, e);
    return e;
  }

  /** @internal drops stale entries; if none, the oldest unlocked (else the oldest) */
  #evict(now: number): void {
    for (const [uid, e] of this.#entries) {
      const stale = e.lockedUntil <= now && e.failures.every((t) => now - t >= this.policy.windowMs);
      if (stale) this.#entries.delete(uid);
    }
    if (this.#entries.size < this.policy.maxTracked) return;
    let victim: number | undefined;
    for (const [uid, e] of this.#entries) {
      if (e.lockedUntil <= now) { victim = uid; break; }
    }
    this.#entries.delete(victim ?? (this.#entries.keys().next().value as number));
  }
}
