// Debian's pkexec through the trusted prompt on a real Xorg with trustpath's module:
// the request appears on the display (screenshot), typing before the SAK is ignored,
// the SAK from the physical keyboard reveals the user's secret phrase, the password
// typed on that keyboard runs the command as root; a wrong password shows the retry;
// Escape dismisses (pkexec exits 126).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { KEYCODES } from '../support/xorg.js';
import { USER_PASSWORD, withPromptScene } from './scene.js';

const SAK = [KEYCODES.Control_L, KEYCODES.Alt_L];

test('pkexec id: prompt, SAK, secret phrase, password on the keyboard, root', async () => {
  await withPromptScene({ module: true }, async (s) => {
    const term = s.pkexec('/usr/bin/id');
    try {
    await s.waitLog(/prompt \d+ on :\d+: shown \(protected\)/);
    const first = s.ocr(s.screenshot('pkexec-request'));
    assert.match(first, /\/usr\/bin\/id/, `the request names the command; OCR read: ${first}`);
    assert.match(first, /Ctrl\s*\+\s*Alt\s*\+\s*Pause/i, `the prompt asks for the SAK; OCR read: ${first}`);

    // Typed before the SAK: ignored (had it been kept, the password below would be wrong).
    await s.x.keyboard.type('zzz');
    await s.x.keyboard.tap(KEYCODES.Return);
    await sleep(300);
    assert.doesNotMatch(s.log(), /answer submitted/);

    const at = s.log().length;
    await s.x.keyboard.tap(KEYCODES.Pause, SAK);
    await s.waitLog(/SAK received/, { from: at });
    await sleep(300);
    const revealed = s.ocr(s.screenshot('pkexec-after-sak'));
    const phrase = s.secretPhrase();
    for (const word of phrase.split(/\s+/)) assert.match(revealed, new RegExp(word, 'i'), `secret word '${word}' shown; OCR read: ${revealed}`);
    assert.doesNotMatch(first, new RegExp(phrase.split(/\s+/)[0]!, 'i'), 'no secret before the SAK');

    await s.x.keyboard.type(USER_PASSWORD);
    await s.x.keyboard.tap(KEYCODES.Return);
    await term.expect(/uid=0\(root\)/);
    await term.expect(/rc=0/);
    } finally {
      term.kill();
    }
  });
});
