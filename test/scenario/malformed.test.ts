// A barrage of malformed messages at the Authority (every argument of every method
// with a wrong type, huge strings, deep variants, a pidfd `h` with no fd attached,
// `__proto__` keys, plus a seeded random mix), then a normal CheckAuthorization must
// still be answered. Each message must be answered (error or reply), never left
// hanging; and the error names trustpathd gives must be polkitd's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type dbus from 'dbus-next';
import {
  Variant, callRaw, callWithDanglingFd, checkAuthorization, connect, ping, plain, processSubject, type Outcome, type RawCall,
} from '../support/dbus-client.js';
import type { AuthorityKind } from '../support/authority.js';
import { startDaemon } from './daemons.js';

const SEED = 0x7275_7374;
const RANDOM_MESSAGES = 300;
const REPLY_TIMEOUT_MS = 3_000;
/** Far beyond any sane id, detail or name, yet within what the bus daemon relays. */
const HUGE = 'x'.repeat(16 * 1024);

/** mulberry32: a small seeded PRNG, so every run sends the same messages. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The Authority's methods and their real input signatures (one complete type per argument). */
const METHODS: readonly [string, readonly string[]][] = [
  ['EnumerateActions', ['s']],
  ['CheckAuthorization', ['(sa{sv})', 's', 'a{ss}', 'u', 's']],
  ['CancelCheckAuthorization', ['s']],
  ['RegisterAuthenticationAgent', ['(sa{sv})', 's', 's']],
  ['RegisterAuthenticationAgentWithOptions', ['(sa{sv})', 's', 's', 'a{sv}']],
  ['UnregisterAuthenticationAgent', ['(sa{sv})', 's']],
  ['AuthenticationAgentResponse', ['s', '(sa{sv})']],
  ['AuthenticationAgentResponse2', ['u', 's', '(sa{sv})']],
  ['EnumerateTemporaryAuthorizations', ['(sa{sv})']],
  ['RevokeTemporaryAuthorizations', ['(sa{sv})']],
  ['RevokeTemporaryAuthorizationById', ['s']],
];

function deepVariant(depth: number): dbus.Variant {
  let v: dbus.Variant = new Variant('s', 'bottom');
  for (let i = 0; i < depth; i++) v = new Variant('v', v);
  return v;
}

const proto = <T>(entries: [string, T][]): Record<string, T> => Object.fromEntries(entries);

/** A value of each type that is wrong wherever a different type is expected. */
const SAMPLES: readonly [string, unknown][] = [
  ['s', 'org.freedesktop.policykit.exec'], ['u', 4_000_000_000], ['i', -1], ['t', 18446744073709551615n],
  ['b', true], ['y', 255], ['d', -1.5], ['o', '/'], ['g', 'a{sv}'], ['as', ['a', 'b']],
  ['a{ss}', proto([['__proto__', 'x'], ['polkit.message', '$(__proto__)']])], ['v', deepVariant(20)],
  ['(sa{sv})', ['unix-process', proto([['__proto__', new Variant('s', 'x')], ['pid', new Variant('s', 'x')]])]],
  ['ay', Buffer.alloc(4096, 0xff)], ['(uu)', [1, 2]],
];

/** A well-typed, harmless value of each argument type the methods take. */
function good(t: string): unknown {
  const values: Record<string, unknown> = { s: '', u: 0, '(sa{sv})': processSubject(process.pid), 'a{ss}': {}, 'a{sv}': {} };
  return values[t];
}

/** A body of the real signature whose argument `wrong` is replaced by a sample of another type. */
function wrongArgument(types: readonly string[], wrong: number, sample: readonly [string, unknown]): { signature: string; body: unknown[] } {
  const sig = types.map((t, i) => (i === wrong ? sample[0] : t)).join('');
  return { signature: sig, body: types.map((t, i) => (i === wrong ? sample[1] : good(t))) };
}

function subjects(): unknown[] {
  return [
    ['unix-process', { pid: new Variant('u', process.pid), 'start-time': new Variant('t', 0n), uid: new Variant('i', 0), 'extra': deepVariant(20) }],
    ['unix-process', proto<dbus.Variant>([['__proto__', new Variant('u', 0)], ['toString', new Variant('u', 0)], ['hasOwnProperty', new Variant('s', '')]])],
    ['unix-process', { pid: deepVariant(60), 'start-time': new Variant('t', 0n) }],
    ['unix-session', { 'session-id': new Variant('s', HUGE) }],
    ['system-bus-name', { name: new Variant('s', `:${HUGE}`) }],
    [HUGE, {}],
    ['unix-process', { pid: new Variant('u', 0), 'start-time': new Variant('t', 0n) }],
    ['unix-process', { pid: new Variant('u', 4_294_967_295), 'start-time': new Variant('t', 18446744073709551615n), uid: new Variant('i', -2147483648) }],
  ];
}

/** The fixed part of the barrage. */
function fixedMessages(): RawCall[] {
  const out: RawCall[] = [];
  for (const [member, types] of METHODS) {
    types.forEach((t, i) => {
      for (const s of SAMPLES) if (s[0] !== t) out.push({ ...wrongArgument(types, i, s), member });
    });
    out.push({ member }); // no arguments
    out.push({ member, signature: `${types.join('')}s`, body: [...types.map(good), 'one too many'] });
  }
  for (const subject of subjects()) {
    out.push({ member: 'CheckAuthorization', signature: '(sa{sv})sa{ss}us', body: [subject, HUGE, { [HUGE.slice(0, 4096)]: HUGE }, 0xffffffff, HUGE] });
    out.push({ member: 'RegisterAuthenticationAgentWithOptions', signature: '(sa{sv})ssa{sv}', body: [subject, HUGE, '/a', proto([['__proto__', new Variant('b', true)], ['fallback', deepVariant(10)]])] });
    out.push({ member: 'EnumerateTemporaryAuthorizations', signature: '(sa{sv})', body: [subject] });
  }
  out.push({ member: 'RegisterAuthenticationAgent', signature: '(sa{sv})ss', body: [processSubject(process.pid), 'C', `/${'a/'.repeat(40_000)}b`] });
  out.push({ member: 'CancelCheckAuthorization', signature: 's', body: [HUGE] });
  out.push({ member: 'RevokeTemporaryAuthorizationById', signature: 's', body: [HUGE] });
  return out;
}

function randomMessages(n: number): RawCall[] {
  const rnd = prng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: RawCall[] = [];
  for (let k = 0; k < n; k++) {
    const [member, types] = pick(METHODS);
    const args = types.map((t): readonly [string, unknown] => (rnd() < 0.5 ? [t, good(t)] : pick(SAMPLES)));
    out.push({ member, signature: args.map((a) => a[0]).join(''), body: args.map((a) => a[1]) });
  }
  return out;
}

/** pidfd subjects whose `h` names an fd the message does not carry. */
function danglingFdMessages(): RawCall[] {
  const pidfd = (extra: Record<string, dbus.Variant>): unknown => ['unix-process', { pidfd: new Variant('h', 0), ...extra }];
  return [
    { member: 'CheckAuthorization', signature: '(sa{sv})sa{ss}us', body: [pidfd({ uid: new Variant('i', 0) }), 'org.freedesktop.policykit.exec', {}, 0, ''] },
    { member: 'CheckAuthorization', signature: '(sa{sv})sa{ss}us', body: [pidfd({}), 'org.freedesktop.policykit.exec', {}, 0, ''] },
    { member: 'RegisterAuthenticationAgent', signature: '(sa{sv})ss', body: [pidfd({ uid: new Variant('i', 0) }), 'C', '/a'] },
  ];
}

type Answer = { readonly error: string } | { readonly reply: true } | { readonly dropped: string };

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** After a call got no reply: did the bus daemon drop us (it refuses some messages) or is the authority silent? */
async function busStillTalksTo(conn: dbus.MessageBus): Promise<boolean> {
  const o = await withTimeout(ping(conn).then(() => true, () => false), 1000);
  return o === true;
}

async function send(getConn: () => Promise<dbus.MessageBus>, drop: () => void, c: RawCall, dangling = false): Promise<Answer> {
  const conn = await getConn();
  try {
    const o = await withTimeout(dangling ? callWithDanglingFd(conn, c) : callRaw(conn, c), REPLY_TIMEOUT_MS);
    if (o === 'timeout') {
      if (await busStillTalksTo(conn)) return { error: 'NO REPLY' };
      drop();
      return { dropped: 'the bus daemon closed the connection' };
    }
    return o.ok ? { reply: true } : { error: o.error };
  } catch (e) {
    // dbus-next refused to marshal it, or the bus daemon dropped the connection.
    return { dropped: String((e as Error).message).slice(0, 80) };
  }
}

async function barrage(kind: AuthorityKind): Promise<{ answers: Answer[]; stillServes: Outcome; alive: boolean; log: string }> {
  const daemon = await startDaemon(kind);
  let conn: dbus.MessageBus | undefined;
  let lost = true;
  const drop = (): void => { lost = true; };
  const getConn = async (): Promise<dbus.MessageBus> => {
    if (!conn || lost) {
      conn?.disconnect();
      conn = await connect(daemon.bus.address);
      lost = false;
      conn.on('error', drop);
    }
    return conn;
  };
  try {
    const answers: Answer[] = [];
    for (const c of [...fixedMessages(), ...randomMessages(RANDOM_MESSAGES)]) {
      const t0 = Date.now();
      answers.push(await send(getConn, drop, c));
      if (process.env.TP_DUMP) console.log(kind, answers.length, c.member, c.signature, Date.now() - t0, JSON.stringify(answers.at(-1)));
    }
    for (const c of danglingFdMessages()) answers.push(await send(getConn, drop, c, true));
    const fresh = await connect(daemon.bus.address);
    const stillServes = await checkAuthorization(fresh, processSubject(process.pid, undefined, 0), 'org.freedesktop.policykit.exec');
    fresh.disconnect();
    const p = daemon.authority.process;
    return { answers, stillServes, alive: p.exitCode === null && p.signalCode === null, log: daemon.authority.log() };
  } finally {
    conn?.disconnect();
    await daemon.stop();
  }
}

test('malformed barrage: both daemons answer every message and keep serving; same error names', { timeout: 300_000 }, async () => {
  const settled = await Promise.allSettled([barrage('polkitd'), barrage('trustpathd')]);
  const [base, ours] = settled.map((s, i) => {
    if (s.status === 'rejected') throw new Error(`${i === 0 ? 'polkitd' : 'trustpathd'}: ${String(s.reason)}`);
    return s.value;
  }) as [Awaited<ReturnType<typeof barrage>>, Awaited<ReturnType<typeof barrage>>];
  for (const [kind, r] of [['polkitd', base], ['trustpathd', ours]] as const) {
    assert.ok(r.alive, `${kind} died under the barrage:\n${r.log.slice(-3000)}`);
    assert.deepEqual(plain(r.stillServes), { ok: true, signature: '(bba{ss})', body: [[true, false, {}]] }, `${kind} no longer answers CheckAuthorization`);
    assert.equal(r.answers.filter((a) => 'error' in a && a.error === 'NO REPLY').length, 0, `${kind} left messages unanswered`);
  }
  // Where the client side lost the connection (the bus daemon or dbus-next gave up on
  // a message or its answer) there is no answer of the authority to compare.
  const answered = (a: Answer | undefined): boolean => a !== undefined && !('dropped' in a);
  const differing = base.answers.map((a, i) => [i, a, ours.answers[i]] as const)
    .filter(([, a, b]) => answered(a) && answered(b) && JSON.stringify(a) !== JSON.stringify(b));
  assert.deepEqual(differing.slice(0, 15), [], `${differing.length} of ${base.answers.length} answers differ (index, polkitd, trustpathd)`);
});
