// Regression: a wrong answer that is dismissed (or cancelled) while the helper sits
// in pam_unix's failure delay still counts towards the lockout, and no new attempt
// for that user starts before it is counted — otherwise cancelling whenever success
// does not come at once would allow unlimited guessing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { prepare } from '../pam/support.js';
import { ensureTestUser, type TestUser } from '../support/users.js';
import { ACTION_SELF, connectPrompt, pkcheck, startOwnDaemon, Subject, type OwnDaemon } from './support.js';

let d: OwnDaemon;
let user: TestUser;
before(async () => {
  await prepare();
  user = ensureTestUser('tptconc-bypass', 'Conc-bypass-pw1');
  d = await startOwnDaemon(user, ['--lockout-failures', '2', '--lockout-window-seconds', '600', '--lockout-seconds', '600']);
});
after(async () => { await d?.stop(); });

test('wrong answers dismissed during the failure delay are counted: the user is locked out', async () => {
  const s = new Subject(user);
  const c = await connectPrompt(d.socket);
  try {
    let lockedAt = -1;
    for (let round = 0; round < 4 && lockedAt < 0; round++) {
      c.auto({});
      const run = pkcheck(d.env, s, ACTION_SELF);
      const show = await c.waitFor('show', (m) => c.messages.filter((x) => x.type === 'show').indexOf(m) === round);
      const first = await Promise.race([
        c.waitFor('pam', (m) => m.id === show.id).then((m) => ({ pam: m })),
        c.waitFor('locked', (m) => m.id === show.id).then(() => ({ pam: null })),
      ]);
      if (first.pam === null) { lockedAt = round; await run.done; break; }
      c.answer(first.pam, 'wrong-guess');
      await sleep(500); // pam_unix has said no; the helper sleeps in its delay
      c.dismiss(show.id);
      await run.done;
      await c.waitFor('finished', (m) => m.id === show.id);
    }
    assert.equal(lockedAt, 2, 'two dismissed wrong answers lock the user (lockout after 2 failures)');
    c.auto({ answers: ['Conc-bypass-pw1'] });
    const r = await pkcheck(d.env, s, ACTION_SELF).done;
    const last = c.messages.filter((m) => m.type === 'show').at(-1)!.id;
    assert.ok(c.typesOf(last).includes('locked'), 'still locked: the right password is not even asked for');
    assert.notEqual(r.status, 0);
  } finally {
    await c.close();
    await s.stop();
  }
});
