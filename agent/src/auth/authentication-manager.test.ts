// AuthenticationManager with a fake helper seam and a recording prompt: event order,
// retries, lockout (hand-driven clock), queueing, abort, dismissal, timeout, and
// fail-closed handling of a misbehaving prompt side. The real helper and PAM run in
// test/auth/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GroupRecord, UserDatabase, UserRecord } from '../identity/users.js';
import type { AuditEntry } from '../audit/audit-log.js';
import type { PamOutcome } from '../pam/helper-process.js';
import { AuthenticationManager, type AuthManagerOptions } from './authentication-manager.js';
import { fakeStarter, RecordingPrompt, type FakeConversation } from './fake-conversation.test-support.js';
import type { AuthRequest } from './types.js';

const users: UserDatabase = {
  userByUid: async (uid) => (uid === 0 || uid === 1000 ? user(uid) : null),
  userByName: async () => null,
  groupByGid: async (): Promise<GroupRecord | null> => null,
  groupByName: async (): Promise<GroupRecord | null> => null,
  groupsOfUser: async (_n, gid) => [gid],
};
function user(uid: number): UserRecord {
  return { name: uid === 0 ? 'root' : 'alice', uid, gid: uid, gecos: uid === 0 ? 'root' : 'Alice A,,,', home: '/', shell: '/bin/sh' };
}

const OK: PamOutcome = { ok: true };
const WRONG: PamOutcome = { ok: false, reason: 'auth' };

function request(over: Partial<AuthRequest> = {}): AuthRequest {
  return {
    sessionKey: 's1', candidates: [1000, 0], actionId: 'org.example.act', subject: 'unix-process:10:20',
    requester: { pid: 10, uid: 1000, exe: '/usr/bin/x', cmdline: ['x'] }, signal: new AbortController().signal, ...over,
  };
}

function manager(script: (c: FakeConversation, n: number) => PamOutcome | null, over: Partial<AuthManagerOptions> = {}) {
  const { start, convs } = fakeStarter(script);
  const audit: AuditEntry[] = [];
  const logs: string[] = [];
  const m = new AuthenticationManager({ users, log: (s) => logs.push(s), audit: { record: (e) => audit.push(e) },
    startConversation: start, ...over });
  return { m, convs, audit, logs };
}

test('success: show, choose, prompt with the fd, finished; audited', async () => {
  const { m, convs, audit } = manager(() => OK);
  const p = new RecordingPrompt();
  const r = await m.authenticate(request(), p);
  assert.deepEqual(r, { outcome: 'authenticated', uid: 1000 });
  assert.deepEqual(p.kinds(), ['show', 'choose', 'message', 'finished']);
  const shown = p.events[0]!;
  assert.ok(shown.e === 'show');
  assert.deepEqual(shown.request.identities, [{ uid: 1000, name: 'alice', realName: 'Alice A' }, { uid: 0, name: 'root', realName: 'root' }]);
  assert.deepEqual(p.events[2], { e: 'message', m: { kind: 'prompt', echo: false, text: 'Password: ' }, fd: true });
  assert.equal(convs[0]!.user, 'alice');
  assert.deepEqual(audit, [{ via: 'prompt', requester: { pid: 10, uid: 1000, exe: '/usr/bin/x' }, actionId: 'org.example.act',
    subject: 'unix-process:10:20', offered: [1000, 0], identity: 1000, outcome: 'authenticated' }]);
});

test('wrong, then right: one retry with 2 left', async () => {
  const { m } = manager((_c, n) => (n === 1 ? WRONG : OK));
  const p = new RecordingPrompt(async () => 0);
  assert.deepEqual(await m.authenticate(request(), p), { outcome: 'authenticated', uid: 0 });
  assert.deepEqual(p.kinds(), ['show', 'choose', 'message', 'retry', 'message', 'finished']);
  assert.deepEqual(p.events[3], { e: 'retry', remaining: 2 });
});

test('three wrong: retries-exhausted after retry(2), retry(1)', async () => {
  const { m, convs, audit } = manager(() => WRONG);
  const p = new RecordingPrompt();
  assert.deepEqual(await m.authenticate(request(), p), { outcome: 'failed', reason: 'retries-exhausted' });
  assert.deepEqual(p.events.filter((e) => e.e === 'retry'), [{ e: 'retry', remaining: 2 }, { e: 'retry', remaining: 1 }]);
  assert.equal(convs.length, 3);
  assert.equal(audit[0]!.reason, 'retries-exhausted');
});

test('lockout: the Kth failure locks the target user; PAM is not started until it expires', async () => {
  const clock = { mono: 0, wall: Date.parse('2026-12-02T09:00:00Z') };
  const { m, convs } = manager(() => WRONG, {
    maxAttempts: 5, lockout: { maxFailures: 2, windowMs: 60_000, durationMs: 30_000 },
    clock: { monotonic: () => clock.mono, wall: () => clock.wall },
  });
  const p = new RecordingPrompt();
  assert.deepEqual(await m.authenticate(request(), p), { outcome: 'failed', reason: 'locked-out' });
  assert.deepEqual(p.kinds(), ['show', 'choose', 'message', 'retry', 'message', 'locked', 'finished']);
  assert.deepEqual(p.events[5], { e: 'locked', uid: 1000, until: new Date('2026-12-02T09:00:30Z') });
  const again = new RecordingPrompt();
  clock.mono = 29_999;
  assert.deepEqual(await m.authenticate(request({ sessionKey: 'other' }), again), { outcome: 'failed', reason: 'locked-out' });
  assert.deepEqual(again.kinds(), ['show', 'choose', 'locked', 'finished']);
  assert.equal(convs.length, 2, 'no helper while locked out');
  const root = new RecordingPrompt(async () => 0);
  await m.authenticate(request(), root);
  assert.ok(root.kinds().includes('message'), 'another target user is not locked');
  clock.mono = 30_000;
  const later = new RecordingPrompt();
  await m.authenticate(request(), later);
  assert.ok(later.kinds().includes('message'), 'after the lockout PAM runs again');
});

test('same session key: the second waits for the first; other keys run alongside; over the bound: queue-full', async () => {
  const { m, convs } = manager(() => null, { maxQueue: 1 });
  const first = new RecordingPrompt();
  const r1 = m.authenticate(request(), first);
  const second = new RecordingPrompt();
  const r2 = m.authenticate(request(), second);
  assert.deepEqual(await m.authenticate(request(), new RecordingPrompt()), { outcome: 'failed', reason: 'queue-full' });
  const other = new RecordingPrompt();
  const r3 = m.authenticate(request({ sessionKey: 's2' }), other);
  while (convs.length < 2) await new Promise((r) => setImmediate(r));
  assert.deepEqual(second.kinds(), [], 'the second has not been shown yet');
  assert.deepEqual(convs.map((c) => c.user), ['alice', 'alice']);
  convs[0]!.end(OK);
  assert.deepEqual(await r1, { outcome: 'authenticated', uid: 1000 });
  while (convs.length < 3) await new Promise((r) => setImmediate(r));
  assert.deepEqual(second.kinds().slice(0, 2), ['show', 'choose']);
  convs[1]!.end(OK);
  convs[2]!.end(OK);
  assert.equal((await r3).outcome, 'authenticated');
  assert.equal((await r2).outcome, 'authenticated');
  assert.equal(other.kinds().at(-1), 'finished');
});

test('the client aborts mid-conversation: cancelled, and the conversation is cancelled', async () => {
  const { m, convs } = manager(() => null);
  const ac = new AbortController();
  const p = new RecordingPrompt();
  p.onMessage = () => ac.abort();
  assert.deepEqual(await m.authenticate(request({ signal: ac.signal }), p), { outcome: 'cancelled' });
  assert.equal(convs[0]!.cancelled, true);
  assert.equal(p.kinds().at(-1), 'finished');
});

test('the user dismisses mid-conversation, or at the identity choice, or the keyboard side closes the pipe', async () => {
  const { m, convs } = manager((_c, n) => (n === 2 ? { ok: false, reason: 'cancelled' } : null));
  const p = new RecordingPrompt();
  p.onMessage = () => p.controls!.dismiss();
  assert.deepEqual(await m.authenticate(request(), p), { outcome: 'dismissed' });
  assert.equal(convs[0]!.cancelled, true);
  assert.deepEqual(await m.authenticate(request(), new RecordingPrompt(async () => null)), { outcome: 'dismissed' });
  assert.deepEqual(await m.authenticate(request(), new RecordingPrompt()), { outcome: 'dismissed' });
  const hang = new RecordingPrompt(() => new Promise(() => undefined));
  const ac = new AbortController();
  const r = m.authenticate(request({ signal: ac.signal }), hang);
  while (hang.kinds().length < 2) await new Promise((res) => setImmediate(res));
  ac.abort();
  assert.deepEqual(await r, { outcome: 'cancelled' });
  assert.equal(convs.length, 2);
});

test('the overall timeout dismisses the authentication', async () => {
  const { m, convs, logs } = manager(() => null, { timeoutMs: 30 });
  const p = new RecordingPrompt();
  assert.deepEqual(await m.authenticate(request(), p), { outcome: 'dismissed' });
  assert.equal(convs[0]!.cancelled, true);
  assert.match(logs.join('\n'), /timed out/);
});

test('a misbehaving prompt side or helper fails closed, and the manager never throws', async () => {
  const { m } = manager((_c, n) => (n === 1 ? { ok: false, reason: 'account-expired' } : OK));
  assert.deepEqual(await m.authenticate(request(), new RecordingPrompt()), { outcome: 'failed', reason: 'error', detail: 'account-expired' });
  const notOffered = await m.authenticate(request(), new RecordingPrompt(async () => 4242));
  assert.equal(notOffered.outcome === 'failed' && notOffered.reason, 'error');
  const throwing = new RecordingPrompt();
  throwing.onMessage = () => { throw new Error('window gone'); };
  const r = await m.authenticate(request(), throwing);
  assert.equal(r.outcome === 'failed' && r.reason === 'error' && r.detail.includes('window gone'), true, JSON.stringify(r));
  const rejecting = { show: async () => { throw new Error('no display'); } };
  assert.equal((await m.authenticate(request(), rejecting)).outcome, 'failed');
  const noName = await m.authenticate(request({ candidates: [777] }), new RecordingPrompt());
  assert.equal(noName.outcome === 'failed' && noName.reason, 'error');
  for (const bad of [{ sessionKey: '' }, { candidates: [] }, { candidates: [-1] }, { requester: null as never }, { signal: {} as never }]) {
    assert.equal((await m.authenticate(request(bad), new RecordingPrompt())).outcome, 'failed', JSON.stringify(bad));
  }
  assert.equal((await m.authenticate(null as never, new RecordingPrompt())).outcome, 'failed');
});

test('a helper that cannot start is an error, not a retry', async () => {
  const { m } = manager(() => ({ ok: false, reason: 'spawn-failed', detail: 'ENOENT' }));
  const p = new RecordingPrompt();
  assert.deepEqual(await m.authenticate(request(), p), { outcome: 'failed', reason: 'error', detail: 'spawn-failed: ENOENT' });
  assert.equal(p.kinds().includes('retry'), false);
});

test('a prompt that is still opening when the client cancels is told finished once it opens', async () => {
  const { m, convs } = manager(() => OK);
  const p = new RecordingPrompt();
  let open!: () => void;
  const slow = { show: (r: Parameters<RecordingPrompt['show']>[0], c: Parameters<RecordingPrompt['show']>[1]) =>
    new Promise<RecordingPrompt>((res) => { open = () => res(p); }).then(async (s) => { await s.show(r, c); return s; }) };
  const ac = new AbortController();
  const r = m.authenticate(request({ signal: ac.signal }), slow);
  while (open === undefined) await new Promise((res) => setImmediate(res));
  ac.abort();
  assert.deepEqual(await r, { outcome: 'cancelled' });
  open();
  while (p.kinds().length < 2) await new Promise((res) => setImmediate(res));
  assert.deepEqual(p.events.at(-1), { e: 'finished', result: { outcome: 'cancelled' } });
  assert.equal(convs.length, 0, 'no helper was started');
});

test('a client that cancels while queued gets cancelled without a prompt', async () => {
  const { m, convs } = manager(() => null);
  const first = m.authenticate(request(), new RecordingPrompt());
  const ac = new AbortController();
  const p = new RecordingPrompt();
  const queued = m.authenticate(request({ signal: ac.signal }), p);
  ac.abort();
  assert.deepEqual(await queued, { outcome: 'cancelled' });
  assert.deepEqual(p.kinds(), []);
  while (convs.length < 1) await new Promise((res) => setImmediate(res));
  convs[0]!.end(OK);
  assert.equal((await first).outcome, 'authenticated');
});
