// A display without trustpath's X module: the prompt still works (there is no SAK to
// wait for), says plainly that this display does not protect what is typed, and never
// shows the secret (it is not even created); an administrator can refuse such
// displays (--unprotected-displays refuse): then nothing is shown and pkexec is not
// authorized.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { USER_PASSWORD, withPromptScene } from './scene.js';

test('unprotected display: a plain warning, no secret, the password still works', async () => {
  await withPromptScene({ module: false, cookieForTrusted: true }, async (s) => {
    const term = s.pkexec('/usr/bin/id');
    try {
      await s.waitLog(/prompt \d+ on :\d+: shown \(UNPROTECTED display\)/, { timeoutMs: 120_000 });
      await sleep(300);
      const text = s.ocr(s.screenshot('unprotected'));
      assert.match(text, /does not protect what you type/i, `the warning is shown; OCR read: ${text}`);
      assert.doesNotMatch(text, /secret picture/i);
      assert.equal(existsSync(join(s.stateDir, 'secrets', String(s.user.uid))), false, 'no secret was created for an unprotected display');
      await s.waitLog(/PAM asks/);
      await s.answer(USER_PASSWORD);
      await s.ranAsRoot(term);
    } finally {
      term.kill();
    }
  });
});

test('unprotected display refused by configuration: no prompt, not authorized', async () => {
  await withPromptScene({ module: false, cookieForTrusted: true, daemonArgs: ['--unprotected-displays', 'refuse'], warm: false }, async (s) => {
    const term = s.pkexec('/usr/bin/id');
    try {
      await term.expect(/Not authorized/, { timeoutMs: 60_000 });
      await term.expect(/rc=127/);
      assert.match(s.log(), /not protected by the trustpath X module; prompts there are refused by configuration/);
      assert.doesNotMatch(s.log(), /shown \(UNPROTECTED/);
    } finally {
      term.kill();
    }
  });
});
