// SessionQueue: one at a time per key, FIFO, bounded waiting, bounded keys, abort.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionQueue, type Acquired, type Release } from './session-queue.js';

function release(a: Acquired): Release {
  assert.equal(typeof a, 'function');
  return a as Release;
}

test('same key: one runs, the others wait in order; other keys run at once', async () => {
  const q = new SessionQueue(8, 10);
  const order: string[] = [];
  const first = release(await q.acquire('s1', new AbortController().signal));
  const second = q.acquire('s1', new AbortController().signal).then((r) => { order.push('second'); return release(r); });
  const third = q.acquire('s1', new AbortController().signal).then((r) => { order.push('third'); return release(r); });
  const other = release(await q.acquire('s2', new AbortController().signal));
  assert.equal(q.waiting('s1'), 2);
  assert.deepEqual(order, []);
  first();
  first(); // idempotent: must not let two run
  const r2 = await second;
  assert.deepEqual(order, ['second']);
  r2();
  (await third)();
  other();
  assert.deepEqual(order, ['second', 'third']);
  assert.equal(q.activeKeys, 0);
});

test('over the bound: "full" at once, for waiting requests and for keys', async () => {
  const q = new SessionQueue(1, 2);
  const a = release(await q.acquire('k', new AbortController().signal));
  const waiting = q.acquire('k', new AbortController().signal);
  assert.equal(await q.acquire('k', new AbortController().signal), 'full');
  release(await q.acquire('k2', new AbortController().signal));
  assert.equal(await q.acquire('k3', new AbortController().signal), 'full');
  a();
  release(await waiting)();
});

test('an aborted waiter leaves the queue and the next one gets its turn', async () => {
  const q = new SessionQueue(4, 4);
  const a = release(await q.acquire('k', new AbortController().signal));
  const ac = new AbortController();
  const gone = q.acquire('k', ac.signal);
  const next = q.acquire('k', new AbortController().signal);
  ac.abort();
  assert.equal(await gone, 'aborted');
  assert.equal(q.waiting('k'), 1);
  a();
  release(await next)();
  assert.equal(await q.acquire('k', AbortSignal.abort()), 'aborted');
  assert.equal(q.activeKeys, 0);
});
