import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientType, CLIENT_CAPS, DaemonType, DAEMON_CAPS, encodeFrame, FrameDecoder, HEADER_LEN } from './frame.js';

function header(type: number, len: number): Buffer {
  const h = Buffer.alloc(HEADER_LEN);
  h[0] = type;
  h.writeUInt32BE(len, 1);
  return h;
}

test('frames round-trip, also split at every byte', () => {
  const bytes = Buffer.concat([
    encodeFrame(ClientType.Chosen, Buffer.from('{"id":1,"uid":7}'), CLIENT_CAPS),
    encodeFrame(ClientType.Dismiss, Buffer.from('{"id":2}'), CLIENT_CAPS),
  ]);
  const whole = new FrameDecoder(CLIENT_CAPS).push(bytes);
  assert.equal(whole.error, undefined);
  assert.deepEqual(whole.frames.map((f) => [f.type, f.payload.toString()]), [[0x81, '{"id":1,"uid":7}'], [0x82, '{"id":2}']]);
  const d = new FrameDecoder(CLIENT_CAPS);
  const split = [...bytes].flatMap((b) => d.push(Buffer.from([b])).frames);
  assert.deepEqual(split.map((f) => f.payload.toString()), ['{"id":1,"uid":7}', '{"id":2}']);
  assert.equal(d.pending, 0);
});

test('an unknown type is refused from its first byte, a length above the cap from the header', () => {
  assert.match(new FrameDecoder(CLIENT_CAPS).push(Buffer.from([0x7f])).error ?? '', /unknown frame type 127/);
  assert.match(new FrameDecoder(CLIENT_CAPS).push(Buffer.from([DaemonType.Show])).error ?? '', /unknown frame type 1/, 'daemon types are not client types');
  const d = new FrameDecoder(CLIENT_CAPS);
  assert.match(d.push(header(ClientType.Dismiss, 0xffffffff)).error ?? '', /length 4294967295 above cap 32/);
  assert.equal(d.pending, 0, 'nothing buffered');
  assert.match(d.push(Buffer.from([ClientType.Dismiss])).error ?? '', /after an error/, 'dead after an error');
});

test('at most one header and one capped payload is buffered', () => {
  const d = new FrameDecoder(CLIENT_CAPS);
  d.push(header(ClientType.Chosen, CLIENT_CAPS[ClientType.Chosen]!));
  d.push(Buffer.alloc(CLIENT_CAPS[ClientType.Chosen]! - 1, 0x20));
  assert.equal(d.pending, HEADER_LEN + CLIENT_CAPS[ClientType.Chosen]! - 1);
});

test('encodeFrame refuses unknown types and payloads above the cap', () => {
  assert.throws(() => encodeFrame(0x99, Buffer.alloc(0), DAEMON_CAPS), RangeError);
  assert.throws(() => encodeFrame(DaemonType.Retry, Buffer.alloc(DAEMON_CAPS[DaemonType.Retry]! + 1), DAEMON_CAPS), RangeError);
  assert.equal(encodeFrame(DaemonType.Retry, Buffer.alloc(3), DAEMON_CAPS).length, HEADER_LEN + 3);
});
