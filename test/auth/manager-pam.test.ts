// trustpathd's authentication sessions end to end: the AuthenticationManager with
// the real setuid helper (run as `trustpath`), real PAM (Debian's common-auth with
// pam_unix and its ~2 s failure delay) and real users; the test is the keyboard,
// writing answers into the response pipe as the input grabber will.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureTestUser, type TestUser } from '../support/users.js';
import { PlainPrompt, type PromptEvent } from './plain-prompt.js';
import { alive, harness, prepare, request, UserDatabaseWithGhosts } from './support.js';

const PW = 'Auth-S3ssion-pw';
const WRONG = 'wrong-' + PW;
const NAMES = ['ok', 'retry', 'three', 'lockout', 'locked', 'expired', 'dismiss', 'abort', 'delay', 'para', 'parb', 'queue'] as const;
const u = {} as Record<(typeof NAMES)[number], TestUser>;
const PASSWORD_PROMPT = { kind: 'prompt', echo: false, text: 'Password: ' } as const;

before(async () => {
  await prepare();
  for (const n of NAMES) u[n] = ensureTestUser(`tptauth-${n}`, PW);
  execFileSync('usermod', ['-L', u.locked.name]);
  execFileSync('chage', ['-E', '0', u.expired.name]);
});

function messages(p: PlainPrompt): unknown[] {
  return p.events.flatMap((e) => (e.e === 'message' ? [e.message] : []));
}

describe('authentication sessions with the real helper and PAM', { concurrency: true }, () => {
  test('right password: authenticated after one hidden prompt', async () => {
    const h = harness('ok');
    const p = new PlainPrompt({ answers: [PW] });
    const t0 = performance.now();
    const r = await h.manager.authenticate(request(u.ok.uid), p);
    console.log(`successful authentication: ${(performance.now() - t0).toFixed(0)} ms`);
    assert.deepEqual(r, { outcome: 'authenticated', uid: u.ok.uid });
    assert.deepEqual(p.kinds(), ['show', 'choose', 'message', 'answered', 'finished']);
    assert.deepEqual(messages(p), [PASSWORD_PROMPT]);
  });

  test('wrong, then right: retry with 2 left, then authenticated', async () => {
    const h = harness('retry');
    const p = new PlainPrompt({ answers: [WRONG, PW] });
    const r = await h.manager.authenticate(request(u.retry.uid), p);
    assert.deepEqual(r, { outcome: 'authenticated', uid: u.retry.uid });
    assert.deepEqual(p.events.find((e) => e.e === 'retry'), { e: 'retry', remaining: 2 });
    assert.equal(h.pids.length, 2, 'a new conversation for the retry');
  });

  test('three wrong answers: retries-exhausted', async () => {
    const h = harness('three');
    const p = new PlainPrompt({ answers: [WRONG, WRONG + '2', WRONG + '3'] });
    const t0 = performance.now();
    const r = await h.manager.authenticate(request(u.three.uid), p);
    console.log(`three failed attempts: ${(performance.now() - t0).toFixed(0)} ms`);
    assert.deepEqual(r, { outcome: 'failed', reason: 'retries-exhausted' });
    assert.deepEqual(p.events.filter((e) => e.e === 'retry').map((e) => e.e === 'retry' && e.remaining), [2, 1]);
  });

  test('lockout after repeated failures for one user, then its expiry', async () => {
    const h = harness('lockout', { lockout: { maxFailures: 2, windowMs: 60_000, durationMs: 1500 } });
    const first = new PlainPrompt({ answers: [WRONG, WRONG] });
    assert.deepEqual(await h.manager.authenticate(request(u.lockout.uid), first), { outcome: 'failed', reason: 'locked-out' });
    assert.deepEqual(first.kinds().slice(-2), ['locked', 'finished']);
    const locked = await first.waitFor('locked');
    assert.equal(locked.uid, u.lockout.uid);
    const during = new PlainPrompt({ answers: [PW] });
    assert.deepEqual(await h.manager.authenticate(request(u.lockout.uid), during), { outcome: 'failed', reason: 'locked-out' });
    assert.deepEqual(during.kinds(), ['show', 'choose', 'locked', 'finished'], 'refused without starting PAM');
    assert.equal(h.pids.length, 2);
    await sleep(Math.max(0, locked.until.getTime() - Date.now()) + 50);
    const after = new PlainPrompt({ answers: [PW] });
    assert.deepEqual(await h.manager.authenticate(request(u.lockout.uid), after), { outcome: 'authenticated', uid: u.lockout.uid });
  });

  test('locked account (usermod -L): the right password fails', async () => {
    const h = harness('locked', { maxAttempts: 1 });
    const p = new PlainPrompt({ answers: [PW] });
    assert.deepEqual(await h.manager.authenticate(request(u.locked.uid), p), { outcome: 'failed', reason: 'retries-exhausted' });
  });

  test('expired account (chage -E 0): the right password fails and the prompt is told why', async () => {
    const h = harness('expired', { maxAttempts: 1 });
    const p = new PlainPrompt({ answers: [PW] });
    assert.deepEqual(await h.manager.authenticate(request(u.expired.uid), p), { outcome: 'failed', reason: 'retries-exhausted' });
    assert.deepEqual(messages(p), [PASSWORD_PROMPT,
      { kind: 'error', text: 'Your account has expired; please contact your system administrator.' }]);
  });

  test('unknown user: a prompt that does not reveal it, then failure; a uid without a name never reaches PAM', async () => {
    spawnSync('userdel', ['tptauth-ghost']);
    const h = harness('unknown', { maxAttempts: 1, users: new UserDatabaseWithGhosts({ 3999999: 'tptauth-ghost' }) });
    const p = new PlainPrompt({ answers: ['anything'] });
    assert.deepEqual(await h.manager.authenticate(request(3999999), p), { outcome: 'failed', reason: 'retries-exhausted' });
    assert.deepEqual(messages(p), [PASSWORD_PROMPT]);
    const noName = await h.manager.authenticate(request(3999998), new PlainPrompt());
    assert.deepEqual(noName, { outcome: 'failed', reason: 'error', detail: 'uid 3999998 has no user name' });
    assert.equal(h.pids.length, 1);
  });

  test('dismissal mid-prompt cancels the conversation and kills the helper', async () => {
    const h = harness('dismiss');
    const p = new PlainPrompt({ onEvent: (e, self) => { if (e.e === 'message') self.dismiss(); } });
    const r = await h.manager.authenticate(request(u.dismiss.uid), p);
    assert.deepEqual(r, { outcome: 'dismissed' });
    assert.equal(h.pids.length, 1);
    assert.equal(alive(h.pids[0]!), false, 'the helper is gone when the result is returned');
  });

  test('the client aborts mid-prompt: cancelled, helper gone', async () => {
    const h = harness('abort');
    const ac = new AbortController();
    const p = new PlainPrompt({ onEvent: (e) => { if (e.e === 'message') ac.abort(); } });
    assert.deepEqual(await h.manager.authenticate(request(u.abort.uid, { signal: ac.signal }), p), { outcome: 'cancelled' });
    assert.equal(alive(h.pids[0]!), false);
  });

  test('the client aborts while pam_unix sits in its failure delay: cancelled at once, helper killed', async () => {
    const h = harness('delay');
    const ac = new AbortController();
    const p = new PlainPrompt({ answers: [WRONG], onEvent: (e) => { if (e.e === 'answered') setImmediate(() => ac.abort()); } });
    const r = await h.manager.authenticate(request(u.delay.uid, { signal: ac.signal }), p);
    assert.deepEqual(r, { outcome: 'cancelled' });
    assert.equal(p.kinds().includes('retry'), false);
    assert.equal(alive(h.pids[0]!), false);
  });

  test('two session keys in parallel: one authenticates while the other sits in the failure delay', async () => {
    const h = harness('parallel');
    const order: string[] = [];
    const note = (label: string) => (e: PromptEvent) => order.push(`${label}:${e.e}`);
    const b = new PlainPrompt({ answers: [PW], onEvent: note('B') });
    let rb: Promise<unknown> | undefined;
    const a = new PlainPrompt({
      answers: [WRONG, PW],
      onEvent: (e) => {
        note('A')(e);
        // B starts once A's wrong answer is in, i.e. while PAM delays A.
        if (e.e === 'answered' && rb === undefined) rb = h.manager.authenticate(request(u.parb.uid), b);
      },
    });
    const ra = await h.manager.authenticate(request(u.para.uid), a);
    assert.deepEqual(ra, { outcome: 'authenticated', uid: u.para.uid });
    assert.deepEqual(await rb, { outcome: 'authenticated', uid: u.parb.uid });
    const i = (s: string) => order.indexOf(s);
    assert.ok(i('A:answered') < i('B:show'), order.join(' '));
    assert.ok(i('B:finished') < i('A:retry'), `B finished while A was delayed: ${order.join(' ')}`);
  });

  test('one authentication per session key; the rest queue up to the bound; over it: queue-full', async () => {
    const h = harness('queue', { maxQueue: 1 });
    const key = 'seat0-session-q';
    const first = new PlainPrompt();
    const r1 = h.manager.authenticate(request(u.queue.uid, { sessionKey: key }), first);
    await first.waitFor('message');
    const second = new PlainPrompt({ answers: [PW] });
    const r2 = h.manager.authenticate(request(u.queue.uid, { sessionKey: key }), second);
    const r3 = await h.manager.authenticate(request(u.queue.uid, { sessionKey: key }), new PlainPrompt());
    assert.deepEqual(r3, { outcome: 'failed', reason: 'queue-full' });
    assert.deepEqual(second.kinds(), [], 'the second waits while the first prompts');
    first.answer(PW);
    assert.deepEqual(await r1, { outcome: 'authenticated', uid: u.queue.uid });
    assert.deepEqual(await r2, { outcome: 'authenticated', uid: u.queue.uid });
    assert.equal(h.pids.length, 2);
  });

  test('audit records: one per authentication, with who asked and the outcome, and no response text', async () => {
    const h = harness('audit');
    const secret = 'Zq9-audit-secret';
    const user = ensureTestUser('tptauth-audit', secret);
    await h.manager.authenticate(request(user.uid, { requester: { pid: 4242, uid: 1000, exe: '/usr/bin/pkexec', cmdline: [], busName: ':1.9' } }),
      new PlainPrompt({ answers: [secret] }));
    const wrong = `not-${secret}-typed`;
    await h.manager.authenticate(request(user.uid), new PlainPrompt({ answers: [wrong], onEvent: (e, p) => { if (e.e === 'retry') p.dismiss(); } }));
    const text = readFileSync(h.auditPath, 'utf8');
    assert.equal(text.includes(secret), false);
    assert.equal(text.includes('typed'), false);
    const recs = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(recs.length, 2);
    assert.deepEqual({ ...recs[0], time: undefined }, {
      time: undefined, via: 'prompt', requester: { pid: 4242, uid: 1000, exe: '/usr/bin/pkexec', busName: ':1.9' },
      actionId: 'org.trustpath.test.auth', subject: recs[0]!.subject, offered: [user.uid], identity: user.uid, outcome: 'authenticated',
    });
    assert.match(String(recs[0]!.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(recs[1]!.outcome, 'dismissed');
  });
});
