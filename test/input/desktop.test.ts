// trustpath-input on a display without the module (not protected; XTEST reaches it,
// which is what the module test relies on being able to see), and on a module display
// with Debian's openbox and xcompmgr running as an untrusted user: the prompt goes
// into the Composite overlay window and comes back to the root when it is done.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Scene } from '../xserver/harness.js';
import { IN, build, grab, runX } from './support.js';

const scenes: Scene[] = [];
let desktop: ChildProcess[] = [];

before(async () => { await build(); });
after(async () => {
  for (const p of desktop) p.kill('SIGKILL');
  for (const s of scenes) await s.stop();
});

async function start(module: boolean): Promise<Scene> {
  const s = await Scene.start({ module });
  scenes.push(s);
  return s;
}

function parentOf(s: Scene, win: number): string {
  const tree = runX(s, 'trusted', 'xwininfo', ['-tree', '-id', String(win)]);
  return /Parent window id: (0x[0-9a-f]+)/.exec(tree)?.[1] ?? '?';
}

function rootOf(s: Scene): string {
  return /Window id: (0x[0-9a-f]+)/.exec(runX(s, 'trusted', 'xwininfo', ['-root']))?.[1] ?? '?';
}

test('without the module: READY says not protected, and XTEST typing reaches the grab', async () => {
  const s = await start(false);
  const { host, input, ready } = await grab(s);
  try {
    assert.equal(ready.payload[0], 0, 'neither protected nor overlay');
    input.send(IN.ARM);
    await sleep(250);
    const env = { DISPLAY: s.x.display, XAUTHORITY: s.x.cookieFileFor(s.attacker.uid, s.attacker.gid) };
    const r = spawnSync('xdotool', ['type', '--delay', '20', 'abc'], { uid: s.attacker.uid, gid: s.attacker.gid, env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(await input.edits(3), [1, 2, 3]);
  } finally {
    await input.stop();
    await host.stop();
  }
});

test('with a window manager and a compositor: the prompt lives in the overlay window, then goes back to the root', async () => {
  const s = await start(true);
  desktop = [s.attackerProgram('openbox', []), s.attackerProgram('xcompmgr', [])];
  await sleep(1500);
  for (const p of desktop) assert.equal(p.exitCode, null, 'openbox and xcompmgr keep running');
  const { host, input, ready } = await grab(s);
  const win = ready.payload.readUInt32BE(1);
  try {
    assert.equal(ready.payload[0], 3, 'protected, overlay used');
    assert.notEqual(parentOf(s, win), rootOf(s));
    input.send(IN.ARM);
    await sleep(250);
    await s.x.keyboard.type('ab');
    assert.deepEqual(await input.edits(2), [1, 2]);
    input.send(IN.QUIT);
    assert.equal(await input.done(), 0);
    await host.waitLine(/^UNMAPPED/);
    assert.equal(parentOf(s, win), rootOf(s), 'back at the root: releasing the overlay did not destroy it');
    assert.match(runX(s, 'trusted', 'xwininfo', ['-id', String(win)]), /Map State: IsUnMapped/);
    assert.equal(host.alive, true);
  } finally {
    await input.stop();
    await host.stop();
  }
});
