// Debian's pkttyagent (on a pty: it needs a controlling terminal) against polkitd and
// trustpathd on private buses: registration refusals must read the same, and a
// registered agent must hold its subject against a second registration.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnPty, type PtySession } from '../support/pty.js';
import { callRaw, checkAuthorization, connect, processSubject } from '../support/dbus-client.js';
import type { AuthorityOnBus } from '../support/system-bus.js';
import type { AuthorityKind } from '../support/authority.js';
import { KINDS, scenarioUser, sleepAs, startDaemon, type UserProcess } from './daemons.js';
import { normalizeTranscript } from './pkexec-suite.js';

const daemons = new Map<AuthorityKind, AuthorityOnBus | Error>();
let sleeper: UserProcess;

before(async () => {
  sleeper = sleepAs(scenarioUser());
  await Promise.all(KINDS.map(async (k) => {
    daemons.set(k, await startDaemon(k).catch((e: unknown) => e as Error));
  }));
});

after(async () => {
  for (const d of daemons.values()) if (!(d instanceof Error)) await d.stop();
  await sleeper.stop();
});

function daemon(kind: AuthorityKind): AuthorityOnBus {
  const d = daemons.get(kind);
  if (!d || d instanceof Error) throw new Error(`${kind} did not start: ${d?.message ?? 'unknown'}`);
  return d;
}

function agent(kind: AuthorityKind, args: readonly string[], asUser: boolean): PtySession {
  const u = sleeper.user;
  const argv = asUser ? ['setpriv', '--reuid', String(u.uid), '--regid', String(u.gid), '--clear-groups', 'pkttyagent', ...args] : ['pkttyagent', ...args];
  return spawnPty(argv, { env: daemon(kind).env });
}

/** Runs pkttyagent until it exits (refusals exit at once); its status and what it printed. */
async function refusal(kind: AuthorityKind, args: readonly string[], asUser: boolean): Promise<{ exitCode: number; text: string }> {
  const t = agent(kind, args, asUser);
  const timer = setTimeout(() => t.kill(), 10_000);
  const { exitCode } = await t.exited;
  clearTimeout(timer);
  return { exitCode, text: normalizeTranscript(t.transcript()).replaceAll(String(process.pid), 'PID') };
}

const REFUSALS: readonly [string, () => string[], boolean, RegExp][] = [
  ['a user for root\'s process', () => ['--process', '1'], true, /User of caller and user of subject differs\./],
  ['a user for root\'s process, --fallback', () => ['--process', '1', '--fallback'], true, /User of caller and user of subject differs\./],
  ['root for a pid that does not exist', () => ['--process', '4000000'], false, /Cannot determine user of subject/],
  ['root with a wrong start time', () => ['--process', `${process.pid},1`], false, /Cannot determine user of subject/],
  ['root for a bus name', () => ['--system-bus-name', ':1.9999'], false, /Only unix-process and unix-session subjects can be used for authentication agents\./],
];

for (const [name, args, asUser, expected] of REFUSALS) {
  test(`pkttyagent refused: ${name}`, async () => {
    const base = await refusal('polkitd', args(), asUser);
    assert.equal(base.exitCode, 126, base.text);
    assert.match(base.text, expected);
    assert.deepEqual(await refusal('trustpathd', args(), asUser), base);
  });
}

/**
 * Waits until the agent on `term` serves `pid`: an interactive check for that subject
 * makes it prompt (asking the daemon never changes who is registered); then cancels it.
 */
async function untilServing(kind: AuthorityKind, pid: number, uid: number, term: PtySession): Promise<void> {
  const conn = await connect(daemon(kind).bus.address);
  try {
    for (let i = 0; i < 100 && !/AUTHENTICATING FOR/.test(term.transcript()); i++) {
      const pending = checkAuthorization(conn, processSubject(pid, undefined, uid), 'org.freedesktop.policykit.exec', {}, 1, `probe-${i}`);
      const answered = await Promise.race([pending.then(() => true), sleep(300).then(() => false)]);
      if (!answered) await callRaw(conn, { member: 'CancelCheckAuthorization', signature: 's', body: [`probe-${i}`] });
      await pending;
    }
    await term.expect(/==== AUTHENTICATING FOR org\.freedesktop\.policykit\.exec ====/, { timeoutMs: 1000 });
  } finally {
    conn.disconnect();
  }
}

test('pkttyagent holds its subject: a second agent for it is refused', async () => {
  for (const kind of KINDS) {
    const first = agent(kind, ['--process', String(sleeper.pid)], false);
    try {
      await untilServing(kind, sleeper.pid, sleeper.user.uid, first);
      const second = await refusal(kind, ['--process', String(sleeper.pid)], false);
      assert.equal(second.exitCode, 126, `${kind}: ${second.text}`);
      assert.match(second.text, /An authentication agent already exists for the given subject/, kind);
    } finally {
      first.kill();
    }
  }
});
