// trustpathd's own authentication sessions end to end: a real private dbus-daemon,
// trustpathd with --prompt-socket and the setuid PAM helper (test build), real PAM
// (Debian's common-auth: pam_unix with its ~2 s delay after a wrong password), real
// users, Debian's pkcheck -u as the client with no agent registered, and the prompt
// client of test/support as the keyboard writing into /proc/PID/fd/N.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { prepare } from '../pam/support.js';
import { ensureTestUser, type TestUser } from '../support/users.js';
import type { PromptClient } from '../support/prompt-client.js';
import {
  ACTION_KEEP, ACTION_SELF, alive, auditRecords, connectPrompt, helperPids, pkcheck, startOwnDaemon, Subject, type OwnDaemon,
} from './support.js';

const PW = 'Own-S3ssion-pw';
const ADMIN_PW = 'Own-Adm1n-pw';
const WRONG = 'wrong-Own-S3ssion';
const DISMISSED = /^polkit\\56dismissed=true$/m;
const u = {} as Record<'self' | 'three' | 'admin', TestUser>;
let d: OwnDaemon;
/** authentications that reached the manager, in order: one audit record each */
const audited: string[] = [];

before(async () => {
  await prepare();
  u.self = ensureTestUser('tptown-self', PW);
  u.three = ensureTestUser('tptown-three', PW);
  u.admin = ensureTestUser('tptown-admin', ADMIN_PW);
  d = await startOwnDaemon(u.admin);
});

after(async () => {
  await d?.stop();
});

/** Runs fn with a subject process of `user` and a connected prompt client; cleans up. */
async function withSubject<T>(user: TestUser, fn: (s: Subject, c: PromptClient) => Promise<T>): Promise<T> {
  const s = new Subject(user);
  const c = await connectPrompt(d.socket);
  try {
    return await fn(s, c);
  } finally {
    await c.close();
    await s.stop();
  }
}

describe('own authentication sessions over the bus, pkcheck as the client', () => {
  test('right password: SHOW, CHOOSE, PAM with the pipe, FINISHED; pkcheck exits 0', async () => {
    await withSubject(u.self, async (s, c) => {
      c.auto({ answers: [PW] });
      const r = await pkcheck(d.env, s, ACTION_SELF).done;
      audited.push('authenticated');
      console.log(`successful end-to-end authentication (pkcheck start to exit): ${r.ms.toFixed(0)} ms`);
      assert.equal(r.status, 0, r.stderr);
      const show = await c.waitFor('show');
      assert.equal(show.actionId, ACTION_SELF);
      assert.equal(show.message, 'Own session test wants auth_self');
      assert.equal(show.subject, `unix-process:${s.process.pid}:${s.spec.split(',')[1]}`);
      assert.equal(show.requester.pid, s.process.pid);
      assert.deepEqual(show.requester.cmdline, ['sleep', '3600']);
      assert.deepEqual(c.typesOf(show.id), ['show', 'choose', 'pam', 'finished']);
      const choose = await c.waitFor('choose');
      assert.deepEqual(choose.identities, [{ uid: u.self.uid, name: u.self.name, realName: '' }]);
      const pam = await c.waitFor('pam');
      assert.equal(pam.kind, 'prompt');
      assert.equal(pam.echo, false);
      assert.equal(pam.text, 'Password: ');
      assert.equal(pam.pipe?.pid, d.daemon.process.pid, 'the pipe is the daemon\'s fd');
      assert.deepEqual(await c.waitFor('finished'), { type: 'finished', id: show.id, outcome: 'authenticated', uid: u.self.uid });
      assert.equal(c.error, undefined);
    });
  });

  test('no prompt connected: not authorized at once (fail closed)', async () => {
    const s = new Subject(u.self);
    try {
      const r = await pkcheck(d.env, s, ACTION_SELF).done;
      audited.push('failed');
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /^Not authorized\.$/m);
      const last = auditRecords(d.auditLog).at(-1);
      assert.equal(last?.outcome, 'failed');
      assert.match(String(last?.detail), /no prompt connected/);
    } finally {
      await s.stop();
    }
  });

  test('wrong, then right: RETRY (2 left), then authorized', async () => {
    await withSubject(u.self, async (s, c) => {
      c.auto({ answers: [WRONG, PW] });
      const r = await pkcheck(d.env, s, ACTION_SELF).done;
      audited.push('authenticated');
      assert.equal(r.status, 0, r.stderr);
      const show = await c.waitFor('show');
      assert.deepEqual(c.typesOf(show.id), ['show', 'choose', 'pam', 'retry', 'pam', 'finished']);
      assert.equal((await c.waitFor('retry')).remaining, 2);
      const pipes = c.messages.flatMap((m) => (m.type === 'pam' && m.pipe ? [m.pipe.pid] : []));
      assert.deepEqual(pipes, [d.daemon.process.pid, d.daemon.process.pid], 'each attempt\'s prompt names a pipe of the daemon');
    });
  });

  test('three wrong passwords: not authorized (exit 1)', async () => {
    await withSubject(u.three, async (s, c) => {
      c.auto({ answers: [WRONG, WRONG, WRONG] });
      const r = await pkcheck(d.env, s, ACTION_SELF).done;
      audited.push('failed');
      console.log(`failed end-to-end authentication, three wrong passwords (pkcheck start to exit): ${r.ms.toFixed(0)} ms`);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /^Not authorized\.$/m);
      const show = await c.waitFor('show');
      assert.deepEqual(c.messages.filter((m) => m.type === 'retry').map((m) => m.type === 'retry' && m.remaining), [2, 1]);
      assert.deepEqual(await c.waitFor('finished'), { type: 'finished', id: show.id, outcome: 'failed', reason: 'retries-exhausted' });
    });
  });

  test('dismissal at the password prompt: exit 3, polkit.dismissed, the helper is gone', async () => {
    await withSubject(u.self, async (s, c) => {
      c.auto({});
      const run = pkcheck(d.env, s, ACTION_SELF);
      const pam = await c.waitFor('pam');
      const helpers = helperPids(d.daemon.process.pid!);
      assert.equal(helpers.length, 1, 'one helper runs while the prompt is up');
      c.dismiss(pam.id);
      const r = await run.done;
      audited.push('dismissed');
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stdout, DISMISSED);
      assert.deepEqual(await c.waitFor('finished'), { type: 'finished', id: pam.id, outcome: 'dismissed' });
      assert.equal(alive(helpers[0]!), false);
    });
  });

  test('auth_admin_keep: the admin rule\'s user is offered; a second check is authorized without a prompt', async () => {
    await withSubject(u.self, async (s, c) => {
      c.auto({ answers: [ADMIN_PW] });
      const first = await pkcheck(d.env, s, ACTION_KEEP).done;
      audited.push('authenticated');
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /^polkit\\56temporary_authorization_id=/m);
      assert.match(first.stdout, /^polkit\\56retains_authorization_after_challenge=true$/m);
      assert.deepEqual((await c.waitFor('choose')).identities.map((i) => i.uid), [u.admin.uid]);
      const second = await pkcheck(d.env, s, ACTION_KEEP).done;
      assert.equal(second.status, 0, second.stderr);
      assert.equal(c.messages.filter((m) => m.type === 'show').length, 1, 'no second prompt');
    });
  });

  test('the caller disconnects mid-prompt (pkcheck killed): FINISHED cancelled, the helper is gone', async () => {
    await withSubject(u.self, async (s, c) => {
      c.auto({});
      const run = pkcheck(d.env, s, ACTION_SELF);
      const pam = await c.waitFor('pam');
      const helpers = helperPids(d.daemon.process.pid!);
      assert.equal(helpers.length, 1);
      run.process.kill('SIGKILL');
      await run.done;
      audited.push('cancelled');
      assert.deepEqual(await c.waitFor('finished'), { type: 'finished', id: pam.id, outcome: 'cancelled' });
      assert.equal(alive(helpers[0]!), false);
    });
  });

  test('a malformed frame drops the client and dismisses; the daemon keeps serving a new client', async () => {
    await withSubject(u.self, async (s, c) => {
      c.auto({});
      const run = pkcheck(d.env, s, ACTION_SELF);
      const pam = await c.waitFor('pam');
      c.sendRaw(Buffer.from([0x81, 0, 0, 0, 4, 0x7b, 0x22, 0x69, 0x64])); // CHOSEN '{"id' (not JSON)
      await c.closed;
      const r = await run.done;
      audited.push('dismissed');
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stdout, DISMISSED);
      assert.equal(c.messages.some((m) => m.type === 'finished' && m.id === pam.id), false, 'nothing is sent to a dropped client');
      assert.match(d.daemon.log(), /Prompt client dropped: frame type 129: payload is not UTF-8 JSON/);
    });
    await withSubject(u.self, async (s, c) => {
      c.auto({ answers: [PW] });
      const r = await pkcheck(d.env, s, ACTION_SELF).done;
      audited.push('authenticated');
      assert.equal(r.status, 0, r.stderr);
    });
  });

  test('a second prompt client is refused while one is connected', async () => {
    await withSubject(u.self, async (s, c) => {
      const second = await connectPrompt(d.socket);
      await second.closed;
      assert.deepEqual(second.messages, []);
      c.auto({ answers: [PW] });
      const r = await pkcheck(d.env, s, ACTION_SELF).done;
      audited.push('authenticated');
      assert.equal(r.status, 0, r.stderr);
    });
  });

  test('audit log: one record per authentication, outcomes in order, no password text', () => {
    const text = readFileSync(d.auditLog, 'utf8');
    const records = auditRecords(d.auditLog);
    assert.deepEqual(records.map((r) => r.outcome), audited);
    assert.ok(records.every((r) => r.via === 'prompt' && typeof r.actionId === 'string'));
    for (const secret of [PW, ADMIN_PW, WRONG]) assert.equal(text.includes(secret), false, 'no response text');
  });
});
