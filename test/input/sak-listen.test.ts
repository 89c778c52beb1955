// trustpath-sak-listen as the trustpath user, with a real Xorg whose trustpath module
// sends SAK datagrams to it: the real keyboard's Ctrl+Alt+Pause arrives as a SAK frame
// from the Xorg pid; datagrams from anyone but root, or malformed, are dropped; a
// socket directory others could enter is refused.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KEYCODES } from '../support/xorg.js';
import { Scene, trustedIds, type Ids } from '../xserver/harness.js';
import { OUTT, SAK_BIN, build, datagram, sendDatagram, spawnAs, type FrameProcess } from './support.js';

const ids = trustedIds();
const dir = mkdtempSync('/tmp/tp-sak-listen-');
const sock = join(dir, 'sak.sock');
let scene: Scene;
let listener: FrameProcess;

function start(path: string): FrameProcess {
  return spawnAs(SAK_BIN, [path], ids, { PATH: '/usr/bin:/bin' });
}

before(async () => {
  await build();
  chownSync(dir, ids.uid, ids.gid);
  chmodSync(dir, 0o700);
  scene = await Scene.start({ module: true, moduleOptions: { SAKSocket: sock } });
  listener = start(sock);
  await listener.waitFrame(OUTT.LISTENING);
});
after(async () => {
  await listener?.stop();
  await scene?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function sendAs(who: Ids, payload: Buffer): void { sendDatagram(sock, payload, who); }

function saks(from = 0): number { return listener.frames.slice(from).filter((f) => f.type === OUTT.SAK).length; }

test('the SAK on the real keyboard arrives as a SAK frame from the Xorg pid', async () => {
  const n = listener.frames.length;
  await scene.x.keyboard.tap(KEYCODES.Pause, [KEYCODES.Control_L, KEYCODES.Alt_L]);
  const f = await listener.waitFrame(OUTT.SAK, n);
  assert.equal(f.payload.length, 12);
  assert.equal(f.payload.readUInt32BE(0), scene.x.pid);
  assert.ok(f.payload.readUInt32BE(4) > 0, 'X time');
  assert.ok(f.payload.readUInt32BE(8) > 1, 'a slave device id');
});

test('a well-formed datagram from root is passed on (control for the drops below)', async () => {
  const n = listener.frames.length;
  sendAs({ uid: 0, gid: 0 }, datagram());
  const f = await listener.waitFrame(OUTT.SAK, n);
  assert.deepEqual([f.payload.readUInt32BE(4), f.payload.readUInt32BE(8)], [1234, 7]);
});

test('a datagram from the trustpath user itself is dropped and counted', async () => {
  const n = listener.frames.length;
  sendAs(ids, datagram());
  await sleep(300);
  assert.equal(saks(n), 0);
  assert.match(listener.stderr, /dropped a datagram: not sent by root/);
});

test('malformed datagrams from root are dropped: size, magic, version, size field', async () => {
  const n = listener.frames.length;
  for (const d of [datagram({ length: 47 }), datagram({ length: 49 }), datagram({ magic: 'TPSX' }),
    datagram({ version: 2 }), datagram({ size: 47 }), Buffer.alloc(0)]) sendAs({ uid: 0, gid: 0 }, d);
  await sleep(300);
  assert.equal(saks(n), 0);
  assert.equal(listener.alive, true);
  sendAs({ uid: 0, gid: 0 }, datagram());
  await listener.waitFrame(OUTT.SAK, n);
});

async function refused(path: string, setup: () => void): Promise<string> {
  setup();
  const p = start(path);
  assert.equal(await p.done(), 2);
  assert.deepEqual(p.frames, [], 'no frames on misuse');
  return p.stderr;
}

test('a socket directory others can enter, or not owned by trustpath, is refused (exit 2)', async () => {
  const bad = join(dir, 'x');
  const other = mkdtempSync('/tmp/tp-sak-other-');
  try {
    for (const mode of [0o750, 0o701, 0o755, 0o770]) {
      const stderr = await refused(join(bad, 's.sock'), () => {
        mkdirSync(bad, { recursive: true });
        chownSync(bad, ids.uid, ids.gid);
        chmodSync(bad, mode);
      });
      assert.match(stderr, /mode 0700/);
    }
    chmodSync(other, 0o711); // enterable, but root's
    await refused(join(other, 's.sock'), () => {});
    await refused(`${dir}/${'a'.repeat(120)}`, () => {});
    await refused('relative.sock', () => {});
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('something other than a socket at the path is not replaced', async () => {
  const path = join(dir, 'file');
  await refused(path, () => { writeFileSync(path, 'keep'); chownSync(path, ids.uid, ids.gid); });
  assert.equal(readFileSync(path, 'utf8'), 'keep');
});

test('a stale socket is replaced; end of file exits 0, any byte on stdin exits 1', async () => {
  const path = join(dir, 'second.sock');
  const first = start(path);
  await first.waitFrame(OUTT.LISTENING);
  first.sendRaw(Buffer.from([0x01, 0, 0, 0, 0]));
  assert.equal(await first.done(), 1);
  const second = start(path);
  await second.waitFrame(OUTT.LISTENING);
  second.closeStdin();
  assert.equal(await second.done(), 0);
});
