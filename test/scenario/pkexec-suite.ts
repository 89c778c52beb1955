// Debian's pkexec end to end, typed into a pty as a user would: a non-root test user's
// shell runs `pkexec /usr/bin/id -u`; the admin identity (unix-group:sudo, from
// Debian's 50-default.rules) is a test admin with a known password; the password goes
// through polkit-agent-helper-1 (setuid, PAM service polkit-1), which answers with
// AuthenticationAgentResponse2. pkexec only talks to /run/dbus/system_bus_socket, so
// each file holds the 'system-bus' lock while its daemon serves there.
//
// The transcripts below are what polkitd 122 prints (ANSI colours, pids and times
// replaced); trustpathd must print the same, with one deliberate exception noted at
// INTERNAL_AGENT_SUCCESS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { withSystemBusAuthority, type AuthorityOnBus } from '../support/system-bus.js';
import { spawnPty } from '../support/pty.js';
import { ensureTestUser, type TestUser } from '../support/users.js';
import type { AuthorityKind } from '../support/authority.js';
import { hold, type Held } from './daemons.js';

const HEADER = '==== AUTHENTICATING FOR org.freedesktop.policykit.exec ====\n'
  + "Authentication is needed to run `/usr/bin/id' as the super user\n"
  + 'Authenticating as: tptscen-admin\nPassword: \n';
const NOT_AUTHORIZED = 'Error executing command as another user: Not authorized\n\nThis incident has been reported.\n';
const PAM_FAILED = 'polkit-agent-helper-1: pam_authenticate failed: Authentication failure\n';

/**
 * pkexec's built-in text agent with the right password. polkitd 122 refuses the
 * helper's answer: pkexec registered its agent with euid 0, the helper reports its
 * real uid (the user's), and polkitd binds cookies to the registering uid. The issue
 * asks that pkexec's built-in agent authenticate against trustpathd, so there the
 * expected transcript is a success: the one place this suite expects a difference.
 */
const INTERNAL_AGENT_SUCCESS: Record<AuthorityKind, string> = {
  polkitd: HEADER
    + 'polkit-agent-helper-1: error response to PolicyKit daemon: GDBus.Error:org.freedesktop.PolicyKit1.Error.Failed: No session for cookie\n'
    + '==== AUTHENTICATION FAILED ====\n' + NOT_AUTHORIZED + 'rc=127\n',
  trustpathd: HEADER + '==== AUTHENTICATION COMPLETE ====\n0\nrc=0\n',
};

type Answer = { readonly type: 'password' | 'wrong' } | { readonly type: 'eof' };

interface PkexecCase {
  readonly name: string;
  /** run pkttyagent for the shell first (its agent is used instead of pkexec's own) */
  readonly ttyAgent: boolean;
  readonly answer: Answer;
  expected(kind: AuthorityKind): string;
}

const CASES: readonly PkexecCase[] = [
  { name: 'built-in agent, right password', ttyAgent: false, answer: { type: 'password' }, expected: (k) => INTERNAL_AGENT_SUCCESS[k] },
  { name: 'built-in agent, wrong password', ttyAgent: false, answer: { type: 'wrong' },
    expected: () => `${HEADER}${PAM_FAILED}==== AUTHENTICATION FAILED ====\n${NOT_AUTHORIZED}rc=127\n` },
  { name: 'built-in agent, EOF at the prompt', ttyAgent: false, answer: { type: 'eof' },
    expected: () => `${HEADER}** (process:PID): ERROR **: TIME: Got unexpected EOF while reading from controlling terminal.\n`
      + 'bash: line 1: PID Trace/breakpoint trap   pkexec /usr/bin/id -u\nrc=133\n' },
  { name: 'pkttyagent, right password', ttyAgent: true, answer: { type: 'password' },
    expected: () => `${HEADER}==== AUTHENTICATION COMPLETE ====\n0\nrc=0\n` },
  { name: 'pkttyagent, EOF at the prompt', ttyAgent: true, answer: { type: 'eof' },
    expected: () => `${HEADER}** (pkttyagent:PID): ERROR **: TIME: Got unexpected EOF while reading from controlling terminal.\n`
      + `${NOT_AUTHORIZED}bash: line 1: PID Trace/breakpoint trap   pkttyagent --process $$ --notify-fd 3 3> $f\nrc=127\n` },
];

const PKEXEC = 'pkexec /usr/bin/id -u; echo "rc=$?"';
/** pkttyagent registers for the shell ($$) and closes fd 3 once registered; then pkexec runs. */
const WITH_TTY_AGENT = 'f=$(mktemp -u); mkfifo $f; pkttyagent --process $$ --notify-fd 3 3>$f & cat $f; rm -f $f; '
  + `${PKEXEC}; kill %1 2>/dev/null`;

/** Colours, pids and clock times removed: what stays is the transcript's shape. */
export function normalizeTranscript(t: string): string {
  return t.replace(/\x1b\[[0-9;]*m/g, '')
    .replace(/\((process|pkttyagent):\d+\)/g, '($1:PID)')
    .replace(/\d\d:\d\d:\d\d\.\d+/g, 'TIME')
    .replace(/line 1: +\d+ /g, 'line 1: PID ');
}

async function runCase(c: PkexecCase, user: TestUser, admin: TestUser): Promise<string> {
  const script = c.ttyAgent ? WITH_TTY_AGENT : PKEXEC;
  const term = spawnPty(['setpriv', '--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups', 'bash', '-c', script]);
  try {
    await term.expect(/Password: $/);
    // The agent flushes pending input when it turns echo off (TCSAFLUSH): type as a
    // person would, a moment after the prompt shows.
    await sleep(400);
    if (c.answer.type === 'eof') term.write('\x04');
    else term.write(`${c.answer.type === 'password' ? admin.password : 'not-the-password'}\r`);
    await term.expect(/rc=\d+\n/, { timeoutMs: 30_000 });
    const shown = normalizeTranscript(term.transcript());
    // After EOF the agent dies; whether its helper still reports the aborted PAM
    // conversation, and in which order, is a race between processes: not compared.
    return c.answer.type === 'eof' ? shown.split('\n').filter((l) => !l.startsWith('polkit-agent-helper-1: ')).join('\n') : shown;
  } finally {
    term.kill();
  }
}

/** Declares the pkexec tests for `kind`; the daemon serves on the system bus socket meanwhile. */
export function pkexecSuite(kind: AuthorityKind): void {
  let held: Held<AuthorityOnBus> | undefined;
  let failure: Error | undefined;
  let user: TestUser;
  let admin: TestUser;
  before(async () => {
    user = ensureTestUser('tptscen-user', 'tptscen-user-pw');
    admin = ensureTestUser('tptscen-admin', 'tptscen-admin-pw', { groups: ['sudo'] });
    try {
      held = await hold((fn) => withSystemBusAuthority(kind, {}, fn));
    } catch (e) {
      failure = e as Error;
    }
  });
  after(async () => { await held?.release(); });
  for (const c of CASES) {
    test(`${kind} pkexec: ${c.name}`, { timeout: 60_000 }, async () => {
      if (!held) throw new Error(`${kind} did not start on the system bus: ${failure?.message ?? 'unknown'}`);
      const transcript = await runCase(c, user, admin);
      assert.equal(transcript, c.expected(kind), `${kind} log (tail):\n${held.value.authority.log().slice(-1500)}`);
    });
  }
}
