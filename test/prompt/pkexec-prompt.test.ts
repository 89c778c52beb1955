// Debian's pkexec through the trusted prompt on a real Xorg with trustpath's module
// and the inputtest keyboard, one display and one trustpathd for the whole file (the
// prompt host stays warm between requests, as in use):
//  - the request appears (screenshot as the trusted user, read by OCR), typing before
//    the SAK is ignored, the SAK reveals the user's secret phrase, the password typed on
//    the keyboard runs the command as root;
//  - a wrong password shows the retry; the requester's language; its LC_CTYPE's
//    Compose table for dead keys; Escape dismisses (pkexec exits 126);
//  - XTEST typing and an XTEST-sent SAK do nothing;
//  - an attack client of the user's own uid, running during the prompt, learns nothing;
//  - two admins: the chooser moves with Down and Enter picks the other one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { KEYCODES } from '../support/xorg.js';
import { ensureTestUser, setPassword } from '../support/users.js';
import type { PtySession } from '../support/pty.js';
import { assertPhraseOnlyAfterSak } from '../support/screen.js';
import { Client } from '../xserver/harness.js';
import { USER_PASSWORD, withPromptScene, type PromptScene } from './scene.js';

const SAK = [KEYCODES.Control_L, KEYCODES.Alt_L];
const ESCAPE = 9;
const DOWN = 116;
const SECOND_ADMIN = 'tptpromptb';
const SECOND_PASSWORD = 'tptpromptbpass';

/** pkexec ARGV by the desktop user; resolves once its prompt is shown (and the log offset then). */
async function request(s: PromptScene, argv = '/usr/bin/id'): Promise<{ term: PtySession; at: number }> {
  const at = s.log().length;
  const term = s.pkexec(argv);
  try {
    await s.waitLog(/prompt \d+ on :\d+: shown \(protected\)/, { from: at, timeoutMs: 120_000 });
  } catch (e) {
    term.kill();
    throw e;
  }
  return { term, at };
}

async function sak(s: PromptScene, from: number): Promise<void> {
  await s.x.keyboard.tap(KEYCODES.Pause, SAK);
  await s.waitLog(/SAK received/, { from });
}

/** PAM's prompt is up (the grabber knows where the answer goes); a user types now. */
function pamAsks(s: PromptScene, from: number, nth = 1): Promise<void> {
  return s.waitLogTimes(/PAM asks/, nth, { from });
}

/** As the desktop user: XTEST through xdotool (a program any user may run). */
function xdotool(s: PromptScene, ...args: string[]): void {
  const cookie = s.x.cookieFileFor(s.user.uid, s.user.gid);
  spawnSync('xdotool', args, { uid: s.user.uid, gid: s.user.gid, env: { DISPLAY: s.x.display, XAUTHORITY: cookie }, timeout: 10_000 });
}

test('pkexec through the trusted prompt on a protected display', async (t) => {
  ensureTestUser(SECOND_ADMIN, SECOND_PASSWORD);
  await withPromptScene({ module: true }, async (s) => {
    await t.test('request shown, typing before the SAK ignored, SAK reveals the secret, password runs id as root', async () => {
      const { term, at } = await request(s);
      try {
        const first = s.ocr(s.screenshot('1-request'));
        assert.match(first, /\/usr\/bin\/id/, `the request names the command; OCR read: ${first}`);
        assert.match(first, /Ctr\S?\s*\+\s*Alt\s*\+\s*Pause/i, `the prompt asks for the SAK; OCR read: ${first}`);
        // Typed before the SAK: ignored (had it been kept, the password below would be wrong).
        await s.answer('zzz');
        await sleep(300);
        assert.doesNotMatch(s.log(at), /answer submitted/);
        await sak(s, at);
        await sleep(300);
        const revealed = s.ocr(s.screenshot('2-after-sak'));
        assertPhraseOnlyAfterSak(first, revealed, s.secretPhrase());
        await pamAsks(s, at);
        await s.answer(USER_PASSWORD);
        await s.ranAsRoot(term);
      } finally {
        term.kill();
      }
    });

    await t.test('a wrong password shows the retry; the right one then succeeds', async () => {
      const { term, at } = await request(s);
      try {
        await sak(s, at);
        await pamAsks(s, at);
        await s.answer('wrongpassword');
        await s.waitLog(/failed \(attempt 1 of 3\)/, { from: at });
        await pamAsks(s, at, 2);
        await sleep(300);
        const retry = s.ocr(s.screenshot('3-retry'));
        assert.match(retry, /That did not work/i, `the retry is shown; OCR read: ${retry}`);
        await s.answer(USER_PASSWORD);
        await term.expect(/rc=0/);
      } finally {
        term.kill();
      }
    });

    await t.test('the prompt speaks the language of the requesting process (its LANG, read by root)', async () => {
      const at = s.log().length;
      const term = s.shell(`env LANG=de_DE.UTF-8 bash -c 'pkexec /usr/bin/id; echo "rc=$?"'`);
      try {
        await s.waitLog(/shown \(protected\)/, { from: at, timeoutMs: 120_000 });
        const text = s.ocr(s.screenshot('5-german'));
        assert.match(text, /Authentifizierung erforderlich/i, `German labels; OCR read: ${text}`);
        assert.match(text, /Ein Programm als ein anderer Benutzer/i, `the action's German description; OCR read: ${text}`);
        await s.x.keyboard.tap(ESCAPE);
        await term.expect(/rc=126/);
      } finally {
        term.kill();
      }
    });

    await t.test('dead keys compose as in the requester\'s LC_CTYPE: with pt_BR and us(intl), ´ then c types the ç of the password', async () => {
      const APOSTROPHE = 48; // us(intl): dead_acute; pt_BR's Compose makes ´+c a ç (en_US's, a ć)
      const setxkbmap = (...args: string[]): void => {
        const r = spawnSync('setxkbmap', args, { env: { DISPLAY: s.x.display, XAUTHORITY: s.x.cookieFileFor(0, 0) }, encoding: 'utf8' });
        assert.equal(r.status, 0, `setxkbmap ${args.join(' ')}: ${r.stderr}`);
      };
      setPassword(s.user.name, 'paçoca');
      setxkbmap('-layout', 'us', '-variant', 'intl');
      const at = s.log().length;
      const term = s.shell(`env LANG=en_US.UTF-8 LC_CTYPE=pt_BR.UTF-8 bash -c 'pkexec /usr/bin/id; echo "rc=$?"'`);
      try {
        await s.waitLog(/shown \(protected\)/, { from: at, timeoutMs: 120_000 });
        await sak(s, at);
        await pamAsks(s, at);
        await s.x.keyboard.type('pa');
        await s.x.keyboard.tap(APOSTROPHE);
        await s.answer('coca');
        await s.ranAsRoot(term);
      } finally {
        term.kill();
        setPassword(s.user.name, s.user.password);
        // the module refuses keymap changes while a prompt is up: after a failure, it
        // closes only once the authentication has noticed pkexec gone
        await s.waitLog(/prompt \d+ on :\d+: closed/, { from: at, timeoutMs: 10_000 }).catch(() => undefined);
        setxkbmap('us');
      }
    });

    await t.test('Escape dismisses: pkexec exits 126', async () => {
      const { term } = await request(s);
      try {
        await s.x.keyboard.tap(ESCAPE);
        await term.expect(/rc=126/);
      } finally {
        term.kill();
      }
    });

    await t.test('XTEST typing and an XTEST-sent SAK do nothing', async () => {
      const { term, at } = await request(s);
      try {
        xdotool(s, 'key', 'ctrl+alt+Pause');
        await sleep(800);
        assert.doesNotMatch(s.log(at), /SAK received/, 'an XTEST SAK is not the SAK');
        await sak(s, at);
        await pamAsks(s, at);
        xdotool(s, 'type', USER_PASSWORD);
        xdotool(s, 'key', 'Return');
        await sleep(800);
        assert.doesNotMatch(s.log(at), /answer submitted/, 'XTEST keys do not reach the prompt');
        assert.doesNotMatch(term.transcript(), /rc=/, 'pkexec is still waiting');
        await s.x.keyboard.tap(ESCAPE);
        await term.expect(/rc=126/);
      } finally {
        term.kill();
      }
    });

    await t.test('an attack client of the user\'s own uid learns nothing while the password is typed', async () => {
      const { term, at } = await request(s);
      const env = { DISPLAY: s.x.display, XAUTHORITY: s.x.cookieFileFor(s.user.uid, s.user.gid), PATH: '/usr/bin:/bin', HOME: '/tmp' };
      const ids = { uid: s.user.uid, gid: s.user.gid };
      const listeners = ['xi2raw', 'xi2keys', 'keymap', 'record'].map((mode) => ({ mode, c: new Client('tp-attack', [mode, '0', '2500'], ids, env) }));
      try {
        await sak(s, at);
        await pamAsks(s, at);
        for (const l of listeners) await l.c.waitLine(/^(LISTENING|EVENTS)/);
        for (const ch of USER_PASSWORD) {
          await s.x.keyboard.press((KEYCODES as Record<string, number>)[ch]!);
          await sleep(20);
          await s.x.keyboard.release((KEYCODES as Record<string, number>)[ch]!);
        }
        const shot = await new Client('tp-attack', ['getimage-root'], ids, env).done();
        for (const l of listeners) {
          const lines = await l.c.done();
          // 0 events, or -1: the extension refused outright (RECORD for untrusted clients)
          const n = Number((lines.find((x) => x.startsWith('EVENTS ')) ?? 'EVENTS 1').split(' ')[1]);
          assert.ok(n <= 0, `${l.mode}: ${lines.join(' | ')}`);
        }
        assert.ok(!shot.some((l) => /^PIXEL [0-9a-f]{6}$/.test(l) && l !== 'PIXEL 000000'), `screenshot of the root: ${shot.join(' | ')}`);
        await s.x.keyboard.tap(KEYCODES.Return);
        await term.expect(/rc=0/);
      } finally {
        for (const l of listeners) await l.c.stop();
        term.kill();
      }
    });

    await t.test('two admins: Down and Enter choose the other one, whose password then counts', async () => {
      await s.setAdmins([s.user.name, SECOND_ADMIN]);
      const { term, at } = await request(s);
      try {
        await sak(s, at);
        await s.x.keyboard.tap(DOWN);
        await sleep(200);
        const chooser = s.ocr(s.screenshot('4-chooser'));
        assert.match(chooser, /Up and Down choose/i, `the chooser is shown; OCR read: ${chooser}`);
        await s.x.keyboard.tap(KEYCODES.Return);
        await pamAsks(s, at);
        await s.answer(SECOND_PASSWORD);
        await term.expect(/rc=0/);
        const second = ensureTestUser(SECOND_ADMIN, SECOND_PASSWORD);
        assert.match(s.log(at), new RegExp(`successfully authenticated as unix-user:${second.uid} `), 'the second admin, chosen with Down');
      } finally {
        term.kill();
      }
    });
  });
});
