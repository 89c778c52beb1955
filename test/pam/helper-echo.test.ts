// An echoed question, info and error messages and several rounds, through the test
// build of the helper (PAM service "trustpath-test-echo", fixed at compile time) and a
// test PAM module placed before Debian's common-auth.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureTestUser } from '../support/users.js';
import { HELPER_ECHO, converse, prepare } from './support.js';

const PW = 'Ech0-stack-pw';

before(async () => {
  await prepare();
});

describe('echoed-prompt stack', { concurrency: true }, () => {
  test('info, echoed question, hidden password: SUCCESS', async () => {
    const u = ensureTestUser('tptpam-echo1', PW);
    const r = await converse(u.name, ['blue', PW], { helperPath: HELPER_ECHO });
    assert.deepEqual(r.outcome, { ok: true });
    assert.deepEqual(r.messages, [
      { kind: 'info', text: 'Second factor: answer the question' },
      { kind: 'prompt', echo: true, text: 'Favourite colour: ' },
      { kind: 'prompt', echo: false, text: 'Password: ' },
    ]);
  });

  test('wrong echoed answer: error message, no password prompt, failure', async () => {
    const u = ensureTestUser('tptpam-echo2', PW);
    const r = await converse(u.name, ['red', PW], { helperPath: HELPER_ECHO });
    assert.deepEqual(r.outcome, { ok: false, reason: 'auth' });
    assert.deepEqual(r.messages.slice(1), [
      { kind: 'prompt', echo: true, text: 'Favourite colour: ' },
      { kind: 'error', text: 'Wrong colour' },
    ]);
  });

  test('right answer, wrong password: failure after both prompts', async () => {
    const u = ensureTestUser('tptpam-echo3', PW);
    const r = await converse(u.name, ['blue', 'nope'], { helperPath: HELPER_ECHO });
    assert.deepEqual(r.outcome, { ok: false, reason: 'auth' });
    assert.equal(r.messages.filter((m) => m.kind === 'prompt').length, 2);
  });

  test('a module that changes PAM_USER makes the helper fail with user-changed', async () => {
    const u = ensureTestUser('tptpam-echo5', PW);
    const r = await converse(u.name, ['switch-user', PW], { helperPath: HELPER_ECHO });
    assert.deepEqual(r.outcome, { ok: false, reason: 'user-changed' });
    assert.equal(r.messages.filter((m) => m.kind === 'prompt').length, 2);
  });

  test('the production helper does not use the test service', async () => {
    const u = ensureTestUser('tptpam-echo4', PW);
    const r = await converse(u.name, [PW]);
    assert.deepEqual(r.outcome, { ok: true });
    assert.deepEqual(r.messages, [{ kind: 'prompt', echo: false, text: 'Password: ' }]);
  });
});
