// The optional PIN, end to end: `trustpath pin set` shows the trusted prompt (SAK,
// the user's password, the new PIN twice); then an auth_self request of the user's
// own accepts the PIN; an auth_admin one (pkexec) still asks for the password; five
// wrong PINs fall back to the password in the same prompt, and the password makes the
// PIN usable again. The PIN is typed on the inputtest keyboard into trustpath-input
// only; the state directory holds its argon2id hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KEYCODES } from '../support/xorg.js';
import type { PtySession } from '../support/pty.js';
import { USER_PASSWORD, withPromptScene, type PromptScene } from './scene.js';

const TRUSTPATH = fileURLToPath(new URL('../../../bin/trustpath', import.meta.url));
const SAK = [KEYCODES.Control_L, KEYCODES.Alt_L];
const ESCAPE = 9;
const PIN = 'abcd';
const SELF_ACTION = 'org.trustpath.test.self';
const POLICY = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE policyconfig PUBLIC "-//freedesktop//DTD PolicyKit Policy Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/PolicyKit/1/policyconfig.dtd">
<policyconfig>
  <action id="${SELF_ACTION}">
    <description>Change your own settings</description>
    <message>Authentication is required to change your own settings</message>
    <defaults><allow_any>auth_self</allow_any><allow_inactive>auth_self</allow_inactive><allow_active>auth_self</allow_active></defaults>
  </action>
</policyconfig>
`;

/** Waits for the n-th (from `from`) log line matching re. */
async function nth(s: PromptScene, re: RegExp, from: number, n = 1, timeoutMs = 30_000): Promise<void> {
  const g = new RegExp(re.source, 'g');
  const deadline = Date.now() + timeoutMs;
  while ((s.log(from).match(g) ?? []).length < n) {
    if (Date.now() > deadline) throw new Error(`trustpathd never logged ${String(re)} ${n} time(s):\n${s.log(from)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A request shown and the SAK pressed; returns the log offset before it. */
async function shownAndArmed(s: PromptScene, start: () => PtySession): Promise<{ term: PtySession; at: number }> {
  const at = s.log().length;
  const term = start();
  await nth(s, /: shown \(protected\)/, at, 1, 120_000); // the first prompt starts Chromium: seconds, more on a loaded machine
  await s.x.keyboard.tap(KEYCODES.Pause, SAK);
  await nth(s, /SAK received/, at);
  return { term, at };
}

const selfCheck = (s: PromptScene): PtySession => s.shell(`pkcheck --action-id ${SELF_ACTION} --process $$ --allow-user-interaction; echo "rc=$?"`);

test('PIN: set through the trusted prompt, accepted for the user\'s own auth_self requests only', async (t) => {
  await withPromptScene({ module: true, policy: POLICY }, async (s) => {
    await t.test('trustpath pin set: SAK, password, the new PIN twice; only its argon2id hash is stored', async () => {
      const { term, at } = await shownAndArmed(s, () => s.shell(`${TRUSTPATH} pin set; echo "rc=$?"`));
      try {
        await nth(s, /PAM asks/, at);
        await s.answer(USER_PASSWORD);
        await nth(s, /asks "New PIN/, at);
        await s.answer(PIN);
        await nth(s, /asks "The same PIN again/, at);
        await s.answer(PIN);
        await term.expect(/PIN set\.\nrc=0/);
        const stored = readFileSync(join(s.stateDir, 'pins', String(s.user.uid)), 'utf8');
        assert.match(stored, /"hash":"\$argon2id\$v=19\$m=65536,t=3,p=1\$/);
        assert.doesNotMatch(stored, new RegExp(PIN));
      } finally {
        term.kill();
      }
    });

    await t.test('an auth_self request of the user\'s own takes the PIN instead of the password', async () => {
      const { term, at } = await shownAndArmed(s, () => selfCheck(s));
      try {
        await nth(s, /asks "PIN: "/, at);
        assert.doesNotMatch(s.log(at), /PAM asks/, 'no PAM conversation');
        await s.answer(PIN);
        await nth(s, /PIN accepted/, at);
        await term.expect(/rc=0/);
      } finally {
        term.kill();
      }
    });

    await t.test('auth_admin (pkexec) never takes the PIN: PAM asks for the password', async () => {
      const { term, at } = await shownAndArmed(s, () => s.pkexec('/usr/bin/id'));
      try {
        await nth(s, /PAM asks/, at);
        assert.doesNotMatch(s.log(at), /asks "PIN/);
        await s.x.keyboard.tap(ESCAPE);
        await term.expect(/rc=126/);
      } finally {
        term.kill();
      }
    });

    await t.test('five wrong PINs: the password in the same prompt; after it the PIN works again', async () => {
      const { term, at } = await shownAndArmed(s, () => selfCheck(s));
      try {
        for (let i = 1; i <= 5; i++) {
          await nth(s, /asks "PIN: "/, at, i);
          await s.answer('wxyz');
          await nth(s, /wrong PIN/, at, i);
        }
        assert.match(s.log(at), /wrong PIN \(5 of 5\)/);
        await nth(s, /PAM asks/, at);
        await s.answer(USER_PASSWORD);
        await term.expect(/rc=0/);
      } finally {
        term.kill();
      }
      const again = await shownAndArmed(s, () => selfCheck(s));
      try {
        await nth(s, /asks "PIN: "/, again.at);
        await s.answer(PIN);
        await again.term.expect(/rc=0/);
      } finally {
        again.term.kill();
      }
    });

    await t.test('trustpath pin remove: the password again', async () => {
      const rm = s.shell(`${TRUSTPATH} pin remove; echo "rc=$?"`);
      await rm.expect(/PIN removed\.\nrc=0/);
      const { term, at } = await shownAndArmed(s, () => selfCheck(s));
      try {
        await nth(s, /PAM asks/, at);
        assert.doesNotMatch(s.log(at), /asks "PIN/);
        await s.x.keyboard.tap(ESCAPE);
        await term.expect(/rc=/);
      } finally {
        term.kill();
      }
    });
  });
});
