// trustpath-input against the real prompt host engine: Debian's Chromium in app mode,
// run as the trustpath user on a module display, its page titled with the nonce.
// The grabber finds Chromium's own top-level window, takes it full screen, gets the
// keys (Chromium does not), gives it back on QUIT and takes it again with a new title.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Scene } from '../xserver/harness.js';
import { IN, OUTT, build, editCounts, newKey, runX, startGrabber } from './support.js';

const CHROMIUM = '/usr/lib/chromium/chromium';
let scene: Scene;
let profile: string;
let chromium: ChildProcess | undefined;

before(async () => {
  await build();
  scene = await Scene.start({ module: true });
  profile = mkdtempSync('/tmp/tp-input-chromium-');
  chownSync(profile, scene.trusted.uid, scene.trusted.gid);
});
after(async () => {
  if (chromium?.pid) { try { process.kill(-chromium.pid, 'SIGKILL'); } catch { /* gone */ } }
  await scene?.stop();
  rmSync(profile, { recursive: true, force: true });
});

/** A page whose title is the nonce, as the prompt page sets it. */
function page(title: string): string {
  return `data:text/html,<title>${title}</title><body style="background:%23123456">prompt host</body>`;
}

function startChromium(title: string): ChildProcess {
  return spawn(CHROMIUM, [
    `--user-data-dir=${profile}`, '--no-first-run', '--no-default-browser-check', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions', '--noerrdialogs',
    '--password-store=basic', '--disable-breakpad', '--disable-renderer-backgrounding', `--app=${page(title)}`,
  ], { uid: scene.trusted.uid, gid: scene.trusted.gid, detached: true, stdio: 'ignore',
    env: { DISPLAY: scene.x.display, HOME: profile, PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
}

function commOf(win: number): string {
  const prop = runX(scene, 'trusted', 'xprop', ['-id', String(win), '_NET_WM_PID']);
  const pid = /= (\d+)/.exec(prop)?.[1];
  return pid && existsSync(`/proc/${pid}/comm`) ? readFileSync(`/proc/${pid}/comm`, 'utf8').trim() : '?';
}

test('Chromium\'s window is found by its title, taken full screen, keeps no keys, and is taken again after QUIT', { skip: !existsSync(CHROMIUM) }, async () => {
  const key = newKey();
  chromium = startChromium(key);
  const first = startGrabber(scene, key, ['--find-timeout-ms', '30000']);
  const ready = await first.waitFrame(OUTT.READY, 0, 35_000);
  const win = ready.payload.readUInt32BE(1);
  assert.equal(ready.payload[0], 1, 'protected, no overlay');
  assert.equal(commOf(win), 'chromium');
  const info = runX(scene, 'trusted', 'xwininfo', ['-id', String(win)]);
  assert.match(info, /Width: 1024\n[\s\S]*Height: 768\n[\s\S]*Map State: IsViewable/);
  first.send(IN.ARM);
  await sleep(250);
  await scene.x.keyboard.type('pw');
  await first.waitFrame(OUTT.EDIT);
  await sleep(250);
  assert.deepEqual(editCounts(first), [1, 2]);
  first.send(IN.QUIT);
  assert.equal(await first.done(), 0);
  await sleep(500);
  assert.match(runX(scene, 'trusted', 'xwininfo', ['-id', String(win)]), /Map State: IsUnMapped/);
  assert.equal(chromium.exitCode, null, 'the host keeps running');
  // the next prompt: same window, found again (by the same title here; trustpathd retitles it)
  const second = startGrabber(scene, key);
  const again = await second.ready();
  assert.equal(again.payload.readUInt32BE(1), win);
  second.send(IN.QUIT);
  assert.equal(await second.done(), 0);
});
