// A load generator: a child process of the bench (never the daemon's process, and for
// the "checks itself" case running as a non-root test user). It opens one bus
// connection per caller, warms up, waits for "go", then runs closed-loop calls (one in
// flight per caller) and reports every latency, the answers, errors and its own CPU time.
import dbus from 'dbus-next';
import type { Message, MessageBus } from 'dbus-next';
import { parseConfig, type LoadConfig, type LoadResult, type Limit, type FromLoadgen } from './loadgen-protocol.js';
import { processStartTime } from './proc-stats.js';
import { SampleBuffer } from './stats.js';

/** A call that takes longer than this fails the whole run (the daemon is stuck). */
const STUCK_CALL_MS = 25_000;
const MAX_ERROR_SAMPLES = 5;

interface Tally {
  errors: number;
  readonly errorSamples: string[];
  readonly answers: Record<string, number>;
  readonly samples: SampleBuffer;
}

function newTally(): Tally {
  return { errors: 0, errorSamples: [], answers: {}, samples: new SampleBuffer() };
}

interface SubjectIds {
  readonly pid: number;
  readonly uid: number;
  readonly startTime: bigint;
}

function subjectIds(config: LoadConfig): SubjectIds {
  const pid = config.subject === 'self' ? process.pid : config.subject.pid;
  const uid = config.subject === 'self' ? process.getuid!() : config.subject.uid;
  return { pid, uid, startTime: processStartTime(pid) };
}

/** A factory: dbus-next converts a message's body in place when sending it, so each call needs a new one. */
function request(config: LoadConfig): () => Message {
  if (config.method === 'bus-ceiling') {
    return () => new dbus.Message({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'GetId' });
  }
  const ids = subjectIds(config);
  return () => new dbus.Message({
    destination: 'org.freedesktop.PolicyKit1', path: '/org/freedesktop/PolicyKit1/Authority',
    interface: 'org.freedesktop.PolicyKit1.Authority', member: 'CheckAuthorization',
    signature: '(sa{sv})sa{ss}us',
    body: [['unix-process', {
      pid: new dbus.Variant('u', ids.pid),
      'start-time': new dbus.Variant('t', ids.startTime),
      uid: new dbus.Variant('i', ids.uid),
    }], config.action, {}, 0, ''],
  });
}

/** authorized / challenge / denied from a CheckAuthorization reply; 'ok' for other methods. */
function answerOf(reply: Message | null): string {
  const r: unknown = reply?.body[0];
  if (!Array.isArray(r)) return 'ok';
  if (r[0] === true) return 'authorized';
  return r[1] === true ? 'challenge' : 'denied';
}

function recordError(tally: Tally, e: unknown): void {
  tally.errors++;
  if (tally.errorSamples.length < MAX_ERROR_SAMPLES) {
    const err = e as { type?: unknown; text?: unknown; message?: unknown };
    tally.errorSamples.push(typeof err.type === 'string' ? `${err.type}: ${String(err.text)}` : String(err.message ?? e));
  }
}

interface Caller {
  readonly bus: MessageBus;
  readonly request: () => Message;
  /** start of the call in flight, or 0 */
  inFlightSince: number;
}

async function runCaller(caller: Caller, limit: Limit, deadline: number, tally: Tally): Promise<void> {
  for (let i = 0; i < limit.calls && performance.now() < deadline; i++) {
    const t0 = performance.now();
    caller.inFlightSince = t0;
    try {
      const answer = answerOf(await caller.bus.call(caller.request()));
      tally.answers[answer] = (tally.answers[answer] ?? 0) + 1;
    } catch (e) {
      recordError(tally, e);
    }
    caller.inFlightSince = 0;
    tally.samples.push(performance.now() - t0);
  }
}

async function phase(callers: Caller[], limit: Limit, tally: Tally): Promise<void> {
  const deadline = performance.now() + limit.ms;
  const watchdog = setInterval(() => {
    const now = performance.now();
    if (callers.some((c) => c.inFlightSince > 0 && now - c.inFlightSince > STUCK_CALL_MS)) {
      fail(`a call took more than ${STUCK_CALL_MS} ms: the daemon is stuck`);
    }
  }, 1000);
  try {
    await Promise.all(callers.map((c) => runCaller(c, limit, deadline, tally)));
  } finally {
    clearInterval(watchdog);
  }
}

async function connect(config: LoadConfig): Promise<Caller> {
  const bus = dbus.sessionBus({ busAddress: config.address });
  // The first call completes only after the bus said Hello, so connection setup is not measured.
  await bus.call(new dbus.Message({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'GetId' }));
  return { bus, request: request(config), inFlightSince: 0 };
}

async function measure(config: LoadConfig, callers: Caller[]): Promise<LoadResult> {
  const tally = newTally();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await phase(callers, config.measure, tally);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    calls: tally.samples.length, wallMs, cpuMs: (cpu.user + cpu.system) / 1000,
    latenciesMs: Float64Array.from(tally.samples.values()),
    errors: tally.errors, errorSamples: tally.errorSamples, answers: tally.answers,
  };
}

function send(msg: FromLoadgen): Promise<void> {
  return new Promise((resolve) => process.send!(msg, () => resolve()));
}

function fail(message: string): void {
  void send({ type: 'failed', message }).finally(() => process.exit(1));
}

function nextMessage(): Promise<unknown> {
  return new Promise((resolve) => process.once('message', resolve));
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('loadgen runs only as a child of the bench (IPC channel)');
  // The bench is gone: nobody will read the result.
  process.on('disconnect', () => process.exit(1));
  const config = parseConfig(await nextMessage());
  const callers = await Promise.all(Array.from({ length: config.callers }, () => connect(config)));
  await phase(callers, config.warmup, newTally());
  await send({ type: 'ready' });
  const go = await nextMessage();
  if ((go as { type?: unknown }).type !== 'go') throw new Error('expected go');
  const result = await measure(config, callers);
  await send({ type: 'result', result });
  for (const c of callers) c.bus.disconnect();
  process.exit(0);
}

main().catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
