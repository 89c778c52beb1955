// At most one authentication per key (the subject's session) at a time. Others for
// the same key wait in a bounded FIFO; different keys run in parallel, up to a
// bound on the number of keys. Nothing here waits on a timer.

export type Release = () => void;
export type Acquired = Release | 'full' | 'aborted';

interface Waiter {
  readonly grant: (release: Release) => void;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
}

export class SessionQueue {
  /** key → requests waiting behind the running one; present while one runs */
  readonly #lanes = new Map<string, Waiter[]>();

  constructor(private readonly maxWaiting: number, private readonly maxKeys: number) {}

  /** Resolves with a release function once it is this request's turn. */
  acquire(key: string, signal: AbortSignal): Promise<Acquired> {
    if (signal.aborted) return Promise.resolve('aborted');
    const lane = this.#lanes.get(key);
    if (lane === undefined) {
      if (this.#lanes.size >= this.maxKeys) return Promise.resolve('full');
      this.#lanes.set(key, []);
      return Promise.resolve(this.#releaser(key));
    }
    if (lane.length >= this.maxWaiting) return Promise.resolve('full');
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: resolve,
        signal,
        onAbort: () => {
          const i = lane.indexOf(waiter);
          if (i >= 0) lane.splice(i, 1);
          resolve('aborted');
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      lane.push(waiter);
    });
  }

  /** requests waiting (not running) for `key` */
  waiting(key: string): number {
    return this.#lanes.get(key)?.length ?? 0;
  }

  get activeKeys(): number {
    return this.#lanes.size;
  }

  #releaser(key: string): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#next(key);
    };
  }

  #next(key: string): void {
    const lane = this.#lanes.get(key);
    const waiter = lane?.shift();
    if (waiter === undefined) {
      this.#lanes.delete(key);
      return;
    }
    waiter.signal.removeEventListener('abort', waiter.onAbort);
    waiter.grant(this.#releaser(key));
  }
}
