import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isObjectPath, isUniqueName } from './signature.js';

test('object paths', () => {
  for (const ok of ['/', '/a', '/org/freedesktop/PolicyKit1/AuthenticationAgent', '/a_b/C9']) assert.ok(isObjectPath(ok), ok);
  for (const bad of ['', 'not a path', '//', '/a/', '/a//b', '/a-b', 'a/b', '/ä']) assert.ok(!isObjectPath(bad), bad);
});

test('unique names', () => {
  for (const ok of [':1.42', ':1.0', ':a.b-c']) assert.ok(isUniqueName(ok), ok);
  for (const bad of ['', 'org.freedesktop.PolicyKit1', ':1', ':1..2', ':1.2 ', `:1.${'x'.repeat(300)}`]) assert.ok(!isUniqueName(bad), bad);
});
