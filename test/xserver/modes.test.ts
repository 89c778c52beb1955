// Module behaviour across server regenerations, and the audit (diagnosis) mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROMPT_PIXEL, Scene } from './harness.js';

test('after a server regeneration the module is active again and still protects the prompt', async () => {
  const scene = await Scene.start({ module: true, reset: true });
  try {
    const first = await scene.startPrompt();
    await first.client.stop();
    const deadline = Date.now() + 10_000;
    while (!/trustpath: active \(generation 2/.test(scene.x.log())) {
      assert.ok(Date.now() < deadline, 'server did not regenerate');
      await sleep(100);
    }
    const prompt = await scene.startPrompt();
    try {
      assert.ok(prompt.client.lines.includes('EXT present 1.0'), 'trusted user still granted access');
      const shot = await scene.attack('getimage-win', [prompt.window]);
      assert.ok(shot.includes('NOIMAGE'), shot.join(' | '));
      assert.ok((await scene.attack('unmap', [prompt.window])).some((l) => l !== 'ERRORS 0'));
      assert.equal(prompt.client.has(/^UNMAPPED/), false);
    } finally {
      await prompt.client.stop();
    }
  } finally {
    await scene.stop();
  }
});

test('audit mode logs what it would deny and denies nothing', async () => {
  const scene = await Scene.start({ module: true, moduleOptions: { Mode: 'audit' } });
  try {
    const prompt = await scene.startPrompt();
    try {
      const shot = await scene.attack('getimage-win', [prompt.window]);
      assert.ok(shot.includes(PROMPT_PIXEL), shot.join(' | '));
      assert.match(scene.x.log(), /trustpath: would deny reading window contents|trustpath: would deny access to a trusted window/);
      assert.doesNotMatch(scene.x.log(), /trustpath: denied/);
    } finally {
      await prompt.client.stop();
    }
  } finally {
    await scene.stop();
  }
});

test('malformed TRUSTPATH requests get errors and the server keeps running', async () => {
  const scene = await Scene.start({ module: true });
  try {
    const lines = await scene.trustedClient('tp-attack', ['bad-ext']).done();
    assert.deepEqual(lines, ['ERRORS 2']);
    assert.deepEqual(await scene.trustedClient('tp-attack', ['ping']).done(), ['PONG', 'ERRORS 0']);
  } finally {
    await scene.stop();
  }
});
