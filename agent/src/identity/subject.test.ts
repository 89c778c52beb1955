import { test } from 'node:test';
import assert from 'node:assert/strict';
import dbus from 'dbus-next';
import { parseIdentity, parseSubject, subjectToString } from './subject.js';

const { Variant } = dbus;
const v = (s: string, x: unknown) => new Variant(s, x);

function message(f: () => unknown): string {
  try { f(); } catch (e) { return (e as Error).message; }
  return '<no error>';
}

test('unix-process with pid, start-time and uid', () => {
  const s = parseSubject(['unix-process', { pid: v('u', 42), 'start-time': v('t', 7n), uid: v('i', 1000) }]);
  assert.deepEqual(s, { kind: 'unix-process', pid: 42, startTime: 7n, uid: 1000 });
  assert.equal(subjectToString(s), 'unix-process:42:7');
});

test('uid -1 and a wrongly typed uid mean unknown, as in polkit', () => {
  assert.equal((parseSubject(['unix-process', { pid: v('u', 1), 'start-time': v('t', 0n), uid: v('i', -1) }]) as { uid?: number }).uid, undefined);
  assert.equal((parseSubject(['unix-process', { pid: v('u', 1), 'start-time': v('t', 0n), uid: v('u', 5) }]) as { uid?: number }).uid, undefined);
});

test('uids above INT_MAX arrive as negative int32 and stay unsigned', () => {
  const s = parseSubject(['unix-process', { pid: v('u', 1), 'start-time': v('t', 1n), uid: v('i', 4000000000 | 0) }]);
  assert.equal((s as { uid?: number }).uid, 4000000000);
});

test('polkit error texts for malformed subjects', () => {
  assert.equal(message(() => parseSubject(['unix-process', { pid: v('i', 1), 'start-time': v('t', 1n) }])),
    "Error parsing unix-process subject: Value for key `pid' found but is of type i and type u was expected");
  assert.equal(message(() => parseSubject(['unix-process', { pid: v('u', 1) }])),
    "Error parsing unix-process subject: Didn't find value for key `start-time' of type t");
  assert.equal(message(() => parseSubject(['system-bus-name', { name: v('s', 'org.foo') }])),
    "Error parsing system-bus-name subject: `org.foo' is not a valid unique name");
  assert.equal(message(() => parseSubject(['bogus', {}])), "Unknown subject of kind `bogus'");
  assert.equal(message(() => parseSubject(['unix-session', {}])),
    "Error parsing unix-session subject: Didn't find value for key `session-id' of type s");
});

test('inherited keys are not keys: a dict cannot smuggle values through its prototype', () => {
  const dict = Object.create({ pid: v('u', 1), 'start-time': v('t', 1n) }) as Record<string, unknown>;
  assert.match(message(() => parseSubject(['unix-process', dict])), /Didn't find value for key `pid'/);
});

test('a pidfd without an attached fd is never used', () => {
  assert.match(message(() => parseSubject(['unix-process', { pidfd: v('h', -1), uid: v('i', 0) }])), /key `pid'/);
});

test('identities', () => {
  assert.deepEqual(parseIdentity(['unix-user', { uid: v('u', 0) }]), { kind: 'unix-user', uid: 0 });
  assert.deepEqual(parseIdentity(['unix-group', { gid: v('u', 27) }]), { kind: 'unix-group', gid: 27 });
  assert.equal(message(() => parseIdentity(['unix-user', { uid: v('s', 'root') }])),
    "Error parsing unix-user identity: Value for key `uid' found but is of type s and type u was expected");
  assert.equal(message(() => parseIdentity(['x', {}])), "Unknown identity of kind `x'");
});

test('garbage shapes are rejected, not crashed on', () => {
  for (const raw of [null, 1, 'x', [], ['unix-process'], ['unix-process', null], [1, {}]]) {
    assert.throws(() => parseSubject(raw));
  }
});

test('a pidfd that arrived as an fd names its process; uid is then required', () => {
  const fdValue = { receivedFd: true, process: { pid: 77, startTime: 99n } };
  assert.deepEqual(parseSubject(['unix-process', { pidfd: v('h', fdValue), uid: v('i', 1000), pid: v('u', 1), 'start-time': v('t', 1n) }]),
    { kind: 'unix-process', pid: 77, startTime: 99n, uid: 1000 });
  assert.equal(message(() => parseSubject(['unix-process', { pidfd: v('h', fdValue) }])),
    "Error parsing unix-process subject: 'pidfd' specified withtout 'uid'");
  assert.match(message(() => parseSubject(['unix-process', { pidfd: v('h', { receivedFd: true, process: null }), uid: v('i', 0) }])),
    /has exited or the fd is not a pidfd/);
});
