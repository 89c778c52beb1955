// Smoke test of `npm run bench`: the real bench with tiny counts against Debian's polkitd
// and trustpathd. It checks that the table has both daemons' rows with numeric figures,
// ratios, the memory rows and the JSON file; never how fast anything was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { summarise } from '../../bench/stats.js';

const execFileP = promisify(execFile);
const BENCH = fileURLToPath(new URL('../../bench/authority-bench.js', import.meta.url));
const CALLS = 20;
const CONCURRENCY = 8;
/** rounds per scenario: their slices are merged, so each row has ROUNDS times the calls */
const ROUNDS = 2;
/** Scenario rows: root subject, rules 1 caller, rules N callers, self-check, bus ceiling. */
const SCENARIO_ROWS = 5;

const NUM = String.raw`(\d+(?:\.\d+)?)`;
const rowRe = (label: string): RegExp => new RegExp(String.raw`^  ${label}\s+${NUM}\s+${NUM}\s+${NUM}\s+${NUM}\s+(\d+)\s+(\d+)\s+(\S+)`, 'gm');
const memRe = (label: string): RegExp => new RegExp(String.raw`^  ${label}\s+${NUM} MiB\s+${NUM} MiB\s+${NUM} MiB\s+(-?\d+) KiB\s+(\d+)\s+${NUM}\s+(\d+)\s+${NUM} MiB\s+(\d+)$`, 'gm');

interface JsonRun {
  kind: string;
  scenarios: Record<string, { calls: number; errors: number; answers: Record<string, number>; latency: { p50Ms: number; p99Ms: number } }>;
  memoryRun: { calls: number; errors: number };
  peakKiB: number;
}

async function runBench(json: string): Promise<string> {
  const { stdout } = await execFileP(process.execPath, [BENCH,
    '--calls', String(CALLS), '--warmup-calls', '5', '--duration-ms', '600000', '--warmup-ms', '600000',
    '--memory-calls', String(CALLS * CONCURRENCY), '--memory-cap-s', '0', '--concurrency', String(CONCURRENCY), '--rounds', String(ROUNDS),
    '--json', json,
  ], { maxBuffer: 16 * 1024 * 1024, timeout: 300_000 });
  return stdout;
}

function checkRows(out: string, label: string): void {
  const rows = [...out.matchAll(rowRe(label))];
  assert.equal(rows.length, SCENARIO_ROWS, `${label}: scenario rows\n${out}`);
  for (const r of rows) {
    const [, cps, p50, p99, max, errors, calls] = r.map(Number);
    assert.ok(cps! > 0 && p50! > 0 && p99! >= p50! && max! >= p99!, `${label}: figures in ${r[0]}`);
    assert.equal(errors, 0, `${label}: errors in ${r[0]}`);
    assert.ok(calls === ROUNDS * CALLS || calls === ROUNDS * CALLS * CONCURRENCY, `${label}: calls in ${r[0]}`);
  }
  const mem = [...out.matchAll(memRe(label))];
  assert.equal(mem.length, 1, `${label}: memory row\n${out}`);
  assert.equal(Number(mem[0]![5]), CALLS * CONCURRENCY, `${label}: memory run calls`);
  assert.equal(Number(mem[0]![7]), 0, `${label}: memory run errors`);
}

test('npm run bench with tiny counts prints polkitd and trustpathd rows, ratios and JSON', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-test-'));
  try {
    const json = join(dir, 'latest.json');
    const out = await runBench(json);
    checkRows(out, 'polkitd');
    checkRows(out, 'trustpathd');
    assert.equal([...out.matchAll(/^ {2}ratio trustpathd\/polkitd\s+x\d+\.\d\d\s+x\d+\.\d\d\s+x\d+\.\d\d$/gm)].length, SCENARIO_ROWS, out);
    assert.match(out, /^ {2}ratio trustpathd\/polkitd peak RSS\s+x\d+\.\d\d$/m);
    assert.match(out, /^target: trustpathd >= 2x polkitd throughput where rules run .*: (met|NOT met)$/m);
    const data = JSON.parse(readFileSync(json, 'utf8')) as { runs: JsonRun[] };
    assert.deepEqual(data.runs.map((r) => r.kind), ['polkitd', 'trustpathd']);
    const [polkitd, trustpathd] = data.runs;
    for (const [id, s] of Object.entries(polkitd!.scenarios)) {
      const t = trustpathd!.scenarios[id];
      assert.ok(t, `trustpathd has no ${id} result`);
      // Both daemons must have done the same work: the same kinds of answer.
      assert.deepEqual(Object.keys(t.answers).sort(), Object.keys(s.answers).sort(), `answers in ${id}`);
      assert.ok(Number.isFinite(t.latency.p99Ms) && Number.isFinite(s.latency.p99Ms), id);
    }
    assert.ok(polkitd!.peakKiB > 0 && trustpathd!.peakKiB > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('latency summary: nearest-rank percentiles', () => {
  const s = summarise(Float64Array.from({ length: 200 }, (_, i) => 200 - i));
  assert.equal(s.count, 200);
  assert.equal(s.p50Ms, 100);
  assert.equal(s.p99Ms, 198);
  assert.equal(s.maxMs, 200);
  assert.ok(Number.isNaN(summarise(new Float64Array(0)).p99Ms));
});
