// Runs polkit .rules files in a small pool of worker threads, each with its own
// QuickJS interpreter. A request that overruns is answered like polkit answers a
// runaway script ('no', or the admin fallback) and its worker is terminated and
// replaced; other requests go on in the other workers meanwhile.

import { Worker } from 'node:worker_threads';
import type { ImplicitAuthorization, SourceFile } from './actions.js';
import { adminResult, rulesResult } from './rules-results.js';
import { parseFromWorker, SPAWN_TIMEOUT_MS, type RulesAction, type RulesSubject, type WorkerInit } from './rules-protocol.js';
import { validateRequest } from './rules-request.js';

export type { RulesAction, RulesSubject } from './rules-protocol.js';

export interface RulesEngineOptions {
  files: readonly SourceFile[];
  log: (msg: string) => void;
  /** Per file load and per request (polkit's RUNAWAY_KILLER_TIMEOUT); default 15000. */
  runawayMs?: number;
  /** QuickJS heap limit per worker; default 64 MiB. */
  memoryLimitBytes?: number;
  /** Maximum worker threads, grown lazily; default 3. */
  workers?: number;
  /** Maximum waiting requests; more are rejected. Default 1024. */
  maxQueue?: number;
  /** @internal polkit.spawn timeout, for tests; default 10000. */
  spawnTimeoutMs?: number;
}

export const DEFAULT_RUNAWAY_MS = 15_000;
export const DEFAULT_MEMORY_LIMIT = 64 * 1024 * 1024;
export { ADMIN_FALLBACK } from './rules-results.js';
/**
 * Extra time the thread gets beyond the interpreter's own deadline before it is
 * killed; generous, because the timer starts when the request is handed over and a
 * loaded machine may start the worker on it late.
 */
const KILL_GRACE_MS = 3000;

interface Job {
  readonly kind: 'rules' | 'admin';
  readonly action: RulesAction;
  readonly subject: RulesSubject;
  readonly done: (value: string | null, ok: boolean) => void;
}
interface Slot { worker: Worker; gen: number; ready: boolean; job?: Job; jobId: number; timer?: NodeJS.Timeout }

export class RulesEngine {
  readonly #opts: Required<Omit<RulesEngineOptions, 'files' | 'log'>>;
  readonly #log: (msg: string) => void;
  #files: readonly SourceFile[];
  #gen = 0;
  #lastGen = 0;
  #slots = new Set<Slot>();
  #queue: Job[] = [];
  #nextId = 1;
  #loaded = 0;
  #closed = false;

  private constructor(opts: RulesEngineOptions) {
    this.#log = opts.log;
    this.#files = opts.files;
    this.#opts = {
      runawayMs: opts.runawayMs ?? DEFAULT_RUNAWAY_MS,
      memoryLimitBytes: opts.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT,
      workers: Math.max(1, Math.min(opts.workers ?? 3, 16)),
      maxQueue: opts.maxQueue ?? 1024,
      spawnTimeoutMs: opts.spawnTimeoutMs ?? SPAWN_TIMEOUT_MS,
    };
  }

  static async start(opts: RulesEngineOptions): Promise<RulesEngine> {
    const engine = new RulesEngine(opts);
    await engine.reload(opts.files);
    return engine;
  }

  /** Number of rules files that compiled and ran, as of the last (re)load. */
  get loadedCount(): number { return this.#loaded; }

  /** The runaway limit in force (15000 ms unless configured). */
  get runawayMs(): number { return this.#opts.runawayMs; }

  /** Loads `files` into a fresh worker; requests switch to it once it is ready. */
  async reload(files: readonly SourceFile[]): Promise<void> {
    if (this.#closed) throw new Error('Rules engine is closed');
    const gen = ++this.#lastGen;
    const slot = this.#spawn(files, gen, true);
    const loaded = await new Promise<number>((resolve, reject) => {
      const onMessage = (m: unknown): void => {
        const msg = parseFromWorker(m);
        if (msg?.type === 'ready') { slot.worker.off('message', onMessage); resolve(msg.loaded); }
      };
      slot.worker.on('message', onMessage);
      slot.worker.once('exit', () => {
        if (this.#gen > gen || this.#closed) resolve(-1); // superseded by a newer reload, or closed
        else reject(new Error('Rules worker exited while loading rules'));
      });
    });
    if (gen < this.#gen || this.#closed) { void this.#kill(slot); return; } // a newer reload won
    this.#loaded = loaded;
    this.#files = files;
    this.#gen = gen;
    for (const old of [...this.#slots]) if (old.gen < gen && old.job === undefined) void this.#kill(old);
    this.#dispatch();
  }

  async runRules(action: RulesAction, subject: RulesSubject): Promise<ImplicitAuthorization | null> {
    const r = await this.#run('rules', action, subject);
    return rulesResult(r.value, r.ok, this.#log);
  }

  async runAdminRules(action: RulesAction, subject: RulesSubject): Promise<string[]> {
    const r = await this.#run('admin', action, subject);
    return adminResult(r.value, r.ok, this.#log);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.done(null, false);
    await Promise.all([...this.#slots].map((s) => this.#kill(s)));
  }

  #run(kind: 'rules' | 'admin', action: RulesAction, subject: RulesSubject): Promise<{ value: string | null; ok: boolean }> {
    const problem = validateRequest(action, subject);
    if (problem !== undefined) {
      this.#log(`Not running ${kind === 'admin' ? 'admin ' : ''}rules: ${problem}`);
      return Promise.resolve({ value: null, ok: false });
    }
    if (this.#closed) return Promise.reject(new Error('Rules engine is closed'));
    if (this.#queue.length >= this.#opts.maxQueue) return Promise.reject(new Error('Rules engine queue is full'));
    return new Promise((resolve) => {
      this.#queue.push({ kind, action, subject, done: (value, ok) => resolve({ value, ok }) });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      const idle = [...this.#slots].find((s) => s.gen === this.#gen && s.ready && s.job === undefined);
      if (idle === undefined) break;
      this.#assign(idle, this.#queue.shift() as Job);
    }
    const current = [...this.#slots].filter((s) => s.gen === this.#gen);
    const starting = current.filter((s) => !s.ready).length;
    if (this.#queue.length > starting && current.length < this.#opts.workers && !this.#closed) {
      this.#spawn(this.#files, this.#gen, false);
    }
  }

  #assign(slot: Slot, job: Job): void {
    slot.job = job;
    slot.jobId = this.#nextId++;
    slot.timer = setTimeout(() => {
      this.#log(`Rules evaluation for ${job.action.id} ran longer than ${this.#opts.runawayMs} ms; terminating its worker`);
      this.#finish(slot, null, false);
      void this.#kill(slot);
    }, this.#opts.runawayMs + KILL_GRACE_MS);
    slot.worker.postMessage({ type: 'run', id: slot.jobId, kind: job.kind, action: job.action, subject: job.subject });
  }

  #finish(slot: Slot, value: string | null, ok: boolean): void {
    const job = slot.job;
    if (slot.timer !== undefined) clearTimeout(slot.timer);
    slot.job = undefined;
    slot.timer = undefined;
    job?.done(value, ok);
  }

  #spawn(files: readonly SourceFile[], gen: number, logLoad: boolean): Slot {
    const init: WorkerInit = {
      files: files.map((f) => ({ path: f.path, content: f.content })), runawayMs: this.#opts.runawayMs,
      memoryLimitBytes: this.#opts.memoryLimitBytes, spawnTimeoutMs: this.#opts.spawnTimeoutMs, logLoad,
    };
    const worker = new Worker(new URL('./rules-worker.js', import.meta.url), {
      workerData: init, resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    const slot: Slot = { worker, gen, ready: false, jobId: 0 };
    this.#slots.add(slot);
    worker.on('message', (m: unknown) => this.#onMessage(slot, m));
    worker.on('error', (e: Error) => this.#log(`Rules worker failed: ${e.message}`));
    worker.on('exit', () => this.#onExit(slot));
    return slot;
  }

  #onMessage(slot: Slot, m: unknown): void {
    const msg = parseFromWorker(m);
    if (msg === undefined) { this.#log('Rules worker sent a malformed message; terminating it'); void this.#kill(slot); return; }
    if (msg.type === 'log') { this.#log(msg.msg); return; }
    if (msg.type === 'ready') { slot.ready = true; this.#dispatch(); return; }
    if (slot.job === undefined || msg.id !== slot.jobId) return;
    this.#finish(slot, msg.value, msg.ok);
    if (msg.retire || slot.gen !== this.#gen) void this.#kill(slot);
    else this.#dispatch();
  }

  #onExit(slot: Slot): void {
    const had = this.#slots.delete(slot);
    if (slot.job !== undefined) this.#finish(slot, null, false);
    if (had && !this.#closed) this.#dispatch();
    if (had && !this.#closed && slot.gen === this.#gen && ![...this.#slots].some((s) => s.gen === this.#gen)) {
      this.#spawn(this.#files, this.#gen, false); // keep one warm worker with the rules loaded
    }
  }

  async #kill(slot: Slot): Promise<void> {
    this.#slots.delete(slot);
    if (slot.job !== undefined) this.#finish(slot, null, false);
    await slot.worker.terminate();
    if (!this.#closed && slot.gen === this.#gen && ![...this.#slots].some((s) => s.gen === this.#gen)) {
      this.#spawn(this.#files, this.#gen, false);
    }
  }
}
