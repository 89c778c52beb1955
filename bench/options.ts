// Command-line options of `npm run bench` (node build/bench/authority-bench.js).
import { fileURLToPath } from 'node:url';
import type { AuthorityKind } from '../test/support/authority.js';
import type { Limit } from './loadgen-protocol.js';

/** "No limit" for a call count (finite so that it crosses the IPC channel as a number). */
export const UNLIMITED = Number.MAX_SAFE_INTEGER;

export interface BenchOptions {
  /** baseline first, candidate second; ratios are second/first */
  readonly daemons: readonly [AuthorityKind, AuthorityKind];
  readonly action: string;
  readonly concurrency: number;
  /** each scenario's measured time is split into this many slices, alternating between daemons */
  readonly rounds: number;
  /** per scenario: each caller stops at either limit */
  readonly warmup: Limit;
  readonly measure: Limit;
  /** the memory run: total calls (split over the concurrent callers) */
  readonly memoryCalls: number;
  /** the baseline's memory run stops here (polkitd needs many minutes for 100,000 calls) */
  readonly baselineMemoryCapMs: number;
  readonly jsonPath: string;
  readonly trustpathdArgs: readonly string[];
}

export const USAGE = `usage: npm run bench -- [options]
  --quick               short run (one to two minutes)
  --duration-ms N       measured time per scenario, over all its rounds (default 5000)
  --warmup-ms N         warm-up time per scenario, over all its rounds (default 1000)
  --calls N             at most N calls per caller per round (default: no limit)
  --warmup-calls N      at most N warm-up calls per caller per round (default: no limit)
  --memory-calls N      calls in the memory run (default 100000)
  --memory-cap-s N      stop the baseline's memory run after N seconds, 0 = never
                        (default 60; the candidate always makes every call)
  --concurrency N       concurrent callers (default 8)
  --rounds N            split each scenario into N slices that alternate between the
                        daemons, so that other load hits both alike (default 3)
  --action ID           action checked (default org.freedesktop.packagekit.package-install)
  --daemons A,B         baseline,candidate (default polkitd,trustpathd; polkitd,polkitd
                        measures the bench itself)
  --trustpathd-arg ARG  extra argument for trustpathd (repeatable)
  --json PATH           where the JSON results go (default bench/results/latest.json)`;

const DEFAULTS: BenchOptions = {
  daemons: ['polkitd', 'trustpathd'],
  action: 'org.freedesktop.packagekit.package-install',
  concurrency: 8,
  rounds: 3,
  warmup: { calls: UNLIMITED, ms: 1000 },
  measure: { calls: UNLIMITED, ms: 5000 },
  memoryCalls: 100_000,
  baselineMemoryCapMs: 60_000,
  // build/bench/options.js -> the checkout's bench/results/, wherever the bench is started from
  jsonPath: fileURLToPath(new URL('../../bench/results/latest.json', import.meta.url)),
  trustpathdArgs: [],
};

const QUICK: Partial<BenchOptions> = {
  rounds: 2,
  warmup: { calls: UNLIMITED, ms: 300 },
  measure: { calls: UNLIMITED, ms: 1500 },
  memoryCalls: 10_000,
  baselineMemoryCapMs: 15_000,
};

function count(flag: string, v: string | undefined): number {
  if (v === undefined || !/^\d+$/.test(v)) throw new Error(`${flag} needs a whole number`);
  return Number(v);
}

function kinds(v: string | undefined): readonly [AuthorityKind, AuthorityKind] {
  const parts = (v ?? '').split(',');
  const ok = (k: string | undefined): k is AuthorityKind => k === 'polkitd' || k === 'trustpathd';
  if (parts.length !== 2 || !ok(parts[0]) || !ok(parts[1])) throw new Error('--daemons needs two of polkitd,trustpathd');
  return [parts[0], parts[1]];
}

/** Parses argv (without node and script); throws with a message on anything unknown. */
export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  let o: { -readonly [K in keyof BenchOptions]: BenchOptions[K] } = { ...DEFAULTS, trustpathdArgs: [] };
  const extra: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? '';
    const v = (): string | undefined => argv[++i];
    switch (flag) {
      case '--help': case '-h': return 'help';
      case '--quick': o = { ...o, ...QUICK }; break;
      case '--duration-ms': o.measure = { ...o.measure, ms: count(flag, v()) }; break;
      case '--warmup-ms': o.warmup = { ...o.warmup, ms: count(flag, v()) }; break;
      case '--calls': o.measure = { ...o.measure, calls: count(flag, v()) }; break;
      case '--warmup-calls': o.warmup = { ...o.warmup, calls: count(flag, v()) }; break;
      case '--memory-calls': o.memoryCalls = count(flag, v()); break;
      case '--memory-cap-s': o.baselineMemoryCapMs = count(flag, v()) * 1000 || UNLIMITED; break;
      case '--rounds': o.rounds = Math.max(1, Math.min(20, count(flag, v()))); break;
      case '--concurrency': o.concurrency = Math.max(1, Math.min(64, count(flag, v()))); break;
      case '--action': o.action = v() ?? ''; break;
      case '--daemons': o.daemons = kinds(v()); break;
      case '--trustpathd-arg': extra.push(v() ?? ''); break;
      case '--json': o.jsonPath = v() ?? ''; break;
      default: throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(o.action)) throw new Error('--action needs an action id');
  return { ...o, trustpathdArgs: extra };
}
