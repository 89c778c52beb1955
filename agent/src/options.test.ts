import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions, UsageError } from './options.js';

test('defaults', () => {
  const o = parseOptions([]);
  assert.equal(o.user, 'trustpath');
  assert.equal(o.expirationSeconds, 300);
  assert.equal(o.systemDirs, true);
});

test('repeatable directories, inline values', () => {
  const o = parseOptions(['--actions-dir', '/a', '--actions-dir=/b', '--rules-dir', '/r', '--no-system-dirs', '--expiration-seconds=2']);
  assert.deepEqual(o.actionsDirs, ['/a', '/b']);
  assert.deepEqual(o.rulesDirs, ['/r']);
  assert.equal(o.systemDirs, false);
  assert.equal(o.expirationSeconds, 2);
});

test('bad input is a usage error, never a guess', () => {
  for (const argv of [['--bogus'], ['--user'], ['--actions-dir', 'relative'], ['--expiration-seconds', '0'], ['--expiration-seconds', 'x'], ['stray']]) {
    assert.throws(() => parseOptions(argv), UsageError, argv.join(' '));
  }
});
