// The sentences under the table: whether the load generator could have been the
// bottleneck, errors, differing answers, how each daemon scales, the issue's targets.
import type { DaemonRun } from './daemon-run.js';
import type { Measurement } from './driver.js';
import { CLIENT_BOUND_PERCENT, targets } from './report.js';

function measurements(r: DaemonRun): Measurement[] {
  return [...Object.values(r.scenarios), r.memoryRun];
}

function clientNote(runs: readonly DaemonRun[]): string {
  // The ceiling row saturates the client on purpose; it is not an authority row.
  const all = runs.flatMap(measurements).filter((m) => m.calls > 0 && m.answers.ok === undefined);
  const max = Math.max(...all.map((m) => m.cpuPercent.client));
  if (max < CLIENT_BOUND_PERCENT) {
    return `client: the load generator used at most ${max.toFixed(0)}% of one core in any row (limit ${CLIENT_BOUND_PERCENT}%): it was not the bottleneck.`;
  }
  return `client: rows marked * had the load generator at ${CLIENT_BOUND_PERCENT}% of a core or more; their throughput is a lower bound (compare the client+bus ceiling row).`;
}

function ceilingNote(runs: readonly DaemonRun[]): string {
  const c = runs.map((r) => r.scenarios['bus-ceiling']?.callsPerSecond ?? NaN);
  const best = Math.max(...c.filter((x) => Number.isFinite(x)));
  return `ceiling: one load generator process with its bus gets up to ${best.toFixed(0)} calls/s of the bus daemon's GetId; an authority row near that is limited by the client and bus, not the daemon.`;
}

function errorNotes(runs: readonly DaemonRun[], labels: readonly string[]): string[] {
  return runs.flatMap((r, i) => {
    const ms = measurements(r);
    const errors = ms.reduce((n, m) => n + m.errors, 0);
    const samples = [...new Set(ms.flatMap((m) => m.errorSamples))].slice(0, 3);
    return [`errors: ${labels[i]} ${errors}${samples.length ? ` (e.g. ${samples.join('; ')})` : ''}`];
  });
}

function answerNotes(runs: readonly [DaemonRun, DaemonRun]): string[] {
  const out: string[] = [];
  for (const [id, a] of Object.entries(runs[0].scenarios)) {
    const b = runs[1].scenarios[id as keyof DaemonRun['scenarios']];
    const keys = (m: Measurement): string => Object.keys(m.answers).sort().join(',');
    if (b && keys(a) !== keys(b)) out.push(`WARNING: answers differ in ${id}: ${keys(a)} vs ${keys(b)} (not the same work)`);
  }
  return out;
}

function scalingNote(r: DaemonRun, label: string, callers: number): string {
  const seq = r.scenarios['rules-seq'];
  const conc = r.scenarios['rules-concurrent'];
  if (!seq || !conc) return '';
  const gain = conc.callsPerSecond / seq.callsPerSecond;
  return `scaling: ${label} with ${callers} callers gives x${gain.toFixed(2)} the throughput of 1 caller `
    + `(daemon CPU ${conc.cpuPercent.daemon.toFixed(0)}% of one core, bus ${conc.cpuPercent.bus.toFixed(0)}%)`;
}

/** Daemon CPU time per call: less moved by other load on the machine than calls/s. */
function cpuPerCallNote(r: DaemonRun, label: string): string {
  const parts = Object.entries(r.scenarios)
    .filter(([id]) => id !== 'bus-ceiling')
    .map(([id, m]) => `${id} ${(m.cpuPercent.daemon * 10 / m.callsPerSecond).toFixed(2)}`);
  return `cpu/call: ${label} daemon CPU ms per call: ${parts.join(', ')}`;
}

/** At most `n` evenly spaced samples, first and last included. */
function spread(values: readonly number[], n: number): number[] {
  if (values.length <= n) return [...values];
  return Array.from({ length: n }, (_, i) => values[Math.round((i * (values.length - 1)) / (n - 1))] ?? NaN);
}

function memoryTrend(r: DaemonRun, label: string): string {
  const samples = r.memoryRun.rssSamplesKiB;
  const points = spread(samples, 10).map((k) => (k / 1024).toFixed(1));
  // Growth after the first tenth of the run: what is left once pools and workers are warm.
  const tenth = samples[Math.floor(samples.length / 10)] ?? NaN;
  const late = (samples[samples.length - 1] ?? NaN) - tenth;
  return `memory: ${label} RSS during the memory run, MiB, evenly spaced: ${points.join(' ')}; after its first tenth: ${late >= 0 ? '+' : ''}${late} KiB`;
}

function targetNotes(runs: readonly [DaemonRun, DaemonRun], labels: readonly [string, string]): string[] {
  const t = targets(runs);
  const yes = (b: boolean): string => (b ? 'met' : 'NOT met');
  return [
    `target: ${labels[1]} >= 2x ${labels[0]} throughput where rules run (1 and N callers): ${yes(t.rulesThroughput2x)}`,
    `target: ${labels[1]} p99 no worse than ${labels[0]} in every authority row: ${yes(t.p99NoWorse)}`,
    `target: memory flat: ${labels[1]} RSS grew ${t.candidateGrowthKiB} KiB over ${t.candidateMemoryCalls} calls`,
  ];
}

/** Every note line, in print order. */
export function notes(runs: readonly [DaemonRun, DaemonRun], labels: readonly [string, string], callers: number): string[] {
  return [
    clientNote(runs),
    ceilingNote(runs),
    ...errorNotes(runs, labels),
    ...answerNotes(runs),
    ...runs.map((r, i) => scalingNote(r, labels[i] ?? r.kind, callers)).filter((s) => s),
    ...runs.map((r, i) => cpuPerCallNote(r, labels[i] ?? r.kind)),
    ...runs.map((r, i) => memoryTrend(r, labels[i] ?? r.kind)),
    ...targetNotes(runs, labels),
  ];
}
