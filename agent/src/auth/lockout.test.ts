// LockoutTracker with a hand-driven clock: window, duration, reset, bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LockoutTracker } from './lockout.js';

function tracker(maxTracked = 100): { t: LockoutTracker; clock: { now: number } } {
  const clock = { now: 1000 };
  const t = new LockoutTracker({ maxFailures: 3, windowMs: 100, durationMs: 50, maxTracked }, () => clock.now);
  return { t, clock };
}

test('the Kth failure within the window locks for the duration, then the user may try again', () => {
  const { t, clock } = tracker();
  assert.equal(t.recordFailure(7), null);
  assert.equal(t.recordFailure(7), null);
  assert.equal(t.lockedUntil(7), null);
  assert.equal(t.recordFailure(7), 1050);
  assert.equal(t.lockedUntil(7), 1050);
  assert.equal(t.lockedUntil(8), null, 'per target user');
  clock.now = 1049;
  assert.equal(t.lockedUntil(7), 1050);
  clock.now = 1050;
  assert.equal(t.lockedUntil(7), null);
  assert.equal(t.recordFailure(7), null, 'the count starts again after a lockout');
});

test('failures older than the window do not count', () => {
  const { t, clock } = tracker();
  t.recordFailure(1);
  t.recordFailure(1);
  clock.now += 100;
  assert.equal(t.recordFailure(1), null);
  assert.equal(t.recordFailure(1), null);
  assert.equal(t.recordFailure(1), 1150);
});

test('a success clears the failures, but not a running lockout', () => {
  const { t } = tracker();
  t.recordFailure(1);
  t.recordFailure(1);
  t.recordSuccess(1);
  assert.equal(t.recordFailure(1), null);
  t.recordFailure(1);
  assert.notEqual(t.recordFailure(1), null);
  t.recordSuccess(1);
  assert.notEqual(t.lockedUntil(1), null);
});

test('the table is bounded; stale entries go first and locked users stay locked', () => {
  const { t, clock } = tracker(3);
  for (let i = 0; i < 3; i++) t.recordFailure(1);
  t.recordFailure(2);
  t.recordFailure(3);
  t.recordFailure(4);
  assert.equal(t.size, 3);
  assert.notEqual(t.lockedUntil(1), null, 'the unlocked oldest was evicted, not the locked one');
  clock.now += 200;
  for (let uid = 10; uid < 20; uid++) t.recordFailure(uid);
  assert.equal(t.size, 3);
});
