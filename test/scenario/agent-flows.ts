// Authentication agent flows with a fake agent (test/support/dbus-client.ts FakeAgent)
// registered for a non-root process subject. agentFlowSuite(kind) declares the same
// tests for either daemon; each daemon has its own test file so the two run in
// parallel. What polkitd 122 does is pinned here; trustpathd must do the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type dbus from 'dbus-next';
import {
  AUTHORITY_IFACE, AUTHORITY_PATH, FakeAgent, agentResponse2, callRaw, checkAuthorization, connect, plain, processSubject, startTimeOf, uniqueName, unixUser,
  type BeginCall, type Outcome, type Subject,
} from '../support/dbus-client.js';
import type { AuthorityOnBus, DaemonOptions } from '../support/system-bus.js';
import type { AuthorityKind } from '../support/authority.js';
import {
  TEST_ACTIONS, holdTestActions, scenarioUser, sleepAs, startDaemon, testActionsDir, type HeldActions, type UserProcess,
} from './daemons.js';

const ALLOW_USER_INTERACTION = 1;
/** A flow that waits longer than this hangs (a reply that never comes). */
const FLOW_TIMEOUT_MS = 30_000;
export const COOKIE = /^\d+-[0-9a-f]{32}-\d+-[0-9a-f]{32}$/;
const NO_SESSION = { ok: false, error: 'org.freedesktop.PolicyKit1.Error.Failed', message: 'No session for cookie' } as const;

/** What a check of a _keep action carries after an agent session that did not succeed. */
const KEPT = { 'polkit.retains_authorization_after_challenge': 'true' } as const;

/** The identities polkit offers for auth_admin on this machine: unix-group:sudo's members, else root. */
export function expectedAdminUids(): number[] {
  let members: string[] = [];
  try {
    members = (execFileSync('getent', ['group', 'sudo'], { encoding: 'utf8' }).trim().split(':')[3] ?? '')
      .split(',').filter((m) => m !== '' && m !== 'root');
  } catch { /* no sudo group: root only */ }
  const uids = members.map((m) => Number(execFileSync('id', ['-u', m], { encoding: 'utf8' }).trim()));
  return uids.length > 0 ? uids : [0];
}

export interface Flow {
  readonly daemon: AuthorityOnBus;
  readonly caller: dbus.MessageBus;
  readonly agent: FakeAgent;
  readonly subject: Subject;
  readonly sleeper: UserProcess;
  close(): Promise<void>;
}

/** A fresh subject (a `sleep` of the test user) with a fake agent registered for it. */
export async function startFlow(daemon: AuthorityOnBus): Promise<Flow> {
  const sleeper = sleepAs(scenarioUser());
  const subject = processSubject(sleeper.pid, startTimeOf(sleeper.pid), sleeper.user.uid);
  const caller = await connect(daemon.bus.address);
  const agent = await FakeAgent.start(daemon.bus.address);
  const reg = await agent.register(subject);
  assert.ok(reg.ok, `RegisterAuthenticationAgent: ${JSON.stringify(reg)}`);
  return {
    daemon, caller, agent, subject, sleeper,
    async close() {
      caller.disconnect();
      agent.disconnect();
      await sleeper.stop();
    },
  };
}

/** Runs body with a fresh flow and always closes it. */
async function withFlow(daemon: AuthorityOnBus, body: (f: Flow) => Promise<void>): Promise<void> {
  const f = await startFlow(daemon);
  try {
    await body(f);
  } finally {
    await f.close();
  }
}

function check(f: Flow, action: string, flags = ALLOW_USER_INTERACTION, cancellationId = ''): Promise<Outcome> {
  return checkAuthorization(f.caller, f.subject, action, {}, flags, cancellationId);
}

/** The result triple of a successful CheckAuthorization. */
function result(o: Outcome): [boolean, boolean, Record<string, string>] {
  assert.ok(o.ok, `CheckAuthorization failed: ${JSON.stringify(plain(o))}`);
  return o.body[0] as [boolean, boolean, Record<string, string>];
}

/** Answers a held BeginAuthentication as polkit-agent-helper-1 would, then returns from it. */
async function authenticate(f: Flow, begin: BeginCall): Promise<void> {
  const identity = begin.identities[0];
  assert.ok(identity, 'BeginAuthentication offers an identity');
  const r = await agentResponse2(f.caller, 0, begin.cookie, identity);
  assert.ok(r.ok, `AuthenticationAgentResponse2: ${JSON.stringify(plain(r))}`);
  f.agent.finishHeld();
}

function assertBegin(b: BeginCall, f: Flow, action: string, message: string): void {
  assert.equal(b.actionId, action);
  assert.equal(b.message, message);
  assert.equal(b.iconName, 'trustpath-scenario');
  assert.deepEqual(Object.keys(b.details).sort(), ['polkit.caller-pid', 'polkit.subject-pid']);
  assert.equal(b.details['polkit.caller-pid'], String(process.pid));
  assert.equal(b.details['polkit.subject-pid'], String(f.sleeper.pid));
  assert.match(b.cookie, COOKIE);
  const offered = b.identities.map((i) => [i[0], plain(i[1])]);
  assert.deepEqual(offered, expectedAdminUids().map((uid) => ['unix-user', { uid: { sig: 'u', value: uid } }]));
}

/** An interactive check the agent answers with the offered identity, after checking its arguments. */
async function checkWithPassword(f: Flow, action: string, message: string): Promise<[boolean, boolean, Record<string, string>]> {
  const pending = check(f, action);
  const begin = await f.agent.begin(0);
  assertBegin(begin, f, action, message);
  await authenticate(f, begin);
  return result(await pending);
}

function flowSuccessAndKeep(daemon: AuthorityOnBus): Promise<void> {
  return withFlow(daemon, async (f) => {
    const [authorized, challenge, details] = await checkWithPassword(f, TEST_ACTIONS.keep, 'Scenario: keep the admin authorization');
    assert.deepEqual([authorized, challenge], [true, false]);
    assert.equal(details['polkit.retains_authorization_after_challenge'], 'true');
    const id = details['polkit.temporary_authorization_id'];
    assert.match(id ?? '', /^tmpauthz\d+$/);
    // _keep: a second check (no interaction) is authorized by the temporary authorization.
    assert.deepEqual(result(await check(f, TEST_ACTIONS.keep, 0)), [true, false, { 'polkit.temporary_authorization_id': id }]);
    // ... but not another action, and the agent is not asked again.
    assert.deepEqual(result(await check(f, TEST_ACTIONS.admin, 0)), [false, true, {}]);
    assert.equal(f.agent.begins.length, 1);
  });
}

function flowOneShot(daemon: AuthorityOnBus): Promise<void> {
  return withFlow(daemon, async (f) => {
    const pending = check(f, TEST_ACTIONS.admin);
    const begin = await f.agent.begin(0);
    assertBegin(begin, f, TEST_ACTIONS.admin, 'Scenario: admin authorization');
    // A uid that neither registered the agent nor owns the subject cannot answer.
    assert.deepEqual(await agentResponse2(f.caller, 4_000_000_000, begin.cookie, begin.identities[0]!), NO_SESSION);
    await authenticate(f, begin);
    assert.deepEqual(result(await pending), [true, false, {}]);
    // The cookie is spent once the check has been answered.
    assert.deepEqual(await agentResponse2(f.caller, 0, begin.cookie, begin.identities[0]!), NO_SESSION);
    assert.deepEqual(result(await check(f, TEST_ACTIONS.admin, 0)), [false, true, {}]);
  });
}

function flowDismissed(daemon: AuthorityOnBus): Promise<void> {
  return withFlow(daemon, async (f) => {
    f.agent.behaviour = 'dismiss';
    assert.deepEqual(result(await check(f, TEST_ACTIONS.keep)), [false, false, { 'polkit.dismissed': 'true', ...KEPT }]);
    assert.equal(f.agent.begins.length, 1);
  });
}

function flowWrongIdentity(daemon: AuthorityOnBus): Promise<void> {
  return withFlow(daemon, async (f) => {
    const pending = check(f, TEST_ACTIONS.admin);
    const begin = await f.agent.begin(0);
    const r = await agentResponse2(f.caller, 0, begin.cookie, unixUser(4_000_000_000));
    assert.deepEqual(r, { ok: false, error: 'org.freedesktop.PolicyKit1.Error.Failed', message: 'The authenticated identity is wrong' });
    f.agent.finishHeld();
    assert.deepEqual(result(await pending), [false, false, {}]);
  });
}

function flowCancel(daemon: AuthorityOnBus): Promise<void> {
  return withFlow(daemon, async (f) => {
    const pending = check(f, TEST_ACTIONS.keep, ALLOW_USER_INTERACTION, 'scen-1');
    const begin = await f.agent.begin(0);
    const dup = await check(f, TEST_ACTIONS.admin, ALLOW_USER_INTERACTION, 'scen-1');
    assert.deepEqual(dup, { ok: false, error: 'org.freedesktop.PolicyKit1.Error.CancellationIdNotUnique',
    message: `Given cancellation_id scen-1 is already in use for name ${uniqueName(f.caller)}` });
    const c = await callRaw(f.caller, { member: 'CancelCheckAuthorization', signature: 's', body: ['scen-1'] });
    assert.deepEqual(c, { ok: true, signature: '', body: [] });
    // polkitd 122 does not answer the cancelled check with an error: it ends the agent
    // session (CancelAuthentication) and replies "not authorized".
    assert.deepEqual(result(await pending), [false, false, KEPT]);
    await f.agent.until(() => f.agent.cancels.includes(begin.cookie), 'CancelAuthentication');
    assert.equal(f.agent.begins.length, 1);
  });
}

function flowCallerVanishes(daemon: AuthorityOnBus): Promise<void> {
  return withFlow(daemon, async (f) => {
    const leaving = await connect(daemon.bus.address);
    const pending = checkAuthorization(leaving, f.subject, TEST_ACTIONS.keep, {}, ALLOW_USER_INTERACTION, '');
    pending.catch(() => undefined);
    const begin = await f.agent.begin(0);
    leaving.disconnect();
    await f.agent.until(() => f.agent.cancels.includes(begin.cookie), 'CancelAuthentication after the caller left');
    // Nothing was granted to the subject.
    assert.deepEqual(result(await check(f, TEST_ACTIONS.keep, 0)), [false, true, { 'polkit.retains_authorization_after_challenge': '1' }]);
  });
}

function flowAgentVanishes(daemon: AuthorityOnBus): Promise<void> {
  return withFlow(daemon, async (f) => {
    const pending = check(f, TEST_ACTIONS.keep);
    await f.agent.begin(0);
    f.agent.disconnect();
    assert.deepEqual(result(await pending), [false, false, KEPT]);
    // The agent is gone: a new interactive check gets the bare challenge.
    assert.deepEqual(result(await check(f, TEST_ACTIONS.keep)), [false, true, { 'polkit.retains_authorization_after_challenge': '1' }]);
  });
}

function flowExpiry(daemon: AuthorityOnBus, seconds: number): Promise<void> {
  return withFlow(daemon, async (f) => {
    const id = (await checkWithPassword(f, TEST_ACTIONS.keep, 'Scenario: keep the admin authorization'))[2]['polkit.temporary_authorization_id'];
    assert.match(id ?? '', /^tmpauthz\d+$/);
    assert.equal(result(await check(f, TEST_ACTIONS.keep, 0))[0], true, 'kept right after the grant');
    await sleep(seconds * 1000 + 700);
    assert.deepEqual(result(await check(f, TEST_ACTIONS.keep, 0)), [false, true, { 'polkit.retains_authorization_after_challenge': '1' }]);
  });
}

/** Changed signals of the Authority seen on conn from now on (their signatures). */
async function watchChanged(conn: dbus.MessageBus): Promise<string[]> {
  const seen: string[] = [];
  const rule = `type='signal',interface='${AUTHORITY_IFACE}',member='Changed',path='${AUTHORITY_PATH}'`;
  const r = await callRaw(conn, { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus', member: 'AddMatch', signature: 's', body: [rule] });
  assert.ok(r.ok, `AddMatch: ${JSON.stringify(r)}`);
  conn.on('message', (m: dbus.Message) => {
    if (m.interface === AUTHORITY_IFACE && m.member === 'Changed') seen.push(m.signature ?? '');
  });
  return seen;
}

async function flowChanged(daemon: AuthorityOnBus): Promise<void> {
  const watcher = await connect(daemon.bus.address);
  try {
    const seen = await watchChanged(watcher);
    const f = await startFlow(daemon); // registers an agent
    await f.agent.until(() => seen.length >= 1, 'Changed after RegisterAuthenticationAgent');
    const unreg = await callRaw(f.agent.conn, { member: 'UnregisterAuthenticationAgent', signature: '(sa{sv})s', body: [f.subject, f.agent.path] });
    assert.ok(unreg.ok, JSON.stringify(unreg));
    await f.agent.until(() => seen.length >= 2, 'Changed after UnregisterAuthenticationAgent');
    await f.close();
    // polkitd 122 emits Changed without arguments.
    assert.deepEqual(seen.slice(0, 2), ['', '']);
  } finally {
    watcher.disconnect();
  }
}

const FLOWS: readonly [string, (d: AuthorityOnBus) => Promise<void>][] = [
  ['BeginAuthentication arguments; Response2 as root authorizes; _keep is reused', flowSuccessAndKeep],
  ['auth_admin (no keep) is one-shot', flowOneShot],
  ['the agent returns Cancelled: polkit.dismissed', flowDismissed],
  ['Response2 with an identity that was not offered', flowWrongIdentity],
  ['CancelCheckAuthorization (and a duplicate cancellation id) while the agent holds the session', flowCancel],
  ['the caller disconnects mid-check: the agent gets CancelAuthentication', flowCallerVanishes],
  ['the agent disconnects mid-check: not authorized', flowAgentVanishes],
  ['Changed is emitted when an agent registers and unregisters', flowChanged],
];

/** Declares the agent-flow tests for `kind` (one daemon for the file; a second for expiry). */
export function agentFlowSuite(kind: AuthorityKind): void {
  let daemon: AuthorityOnBus | undefined;
  let held: HeldActions | undefined;
  let failure: Error | undefined;
  before(async () => {
    try {
      // polkitd 122 has no extra action directory: the file goes to /usr/share under a lock.
      held = kind === 'polkitd' ? await holdTestActions() : undefined;
      daemon = await startDaemon(kind, held?.value ?? testActionsDir());
    } catch (e) {
      failure = e as Error;
    }
  });
  after(async () => {
    await daemon?.stop();
    await held?.release();
  });
  const running = (): AuthorityOnBus => {
    if (!daemon) throw new Error(`${kind} did not start: ${failure?.message ?? 'unknown'}`);
    return daemon;
  };
  for (const [name, flow] of FLOWS) {
    test(`${kind} agent flow: ${name}`, { timeout: FLOW_TIMEOUT_MS }, async () => {
      try {
        await flow(running());
      } catch (e) {
        const log = daemon?.authority.log().slice(-2000) ?? '';
        throw new Error(`${String(e)}\n--- ${kind} log (tail) ---\n${log}`, { cause: e });
      }
    });
  }
}

/** trustpathd only: a temporary authorization ends after --expiration-seconds. */
export function expirySuite(opts: DaemonOptions & { expirationSeconds: number }): void {
  test(`trustpathd agent flow: _keep expires after --expiration-seconds ${opts.expirationSeconds}`, { timeout: FLOW_TIMEOUT_MS }, async () => {
    const daemon = await startDaemon('trustpathd', testActionsDir(), opts);
    try {
      await flowExpiry(daemon, opts.expirationSeconds);
    } finally {
      await daemon.stop();
    }
  });
}
