// Authentication sessions through the real setuid helper and PAM (Debian's
// common-auth, pam_unix): latency of one successful and one failed authentication,
// and authentications per second sustained for N different users in parallel.
// Figures are printed, never asserted.
//
//   node build/bench/auth-bench.js [--users N] [--seconds S] [--runs R]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AuditLog } from '../agent/src/audit/audit-log.js';
import { AuthenticationManager } from '../agent/src/auth/authentication-manager.js';
import { SystemUserDatabase } from '../agent/src/identity/users.js';
import { DAEMON, HELPER, prepare } from '../test/pam/support.js';
import { ensureTestUser, type TestUser } from '../test/support/users.js';
import { PlainPrompt } from '../test/auth/plain-prompt.js';
import { request } from '../test/auth/support.js';

const PW = 'B3nch-auth-pw';
const { values } = parseArgs({ options: { users: { type: 'string', default: '8' }, seconds: { type: 'string', default: '10' }, runs: { type: 'string', default: '10' } } });
const N = Number(values.users);
const SECONDS = Number(values.seconds);
const RUNS = Number(values.runs);

const dir = mkdtempSync(join(tmpdir(), 'tp-auth-bench-'));
const logs: string[] = [];
const manager = new AuthenticationManager({
  users: new SystemUserDatabase(), log: (m) => logs.push(m), audit: new AuditLog(join(dir, 'audit.jsonl'), (m) => logs.push(m)),
  helper: { path: HELPER, spawnAs: DAEMON }, maxAttempts: 1, lockout: { maxFailures: 1_000_000 },
});

async function once(user: TestUser, answer: string, sessionKey?: string): Promise<{ ms: number; outcome: string }> {
  const t0 = performance.now();
  const r = await manager.authenticate(request(user.uid, sessionKey ? { sessionKey } : {}), new PlainPrompt({ answers: [answer] }));
  return { ms: performance.now() - t0, outcome: r.outcome };
}

function summary(ms: number[]): string {
  const s = [...ms].sort((x, y) => x - y);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(1);
  return `median ${at(0.5)} ms, p90 ${at(0.9)} ms, min ${s[0]!.toFixed(1)} ms (n=${s.length})`;
}

async function latency(user: TestUser, answer: string, runs: number, want: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await once(user, answer);
    if (r.outcome !== want) throw new Error(`expected ${want}, got ${r.outcome}`);
    out.push(r.ms);
  }
  return out;
}

async function throughput(users: TestUser[], seconds: number): Promise<{ total: number; perSecond: number; ms: number[] }> {
  const deadline = performance.now() + seconds * 1000;
  const ms: number[] = [];
  let total = 0;
  const t0 = performance.now();
  await Promise.all(users.map(async (u, i) => {
    while (performance.now() < deadline) {
      const r = await once(u, PW, `bench-session-${i}`);
      if (r.outcome !== 'authenticated') throw new Error(`parallel run: ${r.outcome}`);
      ms.push(r.ms);
      total += 1;
    }
  }));
  const elapsed = (performance.now() - t0) / 1000;
  return { total, perSecond: total / elapsed, ms };
}

async function main(): Promise<void> {
  await prepare();
  const users = Array.from({ length: N }, (_, i) => ensureTestUser(`tptbench-${i}`, PW));
  const first = users[0]!;
  await once(first, PW); // warm the page cache and the user database
  console.log(`auth-bench: ${cpus().length} CPUs, helper ${HELPER} as uid ${DAEMON.uid}, PAM service trustpath`);
  console.log(`successful authentication: ${summary(await latency(first, PW, RUNS, 'authenticated'))}`);
  console.log(`failed authentication (wrong password, includes pam_unix's delay): ${summary(await latency(first, `x${PW}`, Math.min(RUNS, 3), 'failed'))}`);
  for (const n of [1, N]) {
    const t = await throughput(users.slice(0, n), SECONDS);
    console.log(`${n} user(s) in parallel for ${SECONDS} s: ${t.total} authentications, ${t.perSecond.toFixed(1)}/s; latency ${summary(t.ms)}`);
  }
  if (logs.length > 0) console.log(`log lines: ${logs.length} (first: ${logs[0]})`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
}).finally(() => rmSync(dir, { recursive: true, force: true }));
