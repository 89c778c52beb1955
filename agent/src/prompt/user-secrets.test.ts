import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PIN_MAX_FAILURES, SECRET_BYTES, UserSecrets } from './user-secrets.js';

const HASH = '$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$8Jd2d0W3c0xqC7cWjH1Ww2l3XnPpVb7Y5r6Jm0tQm1c';

function fresh(): { dir: string; s: UserSecrets } {
  const dir = mkdtempSync(join(tmpdir(), 'tp-secrets-'));
  return { dir, s: new UserSecrets(dir) };
}

test('user secrets: created once per user, private, stable', () => {
  const { dir, s } = fresh();
  const a = s.secretOf(1000);
  assert.equal(a.length, SECRET_BYTES);
  assert.deepEqual(s.secretOf(1000), a);
  assert.notDeepEqual(s.secretOf(1001), a);
  assert.equal(statSync(join(dir, 'secrets', '1000')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'secrets')).mode & 0o777, 0o700);
});

test('user secrets: a damaged, linked or readable secret is refused, never replaced', () => {
  const { dir, s } = fresh();
  s.secretOf(1);
  writeFileSync(join(dir, 'secrets', '2'), 'short', { mode: 0o600 });
  assert.throws(() => s.secretOf(2), /not a 32-byte secret/);
  assert.equal(readFileSync(join(dir, 'secrets', '2'), 'utf8'), 'short');
  symlinkSync(join(dir, 'secrets', '1'), join(dir, 'secrets', '3'));
  assert.throws(() => s.secretOf(3), /ELOOP/);
  chmodSync(join(dir, 'secrets', '1'), 0o644);
  assert.throws(() => s.secretOf(1), /not a private regular file/);
});

test('user secrets: a PIN is disabled after 5 failures until the password is used', () => {
  const { s } = fresh();
  assert.equal(s.usablePin(1000), null);
  assert.throws(() => s.setPin(1000, 'plain'), /not an argon2id hash/);
  s.setPin(1000, HASH);
  assert.equal(s.usablePin(1000)?.hash, HASH);
  for (let i = 1; i < PIN_MAX_FAILURES; i++) assert.equal(s.pinFailed(1000), i);
  assert.notEqual(s.usablePin(1000), null);
  assert.equal(s.pinFailed(1000), PIN_MAX_FAILURES);
  assert.equal(s.usablePin(1000), null, 'disabled');
  s.passwordUsed(1000);
  assert.equal(s.usablePin(1000)?.failures, 0);
  s.removePin(1000);
  assert.equal(s.pin(1000), null);
});
