// What the bench measures, the same for every daemon. Subjects: a root process (the
// load generator itself), a process of a non-root test user (rules run for it), and a
// load generator running as that user that checks its own process.
import type { Limit, LoadConfig } from './loadgen-protocol.js';
import type { BenchOptions } from './options.js';

export const SCENARIO_IDS = ['root-subject', 'rules-seq', 'rules-concurrent', 'self-check', 'bus-ceiling'] as const;
export type ScenarioId = typeof SCENARIO_IDS[number];

export interface Scenario {
  readonly id: ScenarioId;
  readonly title: string;
  /** run the load generator as the non-root test user */
  readonly asTestUser: boolean;
  readonly config: LoadConfig;
}

export interface ScenarioContext {
  readonly address: string;
  /** a live process of the test user: the non-root subject */
  readonly userSubject: { readonly pid: number; readonly uid: number };
}

/** One round's share of a time limit; a call limit applies to each round. */
function perRound(l: Limit, rounds: number): Limit {
  return { calls: l.calls, ms: Math.ceil(l.ms / rounds) };
}

function base(o: BenchOptions, ctx: ScenarioContext): Omit<LoadConfig, 'callers' | 'subject' | 'method'> {
  return { address: ctx.address, action: o.action, warmup: perRound(o.warmup, o.rounds), measure: perRound(o.measure, o.rounds) };
}

/** The scenarios in the order they run and print. */
export function scenarios(o: BenchOptions, ctx: ScenarioContext): Scenario[] {
  const b = base(o, ctx);
  const n = o.concurrency;
  return [
    { id: 'root-subject', title: 'root subject, root caller, 1 caller', asTestUser: false,
      config: { ...b, method: 'check', callers: 1, subject: 'self' } },
    { id: 'rules-seq', title: 'non-root subject (rules run), 1 caller', asTestUser: false,
      config: { ...b, method: 'check', callers: 1, subject: ctx.userSubject } },
    { id: 'rules-concurrent', title: `non-root subject (rules run), ${n} callers`, asTestUser: false,
      config: { ...b, method: 'check', callers: n, subject: ctx.userSubject } },
    { id: 'self-check', title: 'non-root caller checks itself, 1 caller', asTestUser: true,
      config: { ...b, method: 'check', callers: 1, subject: 'self' } },
    { id: 'bus-ceiling', title: `client+bus ceiling (GetId to dbus-daemon), ${n} callers`, asTestUser: false,
      config: { ...b, method: 'bus-ceiling', callers: n, subject: 'self' } },
  ];
}

/** The candidate's memory run makes every call unless it is slower than this (stuck). */
export const CANDIDATE_MEMORY_CAP_MS = 600_000;

/** The memory run: the concurrent rules scenario for a fixed number of calls, no warm-up. */
export function memoryRun(o: BenchOptions, ctx: ScenarioContext, role: 'baseline' | 'candidate'): LoadConfig {
  return {
    ...base(o, ctx), method: 'check', callers: o.concurrency, subject: ctx.userSubject,
    warmup: { calls: 0, ms: 0 },
    measure: { calls: Math.ceil(o.memoryCalls / o.concurrency), ms: role === 'baseline' ? o.baselineMemoryCapMs : CANDIDATE_MEMORY_CAP_MS },
  };
}
