// Session agents where the trusted prompt serves: a desktop agent registering for a
// local graphical (x11, seat, display) session is refused, so that only the trusted
// prompt takes passwords there; for a text session it is accepted as in polkit; with
// --allow-session-agents it is accepted for the graphical one too. Real elogind makes
// the sessions (as pam_elogind would); the registering process is the session's leader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startElogind, ELOGIND_LOCK, type Elogind } from '../support/elogind.js';
import { withLock } from '../support/lock.js';
import { startSharedPrivateBus, trustpathdArgs, untilAuthorityAnswers } from '../support/system-bus.js';
import { startAuthority } from '../support/authority.js';
import { encodeWire, sessionSubject, type Outcome } from '../support/dbus-client.js';
import { ensureTestUser } from '../support/users.js';

const CHILD = new URL('../support/dbus-call-child.js', import.meta.url).pathname;

/**
 * A process that becomes the leader of a new elogind session, then (same pid, so in
 * that session) registers an agent for it and reports the outcome.
 */
async function registerInNewSession(elogind: Elogind, address: string, uid: number, kind: { type: string; display: string }): Promise<Outcome> {
  // bash waits for the call's spec on stdin, then becomes node (same pid: in the session)
  const leader = spawn('bash', ['-c', 'read -r spec; exec "$0" "$1" "$spec"', process.execPath, CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  leader.stdout!.setEncoding('utf8').on('data', (c: string) => { out += c; });
  const session = await elogind.createSession({
    uid, pid: leader.pid!, type: kind.type, seat: 'seat0', vtnr: kind.type === 'x11' ? 7 : 2, display: kind.display, remote: false,
  });
  try {
    const call = {
      member: 'RegisterAuthenticationAgent', signature: '(sa{sv})ss',
      body: encodeWire([sessionSubject(session.id), 'C', '/org/trustpath/TestAgent']),
    };
    leader.stdin!.end(`${JSON.stringify({ address, call })}\n`);
    await once(leader, 'exit');
    try {
      return JSON.parse(out) as Outcome;
    } catch {
      throw new Error(`the agent process said: ${out}`);
    }
  } finally {
    session.close();
  }
}

test('session agents of local graphical sessions are refused unless --allow-session-agents', async () => {
  const user = ensureTestUser('tptsessagent', 'tptsessagent-pw');
  await withLock(ELOGIND_LOCK, async () => {
    const bus = await startSharedPrivateBus();
    const elogind = await startElogind(bus.address);
    const scratch = mkdtempSync(join(tmpdir(), 'tp-sessagents-'));
    chmodSync(scratch, 0o755);
    try {
      for (const allow of [false, true]) {
        const daemon = await startAuthority('trustpathd', bus.address, {
          args: [...trustpathdArgs({}, join(scratch, String(allow))), ...(allow ? ['--allow-session-agents'] : [])],
        });
        try {
          await untilAuthorityAnswers(bus.address);
          const x11 = await registerInNewSession(elogind, bus.address, user.uid, { type: 'x11', display: ':57' });
          const tty = await registerInNewSession(elogind, bus.address, user.uid, { type: 'tty', display: '' });
          assert.deepEqual(tty.ok, true, `a text session's agent is accepted: ${JSON.stringify(tty)}`);
          if (allow) {
            assert.equal(x11.ok, true, `--allow-session-agents: ${JSON.stringify(x11)}`);
          } else {
            assert.equal(x11.ok, false);
            assert.deepEqual(x11.ok ? null : [x11.error, x11.message], ['org.freedesktop.PolicyKit1.Error.Failed',
              'Authentication agents are not accepted for graphical sessions: trustpath shows its trusted prompt there (trustpathd --allow-session-agents changes this)']);
            assert.match(daemon.log(), /Refused an authentication agent for unix-session:\S+ .*graphical sessions use the trusted prompt/);
          }
        } finally {
          await daemon.stop();
        }
      }
    } finally {
      await elogind.stop();
      await bus.stop();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
