import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandProperties } from './messages.js';

test('$(key) is replaced from the details; unknown keys stay and are reported', () => {
  const unknown: string[] = [];
  const out = expandProperties("Run `$(cmdline_short)' as $(user) $(nope) $x $(", { cmdline_short: 'ls -l', user: 'root' }, (k) => unknown.push(k));
  assert.equal(out, "Run `ls -l' as root $(nope) $x ");
  assert.deepEqual(unknown, ['nope']);
});

test('no prototype keys', () => {
  const unknown: string[] = [];
  assert.equal(expandProperties('$(constructor)', {}, (k) => unknown.push(k)), '$(constructor)');
  assert.deepEqual(unknown, ['constructor']);
});
