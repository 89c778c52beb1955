import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeStateFrame, StateFrameDecoder, STATE_FRAME_CAP } from './fd3-frames.js';

const header = (type: number, len: number): Buffer => {
  const b = Buffer.alloc(5);
  b[0] = type;
  b.writeUInt32BE(len, 1);
  return b;
};

test('states arrive whole, whatever the chunking', () => {
  const frames = Buffer.concat([encodeStateFrame({ a: 1 }), encodeStateFrame({ b: 'ü' }), encodeStateFrame({})]);
  for (const size of [1, 2, 5, 7, frames.length]) {
    const d = new StateFrameDecoder();
    const got: unknown[] = [];
    for (let i = 0; i < frames.length; i += size) {
      const r = d.push(frames.subarray(i, i + size));
      assert.equal(r.error, undefined);
      got.push(...r.states);
    }
    assert.deepEqual(got, [{ a: 1 }, { b: 'ü' }, {}]);
  }
});

test('the cap is checked from the header, before the payload', () => {
  const d = new StateFrameDecoder();
  const r = d.push(header(1, STATE_FRAME_CAP + 1));
  assert.match(r.error ?? '', /above cap/);
  assert.match(d.push(encodeStateFrame({})).error ?? '', /above cap/, 'nothing accepted after an error');
  assert.throws(() => encodeStateFrame({ x: 'y'.repeat(STATE_FRAME_CAP) }), RangeError);
  assert.equal(new StateFrameDecoder().push(encodeStateFrame({ x: 'y'.repeat(STATE_FRAME_CAP - 10) })).states.length, 1);
});

test('unknown types, bad UTF-8, non-objects and bad JSON are refused', () => {
  const payload = (p: Buffer): Buffer => Buffer.concat([header(1, p.length), p]);
  for (const bad of [Buffer.concat([header(2, 2), Buffer.from('{}')]), payload(Buffer.from([0x7b, 0xff, 0x7d])),
    payload(Buffer.from('[1]')), payload(Buffer.from('null')), payload(Buffer.from('{"a":'))]) {
    const r = new StateFrameDecoder().push(bad);
    assert.ok(r.error, bad.toString('hex'));
    assert.deepEqual(r.states, []);
  }
});
