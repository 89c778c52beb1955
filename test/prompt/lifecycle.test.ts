// How a trusted prompt ends and waits: a client that goes away closes its prompt; a
// closed prompt leaves nothing of it in the host's window (shown again for the next); two
// requests on one display are shown one after the other (the second waits its turn);
// the configured timeout dismisses a prompt nobody answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { pkcheckRequest as check, withPromptScene } from './scene.js';

const ESCAPE = 9;
const TIMEOUT_S = 20;

test('prompt lifecycle: client gone, one at a time, timeout', async (t) => {
  await withPromptScene({ module: true, daemonArgs: ['--prompt-timeout-seconds', String(TIMEOUT_S)] }, async (s) => {
    await t.test('a client that goes away closes its prompt', async () => {
      const at = s.log().length;
      const c = check(s);
      try {
        await s.waitLog(/shown \(protected\)/, { from: at, timeoutMs: 120_000 });
        c.kill();
        await s.waitLog(/: closed/, { from: at });
        await s.waitLog(/FAILED to authenticate[^\n]*: cancelled/, { from: at });
      } finally {
        c.subject();
      }
    });

    await t.test('a closed prompt leaves nothing of it in the window kept for the next one', async () => {
      const at = s.log().length;
      const c = check(s);
      try {
        await s.waitLog(/shown \(protected\)/, { from: at, timeoutMs: 120_000 });
        const during = s.ocr(s.screenshot('lifecycle-during'));
        assert.match(during, /Authentication/i, `control: the prompt is on screen; OCR read: ${during}`);
        await s.x.keyboard.tap(ESCAPE);
        await c.exited;
        await s.waitLog(/: closed/, { from: at });
        await sleep(500); // the grabber has unmapped the window
        const found = s.asTrusted(['xdotool', 'search', '--name', '^[0-9a-f]{32}$']).toString().trim().split('\n').filter(Boolean);
        assert.equal(found.length, 1, `the host's one window (titled by its key): ${found.join(' ')}`);
        const win = found[0]!;
        assert.match(s.asTrusted(['xwininfo', '-id', win]).toString(), /Map State: IsUnMapped/, 'hidden between prompts');
        s.asTrusted(['xdotool', 'windowmap', '--sync', win]);
        try {
          assert.match(s.asTrusted(['xwininfo', '-id', win]).toString(), /Map State: IsViewable/, 'control: shown again');
          await sleep(1500); // time for Chromium to notice and paint what its page holds
          const after = s.ocr(s.screenshot('lifecycle-after-close'));
          assert.doesNotMatch(after, /Authenticat|Program|Command|Started|Ctrl|Pause/i, `nothing of the closed prompt; OCR read: ${after}`);
        } finally {
          s.asTrusted(['xdotool', 'windowunmap', '--sync', win]);
        }
      } finally {
        c.kill(); c.subject();
      }
    });

    await t.test('two requests on one display: the second is shown once the first is answered', async () => {
      const at = s.log().length;
      const a = check(s);
      const b = check(s);
      try {
        await s.waitLog(/shown \(protected\)/, { from: at });
        await sleep(1500);
        assert.equal(s.countLog(/shown \(protected\)/, at), 1, 'one prompt at a time');
        await s.x.keyboard.tap(ESCAPE);
        await s.waitLog(/shown \(protected\)[\s\S]*shown \(protected\)/, { from: at });
        await s.x.keyboard.tap(ESCAPE);
        const [[codeA], [codeB]] = await Promise.all([a.exited, b.exited]);
        assert.deepEqual([codeA, codeB], [3, 3], 'both dismissed (pkcheck: 3)');
      } finally {
        a.kill(); b.kill(); a.subject(); b.subject();
      }
    });

    await t.test(`a prompt nobody answers is dismissed after --prompt-timeout-seconds ${TIMEOUT_S}`, async () => {
      const at = s.log().length;
      const c = check(s);
      try {
        await s.waitLog(/shown \(protected\)/, { from: at });
        const [code] = await c.exited;
        assert.equal(code, 3, 'pkcheck: dismissed');
        assert.match(s.log(at), /timed out after 20000 ms/);
      } finally {
        c.kill();
        c.subject();
      }
    });
  });
});
