// trustpath-input against the real prompt host engine: Debian's Chromium in app mode,
// run as the trustpath user, its page titled with the nonce. On a module display the
// grabber finds Chromium's own top-level window, takes it full screen, gets the keys
// (Chromium does not), gives it back on QUIT and takes it again. On a display without
// the module, where openbox frames Chromium's window, it is found inside the frame and
// taken out of it to the root.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Scene } from '../xserver/harness.js';
import { IN, OUTT, build, newKey, runX, startGrabber } from './support.js';

const CHROMIUM = '/usr/lib/chromium/chromium';
const skip = !existsSync(CHROMIUM);
let scene: Scene;
let stock: Scene | undefined;
const started: ChildProcess[] = [];
const profiles: string[] = [];

before(async () => {
  await build();
  scene = await Scene.start({ module: true });
});
after(async () => {
  for (const p of started) { try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* gone */ } }
  await scene?.stop();
  await stock?.stop();
  for (const d of profiles) rmSync(d, { recursive: true, force: true });
});

/** A page whose title is the nonce, as the prompt page sets it. */
function page(title: string): string {
  return `data:text/html,<title>${title}</title><body style="background:%23123456">prompt host</body>`;
}

/** Chromium as trustpath in its own process group (killed whole at the end). */
function startChromium(s: Scene, title: string): ChildProcess {
  const profile = mkdtempSync('/tmp/tp-input-chromium-');
  chownSync(profile, s.trusted.uid, s.trusted.gid);
  profiles.push(profile);
  const env: NodeJS.ProcessEnv = { DISPLAY: s.x.display, HOME: profile, PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' };
  if (!s.withModule) env.XAUTHORITY = s.x.cookieFileFor(s.trusted.uid, s.trusted.gid);
  const child = spawn(CHROMIUM, [
    `--user-data-dir=${profile}`, '--no-first-run', '--no-default-browser-check', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions', '--noerrdialogs',
    '--password-store=basic', '--disable-breakpad', '--disable-renderer-backgrounding', `--app=${page(title)}`,
  ], { uid: s.trusted.uid, gid: s.trusted.gid, detached: true, stdio: 'ignore', env });
  started.push(child);
  return child;
}

function commOf(win: number): string {
  const prop = runX(scene, 'trusted', 'xprop', ['-id', String(win), '_NET_WM_PID']);
  const pid = /= (\d+)/.exec(prop)?.[1];
  return pid && existsSync(`/proc/${pid}/comm`) ? readFileSync(`/proc/${pid}/comm`, 'utf8').trim() : '?';
}

test('Chromium\'s window is found by its title, taken full screen, keeps no keys, and is taken again after QUIT', { skip }, async () => {
  const key = newKey();
  const chromium = startChromium(scene, key);
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
  assert.deepEqual(await first.edits(2), [1, 2]);
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

function parentOf(s: Scene, win: number | string): string {
  return /Parent window id: (0x[0-9a-f]+)/.exec(runX(s, 'trusted', 'xwininfo', ['-tree', '-id', String(win)]))?.[1] ?? '?';
}

/** Chromium's window titled key once a window manager has framed it. */
async function framedWindow(s: Scene, key: string, root: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    let ids: string[] = [];
    try { ids = runX(s, 'trusted', 'xdotool', ['search', '--name', `^${key}$`]).trim().split('\n'); } catch { /* none yet */ }
    const framed = ids.find((id) => id !== '' && parentOf(s, id) !== root);
    if (framed) return framed;
    await sleep(200);
  }
  throw new Error('Chromium\'s window was not framed');
}

test('without the module, Chromium framed by openbox: found inside the frame, taken to the root', { skip }, async () => {
  stock = await Scene.start({ module: false });
  const wm = stock.attackerProgram('openbox', []);
  started.push(wm);
  const key = newKey();
  startChromium(stock, key);
  const root = /Window id: (0x[0-9a-f]+)/.exec(runX(stock, 'trusted', 'xwininfo', ['-root']))?.[1] ?? '?';
  const framed = await framedWindow(stock, key, root);
  const input = startGrabber(stock, key);
  const ready = await input.ready();
  assert.equal(ready.payload[0], 0, 'not protected, no compositor');
  assert.equal(ready.payload.readUInt32BE(1), Number(framed));
  assert.equal(parentOf(stock, framed), root);
  assert.match(runX(stock, 'trusted', 'xwininfo', ['-id', framed]), /Width: 1024\n[\s\S]*Height: 768\n[\s\S]*Map State: IsViewable/);
  input.send(IN.ARM);
  await sleep(250);
  await stock.x.keyboard.type('ok');
  assert.deepEqual(await input.edits(2), [1, 2]);
  input.send(IN.QUIT);
  assert.equal(await input.done(), 0);
  assert.equal(wm.exitCode, null, 'openbox kept running');
});
