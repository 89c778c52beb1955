// The secure attention key (from the real keyboard only, never seen by any client),
// the TRUSTPATH extension's visibility, and the desktop working normally while no
// prompt is up, on Xorg with the module.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KEYCODES } from '../support/xorg.js';
import { Scene, trustedIds, type Client } from './harness.js';

const SAK_MODS = [KEYCODES.Control_L, KEYCODES.Alt_L];
const sakDir = mkdtempSync('/tmp/tp-sak-');
const sakSocket = join(sakDir, 'sak.sock');
let scene: Scene;
let listener: Client;

before(async () => {
  const ids = trustedIds();
  chownSync(sakDir, ids.uid, ids.gid);
  chmodSync(sakDir, 0o700);
  scene = await Scene.start({ module: true, moduleOptions: { SAKSocket: sakSocket } });
  listener = scene.trustedClient('tp-sak-listen', [sakSocket]);
  await listener.waitLine(/^LISTENING/);
});
after(async () => {
  await listener?.stop();
  await scene?.stop();
  rmSync(sakDir, { recursive: true, force: true });
});

function sakCount(): number { return listener.lines.filter((l) => l.startsWith('SAK ')).length; }

/** Counts the Pause key events an untrusted XI2 listener sees while `act` runs. */
async function pauseSeenBy(mode: 'xi2raw' | 'xi2keys', act: () => Promise<void>): Promise<number> {
  const a = scene.attackerClient('tp-attack', [mode, '0', '1200', String(KEYCODES.Pause)]);
  await a.waitLine(/^LISTENING/);
  await act();
  const lines = await a.done();
  return Number((lines.find((l) => l.startsWith('EVENTS ')) ?? 'EVENTS -1').split(' ')[1]);
}

test('the SAK from the real keyboard is reported as one datagram naming the device', async () => {
  const before = sakCount();
  await scene.x.keyboard.tap(KEYCODES.Pause, SAK_MODS);
  await sleep(200);
  assert.equal(sakCount(), before + 1);
  const line = listener.lines.filter((l) => l.startsWith('SAK ')).at(-1) ?? '';
  assert.match(line, /^SAK 48 TPSK 1 \d+ inputtest-keyboard$/);
});

test('every SAK press is reported once; a held SAK key\'s autorepeat is not another one', async () => {
  const before = sakCount();
  for (let i = 0; i < 3; i++) await scene.x.keyboard.tap(KEYCODES.Pause, SAK_MODS);
  await sleep(200);
  assert.equal(sakCount(), before + 3, 'three presses, three reports (the release ends a press)');
  await scene.x.keyboard.press(KEYCODES.Control_L);
  await scene.x.keyboard.press(KEYCODES.Alt_L);
  await scene.x.keyboard.press(KEYCODES.Pause);
  await sleep(1200); // past the server's autorepeat delay (660 ms): repeats arrive as presses
  await scene.x.keyboard.release(KEYCODES.Pause);
  await scene.x.keyboard.release(KEYCODES.Alt_L);
  await scene.x.keyboard.release(KEYCODES.Control_L);
  await sleep(200);
  assert.equal(sakCount(), before + 4, 'held: one report');
});

test('the SAK never reaches an untrusted client (raw or device events)', async () => {
  assert.equal(await pauseSeenBy('xi2raw', () => scene.x.keyboard.tap(KEYCODES.Pause, SAK_MODS)), 0);
  assert.equal(await pauseSeenBy('xi2keys', () => scene.x.keyboard.tap(KEYCODES.Pause, SAK_MODS)), 0);
});

test('Pause without the modifiers is an ordinary key (control for the test above)', async () => {
  const before = sakCount();
  assert.ok(await pauseSeenBy('xi2raw', () => scene.x.keyboard.tap(KEYCODES.Pause)) > 0);
  assert.equal(sakCount(), before);
});

test('the SAK never reaches the prompt, and is reported while the prompt is up', async () => {
  const prompt = await scene.startPrompt();
  try {
    const before = sakCount();
    await scene.x.keyboard.tap(KEYCODES.Pause, SAK_MODS);
    await scene.x.keyboard.type('ab');
    await prompt.client.waitLine(/^KEY b$/);
    assert.equal(sakCount(), before + 1);
    assert.equal(prompt.client.has(/^KEY Pause$|^KEY Break$/), false);
  } finally {
    await prompt.client.stop();
  }
});

test('Ctrl+Alt+Pause from XTEST is an ordinary key and never a SAK', async () => {
  const before = sakCount();
  const seen = await pauseSeenBy('xi2raw', async () => { await scene.attack('xtest-sak'); });
  await sleep(200);
  assert.equal(sakCount(), before);
  assert.ok(seen > 0, 'the XTEST Pause is delivered as an ordinary key');
});

test('a real Pause with XTEST-held Ctrl+Alt is an ordinary key and never a SAK', async () => {
  const before = sakCount();
  const holder = scene.attackerClient('tp-attack', ['xtest-hold-mods']);
  await holder.waitLine(/^HOLDING/);
  const seen = await pauseSeenBy('xi2raw', () => scene.x.keyboard.tap(KEYCODES.Pause));
  holder.send('release');
  await holder.done();
  await sleep(200);
  assert.equal(sakCount(), before);
  assert.ok(seen > 0);
});

test('the trusted user connects without a cookie and sees the TRUSTPATH extension', async () => {
  const prompt = await scene.startPrompt();
  await prompt.client.stop();
  assert.ok(prompt.client.lines.includes('EXT present 1.0'));
});

test('untrusted clients do not see the TRUSTPATH extension', async () => {
  assert.deepEqual(await scene.attack('ext'), ['ABSENT', 'ERRORS 0']);
});

test('RECORD is refused to untrusted clients even with no prompt up', async () => {
  const lines = await scene.attack('record', ['0', '300']);
  assert.ok(lines.includes('EVENTS -1'), lines.join(' | '));
});

// No prompt up: the desktop behaves as on a stock server.
test('no prompt: raw key events, key events and XQueryKeymap work', async () => {
  for (const mode of ['xi2raw', 'xi2keys', 'keymap']) {
    const a = scene.attackerClient('tp-attack', [mode, '0', '1200']);
    await a.waitLine(/^LISTENING/);
    await scene.typeSlowly('abc');
    const lines = await a.done();
    const n = Number((lines.find((l) => l.startsWith('EVENTS ')) ?? 'EVENTS 0').split(' ')[1]);
    assert.ok(n > 0, `${mode}: ${lines.join(' | ')}`);
  }
});

test('no prompt: screenshots, XTEST, mapping windows and XKB state work', async () => {
  for (const mode of ['getimage-root', 'shm', 'copyarea']) {
    const lines = await scene.attack(mode, ['0']);
    assert.ok(lines.some((l) => l.startsWith('PIXEL ')), `${mode}: ${lines.join(' | ')}`);
  }
  const typed = await (async () => {
    const a = scene.attackerClient('tp-attack', ['xi2raw', '0', '1000', String(KEYCODES.q)]);
    await a.waitLine(/^LISTENING/);
    assert.deepEqual(await scene.attack('xtest'), ['ERRORS 0']);
    return Number(((await a.done()).find((l) => l.startsWith('EVENTS ')) ?? 'EVENTS 0').split(' ')[1]);
  })();
  assert.ok(typed > 0, 'XTEST input reaches other clients');
  assert.ok((await scene.attack('cover', ['0'])).includes('ERRORS 0'));
  assert.deepEqual(await scene.attack('xkbstate'), ['ERRORS 0']);
  assert.ok((await scene.attack('grabserver', ['0', '100'])).includes('ERRORS 0'));
});

test('denials are logged without keycodes or key names', () => {
  const lines = scene.x.log().split('\n').filter((l) => l.includes('trustpath:'));
  assert.ok(lines.some((l) => /denied/.test(l)));
  for (const l of lines) assert.doesNotMatch(l, /keycode|KEY |Pause|detail/i);
});

test('no prompt (after one was up): XKB state notifications reach other clients again', async () => {
  const a = scene.attackerClient('tp-attack', ['xkbevents', '0', '2500']);
  await a.waitLine(/^LISTENING/); // selected before the prompt: muted, then restored
  const prompt = await scene.startPrompt();
  await prompt.client.stop();
  await sleep(200);
  await scene.x.keyboard.press(KEYCODES.Shift_L);
  await scene.typeSlowly('ab');
  await scene.x.keyboard.release(KEYCODES.Shift_L);
  const lines = await a.done();
  assert.ok(!lines.includes('EVENTS 0') && lines.some((l) => l.startsWith('EVENTS ')), lines.join(' | '));
});

test('the SAK is not reported when others can enter the socket directory (and is still swallowed)', async () => {
  const before = sakCount();
  chmodSync(sakDir, 0o711);
  try {
    const seen = await pauseSeenBy('xi2raw', () => scene.x.keyboard.tap(KEYCODES.Pause, SAK_MODS));
    await sleep(200);
    assert.equal(sakCount(), before);
    assert.equal(seen, 0);
    assert.match(scene.x.log(), /SAK not reported: socket directory unsafe/);
  } finally {
    chmodSync(sakDir, 0o700);
  }
});
