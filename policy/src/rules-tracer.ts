// Runs .rules files the way RulesEngine does, in one worker in tracing mode, and
// reports for each request every rule function that ran (file:line of its
// definition, its return value or its error), the file loads, and the decision the
// daemon would take. For `trustpath explain`; the daemon does not use it.

import { Worker } from 'node:worker_threads';
import type { ImplicitAuthorization, SourceFile } from './actions.js';
import { DEFAULT_MEMORY_LIMIT, DEFAULT_RUNAWAY_MS } from './rules-engine.js';
import { parseFromWorker, SPAWN_TIMEOUT_MS, type RulesAction, type RulesSubject, type WorkerInit } from './rules-protocol.js';
import { validateRequest } from './rules-request.js';
import { adminResult, rulesResult } from './rules-results.js';
import { parseTraceFromWorker, type FileLoad, type StepRecord } from './rules-trace-protocol.js';

export type { FileLoad } from './rules-trace-protocol.js';

export interface RulesTracerOptions {
  readonly files: readonly SourceFile[];
  /** Log lines that belong to no traced request (load time). */
  readonly log: (msg: string) => void;
  readonly runawayMs?: number;
  readonly memoryLimitBytes?: number;
  readonly spawnTimeoutMs?: number;
}

export interface RuleStep {
  readonly index: number;
  readonly file: string;
  readonly line: number;
  /** Ran after the deciding rule (only with `all`); it does not count. */
  readonly extra: boolean;
  outcome: 'returned' | 'threw' | 'runaway' | 'terminated';
  returned?: { readonly type: string; readonly text: string; readonly truthy: boolean };
  error?: string;
  readonly logs: string[];
}

export interface RulesTrace {
  readonly kind: 'rules' | 'admin';
  readonly steps: RuleStep[];
  /** False when a rule threw, ran away, or the request could not run. */
  ok: boolean;
  /** What the worker answered (the rule's value as a string, or the joined admin list). */
  value: string | null;
  error?: string;
  runaway: boolean;
  /** Index in `steps` of the rule that decided (first truthy return) or failed. */
  decidedBy?: number;
  /** Log lines of this request not written inside a rule, and the daemon-side checks. */
  readonly logs: string[];
}
export interface TracedRules extends RulesTrace { readonly result: ImplicitAuthorization | null }
export interface TracedAdmin extends RulesTrace { readonly identities: string[] }

/**
 * The interpreter stops a runaway rule itself at runawayMs; the thread is terminated
 * only if it is still busy KILL_GRACE_MS later (stuck in a host call such as spawn).
 * The count starts when the worker reports that it began (its own deadline starts
 * then too), so a slow machine cannot make a worker look stuck before it ran; a
 * request that never begins is given up after START_GRACE_MS.
 */
const KILL_GRACE_MS = 3000;
const START_GRACE_MS = 30_000;

interface Pending {
  readonly id: number; readonly trace: RulesTrace; readonly done: () => void; timer: NodeJS.Timeout; begun: boolean;
}

export class RulesTracer {
  readonly #opts: Required<Omit<RulesTracerOptions, 'files' | 'log'>>;
  readonly #files: readonly SourceFile[];
  readonly #log: (msg: string) => void;
  #worker: Worker | undefined;
  #ready: Promise<void> | undefined;
  #loads: FileLoad[] = [];
  #pending: Pending | undefined;
  #nextId = 1;

  private constructor(opts: RulesTracerOptions) {
    this.#files = opts.files;
    this.#log = opts.log;
    this.#opts = {
      runawayMs: opts.runawayMs ?? DEFAULT_RUNAWAY_MS, memoryLimitBytes: opts.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT,
      spawnTimeoutMs: opts.spawnTimeoutMs ?? SPAWN_TIMEOUT_MS,
    };
  }

  static async start(opts: RulesTracerOptions): Promise<RulesTracer> {
    const tracer = new RulesTracer(opts);
    await tracer.#ensureWorker();
    return tracer;
  }

  /** What each file did when it was loaded (first load). */
  get loads(): readonly FileLoad[] { return this.#loads; }
  get runawayMs(): number { return this.#opts.runawayMs; }

  /** Runs the rules as RulesEngine.runRules would, recording every rule; `all` also runs the rest. */
  async traceRules(action: RulesAction, subject: RulesSubject, all = false): Promise<TracedRules> {
    const t = await this.#trace('rules', action, subject, all);
    return { ...t, result: rulesResult(t.value, t.ok, (m) => t.logs.push(m)) };
  }

  /** Runs the admin rules as RulesEngine.runAdminRules would. */
  async traceAdminRules(action: RulesAction, subject: RulesSubject): Promise<TracedAdmin> {
    const t = await this.#trace('admin', action, subject, false);
    return { ...t, identities: adminResult(t.value, t.ok, (m) => t.logs.push(m)) };
  }

  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    if (w !== undefined) await w.terminate();
  }

  async #trace(kind: 'rules' | 'admin', action: RulesAction, subject: RulesSubject, all: boolean): Promise<RulesTrace> {
    const trace: RulesTrace = { kind, steps: [], ok: false, value: null, runaway: false, logs: [] };
    const problem = validateRequest(action, subject);
    if (problem !== undefined) return { ...trace, error: `Not running rules: ${problem}` };
    if (this.#pending !== undefined) throw new Error('RulesTracer runs one request at a time');
    try {
      await this.#ensureWorker();
    } catch (e) {
      return { ...trace, error: e instanceof Error ? e.message : String(e) };
    }
    const id = this.#nextId++;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#overran(), this.#opts.runawayMs + START_GRACE_MS);
      this.#pending = { id, trace, done: resolve, timer, begun: false };
      this.#worker?.postMessage({ type: 'trace', id, kind, action, subject, all });
    });
    trace.decidedBy = decidingStep(trace);
    return trace;
  }

  #ensureWorker(): Promise<void> {
    if (this.#worker !== undefined && this.#ready !== undefined) return this.#ready;
    const init: WorkerInit = {
      files: this.#files.map((f) => ({ path: f.path, content: f.content })), runawayMs: this.#opts.runawayMs,
      memoryLimitBytes: this.#opts.memoryLimitBytes, spawnTimeoutMs: this.#opts.spawnTimeoutMs,
      logLoad: this.#loads.length === 0, trace: true,
    };
    const worker = new Worker(new URL('./rules-worker.js', import.meta.url), {
      workerData: init, resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    this.#worker = worker;
    this.#ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: unknown) => { if (this.#onMessage(worker, m)) resolve(); });
      worker.on('error', (e: Error) => this.#log(`Rules worker failed: ${e.message}`));
      worker.once('exit', () => {
        if (this.#worker === worker) this.#worker = undefined;
        this.#finish(false, null, 'the rules worker exited', false);
        reject(new Error('Rules worker exited while loading rules'));
      });
    });
    return this.#ready;
  }

  /** Returns true when the worker says it is ready. */
  #onMessage(worker: Worker, m: unknown): boolean {
    const t = parseTraceFromWorker(m);
    if (t?.type === 'loads') { if (this.#loads.length === 0) this.#loads = t.files; return false; }
    if (t?.type === 'step') { if (t.id === this.#pending?.id) this.#step(this.#pending, t.step); return false; }
    if (t?.type === 'trace-result') {
      if (t.id === this.#pending?.id) this.#finish(t.ok, t.value, t.error, t.runaway);
      if (/out of memory/i.test(t.error)) this.#retire(worker);
      return false;
    }
    const msg = parseFromWorker(m);
    if (msg?.type === 'ready') return true;
    if (msg?.type === 'log') { this.#logLine(msg.msg); return false; }
    this.#log('Rules worker sent a malformed message; terminating it');
    this.#retire(worker);
    return false;
  }

  #step(p: Pending, rec: StepRecord): void {
    if (!p.begun) {
      p.begun = true;
      clearTimeout(p.timer);
      p.timer = setTimeout(() => this.#overran(), this.#opts.runawayMs + KILL_GRACE_MS);
    }
    applyStep(p.trace, rec);
  }

  #logLine(msg: string): void {
    const trace = this.#pending?.trace;
    if (trace === undefined) { this.#log(msg); return; }
    const last = trace.steps[trace.steps.length - 1];
    if (last !== undefined && last.returned === undefined) last.logs.push(msg);
    else trace.logs.push(msg);
  }

  #overran(): void {
    const open = this.#pending?.trace.steps.find((s) => s.returned === undefined && s.error === undefined);
    if (open !== undefined) open.outcome = 'terminated';
    const ms = this.#opts.runawayMs + (this.#pending?.begun === true ? KILL_GRACE_MS : START_GRACE_MS);
    this.#finish(false, null, `still running ${ms} ms after the rules started; worker terminated`, true);
    if (this.#worker !== undefined) this.#retire(this.#worker);
  }

  /** A worker that overran or ran out of memory is replaced on the next request. */
  #retire(worker: Worker): void {
    if (this.#worker === worker) this.#worker = undefined;
    void worker.terminate();
  }

  #finish(ok: boolean, value: string | null, error: string, runaway: boolean): void {
    const p = this.#pending;
    if (p === undefined) return;
    this.#pending = undefined;
    clearTimeout(p.timer);
    Object.assign(p.trace, { ok, value, runaway: p.trace.runaway || runaway }, ok ? {} : { error });
    const open = p.trace.steps.find((s) => s.returned === undefined && s.error === undefined && !s.extra);
    if (open !== undefined && !ok) {
      if (open.outcome !== 'terminated') open.outcome = runaway ? 'runaway' : 'threw';
      open.error = error;
    }
    p.done();
  }
}

/** @private */
function applyStep(trace: RulesTrace, rec: StepRecord): void {
  if (trace.steps.length >= 100_000) return;
  if (rec.ev === 'start') {
    trace.steps.push({ index: rec.i, file: rec.file, line: rec.line, extra: rec.extra, outcome: 'returned', logs: [] });
    return;
  }
  const step = [...trace.steps].reverse().find((s) => s.index === rec.i);
  if (step === undefined) return;
  if (rec.ev === 'return') step.returned = { type: rec.type, text: rec.text, truthy: rec.truthy };
  else { step.outcome = 'threw'; step.error = rec.text; }
}

/** @private The rule whose return decided, or the one that failed; undefined when none did. */
function decidingStep(trace: RulesTrace): number | undefined {
  const i = trace.steps.findIndex((s) => !s.extra && (s.returned?.truthy === true || s.returned === undefined));
  return i < 0 ? undefined : i;
}
