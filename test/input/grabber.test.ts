// trustpath-input on a real Xorg with the trustpath module and the inputtest
// keyboard, run as the trustpath user: finding and taking over the host's window,
// typing before and after ARM, answers into a FIFO, the layout and dead keys, XTEST,
// the PIN.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KEYCODES } from '../support/xorg.js';
import { Client, Scene } from '../xserver/harness.js';
import { IN, KEYS, OUTT, build, runX, editCounts, grab, newKey, startGrabber, startHost, type FrameProcess } from './support.js';

let scene: Scene;
let fifoDir: string;

before(async () => {
  await build();
  scene = await Scene.start({ module: true });
  fifoDir = mkdtempSync('/tmp/tp-input-fifo-');
  chownSync(fifoDir, scene.trusted.uid, scene.trusted.gid);
  chmodSync(fifoDir, 0o700);
});
after(async () => {
  await scene?.stop();
  if (fifoDir) rmSync(fifoDir, { recursive: true, force: true });
});

/** A FIFO the grabber may write (owned by trustpath), opened for reading by the test. */
function makeFifo(): { path: string; fd: number; payload: (devDelta?: bigint, inoDelta?: bigint) => Buffer } {
  const path = join(fifoDir, `answer-${Math.random().toString(16).slice(2)}`);
  execFileSync('mkfifo', ['-m', '600', path]);
  chownSync(path, scene.trusted.uid, scene.trusted.gid);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const st = statSync(path, { bigint: true });
  return {
    path, fd,
    payload(devDelta = 0n, inoDelta = 0n): Buffer {
      const b = Buffer.alloc(16);
      b.writeBigUInt64BE(st.dev + devDelta, 0);
      b.writeBigUInt64BE(st.ino + inoDelta, 8);
      return Buffer.concat([b, Buffer.from(path)]);
    },
  };
}

function readFifo(fd: number): Buffer {
  const buf = Buffer.alloc(1024);
  try {
    return buf.subarray(0, readSync(fd, buf));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return Buffer.alloc(0);
    throw e;
  }
}

function answer(text: string): Buffer {
  const t = Buffer.from(text);
  const h = Buffer.alloc(2);
  h.writeUInt16BE(t.length);
  return Buffer.concat([h, t]);
}

/** Runs fn with a grabber holding a fresh host window, then quits both. */
async function withGrab(fn: (input: FrameProcess, win: number) => Promise<void>, args: readonly string[] = []): Promise<void> {
  const { host, input, ready } = await grab(scene, undefined, args);
  try {
    await fn(input, ready.payload.readUInt32BE(1));
    assert.equal(host.has(/^KEY /), false, 'the host itself never receives a key');
  } finally {
    await input.stop();
    await host.stop();
  }
}

async function settle(): Promise<void> { await sleep(250); }

type Fifo = ReturnType<typeof makeFifo>;

/** withGrab plus a FIFO in PIPE mode (armed first when `arm`). */
async function withPipe(arm: boolean, fn: (input: FrameProcess, fifo: Fifo) => Promise<void>, args: readonly string[] = []): Promise<void> {
  await withGrab(async (input) => {
    const fifo = makeFifo();
    try {
      if (arm) input.send(IN.ARM);
      input.send(IN.PIPE, fifo.payload());
      await settle();
      await fn(input, fifo);
    } finally { closeSync(fifo.fd); }
  }, args);
}

test('the host window is found, shown full screen and READY says protected', async () => {
  const key = newKey();
  const host = await startHost(scene, key);
  const t0 = Date.now();
  const input = startGrabber(scene, key);
  try {
    const ready = await input.ready();
    console.log(`spawn to READY: ${Date.now() - t0} ms`);
    assert.equal(ready.payload.length, 5);
    assert.equal(ready.payload[0]! & 1, 1, 'protected on a module display');
    assert.equal(ready.payload[0]! & 2, 0, 'no compositor, no overlay');
    const win = ready.payload.readUInt32BE(1);
    assert.equal(`0x${win.toString(16)}`, host.lines.find((l) => l.startsWith('READY '))?.split(' ')[1]);
    const info = runX(scene, 'trusted', 'xwininfo', ['-id', String(win)]);
    assert.match(info, /Absolute upper-left X:\s+0\n/);
    assert.match(info, /Absolute upper-left Y:\s+0\n/);
    assert.match(info, /Width: 1024\n/);
    assert.match(info, /Height: 768\n/);
    assert.match(info, /Map State: IsViewable/);
    assert.match(info, /Override Redirect State: yes/);
  } finally {
    await input.stop();
    await host.stop();
  }
});

for (const owner of ['attacker', 'root'] as const) {
  test(`a window with the right title owned by ${owner} is refused`, async () => {
    const key = newKey();
    const host = await startHost(scene, key, owner);
    const input = startGrabber(scene, key, ['--find-timeout-ms', '800']);
    try {
      assert.equal(await input.done(), 1);
      assert.deepEqual(input.frames.map((f) => [f.type, f.payload.toString()]),
        [[OUTT.FAIL, 'host window belongs to another user']]);
      assert.equal(host.has(/^UNMAPPED/), false, 'the window was not touched');
    } finally {
      await host.stop();
    }
  });
}

test('no window with the title: FAIL and exit 1 after the timeout', async () => {
  const input = startGrabber(scene, newKey(), ['--find-timeout-ms', '300']);
  assert.equal(await input.done(), 1);
  assert.equal(input.of(OUTT.FAIL)[0]?.payload.toString(), 'host window not found');
});

test('a decoy of another user with the same title does not stop the real host being taken', async () => {
  const key = newKey();
  const decoy = await startHost(scene, key, 'attacker');
  const host = await startHost(scene, key);
  const input = startGrabber(scene, key);
  try {
    const ready = await input.ready();
    assert.equal(`0x${ready.payload.readUInt32BE(1).toString(16)}`, host.lines.find((l) => l.startsWith('READY '))?.split(' ')[1]);
  } finally {
    await input.stop();
    await host.stop();
    await decoy.stop();
  }
});

/** An untrusted client holding the keyboard grab (started before any prompt is up). */
async function grabHolder(): Promise<Client> {
  const env = { DISPLAY: scene.x.display, XAUTHORITY: scene.x.cookieFileFor(scene.attacker.uid, scene.attacker.gid) };
  const holder = new Client('tp-prompt', [], scene.attacker, env);
  await holder.waitLine(/^READY /);
  return holder;
}

test('a keyboard grab held by another client for good: FAIL after about 1 s, window given back', async () => {
  const holder = await grabHolder();
  const key = newKey();
  const host = await startHost(scene, key);
  try {
    const t0 = Date.now();
    const input = startGrabber(scene, key);
    assert.equal(await input.done(), 1);
    assert.ok(Date.now() - t0 >= 1000, 'retried for a second');
    assert.equal(input.of(OUTT.FAIL)[0]?.payload.toString(), 'could not grab the keyboard and pointer');
    assert.match(input.stderr, /keyboard grab failed with status 1 \(AlreadyGrabbed\)/);
    await host.waitLine(/^UNMAPPED/);
  } finally {
    await holder.stop();
    await host.stop();
  }
});

test('a keyboard grab released within the second: the grabber gets it and sends READY', async () => {
  const holder = await grabHolder();
  const key = newKey();
  const host = await startHost(scene, key);
  try {
    const input = startGrabber(scene, key);
    await sleep(300);
    await holder.stop();
    await input.ready();
    input.send(IN.QUIT);
    assert.equal(await input.done(), 0);
  } finally {
    await holder.stop();
    await host.stop();
  }
});

test('before ARM: typing gives no EDIT and Enter writes nothing', async () => {
  await withPipe(false, async (input, fifo) => {
    await scene.x.keyboard.type('abc');
    await scene.x.keyboard.tap(KEYS.Return);
    await settle();
    assert.deepEqual(editCounts(input), []);
    assert.equal(input.of(OUTT.SUBMIT).length, 0);
    assert.equal(readFifo(fifo.fd).length, 0);
  });
});

test('after ARM: EDIT counts follow typing and BackSpace; Enter writes the framed text to the FIFO', async () => {
  await withPipe(true, async (input, fifo) => {
    await scene.x.keyboard.type('secret');
    await scene.x.keyboard.tap(KEYS.BackSpace);
    await scene.x.keyboard.tap(KEYCODES.x);
    await scene.x.keyboard.tap(KEYCODES.a, [KEYS.Shift_L]);
    assert.deepEqual(await input.edits(9), [1, 2, 3, 4, 5, 6, 5, 6, 7]);
    await scene.x.keyboard.tap(KEYS.Return);
    const sub = await input.waitFrame(OUTT.SUBMIT);
    assert.deepEqual([...sub.payload], [1]);
    assert.deepEqual(readFifo(fifo.fd), answer('secrexA'));
    // mode is NONE now: another Enter reports that nothing was written
    const n = input.frames.length;
    await scene.x.keyboard.tap(KEYS.Return);
    assert.deepEqual([...(await input.waitFrame(OUTT.SUBMIT, n)).payload], [0]);
    assert.equal(readFifo(fifo.fd).length, 0);
  });
});

test('Ctrl+U clears, navigation keys give NAV, KP_Enter submits', async () => {
  await withGrab(async (input) => {
    input.send(IN.ARM);
    await settle();
    await scene.x.keyboard.type('ab');
    await scene.x.keyboard.tap(KEYCODES.u, [KEYS.Control_L]);
    await scene.x.keyboard.tap(KEYS.Up);
    await scene.x.keyboard.tap(KEYS.Down);
    await scene.x.keyboard.tap(KEYS.Tab);
    await scene.x.keyboard.tap(KEYS.Tab, [KEYS.Shift_L]);
    await scene.x.keyboard.tap(KEYS.KP_Enter);
    await input.waitFrame(OUTT.SUBMIT);
    assert.deepEqual(editCounts(input), [1, 2, 0]);
    assert.deepEqual(input.of(OUTT.NAV).map((f) => f.payload.readInt8(0)), [-1, 1, 1, -1]);
  });
});

test('a FIFO with another dev/ino is refused: FAIL, nothing written, no SUBMIT', async () => {
  await withGrab(async (input) => {
    const fifo = makeFifo();
    try {
      for (const [dev, ino] of [[0n, 1n], [1n, 0n]] as const) {
        const n = input.frames.length;
        input.send(IN.ARM);
        input.send(IN.PIPE, fifo.payload(dev, ino));
        await settle();
        await scene.x.keyboard.type('pw');
        await scene.x.keyboard.tap(KEYS.Return);
        const fail = await input.waitFrame(OUTT.FAIL, n);
        assert.equal(fail.payload.toString(), 'could not write the answer to the pipe');
        assert.equal(input.frames.slice(n).some((f) => f.type === OUTT.SUBMIT), false);
        assert.equal(readFifo(fifo.fd).length, 0);
        assert.equal(input.alive, true, 'a refused pipe is not fatal');
      }
    } finally { closeSync(fifo.fd); }
  });
});

test('a path that is not a FIFO (a symlink to the FIFO, a regular file with its own dev/ino) is refused', async () => {
  await withGrab(async (input) => {
    const fifo = makeFifo();
    const link = join(fifoDir, 'link');
    const file = join(fifoDir, 'file');
    execFileSync('ln', ['-sf', fifo.path, link]);
    writeFileSync(file, '');
    chownSync(file, scene.trusted.uid, scene.trusted.gid);
    const fst = statSync(file, { bigint: true });
    const ids = Buffer.alloc(16);
    ids.writeBigUInt64BE(fst.dev, 0);
    ids.writeBigUInt64BE(fst.ino, 8);
    try {
      for (const payload of [Buffer.concat([fifo.payload().subarray(0, 16), Buffer.from(link)]), Buffer.concat([ids, Buffer.from(file)])]) {
        const n = input.frames.length;
        input.send(IN.ARM);
        input.send(IN.PIPE, payload);
        await settle();
        await scene.x.keyboard.type('pw');
        await scene.x.keyboard.tap(KEYS.Return);
        await input.waitFrame(OUTT.FAIL, n);
      }
      assert.equal(input.of(OUTT.SUBMIT).length, 0);
      assert.equal(readFifo(fifo.fd).length, 0);
      assert.equal(readFileSync(file, 'utf8'), '');
    } finally { closeSync(fifo.fd); rmSync(link, { force: true }); rmSync(file, { force: true }); }
  });
});

test('layout: with de set by root the us-y key gives z and the us-apostrophe key ä (one character of two bytes); a change while the prompt is up is followed', async () => {
  const APOSTROPHE = 48;
  runX(scene, 'root', 'setxkbmap', ['de']);
  try {
    await withPipe(true, async (input, fifo) => {
      await scene.x.keyboard.type('y');
      await scene.x.keyboard.tap(APOSTROPHE);
      await scene.x.keyboard.tap(KEYS.BackSpace);
      await scene.x.keyboard.tap(APOSTROPHE);
      await settle();
      assert.deepEqual(editCounts(input), [1, 2, 1, 2]);
      // untrusted clients (root included) cannot change the keymap while the prompt is up
      assert.throws(() => runX(scene, 'root', 'setxkbmap', ['us']));
      runX(scene, 'trusted', 'setxkbmap', ['us']);
      await settle();
      await scene.x.keyboard.type('y');
      await scene.x.keyboard.tap(KEYS.Return);
      await input.waitFrame(OUTT.SUBMIT);
      assert.deepEqual(readFifo(fifo.fd), answer('zäy'));
    });
  } finally {
    runX(scene, 'root', 'setxkbmap', ['us']);
  }
});

test('dead keys (de): ´+e gives é, ^+a gives â, ´+space gives \' (as in X clients), ´+q gives nothing; a dead key before ARM does not carry over', async () => {
  const DEAD_ACUTE = 21; // de: the key right of ß
  const DEAD_CIRCUMFLEX = 49; // de: the key left of 1
  runX(scene, 'root', 'setxkbmap', ['de']);
  try {
    await withPipe(false, async (input, fifo) => {
      await scene.x.keyboard.tap(DEAD_ACUTE); // before ARM: dropped, and no half sequence left
      await settle();
      input.send(IN.ARM);
      await settle();
      await scene.x.keyboard.type('e');
      await scene.x.keyboard.tap(DEAD_ACUTE);
      await scene.x.keyboard.type('e');
      await scene.x.keyboard.tap(DEAD_CIRCUMFLEX);
      await scene.x.keyboard.type('a');
      await scene.x.keyboard.tap(DEAD_ACUTE);
      await scene.x.keyboard.type(' ');
      await scene.x.keyboard.tap(DEAD_ACUTE);
      await scene.x.keyboard.type('q');
      await settle();
      assert.deepEqual(editCounts(input), [1, 2, 3, 4], 'a dead key alone types nothing');
      await scene.x.keyboard.tap(KEYS.Return);
      await input.waitFrame(OUTT.SUBMIT);
      assert.deepEqual(readFifo(fifo.fd), answer('eéâ\''));
    });
  } finally {
    runX(scene, 'root', 'setxkbmap', ['us']);
  }
});

test('Compose follows the locale given (us intl): ´+c gives ç for pt_BR.UTF-8 as in Brazilian programs, ć by default; an unknown locale falls back', async () => {
  const APOSTROPHE = 48; // us(intl): dead_acute
  runX(scene, 'root', 'setxkbmap', ['-layout', 'us', '-variant', 'intl']);
  try {
    const typed = async (args: readonly string[]): Promise<Buffer> => {
      let out: Buffer = Buffer.alloc(0);
      await withPipe(true, async (input, fifo) => {
        await scene.x.keyboard.tap(APOSTROPHE);
        await scene.x.keyboard.type('c');
        await scene.x.keyboard.tap(KEYS.Return);
        await input.waitFrame(OUTT.SUBMIT);
        out = readFifo(fifo.fd);
      }, args);
      return out;
    };
    assert.deepEqual(await typed(['--compose-locale', 'pt_BR.UTF-8']), answer('ç'));
    assert.deepEqual(await typed([]), answer('ć'), 'C.UTF-8 (the en_US table) without the option');
    assert.deepEqual(await typed(['--compose-locale', 'xx_YY.UTF-8']), answer('ć'), 'a locale without a table: the common one');
  } finally {
    runX(scene, 'root', 'setxkbmap', ['us']);
  }
});

test('XTEST typing by another user gives no EDIT while the prompt is held', async () => {
  await withGrab(async (input) => {
    input.send(IN.ARM);
    await settle();
    const env = { DISPLAY: scene.x.display, XAUTHORITY: scene.x.cookieFileFor(scene.attacker.uid, scene.attacker.gid) };
    const r = spawnSync('xdotool', ['type', '--delay', '20', 'injected'], { uid: scene.attacker.uid, gid: scene.attacker.gid, env, encoding: 'utf8' });
    await settle();
    assert.deepEqual(editCounts(input), [], `xdotool: ${r.status} ${r.stderr}`);
    await scene.x.keyboard.type('ok');
    assert.deepEqual(await input.edits(2), [1, 2], 'the real keyboard still types');
  });
});

test('Escape gives CANCEL, armed or not', async () => {
  await withGrab(async (input) => {
    await scene.x.keyboard.tap(KEYS.Escape);
    await input.waitFrame(OUTT.CANCEL);
    input.send(IN.ARM);
    await settle();
    await scene.x.keyboard.tap(KEYS.Escape);
    await settle();
    assert.equal(input.of(OUTT.CANCEL).length, 2);
  });
});

test('QUIT: the host window is unmapped, the host lives on, exit 0', async () => {
  const { host, input } = await grab(scene);
  try {
    input.send(IN.QUIT);
    assert.equal(await input.done(), 0);
    await host.waitLine(/^UNMAPPED/);
    assert.equal(host.alive, true);
  } finally {
    await host.stop();
  }
});

test('end of file on stdin: unmapped, exit 0; the next grabber takes the same host again', async () => {
  const key = newKey();
  const host = await startHost(scene, key);
  try {
    const first = startGrabber(scene, key);
    await first.ready();
    first.closeStdin();
    assert.equal(await first.done(), 0);
    await host.waitLine(/^UNMAPPED/);
    const second = startGrabber(scene, key);
    await second.ready();
    second.send(IN.QUIT);
    assert.equal(await second.done(), 0);
  } finally {
    await host.stop();
  }
});

async function pinEntry(input: FrameProcess, mode: Buffer | null, text: string, reply: number): Promise<Buffer> {
  const n = input.frames.length;
  if (mode) input.send(IN.PINCHECK, mode); else input.send(IN.PINSET);
  await settle();
  await scene.x.keyboard.type(text);
  await scene.x.keyboard.tap(KEYS.Return);
  return (await input.waitFrame(reply, n, 15_000)).payload;
}

test('PINSET then PINCHECK: right PIN ok, wrong PIN not, short PIN rejected', async () => {
  await withGrab(async (input) => {
    input.send(IN.ARM);
    assert.equal((await pinEntry(input, null, 'abc', OUTT.PINHASH)).length, 0, 'fewer than 4 characters');
    const hash = await pinEntry(input, null, 'abcd', OUTT.PINHASH);
    assert.match(hash.toString(), /^\$argon2id\$v=19\$m=65536,t=3,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.deepEqual([...await pinEntry(input, hash, 'abcd', OUTT.PINRESULT)], [1]);
    assert.deepEqual([...await pinEntry(input, hash, 'abce', OUTT.PINRESULT)], [0]);
    assert.equal(input.of(OUTT.SUBMIT).length, 0);
  });
});

const protocolErrors: Array<[string, Buffer]> = [
  ['an unknown type', Buffer.from([0x7f, 0, 0, 0, 0])],
  ['a reply type sent to it', Buffer.from([OUTT.READY, 0, 0, 0, 0])],
  ['ARM with a payload', Buffer.from([IN.ARM, 0, 0, 0, 1, 0])],
  ['PIPE above its cap (header only)', Buffer.from([IN.PIPE, 0, 0, 0x10, 0])],
  ['PINCHECK above its cap (header only)', Buffer.from([IN.PINCHECK, 0, 0, 1, 1])],
  ['a PIPE with a relative path', Buffer.concat([Buffer.from([IN.PIPE, 0, 0, 0, 19]), Buffer.alloc(16), Buffer.from('a/b')])],
  ['a PINCHECK that is not an argon2id hash', Buffer.concat([Buffer.from([IN.PINCHECK, 0, 0, 0, 4]), Buffer.from('$2y$')])],
  ['end of file inside a frame', Buffer.from([IN.PIPE, 0, 0])],
];

for (const [what, bytes] of protocolErrors) {
  test(`protocol error (${what}): FAIL, window given back, exit 1`, async () => {
    const { host, input } = await grab(scene);
    try {
      input.sendRaw(bytes);
      input.closeStdin();
      assert.equal(await input.done(), 1);
      assert.match(input.of(OUTT.FAIL)[0]?.payload.toString() ?? '', /^protocol: /);
      await host.waitLine(/^UNMAPPED/);
    } finally {
      await host.stop();
    }
  });
}
