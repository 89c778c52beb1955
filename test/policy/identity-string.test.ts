import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIdentityString, formatIdentity } from '../../policy/src/identity-string.js';

test('identity strings: names, unsigned 32-bit ids, malformed', () => {
  assert.deepEqual(parseIdentityString('unix-user:root'), { kind: 'unix-user', name: 'root' });
  assert.deepEqual(parseIdentityString('unix-user:0'), { kind: 'unix-user', id: 0 });
  assert.deepEqual(parseIdentityString('unix-user:2147483648'), { kind: 'unix-user', id: 2147483648 });
  assert.deepEqual(parseIdentityString('unix-group:4000000000'), { kind: 'unix-group', id: 4000000000 });
  assert.deepEqual(parseIdentityString('unix-netgroup:foo'), { kind: 'unix-netgroup', name: 'foo' });
  assert.equal(formatIdentity(parseIdentityString('unix-user:4294967295')), 'unix-user:4294967295');
  for (const s of ['unix-user:4294967296', 'unix-user:', 'foo:bar', 'unix-user', '']) {
    assert.throws(() => parseIdentityString(s), { message: `Malformed identity string '${s}'` });
  }
});
