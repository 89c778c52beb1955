import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { CdpPipe, MAX_MESSAGE, MAX_PENDING } from './cdp-pipe.js';

/** A pipe whose "browser" side answers what the test tells it to. */
function setup(): { cdp: CdpPipe; sent: () => { id: number; method: string; sessionId?: string }[]; reply: (s: string) => void; fatal: Error[] } {
  const toBrowser = new PassThrough();
  const fromBrowser = new PassThrough();
  const fatal: Error[] = [];
  const written: string[] = [];
  toBrowser.on('data', (b: Buffer) => written.push(b.toString()));
  const cdp = new CdpPipe(toBrowser, fromBrowser, (e) => fatal.push(e));
  return {
    cdp, fatal, reply: (s) => { fromBrowser.write(s); },
    sent: () => written.join('').split('\0').filter((x) => x !== '').map((x) => JSON.parse(x) as { id: number; method: string }),
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('calls are NUL-framed JSON; replies resolve by id, errors reject, events are skipped', async () => {
  const { cdp, sent, reply } = setup();
  const a = cdp.call('Target.getTargets', {});
  const b = cdp.call('Runtime.evaluate', { expression: '1' }, 'S1');
  await tick();
  const [ca, cb] = sent();
  assert.deepEqual([ca?.method, cb?.method, cb?.sessionId], ['Target.getTargets', 'Runtime.evaluate', 'S1']);
  reply(`{"method":"Target.targetCreated","params":{}}\0{"id":${cb?.id},"error":{"message":"nope"}}\0{"id":${ca?.id},`);
  reply('"result":{"targetInfos":[]}}\0');
  assert.deepEqual(await a, { targetInfos: [] });
  await assert.rejects(b, /Runtime.evaluate: nope/);
});

test('bounded: calls in flight, reply time, message size', async () => {
  const { cdp, reply, fatal } = setup();
  const calls = Array.from({ length: MAX_PENDING }, () => cdp.call('X.y', {}, undefined, 50).catch((e: Error) => e.message));
  await assert.rejects(cdp.call('X.z', {}), /calls in flight/);
  assert.ok((await Promise.all(calls)).every((m) => /no reply in 50 ms/.test(String(m))));
  reply('x'.repeat(MAX_MESSAGE + 1));
  await tick();
  assert.match(fatal[0]?.message ?? '', /above/);
  await assert.rejects(cdp.call('X.y', {}), /above/, 'closed after a fatal error');
});

test('the browser closing the pipe fails the calls in flight', async () => {
  const toBrowser = new PassThrough();
  const fromBrowser = new PassThrough();
  const cdp = new CdpPipe(toBrowser, fromBrowser, () => {});
  const p = cdp.call('Browser.getVersion', {});
  fromBrowser.end();
  await assert.rejects(p, /closed by Chromium/);
});
