import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ControlType, HelperType, MAX_RESPONSE, MAX_TEXT, decodeHelperFrames, encodeControl,
  encodeResponse, newDecoderState,
} from './frame.js';

function frame(type: number, payload: Uint8Array | string | number[] = ''): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  const h = Buffer.alloc(5);
  h[0] = type;
  h.writeUInt32BE(p.length, 1);
  return Buffer.concat([h, p]);
}

test('decodes every helper frame type', () => {
  const s = newDecoderState();
  const bytes = Buffer.concat([
    frame(HelperType.PromptEchoOff, 'Password: '), frame(HelperType.PromptEchoOn, 'Code: '),
    frame(HelperType.Info, 'touch'), frame(HelperType.Error, 'bad'), frame(HelperType.Failure, [3]),
  ]);
  const r = decodeHelperFrames(s, bytes);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.frames, [
    { kind: 'prompt', echo: false, text: 'Password: ' }, { kind: 'prompt', echo: true, text: 'Code: ' },
    { kind: 'info', text: 'touch' }, { kind: 'error', text: 'bad' }, { kind: 'failure', reason: 'account-expired' },
  ]);
});

test('reassembles frames split at every byte', () => {
  const bytes = Buffer.concat([frame(HelperType.Info, 'héllo'), frame(HelperType.Success)]);
  const s = newDecoderState();
  const out = [];
  for (const b of bytes) {
    const r = decodeHelperFrames(s, Buffer.from([b]));
    assert.equal(r.error, undefined);
    out.push(...r.frames);
  }
  assert.deepEqual(out, [{ kind: 'info', text: 'héllo' }, { kind: 'success' }]);
});

test('rejects a length above the cap from the header alone', () => {
  const h = Buffer.alloc(5);
  h[0] = HelperType.Info;
  h.writeUInt32BE(MAX_TEXT + 1, 1);
  assert.match(decodeHelperFrames(newDecoderState(), h).error ?? '', /above cap/);
  const big = Buffer.from([HelperType.Success, 0, 0, 0, 1]);
  assert.match(decodeHelperFrames(newDecoderState(), big).error ?? '', /above cap/);
  const huge = Buffer.from([HelperType.Info, 0xff, 0xff, 0xff, 0xff]);
  assert.match(decodeHelperFrames(newDecoderState(), huge).error ?? '', /above cap/);
});

test('accepts text exactly at the cap', () => {
  const r = decodeHelperFrames(newDecoderState(), frame(HelperType.Info, 'a'.repeat(MAX_TEXT)));
  assert.equal(r.error, undefined);
  assert.equal(r.frames.length, 1);
});

test('rejects unknown types, bad reasons, bad text and data after the final frame', () => {
  const cases: Buffer[] = [
    Buffer.from([0x7f]),
    frame(ControlType.Begin),
    frame(HelperType.Failure, [0]),
    frame(HelperType.Failure, [99]),
    frame(HelperType.Failure, ''),
    frame(HelperType.Info, Buffer.from([0xc3, 0x28])),
    frame(HelperType.Info, Buffer.from('a\0b')),
    Buffer.concat([frame(HelperType.Success), frame(HelperType.Info, 'x')]),
  ];
  for (const c of cases) {
    const s = newDecoderState();
    assert.notEqual(decodeHelperFrames(s, c).error, undefined, c.toString('hex'));
    assert.notEqual(decodeHelperFrames(s, frame(HelperType.Success)).error, undefined, 'stays failed');
  }
});

test('keeps an incomplete frame buffered without error', () => {
  const s = newDecoderState();
  const f = frame(HelperType.PromptEchoOff, 'Password: ');
  assert.deepEqual(decodeHelperFrames(s, f.subarray(0, 7)), { frames: [] });
  assert.deepEqual(decodeHelperFrames(s, f.subarray(7)).frames, [{ kind: 'prompt', echo: false, text: 'Password: ' }]);
});

test('encodes control frames and responses', () => {
  assert.deepEqual([...encodeControl(ControlType.Begin)], [0x10, 0, 0, 0, 0]);
  assert.deepEqual([...encodeControl(ControlType.Cancel)], [0x11, 0, 0, 0, 0]);
  assert.deepEqual([...encodeResponse('ab')], [0, 2, 0x61, 0x62]);
  assert.equal(encodeResponse('x'.repeat(MAX_RESPONSE)).length, MAX_RESPONSE + 2);
  assert.throws(() => encodeResponse('x'.repeat(MAX_RESPONSE + 1)), RangeError);
  assert.throws(() => encodeResponse('a\0b'), RangeError);
});

test('random bytes in random chunks never throw and never exceed the caps', () => {
  let seed = 12345;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (let round = 0; round < 2000; round++) {
    const s = newDecoderState();
    const len = rnd(64);
    const bytes = Buffer.alloc(len);
    for (let i = 0; i < len; i++) bytes[i] = rnd(4) === 0 ? rnd(7) : rnd(256);
    let off = 0;
    while (off < len) {
      const n = 1 + rnd(len - off);
      const r = decodeHelperFrames(s, bytes.subarray(off, off + n));
      for (const f of r.frames) if ('text' in f) assert.ok(Buffer.byteLength(f.text) <= MAX_TEXT);
      assert.ok(s.buffered.length < 5 + MAX_TEXT);
      off += n;
    }
  }
});
