// Out-of-memory paths (fault-injection build: TP_FAIL_ALLOC=N fails the N-th
// allocation), the ASan/UBSan build through the same scenarios, and a bounded
// libFuzzer run of the frame decoder. Test builds run as root (real uid 0 is allowed).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestUser, type TestUser } from '../support/users.js';
import { TEST_OUT, converse, prepare, type Answer, type Run } from './support.js';

const PW = 'Hard3ned-pw';
const FAULT = join(TEST_OUT, 'helper-fault');
const ASAN = join(TEST_OUT, 'helper-asan');
const SAN_ENV = {
  ASAN_OPTIONS: 'exitcode=86:abort_on_error=0:detect_leaks=1',
  UBSAN_OPTIONS: 'halt_on_error=1:exitcode=87:print_stacktrace=1',
};
let user: TestUser;

before(async () => {
  await prepare();
  user = ensureTestUser('tptpam-hard', PW);
});

function run(helper: string, name: string, answers: Answer[], env: Record<string, string> = {}): Promise<Run> {
  return converse(name, answers, { helperPath: helper, spawnAs: undefined, env });
}

/** Fails allocation 1, 2, ... until a run succeeds; every earlier run must be a clean OOM. */
async function walkAllocations(helper: string, prepareUser: () => TestUser, answers: (u: TestUser) => Answer[], env = {}): Promise<number> {
  for (let n = 1; n < 40; n++) {
    const u = prepareUser();
    const r = await run(helper, u.name, answers(u), { ...env, TP_FAIL_ALLOC: String(n) });
    if (r.outcome.ok) return n - 1;
    assert.deepEqual(r.outcome, { ok: false, reason: 'out-of-memory' }, `allocation ${n}`);
  }
  throw new Error('never succeeded');
}

describe('out of memory', { concurrency: true }, () => {
  test('each failed allocation in a password conversation ends in a clean OOM failure', async () => {
    const failed = await walkAllocations(FAULT, () => user, () => [PW]);
    assert.equal(failed, 2); // the response array and the answer copy
  });

  test('the same through a password change (several rounds)', async () => {
    const mk = (): TestUser => {
      const u = ensureTestUser('tptpam-hardexp', PW);
      execFileSync('chage', ['-d', '0', u.name]);
      return u;
    };
    const failed = await walkAllocations(FAULT, mk, () => [PW, PW, 'N3w-Hard-pw1', 'N3w-Hard-pw1']);
    assert.ok(failed >= 4, `only ${failed} allocations were injected`);
  });

  test('without TP_FAIL_ALLOC the fault build authenticates', async () => {
    assert.deepEqual((await run(FAULT, user.name, [PW])).outcome, { ok: true });
  });
});

describe('ASan/UBSan build', { concurrency: true }, () => {
  const cases: [string, Answer[], Record<string, string>, unknown][] = [
    ['right password', [PW], {}, { ok: true }],
    ['wrong password', ['x'], {}, { ok: false, reason: 'auth' }],
    ['oversize response', [{ raw: Buffer.from([2, 1]) }], {}, { ok: false, reason: 'protocol' }],
    ['NUL in response', [{ raw: Buffer.from([0, 2, 0x61, 0]) }], {}, { ok: false, reason: 'protocol' }],
    ['pipe closed', [{ close: true }], {}, { ok: false, reason: 'cancelled' }],
    ['allocation 1 fails', [PW], { TP_FAIL_ALLOC: '1' }, { ok: false, reason: 'out-of-memory' }],
    ['allocation 2 fails', [PW], { TP_FAIL_ALLOC: '2' }, { ok: false, reason: 'out-of-memory' }],
  ];
  for (const [name, answers, env, want] of cases) {
    test(`${name}: expected outcome, no sanitizer report`, async () => {
      const r = await run(ASAN, user.name, answers, { ...SAN_ENV, ...env });
      assert.deepEqual(r.outcome, want);
    });
  }
});

test('libFuzzer on the frame decoder for 20 s finds nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tpt-fuzz-'));
  try {
    writeFileSync(join(dir, 'begin'), Buffer.from([0x10, 0, 0, 0, 0, 0x11, 0, 0, 0, 0]));
    writeFileSync(join(dir, 'resp'), Buffer.from([0, 3, 0x61, 0, 0x62]));
    const child = spawn(join(TEST_OUT, 'fuzz-frame'), ['-max_total_time=20', '-rss_limit_mb=1024', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.on('data', (c: Buffer) => { log = (log + c.toString()).slice(-8000); });
    const code = await new Promise<number | null>((res) => child.on('close', res));
    assert.equal(code, 0, log);
    assert.match(log, /Done \d+ runs/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
