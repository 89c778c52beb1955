// The same attacks against a stock Xorg (no module): each must WORK, which proves
// that the blocked outcome in attacks-module.test.ts is a real result.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { KEYCODES } from '../support/xorg.js';
import { ATTACKS, Scene } from './harness.js';

let scene: Scene;
before(async () => { scene = await Scene.start({ module: false }); });
after(async () => { await scene?.stop(); });

test('the module is not loaded', () => {
  assert.doesNotMatch(scene.x.log(), /trustpath: active/);
});

for (const attack of ATTACKS) {
  test(`works without the module: ${attack.name}`, async () => {
    const { prompt, outcome } = await scene.runAttack(attack);
    try {
      assert.equal(outcome.blocked, false, `attack did not work on a stock server: ${outcome.detail}`);
    } finally {
      await prompt.client.stop();
    }
  });
}

test('without the module, Ctrl+Alt+Pause reaches untrusted clients (control for the SAK tests)', async () => {
  const a = scene.attackerClient('tp-attack', ['xi2raw', '0', '1200', String(KEYCODES.Pause)]);
  await a.waitLine(/^LISTENING/);
  await scene.x.keyboard.tap(KEYCODES.Pause, [KEYCODES.Control_L, KEYCODES.Alt_L]);
  const lines = await a.done();
  assert.ok(!lines.includes('EVENTS 0') && lines.some((l) => l.startsWith('EVENTS ')), lines.join(' | '));
});
