// trustpath-input's process hygiene (locked text buffer, not dumpable, nothing
// inherited), its misuse refusals, an ASan/UBSan run of a
// whole prompt, and 15 s of fuzzing the frame and text decoders.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Scene } from '../xserver/harness.js';
import { IN, INPUT_BIN, OUT, OUTT, build, datagram, editCounts, newKey, sendDatagram, spawnAs, startHost } from './support.js';

let scene: Scene;

before(async () => {
  await build(true);
  scene = await Scene.start({ module: true });
});
after(async () => { await scene?.stop(); });

test('the grabber locks its text page, is not dumpable and inherits no fds', async () => {
  const key = newKey();
  const host = await startHost(scene, key);
  const input = spawnAs(INPUT_BIN, ['--window-title', key], scene.trusted,
    { DISPLAY: scene.x.display }, 3);
  try {
    await input.ready();
    const pid = input.proc.pid!;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    assert.ok(Number(/VmLck:\s+(\d+) kB/.exec(status)?.[1]) >= 4, 'a locked page');
    assert.equal(statSync(`/proc/${pid}/mem`).uid, 0, 'not dumpable: /proc files belong to root');
    // After READY it reads the keymap and the Compose table (a file open for a moment): the settled set counts
    const fdsOf = (): number[] => readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b);
    const deadline = Date.now() + 3000;
    let fds = fdsOf();
    while (fds.length !== 5 && Date.now() < deadline) { await sleep(50); fds = fdsOf(); }
    assert.deepEqual(fds, [0, 1, 2, 3, 4], 'stdio, the X connection and the signalfd; the three passed fds were closed');
  } finally {
    await input.stop();
    await host.stop();
  }
});

test('misuse exits 2 without frames: root, bad or missing arguments', async () => {
  const runs: Array<[string[], number]> = [
    [['--window-title', 'k'], 0],
    [[], scene.trusted.uid],
    [['--window-title'], scene.trusted.uid],
    [['--window-title', 'has space'], scene.trusted.uid],
    [['--window-title', 'k', '--find-timeout-ms', '-1'], scene.trusted.uid],
    [['--window-title', 'k', '--bogus', '1'], scene.trusted.uid],
    // a Compose locale is a name, never a path
    [['--window-title', 'k', '--compose-locale', '../../../tmp/Compose'], scene.trusted.uid],
    [['--window-title', 'k', '--compose-locale', '/tmp/Compose'], scene.trusted.uid],
    [['--window-title', 'k', '--compose-locale', ''], scene.trusted.uid],
    [['--window-title', 'k', '--compose-locale', `pt_BR.UTF-8${'x'.repeat(60)}`], scene.trusted.uid],
    [['--window-title', 'k', '--compose-locale'], scene.trusted.uid],
  ];
  for (const [args, uid] of runs) {
    const r = spawnSync(INPUT_BIN, args, { uid, gid: uid === 0 ? 0 : scene.trusted.gid, env: { DISPLAY: scene.x.display } });
    assert.equal(r.status, 2, `${uid} ${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout.length, 0);
  }
});

test('ASan/UBSan build: a whole prompt (PIN set, typing, QUIT) runs clean', async () => {
  const key = newKey();
  const host = await startHost(scene, key);
  const input = spawnAs(join(OUT, 'test/input-asan'), ['--window-title', key, '--compose-locale', 'pt_BR.UTF-8'], scene.trusted, { DISPLAY: scene.x.display });
  try {
    await input.ready();
    input.send(IN.ARM);
    input.send(IN.PINSET);
    await sleep(250);
    await scene.x.keyboard.type('abcd');
    await scene.x.keyboard.tap(22); // BackSpace
    await scene.x.keyboard.tap(36); // Return
    await input.waitFrame(OUTT.PINHASH, 0, 20_000);
    input.send(IN.QUIT);
    assert.equal(await input.done(), 0, input.stderr);
    assert.deepEqual(editCounts(input), [1, 2, 3, 4, 3]);
    assert.doesNotMatch(input.stderr, /Sanitizer|runtime error/);
  } finally {
    await input.stop();
    await host.stop();
  }
});

test('ASan/UBSan build of trustpath-sak-listen: datagrams good and bad, then end of file, run clean', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tp-sak-asan-'));
  chownSync(dir, scene.trusted.uid, scene.trusted.gid);
  chmodSync(dir, 0o700);
  const sock = join(dir, 's.sock');
  const p = spawnAs(join(OUT, 'test/sak-listen-asan'), [sock], scene.trusted, { PATH: '/usr/bin:/bin' });
  try {
    await p.waitFrame(OUTT.LISTENING, 0, 20_000);
    const root = { uid: 0, gid: 0 };
    for (const d of [datagram(), datagram({ length: 20 }), datagram({ magic: '\0\0\0\0' })]) sendDatagram(sock, d, root);
    await p.waitFrame(OUTT.SAK);
    await sleep(200);
    p.closeStdin();
    assert.equal(await p.done(), 0, p.stderr);
    assert.equal(p.of(OUTT.SAK).length, 1);
    assert.doesNotMatch(p.stderr, /Sanitizer|runtime error/);
  } finally {
    await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fuzzing the frame and text decoders for 15 s finds nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tp-input-fuzz-'));
  try {
    const child = spawn(join(OUT, 'test/fuzz-input-frame'), ['-max_total_time=15', '-rss_limit_mb=1024', dir],
      { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-4000); });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
