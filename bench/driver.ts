// Runs one measured load: forks a load generator (optionally as another user), lets it
// warm up, then starts the measured phase while sampling the daemon and the bus daemon
// from /proc (CPU time, resident memory). Returns the figures of that one run.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseFromLoadgen, type FromLoadgen, type LoadConfig, type LoadResult } from './loadgen-protocol.js';
import { cpuTicks, memory, TICKS_PER_SECOND } from './proc-stats.js';
import { summarise, type LatencySummary } from './stats.js';

const LOADGEN = fileURLToPath(new URL('./loadgen.js', import.meta.url));
/** Slack on top of the warm-up and measuring limits before a load generator is killed. */
const SLACK_MS = 60_000;
/** setTimeout's largest delay */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RunSpec {
  readonly config: LoadConfig;
  /** run the load generator as this user instead of root */
  readonly user?: { readonly uid: number; readonly gid: number };
  readonly daemonPid: number;
  readonly busPid: number;
  /** sample the daemon's RSS this often during the measured phase */
  readonly rssEveryMs?: number;
}

export interface Measurement extends Pick<LoadResult, 'calls' | 'errors' | 'errorSamples' | 'answers'> {
  readonly callsPerSecond: number;
  readonly latency: LatencySummary;
  /** CPU use over the measured phase, percent of one core */
  readonly cpuPercent: { readonly daemon: number; readonly bus: number; readonly client: number };
  readonly rssBeforeKiB: number;
  readonly rssAfterKiB: number;
  readonly rssSamplesKiB: readonly number[];
}

class LoadgenChannel {
  private readonly queue: FromLoadgen[] = [];
  private waiter: ((m: FromLoadgen) => void) | null = null;
  private failure: Error | null = null;
  private failWaiter: ((e: Error) => void) | null = null;
  private stderr = '';

  constructor(readonly child: ChildProcess) {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (c: string) => { this.stderr = (this.stderr + c).slice(-8192); });
    child.on('message', (m: unknown) => {
      try {
        this.deliver(parseFromLoadgen(m));
      } catch (e) {
        this.abort(e as Error);
      }
    });
    child.on('exit', (code, signal) => this.abort(new Error(`load generator exited (${code ?? signal}) early: ${this.stderr}`)));
  }

  private deliver(m: FromLoadgen): void {
    if (m.type === 'failed') return this.abort(new Error(`load generator failed: ${m.message}`));
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      this.failWaiter = null;
      w(m);
    } else {
      this.queue.push(m);
    }
  }

  abort(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.failWaiter?.(e);
  }

  next(timeoutMs: number): Promise<FromLoadgen> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => this.abort(new Error(`load generator gave no answer in ${timeoutMs} ms`)), timeoutMs);
      this.waiter = (m) => { clearTimeout(t); resolve(m); };
      this.failWaiter = (e) => { clearTimeout(t); reject(e); };
    });
  }
}

function startLoadgen(spec: RunSpec): LoadgenChannel {
  const child = fork(LOADGEN, [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/', LANG: 'C.UTF-8' },
    ...(spec.user ? { uid: spec.user.uid, gid: spec.user.gid } : {}),
  });
  return new LoadgenChannel(child);
}

async function expect<T extends FromLoadgen['type']>(ch: LoadgenChannel, type: T, timeoutMs: number): Promise<Extract<FromLoadgen, { type: T }>> {
  const m = await ch.next(timeoutMs);
  if (m.type !== type) throw new Error(`load generator sent ${m.type}, expected ${type}`);
  return m as Extract<FromLoadgen, { type: T }>;
}

function percentOfCore(ticks: number, wallMs: number): number {
  return wallMs > 0 ? (ticks / TICKS_PER_SECOND) * 1000 / wallMs * 100 : NaN;
}

/** One load generator's run, before it is merged with other slices of the same scenario. */
export interface Slice {
  readonly result: LoadResult;
  readonly ticks: { readonly daemon: number; readonly bus: number };
  readonly rss: readonly number[];
}

function mergeAnswers(slices: readonly Slice[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of slices) for (const [k, v] of Object.entries(s.result.answers)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Merges the slices of one scenario on one daemon: sums, all latencies, RSS in order. */
export function combine(slices: readonly Slice[]): Measurement {
  const sum = (f: (s: Slice) => number): number => slices.reduce((n, s) => n + f(s), 0);
  const wallMs = sum((s) => s.result.wallMs);
  const calls = sum((s) => s.result.calls);
  const rss = slices.flatMap((s) => s.rss);
  return {
    calls,
    callsPerSecond: wallMs > 0 ? calls / (wallMs / 1000) : NaN,
    latency: summarise(concat(slices.map((s) => s.result.latenciesMs))),
    errors: sum((s) => s.result.errors),
    errorSamples: slices.flatMap((s) => s.result.errorSamples).slice(0, 5),
    answers: mergeAnswers(slices),
    cpuPercent: {
      daemon: percentOfCore(sum((s) => s.ticks.daemon), wallMs),
      bus: percentOfCore(sum((s) => s.ticks.bus), wallMs),
      client: wallMs > 0 ? sum((s) => s.result.cpuMs) / wallMs * 100 : NaN,
    },
    rssBeforeKiB: rss[0] ?? NaN,
    rssAfterKiB: rss[rss.length - 1] ?? NaN,
    rssSamplesKiB: rss,
  };
}

/** Runs one load generator against a running daemon and measures it. */
export async function runLoad(spec: RunSpec): Promise<Slice> {
  const ch = startLoadgen(spec);
  const { warmup, measure } = spec.config;
  try {
    ch.child.send({ type: 'config', config: spec.config });
    await expect(ch, 'ready', Math.min(MAX_TIMER_MS, warmup.ms + SLACK_MS));
    const rss = [memory(spec.daemonPid).rssKiB];
    const t0 = { daemon: cpuTicks(spec.daemonPid), bus: cpuTicks(spec.busPid) };
    const sampler = setInterval(() => {
      try {
        rss.push(memory(spec.daemonPid).rssKiB);
      } catch {
        ch.abort(new Error(`the daemon (pid ${spec.daemonPid}) exited during the run`));
      }
    }, spec.rssEveryMs ?? 1000);
    ch.child.send({ type: 'go' });
    const { result } = await expect(ch, 'result', Math.min(MAX_TIMER_MS, measure.ms + SLACK_MS)).finally(() => clearInterval(sampler));
    rss.push(memory(spec.daemonPid).rssKiB);
    const ticks = { daemon: cpuTicks(spec.daemonPid) - t0.daemon, bus: cpuTicks(spec.busPid) - t0.bus };
    return { result, ticks, rss };
  } finally {
    ch.child.removeAllListeners('exit');
    if (ch.child.exitCode === null) ch.child.kill('SIGKILL');
  }
}
