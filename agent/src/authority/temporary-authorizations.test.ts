import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TemporaryAuthorizationStore } from './temporary-authorizations.js';

function store(now: { t: number }, alive = () => true) {
  let changed = 0;
  const s = new TemporaryAuthorizationStore({ lifetimeMs: 300_000, now: () => now.t, processAlive: alive }, () => changed++);
  return { s, changed: () => changed };
}

const P = { pid: 100, startTime: 5n, uid: 1000 };

test('found only for the same pid, start time and uid (CVE-2019-6133)', () => {
  const now = { t: 0 };
  const { s } = store(now);
  const a = s.add('org.x', P, 'unix-session:1');
  assert.equal(a.id, 'tmpauthz0');
  assert.equal(s.find('org.x', P)?.id, 'tmpauthz0');
  assert.equal(s.find('org.x', { ...P, startTime: 6n }), undefined);
  assert.equal(s.find('org.x', { ...P, uid: 1001 }), undefined);
  assert.equal(s.find('org.y', P), undefined);
  s.close();
});

test('expires on the monotonic clock, not refreshed by use', () => {
  const now = { t: 1000 };
  const { s, changed } = store(now);
  s.add('org.x', P, 'scope');
  now.t += 299_000;
  assert.ok(s.find('org.x', P));
  now.t += 1000;
  assert.equal(s.find('org.x', P), undefined);
  s.sweep();
  assert.equal(s.size, 0);
  assert.equal(changed(), 1);
  s.close();
});

test('a vanished process loses its authorizations at the sweep', () => {
  const now = { t: 0 };
  let alive = true;
  const { s } = store(now, () => alive);
  s.add('org.x', P, 'scope');
  s.sweep();
  assert.equal(s.size, 1);
  alive = false;
  s.sweep();
  assert.equal(s.size, 0);
  s.close();
});

test('scope, ids and the bound', () => {
  const now = { t: 0 };
  const s = new TemporaryAuthorizationStore({ lifetimeMs: 1000, now: () => now.t, maxEntries: 3, processAlive: () => true }, () => {});
  for (let i = 0; i < 5; i++) s.add(`a${i}`, P, i % 2 ? 'odd' : 'even');
  assert.equal(s.size, 3);
  assert.deepEqual(s.inScope('even').map((e) => e.actionId), ['a2', 'a4']);
  assert.equal(s.byId('tmpauthz0'), undefined);
  assert.equal(s.remove((e) => e.id === 'tmpauthz3'), 1);
  s.close();
});
