// The same attacks against a stock Xorg (no module): each must WORK, which proves
// that the blocked outcome in attacks-module.test.ts is a real result.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { ATTACKS, Scene } from './harness.js';

let scene: Scene;
before(async () => { scene = await Scene.start({ module: false }); });
after(async () => { await scene?.stop(); });

test('the module is not loaded', () => {
  assert.doesNotMatch(scene.x.log(), /trustpath: active/);
});

for (const attack of ATTACKS) {
  test(`works without the module: ${attack.name}`, async () => {
    let prompt;
    let outcome;
    if (attack.ownPrompt) {
      ({ prompt, outcome } = await attack.ownPrompt(scene));
    } else {
      prompt = await scene.startPrompt();
      outcome = await attack.run(scene, prompt);
    }
    try {
      assert.equal(outcome.blocked, false, `attack did not work on a stock server: ${outcome.detail}`);
    } finally {
      await prompt.client.stop();
    }
  });
}
