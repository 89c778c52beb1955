// challengeIdentities over the machine's real /etc/passwd and /etc/group (and NSS
// for netgroups) with test users and a test admin group.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { challengeIdentities } from '../../agent/src/auth/identities.js';
import { SystemUserDatabase } from '../../agent/src/identity/users.js';
import { ensureTestUser, type TestUser } from '../support/users.js';

const GROUP = 'tptidadm';
let subject: TestUser;
let a: TestUser;
let b: TestUser;

before(() => {
  subject = ensureTestUser('tptid-subj', 'x-Pw-1');
  a = ensureTestUser('tptid-a', 'x-Pw-1', { groups: [GROUP] });
  b = ensureTestUser('tptid-b', 'x-Pw-1', { groups: [GROUP] });
  execFileSync('gpasswd', ['-a', 'root', GROUP], { stdio: 'ignore' });
});
// root keeps no test group: pkexec'd commands would run with it (a demo printed groups=0(root),1003(tptidadm))
after(() => { execFileSync('gpasswd', ['-d', 'root', GROUP], { stdio: 'ignore' }); });

/** gr_mem of GROUP as the file lists it */
function members(): string[] {
  return execFileSync('getent', ['group', GROUP], { encoding: 'utf8' }).trim().split(':')[3]!.split(',').filter((m) => m !== '');
}

async function run(implicit: 'auth_self' | 'auth_admin', admin: string[]): Promise<{ uids: number[]; logs: string[] }> {
  const db = new SystemUserDatabase();
  const subj = await db.userByName(subject.name);
  assert.ok(subj);
  const logs: string[] = [];
  return { uids: await challengeIdentities(implicit, subj, admin, db, (m) => logs.push(m)), logs };
}

test('a real group expands to its members in file order, without root', async () => {
  const names = members();
  assert.ok(names.includes('root') && names.includes(a.name) && names.includes(b.name), names.join(','));
  const uidOf: Record<string, number> = { [a.name]: a.uid, [b.name]: b.uid };
  const expected = names.filter((n) => n !== 'root').map((n) => uidOf[n]);
  assert.deepEqual((await run('auth_admin', [`unix-group:${GROUP}`])).uids, expected);
});

test("the subject's own primary group offers the subject first", async () => {
  assert.deepEqual((await run('auth_admin', [`unix-group:${subject.name}`, 'unix-user:root'])).uids, [subject.uid, 0]);
  assert.deepEqual((await run('auth_self', ['unix-user:root'])).uids, [subject.uid]);
});

test('an unknown netgroup and an unknown user are logged and skipped; nothing left falls back to root', async () => {
  const r = await run('auth_admin', ['unix-netgroup:tptid-none', 'unix-user:tptid-nosuch-user']);
  assert.deepEqual(r.uids, [0]);
  assert.equal(r.logs.length, 2, r.logs.join('\n'));
});
