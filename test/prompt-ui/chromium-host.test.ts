// The real Chromium host on a real Xorg (no module), as the `trustpath` user with its
// own cookie copy: it loads the page, renders a state, names its top-level window by
// the state's windowKey, survives an unmap/map of that window and leaves no process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromiumHost, processGroupMembers as groupMembers, type ChromiumPromptHost } from '../../prompt-ui/src/chromium-host.js';
import { startXorg, type Xorg } from '../support/xorg.js';
import { baseState } from './states.js';

function trustpathIds(): { uid: number; gid: number } {
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'trustpath'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** pids whose command line names the path (Chromium helpers carry --user-data-dir or their database in it) */
function processesMentioning(path: string): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).filter((n) => {
    try { return readFileSync(`/proc/${n}/cmdline`, 'utf8').includes(path); } catch { return false; }
  }).map(Number);
}

function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('Uid:')) ?? '';
  return Number(line.split(/\s+/)[1]);
}

function xwin(x: Xorg, args: readonly string[], cookie: string): string {
  return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', DISPLAY: x.display, XAUTHORITY: cookie } });
}

test('the Chromium host renders a state on a real Xorg as trustpath, window titled by windowKey', async (t) => {
  const x = await startXorg({ module: false });
  const dir = mkdtempSync(join(tmpdir(), 'tp-prompt-host-'));
  chmodSync(dir, 0o711);
  const { uid, gid } = trustpathIds();
  const logs: string[] = [];
  const profileDir = join(dir, 'profile');
  let host: ChromiumPromptHost | undefined;
  try {
    host = await launchChromiumHost({
      display: x.display, xauthority: x.cookieFileFor(uid, gid), profileDir, uid, gid,
      log: (m) => logs.push(m),
    });
    const members = groupMembers(host.pid);
    assert.ok(members.length >= 2, `chromium and its helpers share the group: ${members}`);
    for (const pid of members) assert.equal(uidOf(pid), uid, `process ${pid} runs as trustpath`);
    // Chromium's namespace sandbox is on: its helpers live in user namespaces of their own.
    const userNs = new Set(members.map((pid) => readlinkSync(`/proc/${pid}/ns/user`)));
    assert.ok(userNs.size >= 2, 'sandboxed helpers in their own user namespace');

    const state = baseState({ typed: 4, windowKey: `trustpath-prompt-${process.pid}-test` });
    await host.render(state);
    assert.equal(await host.evaluate('document.title'), state.windowKey);
    const text = String(await host.evaluate('document.body.innerText'));
    assert.match(text, /Authentication is required to install software/);
    assert.match(text, /\/usr\/bin\/pkexec \[4242\]/);
    assert.equal(await host.evaluate("document.querySelector('.dots').textContent"), '••••');

    // The browser names its X window a moment after the page's title changes (measured
    // here: tens of ms); the grabber looks for the window until it appears.
    const root = x.cookieFileFor(0, 0);
    const rendered = Date.now();
    let tree = '';
    while (!tree.includes(`"${state.windowKey}"`) && Date.now() - rendered < 5000) {
      tree = xwin(x, ['xwininfo', '-root', '-children'], root); // top-level windows only
      if (!tree.includes(`"${state.windowKey}"`)) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(tree.includes(`"${state.windowKey}"`), `a top-level window titled ${state.windowKey}:\n${tree}`);
    t.diagnostic(`X window title ${Date.now() - rendered} ms after render()`);

    // The grabber unmaps and re-maps the window between prompts: the page must go on painting.
    const ids = xwin(x, ['xdotool', 'search', '--name', `^${state.windowKey}$`], root).trim().split('\n');
    for (const id of ids) xwin(x, ['xdotool', 'windowunmap', '--sync', id], root);
    await host.render({ ...state, typed: 5 });
    for (const id of ids) xwin(x, ['xdotool', 'windowmap', '--sync', id], root);
    await host.render({ ...state, typed: 6 });
    assert.equal(await host.evaluate("document.visibilityState"), 'visible');
    assert.equal(await host.evaluate("document.querySelector('.dots').textContent"), '••••••');

    await host.close();
    await host.exited;
    assert.deepEqual(groupMembers(host.pid), [], 'no process of the host is left');
    assert.deepEqual(processesMentioning(profileDir), [], 'nor any other process using its profile (crashpad)');
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- host log ---\n${logs.join('\n').slice(-4000)}`);
  } finally {
    if (host) await host.close().catch(() => undefined);
    await x.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
