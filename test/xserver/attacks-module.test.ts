// Every attack on the trusted prompt, against Xorg WITH the trustpath module:
// each must be blocked and leave the prompt mapped, alive and receiving the keyboard.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { ATTACKS, Scene } from './harness.js';

let scene: Scene;
before(async () => { scene = await Scene.start({ module: true }); });
after(async () => { await scene?.stop(); });

test('the module is loaded and active', () => {
  assert.match(scene.x.log(), /trustpath: active/);
});

for (const attack of ATTACKS) {
  test(`blocked with the module: ${attack.name}`, async () => {
    const { prompt, outcome } = await scene.runAttack(attack);
    try {
      assert.equal(outcome.blocked, true, `attack worked: ${outcome.detail}`);
      assert.equal(await scene.promptHealthy(prompt), true, `prompt harmed: ${prompt.client.lines.join(' | ')}`);
    } finally {
      await prompt.client.stop();
    }
  });
}
