// trustpathd's own authentication sessions under concurrency, end to end over the bus
// (issue 3): several users authenticating at once, the lockout per target user, a
// caller that goes away while PAM sits in its failure delay, and that delay stalling
// nobody else. A real private dbus-daemon, trustpathd with --prompt-socket, short
// --lockout-* settings and the setuid helper (test build), Debian's common-auth
// (pam_unix: a randomized ~2 s delay after a wrong password), real users, Debian's
// pkcheck as the client and the prompt client of test/support as the keyboard.
// Order is asserted by events (prompt frames, process exits, the helper's system
// call), never by elapsed time; a helper is held inside its failure delay (SIGSTOP)
// where the order would otherwise depend on the machine's speed.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { prepare } from '../pam/support.js';
import { ensureTestUser, type TestUser } from '../support/users.js';
import type { Msg, PromptClient } from '../support/prompt-client.js';
import {
  ACTION_SELF, alive, auditRecords, connectPrompt, helperPids, holdInFailureDelay, pkcheck, processSpec,
  startOwnDaemon, Subject, type OwnDaemon, type PkcheckRun,
} from './support.js';

const WRONG = 'wrong-Conc-pw';
const LOCKOUT = ['--lockout-failures', '2', '--lockout-window-seconds', '60', '--lockout-seconds', '5'];
const NAMES = ['a', 'b', 'c', 'lock', 'cancel', 'slow', 'fast'] as const;
const u = {} as Record<(typeof NAMES)[number], TestUser>;
/** a bound against a hang (a stalled daemon), not a speed assertion; see withSubjects */
const BOUND = { timeout: 60_000 };
/** resumes of helpers held in their failure delay right now */
const held = new Set<() => void>();
let d: OwnDaemon;

before(async () => {
  await prepare();
  for (const n of NAMES) u[n] = ensureTestUser(`tptconc-${n}`, `Conc-${n}-pw1`);
  d = await startOwnDaemon(u.a, LOCKOUT);
});

after(async () => {
  await d?.stop();
});

interface Scope {
  readonly c: PromptClient;
  readonly s: readonly Subject[];
  /** pkcheck, ended with the test */
  check(subject: { readonly spec: string }, actionId: string, opts?: { readonly interactive?: boolean }): PkcheckRun;
}

/**
 * Runs fn with a connected prompt client and subject processes of `users`; cleans up.
 * If the test times out (a stalled daemon leaves fn waiting), everything it started is
 * ended at once — held helpers let go, pkchecks and subjects killed, the client closed
 * — so the file fails instead of hanging.
 */
async function withSubjects<T>(t: TestContext, users: readonly TestUser[], fn: (x: Scope) => Promise<T>): Promise<T> {
  const c = await connectPrompt(d.socket);
  const subjects = users.map((x) => new Subject(x));
  const runs: PkcheckRun[] = [];
  const abandon = (): void => {
    for (const resume of held) resume();
    for (const r of runs) r.process.kill('SIGKILL');
    for (const s of subjects) void s.stop();
    void c.close();
  };
  t.signal.addEventListener('abort', abandon, { once: true });
  const check: Scope['check'] = (subject, actionId, opts) => {
    const run = pkcheck(d.env, subject, actionId, opts);
    runs.push(run);
    return run;
  };
  try {
    return await fn({ c, s: subjects, check });
  } finally {
    t.signal.removeEventListener('abort', abandon);
    await c.close();
    for (const s of subjects) await s.stop();
  }
}

/** The `n`th authentication (0-based) whose subject belongs to `user`: its id. */
async function authOf(c: PromptClient, user: TestUser, n = 0): Promise<number> {
  const shows = (): Msg<'show'>[] => c.messages.filter((m): m is Msg<'show'> => m.type === 'show' && m.requester.uid === user.uid);
  return (await c.waitFor('show', (m) => shows().indexOf(m) === n)).id;
}

/** The password prompt of `user`'s first authentication, once its own user is offered. */
async function promptOf(c: PromptClient, user: TestUser): Promise<Msg<'pam'>> {
  const id = await authOf(c, user);
  const choose = await c.waitFor('choose', (m) => m.id === id);
  assert.deepEqual(choose.identities.map((i) => i.uid), [user.uid], 'auth_self offers the subject\'s own user');
  return c.waitFor('pam', (m) => m.id === id && m.kind === 'prompt');
}

/** Runs fn while PAM helper `pid` is held inside its failure delay; lets it go on after. */
async function whileInDelay<T>(pid: number, fn: () => Promise<T>): Promise<T> {
  const resume = await holdInFailureDelay(pid);
  held.add(resume);
  try {
    return await fn();
  } finally {
    held.delete(resume);
    resume();
  }
}

function helperOf(): number {
  const pids = helperPids(d.daemon.process.pid!);
  assert.equal(pids.length, 1, 'exactly one helper runs');
  return pids[0]!;
}

const NOT_AUTHORIZED = /^Not authorized\.$/m;

describe('own sessions under concurrency over the bus, pkcheck as the client', () => {
  test('three users authenticate at once, each with its own password', BOUND, async (t) => {
    const users = [u.a, u.b, u.c];
    await withSubjects(t, users, async ({ c, s: subjects, check }) => {
      c.auto({}); // picks the offered identity; prompts wait for answer()
      const runs = subjects.map((s) => check(s, ACTION_SELF));
      const prompts = await Promise.all(users.map((x) => promptOf(c, x)));
      assert.equal(c.messages.some((m) => m.type === 'finished'), false, 'all three prompts are up before any authentication ends');
      assert.equal(helperPids(d.daemon.process.pid!).length, 3, 'three PAM helpers run at once');
      assert.equal(new Set(prompts.map((p) => p.pipe?.ino)).size, 3, 'each conversation has its own response pipe');
      for (const i of [2, 0, 1]) c.answer(prompts[i]!, users[i]!.password);
      const results = await Promise.all(runs.map((r) => r.done));
      for (const [i, r] of results.entries()) {
        const id = prompts[i]!.id;
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(c.typesOf(id), ['show', 'choose', 'pam', 'finished']);
        assert.deepEqual(await c.waitFor('finished', (m) => m.id === id), { type: 'finished', id, outcome: 'authenticated', uid: users[i]!.uid });
      }
      assert.equal(c.error, undefined);
    });
  });

  test('lockout: wrong passwords until LOCKED; a further check is LOCKED without PAM; after the lockout the right password works', BOUND, async (t) => {
    await withSubjects(t, [u.lock], async ({ c, s: [s], check }) => {
      c.auto({ answers: [WRONG, WRONG, WRONG] }); // a third only if the lockout failed to come
      const first = await check(s!, ACTION_SELF).done;
      assert.equal(first.status, 1, first.stderr);
      assert.match(first.stderr, NOT_AUTHORIZED);
      const id1 = await authOf(c, u.lock, 0);
      assert.deepEqual(c.typesOf(id1), ['show', 'choose', 'pam', 'retry', 'pam', 'locked', 'finished']);
      const locked = await c.waitFor('locked', (m) => m.id === id1);
      assert.equal(locked.uid, u.lock.uid);
      assert.deepEqual(await c.waitFor('finished', (m) => m.id === id1), { type: 'finished', id: id1, outcome: 'failed', reason: 'locked-out' });

      const second = await check(s!, ACTION_SELF).done;
      assert.equal(second.status, 1, second.stderr);
      assert.match(second.stderr, NOT_AUTHORIZED);
      const id2 = await authOf(c, u.lock, 1);
      assert.deepEqual(c.typesOf(id2), ['show', 'choose', 'locked', 'finished'], 'no PAM prompt: no helper ran');
      assert.equal((await c.waitFor('locked', (m) => m.id === id2)).uid, u.lock.uid);
      assert.deepEqual(await c.waitFor('finished', (m) => m.id === id2), { type: 'finished', id: id2, outcome: 'failed', reason: 'locked-out' });

      await sleep(Math.max(0, locked.until - Date.now()) + 200); // LOCKED's wall-clock end
      c.auto({ answers: [u.lock.password] });
      const third = await check(s!, ACTION_SELF).done;
      assert.equal(third.status, 0, third.stderr);
      const id3 = await authOf(c, u.lock, 2);
      assert.deepEqual(c.typesOf(id3), ['show', 'choose', 'pam', 'finished']);
      assert.deepEqual(await c.waitFor('finished', (m) => m.id === id3), { type: 'finished', id: id3, outcome: 'authenticated', uid: u.lock.uid });
    });
  });

  test('cancellation mid-PAM: pkcheck killed while the helper sits in the failure delay → FINISHED cancelled, the helper is gone', BOUND, async (t) => {
    await withSubjects(t, [u.cancel], async ({ c, s: [s], check }) => {
      c.auto({});
      const run = check(s!, ACTION_SELF);
      const prompt = await promptOf(c, u.cancel);
      const helper = helperOf();
      c.answer(prompt, WRONG);
      await whileInDelay(helper, async () => {
        run.process.kill('SIGKILL');
        await run.done;
        assert.deepEqual(await c.waitFor('finished', (m) => m.id === prompt.id), { type: 'finished', id: prompt.id, outcome: 'cancelled' });
        assert.equal(alive(helper), false, 'the helper was killed inside its delay');
      });
      assert.deepEqual(c.typesOf(prompt.id), ['show', 'choose', 'pam', 'finished'], 'no RETRY: the wrong answer never came back');
    });
  });

  test('the failure delay stalls nobody: while one helper sits in it, plain checks are answered and another user authenticates', BOUND, async (t) => {
    await withSubjects(t, [u.slow, u.fast], async ({ c, s: [slowS, fastS], check }) => {
      c.auto({});
      const slow = check(slowS!, ACTION_SELF);
      const slowPrompt = await promptOf(c, u.slow);
      const helper = helperOf();
      const fast = check(fastS!, ACTION_SELF);
      const fastPrompt = await promptOf(c, u.fast);
      c.answer(slowPrompt, WRONG);
      const [root, plain, fastRun, fastEnd] = await whileInDelay(helper, async () => {
        c.answer(fastPrompt, u.fast.password);
        const others = await Promise.all([
          check({ spec: processSpec(process.pid) }, ACTION_SELF, { interactive: false }).done,
          check(slowS!, ACTION_SELF, { interactive: false }).done,
          fast.done,
          c.waitFor('finished', (m) => m.id === fastPrompt.id),
        ]);
        assert.deepEqual(c.typesOf(slowPrompt.id), ['show', 'choose', 'pam'], 'all answered while the first authentication waits for its RETRY');
        return others;
      });
      assert.equal(root.status, 0, `a root subject is authorized: ${root.stderr}`);
      assert.equal(plain.status, 2, `no interaction: a challenge: ${plain.stderr}`);
      assert.match(plain.stderr, /requires authentication/);
      assert.equal(fastRun.status, 0, fastRun.stderr);
      assert.deepEqual(fastEnd, { type: 'finished', id: fastPrompt.id, outcome: 'authenticated', uid: u.fast.uid });

      assert.equal((await c.waitFor('retry', (m) => m.id === slowPrompt.id)).remaining, 2);
      const again = await c.waitFor('pam', (m) => m.id === slowPrompt.id && m !== slowPrompt);
      c.answer(again, u.slow.password);
      const slowRun = await slow.done;
      assert.equal(slowRun.status, 0, slowRun.stderr);
      assert.deepEqual(c.typesOf(slowPrompt.id), ['show', 'choose', 'pam', 'retry', 'pam', 'finished']);
    });
  });

  test('audit log: each user\'s authentications with their outcomes, no password text', () => {
    const byUser = new Map<number, string[]>();
    for (const r of auditRecords(d.auditLog)) {
      const uid = r.identity as number;
      byUser.set(uid, [...(byUser.get(uid) ?? []), `${String(r.outcome)}${r.reason ? `:${String(r.reason)}` : ''}`]);
    }
    assert.deepEqual(Object.fromEntries(NAMES.map((n) => [n, byUser.get(u[n].uid) ?? []])), {
      a: ['authenticated'], b: ['authenticated'], c: ['authenticated'],
      lock: ['failed:locked-out', 'failed:locked-out', 'authenticated'],
      cancel: ['cancelled'], slow: ['authenticated'], fast: ['authenticated'],
    });
    const text = readFileSync(d.auditLog, 'utf8');
    for (const secret of [WRONG, ...NAMES.map((n) => u[n].password)]) assert.equal(text.includes(secret), false, 'no response text');
  });
});
