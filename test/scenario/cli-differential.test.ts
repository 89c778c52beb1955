// Debian's pkaction and pkcheck against polkitd and trustpathd, each on its own private
// bus: stdout, stderr and exit status must be identical (after replacing pids, start
// times and unique names), and polkitd's must be what polkit 122 documents.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type dbus from 'dbus-next';
import { callRaw, connect, namesOfPid, plain, startTimeOf, uniqueName } from '../support/dbus-client.js';
import type { AuthorityOnBus } from '../support/system-bus.js';
import type { AuthorityKind } from '../support/authority.js';
import {
  KINDS, TEST_ACTIONS, holdTestActions, scenarioUser, sleepAs, startDaemon, type HeldActions, type UserProcess,
} from './daemons.js';

const EXEC = 'org.freedesktop.policykit.exec';

interface Side { daemon?: AuthorityOnBus; conn?: dbus.MessageBus; userClient?: ChildProcess; userName?: string; failure?: Error }
const sides = new Map<AuthorityKind, Side>();
let held: HeldActions;
let sleeper: UserProcess;

interface Run { readonly status: number | null; readonly stdout: string; readonly stderr: string }

/** A bus client that stays connected as the test user (its unique name is a subject). */
async function userClientOn(side: Side, address: string): Promise<void> {
  const u = sleeper.user;
  const child = spawn('setpriv', ['--reuid', String(u.uid), '--regid', String(u.gid), '--clear-groups',
    'gdbus', 'monitor', '--system', '--dest', 'org.freedesktop.DBus'],
  { env: { PATH: '/usr/bin:/bin', DBUS_SYSTEM_BUS_ADDRESS: address }, stdio: 'ignore' });
  side.userClient = child;
  for (let i = 0; i < 100 && !side.userName; i++) {
    side.userName = (await namesOfPid(side.conn!, child.pid!))[0];
    if (!side.userName) await sleep(50);
  }
  if (!side.userName) throw new Error('the test user\'s bus client did not connect');
}

before(async () => {
  held = await holdTestActions();
  sleeper = sleepAs(scenarioUser());
  await Promise.all(KINDS.map(async (kind) => {
    const side: Side = {};
    sides.set(kind, side);
    try {
      side.daemon = await startDaemon(kind, held.value);
      side.conn = await connect(side.daemon.bus.address);
      await userClientOn(side, side.daemon.bus.address);
    } catch (e) {
      side.failure = e as Error;
    }
  }));
});

after(async () => {
  for (const s of sides.values()) {
    if (s.userClient && s.userClient.exitCode === null) {
      s.userClient.kill('SIGKILL');
      await once(s.userClient, 'exit');
    }
    s.conn?.disconnect();
    await s.daemon?.stop();
  }
  await sleeper.stop();
  await held.release();
});

interface Ctx { readonly side: Side; readonly userPid: number; readonly rootName: string; readonly userName: string }

interface CliCase {
  readonly name: string;
  /** argv; run as the test user when asUser */
  argv(c: Ctx): string[];
  readonly asUser?: boolean;
  /** what polkitd gives (pinned) */
  readonly expect: { status: number; stdout?: RegExp; stderr?: RegExp };
}

function side(kind: AuthorityKind): Side {
  const s = sides.get(kind);
  if (!s?.daemon || !s.conn || !s.userName) throw new Error(`${kind} did not start: ${s?.failure?.message ?? 'unknown'}`);
  if (s.daemon.authority.process.exitCode !== null || s.daemon.authority.process.signalCode !== null) {
    throw new Error(`${kind} has exited:\n${s.daemon.authority.log().slice(-3000)}`);
  }
  return s;
}

function runCli(kind: AuthorityKind, c: CliCase): Run & { text: (s: string) => string } {
  const s = side(kind);
  const ctx: Ctx = { side: s, userPid: sleeper.pid, rootName: uniqueName(s.conn!), userName: s.userName! };
  const u = sleeper.user;
  const argv = c.argv(ctx);
  const full = c.asUser ? ['setpriv', '--reuid', String(u.uid), '--regid', String(u.gid), '--clear-groups', ...argv] : argv;
  const r = spawnSync(full[0]!, full.slice(1), { env: s.daemon!.env, encoding: 'utf8', timeout: 30_000 });
  const text = (t: string): string => t
    .replaceAll(ctx.rootName, ':ROOT').replaceAll(ctx.userName, ':USER').replace(/:1\.\d+/g, ':1.N')
    .replaceAll(String(startTimeOf(sleeper.pid)), 'START')
    .replaceAll(String(sleeper.pid), 'USERPID').replaceAll(String(process.pid), 'PID');
  return { status: r.status, stdout: text(r.stdout), stderr: text(r.stderr), text };
}

const self = (): string => String(process.pid);
const AUTH_NEEDED = /^Authorization requires authentication and -u wasn't passed\.\n$/;
const NOT_REGISTERED = /Error checking for authorization org\.trustpath\.no\.such: GDBus\.Error:org\.freedesktop\.PolicyKit1\.Error\.Failed: Action org\.trustpath\.no\.such is not registered/;

const CASES: readonly CliCase[] = [
  { name: 'pkaction', argv: () => ['pkaction'], expect: { status: 0, stdout: /^org\.freedesktop\.policykit\.exec$/m } },
  { name: 'pkaction --verbose', argv: () => ['pkaction', '--verbose'], expect: { status: 0, stdout: /implicit active:\s+auth_admin_keep/ } },
  { name: 'pkaction --verbose --action-id exec', argv: () => ['pkaction', '--verbose', '--action-id', EXEC], expect: { status: 0, stdout: /^org\.freedesktop\.policykit\.exec:\n {2}description: +Run a program as another user\n/ } },
  { name: 'pkaction --verbose --action-id (test action)', argv: () => ['pkaction', '--verbose', '--action-id', TEST_ACTIONS.keep], expect: { status: 0, stdout: /annotation: +org\.trustpath\.scenario -> auth_admin_keep/ } },
  { name: 'pkaction --action-id unknown', argv: () => ['pkaction', '--action-id', 'org.trustpath.no.such'], expect: { status: 1, stderr: /^No action with action id org\.trustpath\.no\.such\n$/ } },
  { name: 'pkcheck: root process', argv: () => ['pkcheck', '-a', EXEC, '-p', self()], expect: { status: 0, stdout: /^$/ } },
  { name: 'pkcheck: root process, details', argv: () => ['pkcheck', '-a', EXEC, '-p', self(), '-d', 'who', 'probe', '-d', 'polkit.message', 'x'], expect: { status: 0 } },
  { name: 'pkcheck: root bus name', argv: (c) => ['pkcheck', '-a', EXEC, '-s', c.rootName], expect: { status: 0 } },
  { name: 'pkcheck: user process PID', argv: (c) => ['pkcheck', '-a', TEST_ACTIONS.keep, '-p', String(c.userPid)], expect: { status: 2, stdout: /^polkit\\56retains_authorization_after_challenge=1\n$/, stderr: AUTH_NEEDED } },
  { name: 'pkcheck: user process PID,START', argv: (c) => ['pkcheck', '-a', TEST_ACTIONS.keep, '-p', `${c.userPid},${startTimeOf(c.userPid)}`], expect: { status: 2, stdout: /^polkit\\56retains_authorization_after_challenge=1\n$/, stderr: AUTH_NEEDED } },
  { name: 'pkcheck: user process PID,START,UID', argv: (c) => ['pkcheck', '-a', TEST_ACTIONS.admin, '-p', `${c.userPid},${startTimeOf(c.userPid)},${sleeper.user.uid}`], expect: { status: 2, stderr: AUTH_NEEDED } },
  { name: 'pkcheck: user process, auth_self', argv: (c) => ['pkcheck', '-a', TEST_ACTIONS.self, '-p', `${c.userPid},${startTimeOf(c.userPid)},${sleeper.user.uid}`], expect: { status: 2, stderr: AUTH_NEEDED } },
  { name: 'pkcheck: user bus name', argv: (c) => ['pkcheck', '-a', TEST_ACTIONS.keep, '-s', c.userName], expect: { status: 2, stderr: AUTH_NEEDED } },
  { name: 'pkcheck: unknown bus name', argv: () => ['pkcheck', '-a', EXEC, '-s', ':1.99999'], expect: { status: 127 } },
  { name: 'pkcheck: user process, -u without agent', argv: (c) => ['pkcheck', '-u', '-a', TEST_ACTIONS.keep, '-p', `${c.userPid},${startTimeOf(c.userPid)},${sleeper.user.uid}`], expect: { status: 2, stderr: /^Authorization requires authentication but no agent is available\.\n$/ } },
  { name: 'pkcheck: details for user process from root', argv: (c) => ['pkcheck', '-a', TEST_ACTIONS.admin, '-p', `${c.userPid},${startTimeOf(c.userPid)},${sleeper.user.uid}`, '-d', 'k', 'v'], expect: { status: 2, stdout: /^k=v\n$/ } },
  { name: 'pkcheck as user: itself', asUser: true, argv: (c) => ['pkcheck', '-a', TEST_ACTIONS.keep, '-p', `${c.userPid},${startTimeOf(c.userPid)},${sleeper.user.uid}`], expect: { status: 2, stderr: AUTH_NEEDED } },
  { name: 'pkcheck as user: itself with details', asUser: true, argv: (c) => ['pkcheck', '-a', TEST_ACTIONS.keep, '-p', `${c.userPid},${startTimeOf(c.userPid)},${sleeper.user.uid}`, '-d', 'k', 'v'], expect: { status: 127, stderr: /NotAuthorized: Only trusted callers \(e\.g\. uid 0 or an action owner\) can use CheckAuthorization\(\) and pass details\n$/ } },
  { name: 'pkcheck as user: root process', asUser: true, argv: () => ['pkcheck', '-a', EXEC, '-p', self()], expect: { status: 127, stderr: /NotAuthorized: Only trusted callers \(e\.g\. uid 0 or an action owner\) can use CheckAuthorization\(\) for subjects belonging to other identities\n$/ } },
  { name: 'pkcheck as user: root bus name', asUser: true, argv: (c) => ['pkcheck', '-a', EXEC, '-s', c.rootName], expect: { status: 127, stderr: /for subjects belonging to other identities/ } },
  { name: 'pkcheck as user: claims root uid for itself', asUser: true, argv: (c) => ['pkcheck', '-a', EXEC, '-p', `${c.userPid},${startTimeOf(c.userPid)},0`], expect: { status: 127, stderr: /NotAuthorized/ } },
  { name: 'pkcheck: unknown action', argv: () => ['pkcheck', '-a', 'org.trustpath.no.such', '-p', self()], expect: { status: 127, stderr: NOT_REGISTERED } },
  { name: 'pkcheck: replaced process (wrong start time)', argv: (c) => ['pkcheck', '-a', EXEC, '-p', `${c.userPid},1,${sleeper.user.uid}`], expect: { status: 127, stderr: /Failed: process with PID USERPID has been replaced\n$/ } },
  { name: 'pkcheck: PID,START with wrong start', argv: (c) => ['pkcheck', '-a', EXEC, '-p', `${c.userPid},1`], expect: { status: 127 } },
  { name: 'pkcheck: pid that does not exist', argv: () => ['pkcheck', '-a', EXEC, '-p', '4000000'], expect: { status: 127 } },
  { name: 'pkcheck: pid,start,uid that does not exist', argv: () => ['pkcheck', '-a', EXEC, '-p', '4000000,1,0'], expect: { status: 127 } },
];

for (const c of CASES) {
  test(`cli: ${c.name}`, () => {
    const base = runCli('polkitd', c);
    if (process.env.TP_DUMP) console.log(c.name, JSON.stringify({ status: base.status, stdout: base.stdout.slice(0, 400), stderr: base.stderr }));
    const shown = `polkitd (baseline) ${c.name}: ${JSON.stringify(base).slice(0, 2000)}`;
    assert.equal(base.status, c.expect.status, shown);
    if (c.expect.stdout) assert.match(base.stdout, c.expect.stdout, shown);
    if (c.expect.stderr) assert.match(base.stderr, c.expect.stderr, shown);
    const ours = runCli('trustpathd', c);
    assert.deepEqual({ status: ours.status, stdout: ours.stdout, stderr: ours.stderr },
      { status: base.status, stdout: base.stdout, stderr: base.stderr }, `trustpathd differs from polkitd for "${c.name}"`);
  });
}

/** EnumerateActions(locale) as plain data, sorted by action id (the order is not part of the API). */
async function actionsIn(kind: AuthorityKind, locale: string): Promise<unknown[]> {
  const o = await callRaw(side(kind).conn!, { member: 'EnumerateActions', signature: 's', body: [locale] });
  assert.ok(o.ok, `${kind} EnumerateActions(${locale}): ${JSON.stringify(o)}`);
  const list = plain(o.body[0]) as unknown[][];
  return list.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

for (const locale of ['', 'C', 'de_DE.UTF-8', 'de', 'da_DK', 'fr_FR@euro', 'xx_INVALID']) {
  test(`EnumerateActions(${JSON.stringify(locale)}): identical descriptions, messages, defaults, annotations`, async () => {
    const base = await actionsIn('polkitd', locale);
    assert.ok(base.some((a) => (a as unknown[])[0] === TEST_ACTIONS.keep), 'the test action is listed');
    if (locale.startsWith('de')) {
      const exec = base.find((a) => (a as unknown[])[0] === EXEC) as unknown[];
      assert.notEqual(exec[1], 'Run a program as another user', 'polkitd picks the German description');
    }
    const ours = await actionsIn('trustpathd', locale);
    assert.deepEqual(ours.map((a) => (a as unknown[])[0]), base.map((a) => (a as unknown[])[0]), 'the same action ids');
    const differing = ours.flatMap((a, i) => JSON.stringify(a) === JSON.stringify(base[i]) ? [] : [{ trustpathd: a, polkitd: base[i] }]);
    assert.deepEqual(differing.slice(0, 3), [], `${differing.length} action descriptions differ`);
  });
}
