import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientType, CLIENT_CAPS, DAEMON_CAPS, DaemonType, encodeFrame, FrameDecoder } from './frame.js';
import {
  chooseMessage, decodeClientFrame, decodeDaemonFrame, encodeClientMessage, encodeDaemonMessage, encodeShow,
  finishedMessage, LIMITS, type DaemonMessage,
} from './messages.js';
import type { PromptRequest } from '../auth/prompt-side.js';

function request(over: Partial<PromptRequest> = {}): PromptRequest {
  return {
    actionId: 'org.example.act', message: 'Authentication is needed', iconName: 'x', untrustedDetails: { k: 'v' },
    requester: { pid: 42, uid: 1000, exe: '/usr/bin/x', cmdline: ['x', '--y'], busName: ':1.7' },
    subject: 'unix-process:42:99', identities: [], ...over,
  };
}

function roundTrip(bytes: Buffer, caps: Readonly<Record<number, number>>): { type: number; payload: Buffer } {
  const { frames, error } = new FrameDecoder(caps).push(bytes);
  assert.equal(error, undefined);
  assert.equal(frames.length, 1);
  return frames[0]!;
}

test('every daemon message round-trips through its frame', () => {
  const msgs: DaemonMessage[] = [
    { type: 'pam', id: 1, kind: 'prompt', echo: false, text: 'Password: ', pipe: { pid: 9, fd: 23, dev: '2049', ino: '123456789012345678' } },
    { type: 'pam', id: 1, kind: 'info', echo: false, text: 'touch the key', pipe: null },
    { type: 'retry', id: 1, remaining: 2 },
    { type: 'locked', id: 1, uid: 1000, until: 1_800_000_000_000 },
    chooseMessage(1, [{ uid: 1000, name: 'alice', realName: 'Alice' }, { uid: 4294967295, name: null, realName: '' }]),
    finishedMessage(1, { outcome: 'authenticated', uid: 1000 }),
    finishedMessage(1, { outcome: 'failed', reason: 'error', detail: 'no prompt connected' }),
    finishedMessage(1, { outcome: 'failed', reason: 'retries-exhausted' }),
    finishedMessage(1, { outcome: 'cancelled' }),
  ];
  for (const m of msgs) assert.deepEqual(decodeDaemonFrame(roundTrip(encodeDaemonMessage(m), DAEMON_CAPS)), m);
  const show = decodeDaemonFrame(roundTrip(encodeShow(3, request()), DAEMON_CAPS));
  assert.deepEqual(show, {
    type: 'show', id: 3, actionId: 'org.example.act', message: 'Authentication is needed', iconName: 'x',
    subject: 'unix-process:42:99', untrustedDetails: { k: 'v' },
    requester: { pid: 42, uid: 1000, exe: '/usr/bin/x', cmdline: ['x', '--y'], busName: ':1.7' },
  });
});

test('SHOW cuts long texts and falls back to a lean form above the cap', () => {
  const huge = '\u0001'.repeat(LIMITS.detailValue); // escapes to 6 bytes each in JSON
  const details = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, huge]));
  const m = decodeDaemonFrame(roundTrip(encodeShow(1, request({ message: 'm'.repeat(10_000), untrustedDetails: details })), DAEMON_CAPS));
  assert.ok(typeof m !== 'string' && m.type === 'show');
  assert.equal(m.message.length, LIMITS.text);
  assert.deepEqual(m.untrustedDetails, {}, 'details dropped rather than the frame refused');
  assert.deepEqual(m.requester.cmdline, ['x']);
});

test('client messages: exact shapes only', () => {
  assert.deepEqual(decodeClientFrame(roundTrip(encodeClientMessage({ type: 'chosen', id: 5, uid: null }), CLIENT_CAPS)), { type: 'chosen', id: 5, uid: null });
  assert.deepEqual(decodeClientFrame(roundTrip(encodeClientMessage({ type: 'dismiss', id: 5 }), CLIENT_CAPS)), { type: 'dismiss', id: 5 });
  const bad: [number, string][] = [
    [ClientType.Chosen, '{"id":5}'], [ClientType.Chosen, '{"id":5,"uid":-1}'], [ClientType.Chosen, '{"id":5,"uid":1.5}'],
    [ClientType.Chosen, '{"id":0,"uid":1}'], [ClientType.Chosen, '{"id":5,"uid":"1"}'], [ClientType.Chosen, '{"id":5,"uid":1,"x":1}'],
    [ClientType.Dismiss, '{"id":4294967296}'], [ClientType.Dismiss, '[5]'], [ClientType.Dismiss, 'null'], [ClientType.Dismiss, '{"id":5'],
    [ClientType.Dismiss, '{"__proto__":{"id":1}}'],
  ];
  for (const [type, text] of bad) {
    assert.equal(typeof decodeClientFrame({ type, payload: Buffer.from(text) }), 'string', text);
  }
  assert.equal(typeof decodeClientFrame({ type: ClientType.Dismiss, payload: Buffer.from([0x7b, 0xff, 0x7d]) }), 'string', 'not UTF-8');
  assert.equal(typeof decodeDaemonFrame({ type: DaemonType.Retry, payload: Buffer.from('{"id":1,"remaining":2,"x":0}') }), 'string');
});

test('the encoders refuse what does not fit its own shape (the daemon fails closed)', () => {
  assert.throws(() => encodeDaemonMessage({ type: 'retry', id: 0, remaining: 1 }), RangeError);
  assert.throws(() => encodeDaemonMessage({ type: 'pam', id: 1, kind: 'prompt', echo: false, text: 'x'.repeat(LIMITS.pamText + 1), pipe: null }), RangeError);
  assert.throws(() => encodeClientMessage({ type: 'chosen', id: 1, uid: -1 }), RangeError);
  assert.throws(() => encodeFrame(ClientType.Dismiss, Buffer.alloc(CLIENT_CAPS[ClientType.Dismiss]! + 1), CLIENT_CAPS), RangeError);
});
