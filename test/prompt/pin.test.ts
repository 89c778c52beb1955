// The optional PIN, end to end: `trustpath pin set` shows the trusted prompt (SAK,
// the user's password, the new PIN twice, in the requester's language; a too short
// one is asked again); then an auth_self request of the user's
// own accepts the PIN; an auth_admin one (pkexec) still asks for the password; five
// wrong PINs fall back to the password in the same prompt, and the password makes the
// PIN usable again. The PIN is typed on the inputtest keyboard into trustpath-input
// only; the state directory holds its argon2id hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
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

/** A request shown and the SAK pressed; returns the log offset before it. */
async function shownAndArmed(s: PromptScene, start: () => PtySession): Promise<{ term: PtySession; at: number }> {
  const at = s.log().length;
  const term = start();
  await s.waitLogTimes(/: shown \(protected\)/, 1, { from: at, timeoutMs: 120_000 }); // the first prompt starts Chromium: seconds, more on a loaded machine
  await s.x.keyboard.tap(KEYCODES.Pause, SAK);
  await s.waitLog(/SAK received/, { from: at, timeoutMs: 30_000 });
  return { term, at };
}

/** Screenshots (saved as `name`) until tesseract reads `expected` on the screen, at most `timeoutMs`; the last text read. */
async function screenReads(s: PromptScene, name: string, expected: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = s.ocr(s.screenshot(name));
    if (expected.test(text) || Date.now() > deadline) return text;
    await sleep(300);
  }
}

const selfCheck = (s: PromptScene): PtySession => s.shell(`pkcheck --action-id ${SELF_ACTION} --process $$ --allow-user-interaction; echo "rc=$?"`);

test('PIN: set through the trusted prompt, accepted for the user\'s own auth_self requests only', async (t) => {
  await withPromptScene({ module: true, policy: POLICY }, async (s) => {
    await t.test('trustpath pin set (German): SAK, password, a too short PIN refused, the new PIN twice; only its argon2id hash is stored', async () => {
      const { term, at } = await shownAndArmed(s, () => s.shell(`env LANG=de_DE.UTF-8 ${TRUSTPATH} pin set; echo "rc=$?"`));
      try {
        await s.waitLog(/PAM asks/, { from: at, timeoutMs: 30_000 });
        await s.answer(USER_PASSWORD);
        await s.waitLog(/asks for a PIN \(pin-new\)/, { from: at, timeoutMs: 30_000 });
        const asked = await screenReads(s, 'pin-new-german', /mindestens 4 Zeichen/); // tesseract reads ä as a
        assert.match(asked, /W[äa]hlen Sie eine PIN aus mindestens 4 Zeichen/i, `the PIN set-up speaks the requester's language; OCR read: ${asked}`);
        assert.match(asked, /Legen Sie eine PIN fest/i, `its action's text too; OCR read: ${asked}`);
        await s.answer('ab');
        await s.waitLog(/asks for a PIN \(pin-mismatch\)/, { from: at, timeoutMs: 30_000 });
        const again = await screenReads(s, 'pin-mismatch-german', /zu kurz/);
        assert.match(again, /zu kurz oder nicht dieselbe/i, `a too short PIN is asked again; OCR read: ${again}`);
        await s.answer(PIN);
        await s.waitLog(/asks for a PIN \(pin-again\)/, { from: at, timeoutMs: 30_000 });
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
        await s.waitLog(/asks for a PIN \(pin\)/, { from: at, timeoutMs: 30_000 });
        assert.doesNotMatch(s.log(at), /PAM asks/, 'no PAM conversation');
        await s.answer(PIN);
        await s.waitLog(/PIN accepted/, { from: at, timeoutMs: 30_000 });
        await term.expect(/rc=0/);
      } finally {
        term.kill();
      }
    });

    await t.test('auth_admin (pkexec) never takes the PIN: PAM asks for the password', async () => {
      const { term, at } = await shownAndArmed(s, () => s.pkexec('/usr/bin/id'));
      try {
        await s.waitLog(/PAM asks/, { from: at, timeoutMs: 30_000 });
        assert.doesNotMatch(s.log(at), /asks for a PIN/);
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
          await s.waitLogTimes(/asks for a PIN \(pin\)/, i, { from: at, timeoutMs: 30_000 });
          await s.answer('wxyz');
          await s.waitLogTimes(/wrong PIN/, i, { from: at, timeoutMs: 30_000 });
        }
        assert.match(s.log(at), /wrong PIN \(5 of 5\)/);
        await s.waitLog(/PAM asks/, { from: at, timeoutMs: 30_000 });
        await s.answer(USER_PASSWORD);
        await term.expect(/rc=0/);
      } finally {
        term.kill();
      }
      const again = await shownAndArmed(s, () => selfCheck(s));
      try {
        await s.waitLog(/asks for a PIN \(pin\)/, { from: again.at, timeoutMs: 30_000 });
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
        await s.waitLog(/PAM asks/, { from: at, timeoutMs: 30_000 });
        assert.doesNotMatch(s.log(at), /asks for a PIN/);
        await s.x.keyboard.tap(ESCAPE);
        await term.expect(/rc=/);
      } finally {
        term.kill();
      }
    });
  });
});
