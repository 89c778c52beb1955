// Messages between the bench (parent) and a load generator (child process), over
// node's IPC channel with structured-clone serialization. Both sides check what they
// receive; anything unexpected ends the run.

/** Stop after `calls` per caller or after `ms`, whichever comes first. */
export interface Limit {
  readonly calls: number;
  readonly ms: number;
}

export type LoadMethod =
  /** CheckAuthorization on org.freedesktop.PolicyKit1 */
  | 'check'
  /** org.freedesktop.DBus.GetId on the bus daemon: the client + bus ceiling */
  | 'bus-ceiling';

export interface LoadConfig {
  readonly address: string;
  /** concurrent callers, each on its own bus connection, one call in flight each */
  readonly callers: number;
  readonly method: LoadMethod;
  /** subject process: 'self' = the load generator's own pid and uid */
  readonly subject: 'self' | { readonly pid: number; readonly uid: number };
  readonly action: string;
  readonly warmup: Limit;
  readonly measure: Limit;
}

export interface LoadResult {
  readonly calls: number;
  readonly wallMs: number;
  /** CPU time of the load generator (user + system) during the measured phase */
  readonly cpuMs: number;
  /** one latency per successful or failed call, milliseconds */
  readonly latenciesMs: Float64Array;
  readonly errors: number;
  readonly errorSamples: readonly string[];
  /** how many answers of each kind: authorized, challenge, denied, other */
  readonly answers: Readonly<Record<string, number>>;
}

export type ToLoadgen = { readonly type: 'config'; readonly config: LoadConfig } | { readonly type: 'go' };
export type FromLoadgen =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly result: LoadResult }
  | { readonly type: 'failed'; readonly message: string };

const MAX_CALLERS = 64;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isLimit(v: unknown): v is Limit {
  return isObject(v) && Number.isFinite(v.calls) && (v.calls as number) >= 0 && Number.isFinite(v.ms) && (v.ms as number) >= 0;
}

function isSubject(v: unknown): boolean {
  if (v === 'self') return true;
  return isObject(v) && Number.isInteger(v.pid) && (v.pid as number) > 0 && Number.isInteger(v.uid) && (v.uid as number) >= 0;
}

/** Checks a config message received by a load generator. */
export function parseConfig(v: unknown): LoadConfig {
  if (!isObject(v) || v.type !== 'config' || !isObject(v.config)) throw new Error('expected a config message');
  const c = v.config;
  const ok = typeof c.address === 'string' && c.address.startsWith('unix:')
    && Number.isInteger(c.callers) && (c.callers as number) >= 1 && (c.callers as number) <= MAX_CALLERS
    && (c.method === 'check' || c.method === 'bus-ceiling') && isSubject(c.subject)
    && typeof c.action === 'string' && c.action.length < 256 && isLimit(c.warmup) && isLimit(c.measure);
  if (!ok) throw new Error('malformed load generator config');
  return c as unknown as LoadConfig;
}

/** Checks a message received from a load generator. */
export function parseFromLoadgen(v: unknown): FromLoadgen {
  if (!isObject(v)) throw new Error('load generator sent a non-object');
  if (v.type === 'ready') return { type: 'ready' };
  if (v.type === 'failed' && typeof v.message === 'string') return { type: 'failed', message: v.message };
  if (v.type === 'result' && isObject(v.result)) {
    const r = v.result;
    if (Number.isInteger(r.calls) && Number.isFinite(r.wallMs) && Number.isFinite(r.cpuMs) && r.latenciesMs instanceof Float64Array
      && Number.isInteger(r.errors) && Array.isArray(r.errorSamples) && isObject(r.answers)) {
      return { type: 'result', result: r as unknown as LoadResult };
    }
  }
  throw new Error('load generator sent a malformed message');
}
