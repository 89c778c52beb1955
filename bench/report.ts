// Turns two daemon runs into the printed table, the ratios (second/first) and the
// target checks of issue 2. Pure: no I/O.
import type { DaemonRun } from './daemon-run.js';
import type { Measurement } from './driver.js';
import type { ScenarioId } from './scenarios.js';

/** A load generator above this share of one core may be what limits a row. */
export const CLIENT_BOUND_PERCENT = 90;

export interface Ratios {
  readonly callsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
}

export interface Targets {
  /** at least 2x the baseline's throughput where rules run (1 and N callers) */
  readonly rulesThroughput2x: boolean;
  /** p99 no worse than the baseline's in every authority scenario */
  readonly p99NoWorse: boolean;
  /** candidate's RSS growth over the memory run, KiB */
  readonly candidateGrowthKiB: number;
  readonly candidateMemoryCalls: number;
}

const AUTHORITY_ROWS: readonly ScenarioId[] = ['root-subject', 'rules-seq', 'rules-concurrent', 'self-check'];
const ALL_ROWS: readonly ScenarioId[] = [...AUTHORITY_ROWS, 'bus-ceiling'];

export function ratios(a: Measurement, b: Measurement): Ratios {
  return { callsPerSecond: b.callsPerSecond / a.callsPerSecond, p50: b.latency.p50Ms / a.latency.p50Ms, p99: b.latency.p99Ms / a.latency.p99Ms };
}

export function targets(runs: readonly [DaemonRun, DaemonRun]): Targets {
  const [a, b] = runs;
  const r = (id: ScenarioId): Ratios | null => {
    const x = a.scenarios[id];
    const y = b.scenarios[id];
    return x && y ? ratios(x, y) : null;
  };
  const rules = (['rules-seq', 'rules-concurrent'] as const).map(r);
  const all = AUTHORITY_ROWS.map(r);
  return {
    rulesThroughput2x: rules.every((x) => x !== null && x.callsPerSecond >= 2),
    p99NoWorse: all.every((x) => x !== null && x.p99 <= 1),
    candidateGrowthKiB: b.memoryRun.rssAfterKiB - b.memoryRun.rssBeforeKiB,
    candidateMemoryCalls: b.memoryRun.calls,
  };
}

const num = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '-');
const mib = (kib: number): string => `${num(kib / 1024, 1)} MiB`;
const times = (v: number): string => (Number.isFinite(v) ? `x${v.toFixed(2)}` : '-');
const pad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const padEnd = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

function answers(m: Measurement): string {
  return Object.entries(m.answers).map(([k, v]) => (Object.keys(m.answers).length > 1 ? `${k}:${v}` : k)).join(' ') || '-';
}

function clientMark(m: Measurement): string {
  return m.cpuPercent.client >= CLIENT_BOUND_PERCENT ? '*' : ' ';
}

function row(label: string, m: Measurement): string {
  const cpu = `${num(m.cpuPercent.daemon, 0)}/${num(m.cpuPercent.bus, 0)}/${num(m.cpuPercent.client, 0)}${clientMark(m)}`;
  return `  ${padEnd(label, 26)}${pad(num(m.callsPerSecond, 1), 10)}${pad(num(m.latency.p50Ms, 2), 9)}${pad(num(m.latency.p99Ms, 2), 9)}`
    + `${pad(num(m.latency.maxMs, 2), 9)}${pad(String(m.errors), 8)}${pad(String(m.calls), 9)}  ${padEnd(answers(m), 12)}${pad(cpu, 13)}`;
}

function ratioRow(label: string, r: Ratios): string {
  return `  ${padEnd(label, 26)}${pad(times(r.callsPerSecond), 10)}${pad(times(r.p50), 9)}${pad(times(r.p99), 9)}`;
}

function scenarioLines(runs: readonly [DaemonRun, DaemonRun], labels: readonly [string, string], titles: ReadonlyMap<ScenarioId, string>): string[] {
  const out = [`  ${padEnd('scenario / daemon', 26)}${pad('calls/s', 10)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('max ms', 9)}${pad('errors', 8)}${pad('calls', 9)}  ${padEnd('answers', 12)}${pad('CPU% d/bus/cl', 13)}`];
  for (const id of ALL_ROWS) {
    const a = runs[0].scenarios[id];
    const b = runs[1].scenarios[id];
    if (!a || !b) continue;
    out.push(titles.get(id) ?? id, row(labels[0], a), row(labels[1], b), ratioRow(`ratio ${labels[1]}/${labels[0]}`, ratios(a, b)));
  }
  return out;
}

function memoryLines(runs: readonly [DaemonRun, DaemonRun], labels: readonly [string, string], memoryTitle: string): string[] {
  const head = `  ${padEnd('memory / daemon', 26)}${pad('at start', 11)}${pad('run before', 12)}${pad('run after', 11)}${pad('growth', 11)}${pad('calls', 9)}${pad('calls/s', 9)}${pad('errors', 8)}${pad('peak RSS', 11)}${pad('threads', 8)}`;
  const line = (label: string, r: DaemonRun): string => {
    const m = r.memoryRun;
    return `  ${padEnd(label, 26)}${pad(mib(r.startRssKiB), 11)}${pad(mib(m.rssBeforeKiB), 12)}${pad(mib(m.rssAfterKiB), 11)}`
      + `${pad(`${m.rssAfterKiB - m.rssBeforeKiB} KiB`, 11)}${pad(String(m.calls), 9)}${pad(num(m.callsPerSecond, 1), 9)}${pad(String(m.errors), 8)}${pad(mib(r.peakKiB), 11)}${pad(String(r.threads), 8)}`;
  };
  return [memoryTitle, head, line(labels[0], runs[0]), line(labels[1], runs[1]),
    `  ${padEnd(`ratio ${labels[1]}/${labels[0]} peak RSS`, 26)}${pad(times(runs[1].peakKiB / runs[0].peakKiB), 11)}`];
}

export interface ReportInput {
  readonly header: readonly string[];
  readonly runs: readonly [DaemonRun, DaemonRun];
  readonly labels: readonly [string, string];
  readonly titles: ReadonlyMap<ScenarioId, string>;
  readonly memoryTitle: string;
  readonly notes: readonly string[];
}

/** The whole printed report. */
export function formatReport(r: ReportInput): string {
  return [...r.header, '', ...scenarioLines(r.runs, r.labels, r.titles), '', ...memoryLines(r.runs, r.labels, r.memoryTitle), '', ...r.notes].join('\n');
}
