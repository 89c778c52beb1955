// Benchmarks the daemons: each on its own private bus with a non-root subject process,
// every scenario against each in turn, then the memory runs; always tears it all down.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { constants, tmpdir } from 'node:os';
import { startBus, type TestBus } from '../test/support/bus.js';
import { startAuthority, type AuthorityKind, type RunningAuthority } from '../test/support/authority.js';
import type { TestUser } from '../test/support/users.js';
import { combine, runLoad, type Measurement, type RunSpec, type Slice } from './driver.js';
import type { LoadConfig } from './loadgen-protocol.js';
import { memory } from './proc-stats.js';
import { memoryRun, scenarios, SCENARIO_IDS, type ScenarioContext, type ScenarioId } from './scenarios.js';
import type { BenchOptions } from './options.js';

export interface DaemonRun {
  readonly kind: AuthorityKind;
  readonly scenarios: Readonly<Partial<Record<ScenarioId, Measurement>>>;
  readonly memoryRun: Measurement;
  /** RSS right after the daemon owned its name */
  readonly startRssKiB: number;
  /** VmHWM at the end of the run */
  readonly peakKiB: number;
  readonly threads: number;
  /** the end of what the daemon wrote to stderr (kept in the JSON for notes) */
  readonly logTail: string;
}

type Progress = (line: string) => void;

const LOG_TAIL_CHARS = 4000;

interface Rig {
  /** trustpathd's own state and runtime directories, so that runs never share them */
  readonly dir: string;
  readonly bus: TestBus;
  readonly authority: RunningAuthority;
  readonly sleeper: ChildProcess;
}

function daemonArgs(kind: AuthorityKind, dir: string, o: BenchOptions): string[] {
  if (kind === 'polkitd') return [];
  return ['--state-dir', join(dir, 'state'), '--runtime-dir', join(dir, 'run'), ...o.trustpathdArgs];
}

/** Children still running, killed synchronously if the bench exits without tearing down. */
const live = new Set<Rig>();

function killNow(rig: Rig): void {
  for (const p of [rig.sleeper, rig.authority.process, rig.bus.process]) {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  }
  rmSync(rig.dir, { recursive: true, force: true });
}

process.on('exit', () => live.forEach(killNow));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => process.exit(128 + constants.signals[signal]));

async function startRig(kind: AuthorityKind, o: BenchOptions, user: TestUser): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-'));
  // trustpathd, once it dropped to its user, must reach its directories below this one.
  chmodSync(dir, 0o711);
  const bus = await startBus();
  // The bus lives in a private temporary directory; the non-root load generator must reach it.
  chmodSync(dirname(bus.socketPath), 0o711);
  let authority: RunningAuthority;
  try {
    authority = await startAuthority(kind, bus.address, { args: daemonArgs(kind, dir, o) });
  } catch (e) {
    await bus.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const sleeper = spawn('sleep', ['3600'], { uid: user.uid, gid: user.gid, stdio: 'ignore' });
  sleeper.on('error', () => undefined); // no pid then: scenarioContext says the subject did not start
  const rig = { dir, bus, authority, sleeper };
  live.add(rig);
  return rig;
}

async function stopRig(rig: Rig): Promise<void> {
  live.delete(rig);
  rig.sleeper.kill('SIGKILL');
  await rig.authority.stop();
  await rig.bus.stop();
  rmSync(rig.dir, { recursive: true, force: true });
}

function pids(rig: Rig): { daemonPid: number; busPid: number } {
  const daemonPid = rig.authority.process.pid;
  const busPid = rig.bus.process.pid;
  if (daemonPid === undefined || busPid === undefined) throw new Error('daemon or bus has no pid');
  return { daemonPid, busPid };
}

function scenarioContext(rig: Rig, user: TestUser): ScenarioContext {
  const pid = rig.sleeper.pid;
  if (pid === undefined) throw new Error('subject process did not start');
  return { address: rig.bus.address, userSubject: { pid, uid: user.uid } };
}

function failure(rig: Rig, e: unknown): Error {
  const log = rig.authority.log().slice(-LOG_TAIL_CHARS);
  const kind = rig.authority.kind;
  return new Error(`${kind}: ${(e as Error).message}${log ? `\n--- ${kind} stderr (tail) ---\n${log}` : ''}`);
}

async function measure(rig: Rig, config: LoadConfig, extra: Pick<RunSpec, 'user' | 'rssEveryMs'>): Promise<Slice> {
  try {
    return await runLoad({ config, ...pids(rig), ...extra });
  } catch (e) {
    throw failure(rig, e);
  }
}

/**
 * Runs every scenario against each rig in turn, in rounds of short slices (A, B, A, B,
 * ...), so that a busy moment of the machine hits both daemons alike; then the memory runs.
 */
async function measureAll(rigs: readonly Rig[], o: BenchOptions, user: TestUser, progress: Progress): Promise<DaemonRun[]> {
  const startRss = rigs.map((r) => memory(pids(r).daemonPid).rssKiB);
  const slices = rigs.map(() => new Map<ScenarioId, Slice[]>());
  for (let round = 1; round <= o.rounds; round++) {
    for (const id of SCENARIO_IDS) {
      for (const [i, rig] of rigs.entries()) {
        const s = scenarios(o, scenarioContext(rig, user)).find((x) => x.id === id)!;
        progress(`${rig.authority.kind}: ${s.title} (round ${round}/${o.rounds})`);
        const slice = await measure(rig, s.config, s.asTestUser ? { user: { uid: user.uid, gid: user.gid } } : {});
        slices[i]!.set(id, [...(slices[i]!.get(id) ?? []), slice]);
      }
    }
  }
  const runs: DaemonRun[] = [];
  for (const [i, rig] of rigs.entries()) {
    progress(`${rig.authority.kind}: memory run (${o.memoryCalls} calls)`);
    const mem = await measure(rig, memoryRun(o, scenarioContext(rig, user), i === 0 ? 'baseline' : 'candidate'), { rssEveryMs: 1000 });
    const end = memory(pids(rig).daemonPid);
    const merged: Partial<Record<ScenarioId, Measurement>> = {};
    for (const [id, parts] of slices[i]!) merged[id] = combine(parts);
    runs.push({ kind: rig.authority.kind, startRssKiB: startRss[i]!, scenarios: merged, memoryRun: combine([mem]), peakKiB: end.peakKiB, threads: end.threads, logTail: rig.authority.log().slice(-LOG_TAIL_CHARS) });
  }
  return runs;
}

/** Starts each daemon on its own fresh private bus and runs every scenario against them. */
export async function benchDaemons(kinds: readonly AuthorityKind[], o: BenchOptions, user: TestUser, progress: Progress): Promise<DaemonRun[]> {
  const rigs: Rig[] = [];
  try {
    for (const kind of kinds) {
      progress(`starting ${kind}`);
      rigs.push(await startRig(kind, o, user));
    }
    return await measureAll(rigs, o, user, progress);
  } finally {
    for (const rig of rigs) await stopRig(rig);
  }
}
