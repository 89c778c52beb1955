import { test } from 'node:test';
import assert from 'node:assert/strict';
import dbus from 'dbus-next';
import type { Message } from 'dbus-next';
import {
  LogindCallError, callBounded, expectObjectPath, expectStructWithPath, expectUint32, prop, variantValue,
  type LogindBus,
} from './logind-wire.js';

function busAnswering(answer: (msg: Message) => Promise<Message | null>): LogindBus {
  return { call: answer, on: () => undefined, removeListener: () => undefined } as unknown as LogindBus;
}

const spec = { path: '/org/freedesktop/login1', iface: 'org.freedesktop.login1.Manager', member: 'GetUser', signature: 'u', body: [1] };

test('callBounded fails a call that does not answer in time', async () => {
  const bus = busAnswering(() => new Promise(() => undefined));
  await assert.rejects(callBounded(bus, spec, 50), /timed out after 50 ms/);
});

test('callBounded turns a D-Bus error reply into a LogindCallError with its name', async () => {
  const bus = busAnswering(async () => { throw new dbus.DBusError('org.freedesktop.login1.NoSuchUser', 'no'); });
  await assert.rejects(callBounded(bus, spec, 1000), (err: unknown) =>
    err instanceof LogindCallError && err.errorName === 'org.freedesktop.login1.NoSuchUser');
});

test('callBounded refuses an empty reply', async () => {
  const bus = busAnswering(async () => null);
  await assert.rejects(callBounded(bus, spec, 1000), /empty reply/);
});

test('value checks reject wrong types', () => {
  assert.throws(() => expectUint32(-1, 'uid'));
  assert.throws(() => expectUint32(2 ** 32, 'uid'));
  assert.throws(() => expectUint32('5', 'uid'));
  assert.equal(expectUint32(4000000000, 'uid'), 4000000000);
  assert.throws(() => expectObjectPath('not a path', 'p'));
  assert.throws(() => expectObjectPath('/a//b', 'p'));
  assert.equal(expectObjectPath('/org/freedesktop/login1/session/c1', 'p'), '/org/freedesktop/login1/session/c1');
  assert.throws(() => expectStructWithPath(['c1'], 's'));
  assert.throws(() => variantValue('x', 's', 'v'));
  assert.throws(() => variantValue(new dbus.Variant('b', true), 's', 'v'), /signature b/);
  assert.equal(variantValue(new dbus.Variant('s', 'x'), 's', 'v'), 'x');
  assert.throws(() => prop({}, 'Id', 's'), /missing/);
});
