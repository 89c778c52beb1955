// challengeIdentities against a fake user database: polkit's expansion order,
// root skipping in groups, the primary-group rule, unknowns logged, fallback to 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GroupRecord, UserDatabase, UserRecord } from '../identity/users.js';
import { challengeIdentities, MAX_OFFERED } from './identities.js';
import { netgroupUsersFromOutput } from './netgroup.js';

function user(name: string, uid: number, gid = uid): UserRecord {
  return { name, uid, gid, gecos: '', home: '/nonexistent', shell: '/bin/sh' };
}

/** A fake UserDatabase over fixed tables. */
class FakeUserDatabase implements UserDatabase {
  constructor(private readonly users: UserRecord[], private readonly groups: GroupRecord[]) {}
  async userByUid(uid: number) { return this.users.find((u) => u.uid === uid) ?? null; }
  async userByName(name: string) { return this.users.find((u) => u.name === name) ?? null; }
  async groupByGid(gid: number) { return this.groups.find((g) => g.gid === gid) ?? null; }
  async groupByName(name: string) { return this.groups.find((g) => g.name === name) ?? null; }
  async groupsOfUser(_name: string, primaryGid: number) { return [primaryGid]; }
}

const alice = user('alice', 1000, 27);
const bob = user('bob', 1001);
const carol = user('carol', 1002);
const root = user('root', 0, 0);
const db = new FakeUserDatabase([root, alice, bob, carol], [
  { name: 'sudo', gid: 27, members: ['carol', 'root', 'ghost', 'bob', 'carol'] },
  { name: 'wheel', gid: 10, members: [] },
  { name: 'root', gid: 0, members: ['root'] },
]);

async function run(implicit: Parameters<typeof challengeIdentities>[0], admin: string[], subject = alice,
  netgroups: Record<string, string[]> = {}): Promise<{ uids: number[]; logs: string[] }> {
  const logs: string[] = [];
  const uids = await challengeIdentities(implicit, subject, admin, db, (m) => logs.push(m), {
    netgroupUsers: async (n) => netgroups[n] ?? null,
  });
  return { uids, logs };
}

test('auth_self and auth_self_keep offer the subject only, whatever the admin rules say', async () => {
  assert.deepEqual((await run('auth_self', ['unix-user:0'])).uids, [1000]);
  assert.deepEqual((await run('auth_self_keep', [], bob)).uids, [1001]);
});

test('a group: the subject first (primary gid), then members in file order, root skipped, no de-duplication', async () => {
  const r = await run('auth_admin', ['unix-group:sudo']);
  assert.deepEqual(r.uids, [1000, 1002, 1001, 1002]);
  assert.deepEqual(r.logs, ["Unknown username 'ghost' in group sudo"]);
  assert.deepEqual((await run('auth_admin_keep', ['unix-group:27'])).uids, [1000, 1002, 1001, 1002]);
});

test('the primary-group rule does not apply to a subject with uid 0 or another primary gid', async () => {
  assert.deepEqual((await run('auth_admin', ['unix-group:sudo'], user('root2', 0, 27))).uids, [1002, 1001, 1002]);
  assert.deepEqual((await run('auth_admin', ['unix-group:sudo'], bob)).uids, [1002, 1001, 1002]);
});

test('users by uid are taken unlooked-up; by name they must exist', async () => {
  const r = await run('auth_admin', ['unix-user:4000000000', 'unix-user:bob', 'unix-user:nobody-here', 'unix-user:0']);
  assert.deepEqual(r.uids, [4000000000, 1001, 0]);
  assert.equal(r.logs.length, 1);
  assert.match(r.logs[0]!, /nobody-here/);
});

test('netgroups expand in order, keep root, skip unknown users; an unknown netgroup is logged', async () => {
  const r = await run('auth_admin', ['unix-netgroup:admins', 'unix-netgroup:none'], alice, { admins: ['bob', 'root', 'ghost', 'bob'] });
  assert.deepEqual(r.uids, [1001, 0, 1001]);
  assert.deepEqual(r.logs, ["Unknown username 'ghost' in unix-netgroup: admins", 'Error looking up net group with name none']);
});

test('an unknown group name or gid is skipped; a missing gid still offers the subject whose primary gid it is', async () => {
  const r = await run('auth_admin', ['unix-group:nogroup-x', 'unix-group:55', 'unix-user:bob']);
  assert.deepEqual(r.uids, [1001]);
  assert.equal(r.logs.length, 2);
  assert.deepEqual((await run('auth_admin', ['unix-group:55'], user('dave', 1003, 55))).uids, [1003]);
});

test('empty, malformed-only or empty-group results fall back to uid 0', async () => {
  assert.deepEqual((await run('auth_admin', [])).uids, [0]);
  assert.deepEqual((await run('auth_admin', ['unix-group:wheel', 'unix-group:root'])).uids, [0]);
  const r = await run('auth_admin', ['bogus:1', 'unix-user:']);
  assert.deepEqual(r.uids, [0]);
  assert.equal(r.logs.length, 2);
});

test('a failing database is logged and skipped, never thrown', async () => {
  class BrokenDatabase extends FakeUserDatabase {
    override async userByName(): Promise<UserRecord | null> { throw new Error('nss down'); }
  }
  const broken = new BrokenDatabase([], []);
  const logs: string[] = [];
  const uids = await challengeIdentities('auth_admin', bob, ['unix-user:alice', 'unix-user:7'], broken, (m) => logs.push(m));
  assert.deepEqual(uids, [7]);
  assert.match(logs[0]!, /nss down/);
});

test('the offered list is bounded', async () => {
  const many = Array.from({ length: MAX_OFFERED + 10 }, (_, i) => `unix-user:${i + 1}`);
  assert.equal((await run('auth_admin', many)).uids.length, MAX_OFFERED);
});

test('getent netgroup output: user fields in order, NULL and "-" skipped', () => {
  assert.deepEqual(netgroupUsersFromOutput('admins (host1,alice,dom) (,-,) (-,bob,) ( , ,x) (h, carol ,d)\n'),
    ['alice', 'bob', 'carol']);
  assert.deepEqual(netgroupUsersFromOutput(''), []);
});
