// SystemUserDatabase over private passwd/group files (NSS off): parsing, first entry
// wins, ids as unsigned 32-bit, reload on change, numeric names, group lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGroupLine, parseId, parsePasswdLine, SystemUserDatabase } from './users.js';

const dir = mkdtempSync(join(tmpdir(), 'tp-users-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const PASSWD = join(dir, 'passwd');
const GROUP = join(dir, 'group');
writeFileSync(PASSWD, [
  'root:x:0:0:root:/root:/bin/bash',
  'alice:x:1000:1000:Alice A,,,:/home/alice:/bin/bash',
  'alice:x:1999:1999:shadowed:/:/bin/sh',
  'big:x:4000000000:100::/:/bin/sh',
  'toobig:x:4294967296:100::/:/bin/sh',
  '+nisuser::::::',
  'short:x:1',
  '1234:x:1234:100:numeric name:/:/bin/sh',
  '',
].join('\n'));
writeFileSync(GROUP, ['root:x:0:', 'sudo:x:27:carol,alice', 'users:x:100:alice,,big', 'bad:x:-1:alice', ''].join('\n'));

const db = new SystemUserDatabase(PASSWD, GROUP, false);

test('line parsers: fields, NIS markers and bad ids refused', () => {
  assert.deepEqual(parsePasswdLine('a:x:1:2:g:/h:/s'), { name: 'a', uid: 1, gid: 2, gecos: 'g', home: '/h', shell: '/s' });
  assert.equal(parsePasswdLine('-a:x:1:2:g:/h:/s'), undefined);
  assert.equal(parsePasswdLine('a:x:1:2:g:/h'), undefined);
  assert.deepEqual(parseGroupLine('g:x:5:'), { name: 'g', gid: 5, members: [] });
  assert.equal(parseGroupLine('g:x:5a:'), undefined);
  assert.equal(parseId('4294967295'), 4294967295);
  assert.equal(parseId('4294967296'), undefined);
  assert.equal(parseId('-1'), undefined);
  assert.equal(parseId(''), undefined);
});

test('lookups by name and id; the first entry wins; ids above INT_MAX work', async () => {
  assert.equal((await db.userByName('alice'))?.uid, 1000);
  assert.equal((await db.userByUid(1999))?.gecos, 'shadowed');
  assert.equal((await db.userByUid(4000000000))?.name, 'big');
  assert.equal(await db.userByName('toobig'), null);
  assert.equal(await db.userByName('+nisuser'), null);
  assert.equal(await db.userByName('nobody-here'), null);
  assert.equal(await db.userByName(''), null);
  assert.equal(await db.userByName('a:b'), null);
  assert.equal((await db.userByName('1234'))?.gecos, 'numeric name', 'an all-digit name is a name, not a uid');
  assert.deepEqual(await db.groupByName('users'), { name: 'users', gid: 100, members: ['alice', 'big'] });
  assert.deepEqual((await db.groupByGid(27))?.members, ['carol', 'alice'], 'gr_mem in file order');
  assert.equal(await db.groupByName('bad'), null);
});

test('groupsOfUser: primary first, then supplementary, no repeats', async () => {
  assert.deepEqual(await db.groupsOfUser('alice', 1000), [1000, 27, 100]);
  assert.deepEqual(await db.groupsOfUser('alice', 27), [27, 100]);
  assert.deepEqual(await db.groupsOfUser('root', 0), [0]);
});

test('a changed file is read again', async () => {
  const p = join(dir, 'passwd2');
  writeFileSync(p, 'dave:x:1500:1500::/:/bin/sh\n');
  const d = new SystemUserDatabase(p, GROUP, false, 0);
  assert.equal((await d.userByName('dave'))?.uid, 1500);
  writeFileSync(p, 'dave:x:1501:1500::/:/bin/sh\nerin:x:1502:1502::/:/bin/sh\n');
  utimesSync(p, new Date(), new Date(Date.now() + 5000));
  assert.equal((await d.userByName('dave'))?.uid, 1501);
  assert.equal((await d.userByUid(1502))?.name, 'erin');
  const missing = new SystemUserDatabase(join(dir, 'none'), join(dir, 'none'), false);
  assert.equal(await missing.userByUid(0), null);
});
