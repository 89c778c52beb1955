// With Debian's openbox (window manager) and xcompmgr (compositing manager) running as
// an untrusted user: the prompt stays visible, on top, receiving the real keyboard,
// and protected. The prompt lives in the Composite overlay window, which is never
// redirected; without that, a compositor would have to read the prompt's pixels to
// show it (asserted below as the reason for the overlay).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROMPT_PIXEL, Scene, type Prompt } from './harness.js';

let scene: Scene;
let desktop: ChildProcess[] = [];

async function startDesktop(s: Scene): Promise<ChildProcess[]> {
  const procs = [s.attackerProgram('openbox', []), s.attackerProgram('xcompmgr', [])];
  await sleep(1500);
  for (const p of procs) assert.equal(p.exitCode, null, 'openbox and xcompmgr keep running');
  return procs;
}

before(async () => {
  scene = await Scene.start({ module: true });
  desktop = await startDesktop(scene);
});
after(async () => {
  for (const p of desktop) p.kill('SIGKILL');
  await scene?.stop();
});

async function withPrompt(fn: (p: Prompt) => Promise<void>): Promise<void> {
  const p = await scene.startPrompt(true);
  try { await fn(p); } finally { await p.client.stop(); }
}

async function trustedRootPixel(): Promise<string> {
  const lines = await scene.trustedClient('tp-attack', ['getimage-root']).done();
  return lines.find((l) => /^(PIXEL|NOIMAGE)/.test(l)) ?? 'none';
}

test('a prompt in a redirected top-level window is not shown by the compositor (why the overlay)', async () => {
  const p = await scene.startPrompt(false);
  try {
    await sleep(300);
    assert.notEqual(await trustedRootPixel(), PROMPT_PIXEL);
  } finally { await p.client.stop(); }
});

test('the overlay prompt is visible on screen and receives the real keyboard', async () => {
  await withPrompt(async (p) => {
    await sleep(300);
    assert.equal(await trustedRootPixel(), PROMPT_PIXEL);
    assert.equal(await scene.promptHealthy(p), true);
  });
});

test('untrusted clients cannot read the screen, cover the prompt or read its keys', async () => {
  await withPrompt(async (p) => {
    const shot = await scene.attack('getimage-root', [p.window]);
    assert.ok(!shot.includes(PROMPT_PIXEL), shot.join(' | '));
    assert.ok((await scene.attack('cover', [p.window])).includes('BELOW'));
    assert.ok((await scene.attack('cover-overlay', [p.window])).includes('BELOW'));
    const raw = scene.attackerClient('tp-attack', ['xi2raw', '0', '1000']);
    await raw.waitLine(/^LISTENING/);
    await scene.typeSlowly('pw');
    assert.ok((await raw.done()).includes('EVENTS 0'));
    await sleep(300);
    assert.equal(await trustedRootPixel(), PROMPT_PIXEL, 'still visible');
    assert.equal(await scene.promptHealthy(p), true);
  });
});

test('the window manager and compositor work again once the prompt is gone', async () => {
  await withPrompt(async () => { await sleep(100); });
  const shot = await scene.attack('getimage-root', ['0']);
  assert.ok(shot.some((l) => l.startsWith('PIXEL ')), shot.join(' | '));
  assert.ok((await scene.attack('cover', ['0'])).includes('ERRORS 0'));
  for (const p of desktop) assert.equal(p.exitCode, null);
});
