// `npm run bench`: CheckAuthorization throughput, latency and memory of Debian's polkitd
// and trustpathd, measured in the same run with the same actions, rules and subjects.
// Each daemon gets its own private dbus-daemon and runs alone (the machine has few
// cores); load comes from separate processes. Prints a table, writes JSON.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ensureTestUser } from '../test/support/users.js';
import { benchDaemons } from './daemon-run.js';
import { parseOptions, USAGE, UNLIMITED, type BenchOptions } from './options.js';
import { formatReport, targets } from './report.js';
import { notes } from './notes.js';
import { scenarios, type ScenarioId } from './scenarios.js';

/** The non-root test user: owner of the non-root subject and of the self-checking caller. */
const BENCH_USER = 'tptbench';

function quiet(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function environment(): Record<string, string> {
  const dirty = quiet('git', ['status', '--porcelain', '--', 'agent', 'policy']) !== '' ? ' (agent/policy modified)' : '';
  return {
    date: new Date().toISOString(),
    cpus: String(cpus().length),
    node: process.version,
    polkitd: quiet('dpkg-query', ['-W', '-f', '${Version}', 'polkitd']),
    commit: quiet('git', ['rev-parse', '--short', 'HEAD']) + dirty,
    loadBefore: loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

function limitText(calls: number, ms: number): string {
  return calls >= UNLIMITED ? `${ms} ms` : `${ms} ms or ${calls} calls per caller and round`;
}

function header(o: BenchOptions, env: Record<string, string>): string[] {
  return [
    `CheckAuthorization benchmark — ${env.date}, ${env.cpus} CPUs, node ${env.node}, polkitd ${env.polkitd}, trustpath commit ${env.commit}`,
    `action ${o.action}; each scenario: warm-up ${limitText(o.warmup.calls, o.warmup.ms)}, then ${limitText(o.measure.calls, o.measure.ms)},`,
    `in ${o.rounds} rounds that alternate between the daemons (times are split over the rounds, call limits are per round).`,
    'Each daemon has its own private dbus-daemon; load generators are separate processes (dbus-next), a fresh one',
    'per round, one bus connection per caller, one call in flight each. Ratios are candidate/baseline: calls/s higher is',
    'better, latency and memory lower is better. CPU% is of one core over the measured phase: daemon/bus/client.',
    `Load average (1/5/15 min) before: ${env.loadBefore}; after: ${env.loadAfter ?? '-'}. Other load on the machine moves every figure.`,
  ];
}

function labelsOf(o: BenchOptions): [string, string] {
  const [a, b] = o.daemons;
  return a === b ? [a, `${b} #2`] : [a, b];
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  if (o === 'help') return void console.log(USAGE);
  if (process.getuid?.() !== 0) throw new Error('the bench runs as root (it starts polkitd and runs a caller as a test user)');
  const env = environment();
  const user = ensureTestUser(BENCH_USER, randomBytes(12).toString('hex'));
  const progress = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
  const runs = await benchDaemons(o.daemons, o, user, progress);
  if (runs.length !== 2) throw new Error('expected two daemon runs');
  const pair = [runs[0]!, runs[1]!] as const;
  env.loadAfter = loadavg().map((l) => l.toFixed(2)).join(' ');
  const labels = labelsOf(o);
  const titles = new Map<ScenarioId, string>(scenarios(o, { address: '', userSubject: { pid: 1, uid: 0 } }).map((s) => [s.id, s.title]));
  const memoryTitle = `memory run: ${o.memoryCalls} calls, non-root subject (rules run), ${o.concurrency} callers`
    + `${o.baselineMemoryCapMs < UNLIMITED ? ` (${labelsOf(o)[0]}: at most ${o.baselineMemoryCapMs / 1000} s)` : ''}`;
  console.log(formatReport({ header: header(o, env), runs: pair, labels, titles, memoryTitle, notes: notes(pair, labels, o.concurrency) }));
  mkdirSync(dirname(o.jsonPath), { recursive: true });
  writeFileSync(o.jsonPath, `${JSON.stringify({ environment: env, options: o, labels, runs: pair, targets: targets(pair) }, null, 2)}\n`);
  progress(`results written to ${o.jsonPath}`);
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
