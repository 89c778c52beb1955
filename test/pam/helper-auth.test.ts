// trustpath-pam-helper against real PAM (Debian's common-auth/common-account) with
// real users, installed setuid root and run as the `trustpath` user like the daemon.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { ensureTestUser } from '../support/users.js';
import { converse, prepare } from './support.js';

const PW = 'Corr3ct-horse';

before(async () => {
  await prepare();
});

describe('helper against real PAM', { concurrency: true }, () => {
  test('right password: SUCCESS after one hidden prompt', async () => {
    const u = ensureTestUser('tptpam-right', PW);
    const r = await converse(u.name, [PW]);
    assert.deepEqual(r.outcome, { ok: true });
    assert.deepEqual(r.messages, [{ kind: 'prompt', echo: false, text: 'Password: ' }]);
    console.log(`successful auth: ${r.ms} ms`);
  });

  test('wrong password: failure "auth"', async () => {
    const u = ensureTestUser('tptpam-wrong', PW);
    const r = await converse(u.name, ['not-' + PW]);
    assert.deepEqual(r.outcome, { ok: false, reason: 'auth' });
    console.log(`failed auth: ${r.ms} ms`);
  });

  test('password with multibyte text and spaces is passed verbatim', async () => {
    const pw = 'pä ss wörd €';
    const u = ensureTestUser('tptpam-utf8', pw);
    const r = await converse(u.name, [pw]);
    assert.deepEqual(r.outcome, { ok: true });
  });

  test('locked account: right password still fails', async () => {
    const u = ensureTestUser('tptpam-locked', PW);
    execFileSync('usermod', ['-L', u.name]);
    const r = await converse(u.name, [PW]);
    assert.deepEqual(r.outcome, { ok: false, reason: 'auth' });
  });

  test('expired account: right password fails, and the stack says why', async () => {
    const u = ensureTestUser('tptpam-expired', PW);
    execFileSync('chage', ['-E', '0', u.name]);
    const r = await converse(u.name, [PW]);
    // Debian's common-auth turns pam_unix's ACCT_EXPIRED into pam_deny's AUTH_ERR;
    // the error message reaches the prompt as an 'error' frame.
    assert.deepEqual(r.outcome, { ok: false, reason: 'auth' });
    assert.deepEqual(r.messages.slice(1), [{ kind: 'error', text: 'Your account has expired; please contact your system administrator.' }]);
  });

  test('unknown user: failure, after a prompt that does not reveal it', async () => {
    spawnSync('userdel', ['tptpam-nosuch']);
    const r = await converse('tptpam-nosuch', ['whatever']);
    assert.deepEqual(r.outcome, { ok: false, reason: 'auth' });
    assert.deepEqual(r.messages, [{ kind: 'prompt', echo: false, text: 'Password: ' }]);
  });

  test('expired password: changed through several prompts, then SUCCESS', async () => {
    const u = ensureTestUser('tptpam-pwexp', PW);
    execFileSync('chage', ['-d', '0', u.name]);
    const next = 'N3w-Secret-' + String(Date.now() % 1000);
    const r = await converse(u.name, [PW, PW, next, next]);
    assert.deepEqual(r.outcome, { ok: true }, JSON.stringify(r.messages));
    const prompts = r.messages.filter((m) => m.kind === 'prompt');
    assert.ok(prompts.length >= 3, JSON.stringify(r.messages));
    assert.ok(r.messages.some((m) => m.kind === 'error' || m.kind === 'info'), 'the stack explained the change');
    const again = await converse(u.name, [next]);
    assert.deepEqual(again.outcome, { ok: true });
  });

  test('cancel() while the prompt waits ends with "cancelled"', async () => {
    const u = ensureTestUser('tptpam-cancel', PW);
    const { startPamConversation } = await import('../../agent/src/pam/helper-process.js');
    const { HELPER, DAEMON } = await import('./support.js');
    let prompted!: () => void;
    const seen = new Promise<void>((r) => { prompted = r; });
    const conv = await startPamConversation({ user: u.name, helperPath: HELPER, spawnAs: DAEMON, onMessage: () => prompted() });
    await seen;
    conv.cancel();
    assert.deepEqual(await conv.outcome, { ok: false, reason: 'cancelled' });
  });

  test('keyboard side closes the pipe: "cancelled", never success', async () => {
    const u = ensureTestUser('tptpam-kbclose', PW);
    const r = await converse(u.name, [{ close: true }]);
    assert.deepEqual(r.outcome, { ok: false, reason: 'cancelled' });
  });
});
