// `trustpath explain` must tell what trustpathd decides. The fixture tree is given to
// both: to trustpathd on a private bus (as extra directories) and to explain (the same
// directories); Debian's pkcheck asks the daemon about a real process of each test
// user. These machines have no logind, so the subject has no session: polkit's
// allow_any, i.e. explain --remote. pkcheck's and explain's exit statuses mean the
// same (0 yes, 1 no, 2 challenge), so they must be equal case by case.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startTimeOf } from '../support/dbus-client.js';
import { startPrivateAuthority, type AuthorityOnBus } from '../support/system-bus.js';
import { ensureTestUser } from '../support/users.js';
import { sleepAs, type UserProcess } from '../scenario/daemons.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIX = `${ROOT}test/cli/fixtures`;
const ACTIONS = [`${FIX}/a-actions`, `${FIX}/b-actions`];
const RULES = [`${FIX}/rules-a`, `${FIX}/rules-b`];

type Case = [user: 'adm' | 'usr', action: string, details: Record<string, string>, want: number];
const CASES: Case[] = [
  ['adm', 'group', {}, 0], ['usr', 'group', {}, 2], ['usr', 'plain', {}, 1],
  ['usr', 'detail', { mode: 'open' }, 0], ['usr', 'detail', { mode: 'closed' }, 1], ['usr', 'detail', {}, 2],
  ['usr', 'local', {}, 1], ['usr', 'throws', {}, 1], ['usr', 'invalid', {}, 1], ['usr', 'implied', {}, 1],
  ['usr', 'master', {}, 1], ['usr', 'shadowed', {}, 1], ['usr', 'spawn', {}, 0],
];

function status(file: string, args: readonly string[], env?: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 60_000, encoding: 'utf8', ...(env ? { env } : {}) }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, out: stdout + stderr });
    });
  });
}

let daemon: AuthorityOnBus;
const sleepers = new Map<'adm' | 'usr', UserProcess>();

before(async () => {
  sleepers.set('adm', sleepAs(ensureTestUser('tptexp-adm', 'tpt-explain-pw-1', { groups: ['tptexpadm'] })));
  sleepers.set('usr', sleepAs(ensureTestUser('tptexp-usr', 'tpt-explain-pw-2')));
  daemon = await startPrivateAuthority('trustpathd', { actionsDirs: ACTIONS, rulesDirs: RULES });
  // trustpathd takes the bus name before it exports the Authority object; its log line
  // "Acquired the name" comes after the export.
  for (let i = 0; i < 400 && !daemon.authority.log().includes('Acquired the name'); i++) await sleep(50);
});

after(async () => {
  await daemon?.stop();
  for (const s of sleepers.values()) await s.stop();
});

test('explain --remote gives trustpathd\'s answer (pkcheck) for every fixture case', async () => {
  const results = await Promise.all(CASES.map(async ([who, action, details]) => {
    const p = sleepers.get(who) as UserProcess;
    const id = `org.trustpath.test.${action}`;
    const detailArgs = Object.entries(details).flatMap(([k, v]) => ['--detail', k, v]);
    const explainDetails = Object.entries(details).flatMap(([k, v]) => ['--detail', `${k}=${v}`]);
    const dirs = [...ACTIONS.flatMap((d) => ['--actions-dir', d]), ...RULES.flatMap((d) => ['--rules-dir', d])];
    const [fromDaemon, fromExplain] = await Promise.all([
      status('pkcheck', ['--action-id', id, '--process', `${p.pid},${startTimeOf(p.pid)},${p.user.uid}`, ...detailArgs], daemon.env),
      status(`${ROOT}bin/trustpath`, ['explain', ...dirs, '--action', id, '--user', p.user.name, '--remote', '--pid', String(p.pid), ...explainDetails]),
    ]);
    return { fromDaemon, fromExplain };
  }));
  results.forEach(({ fromDaemon, fromExplain }, i) => {
    const [who, action, details, want] = CASES[i] as Case;
    const what = `${action} for ${who} ${JSON.stringify(details)}`;
    assert.equal(fromDaemon.code, want, `trustpathd: ${what}\n${fromDaemon.out}\n${daemon.authority.log().slice(-2000)}`);
    assert.equal(fromExplain.code, fromDaemon.code, `explain: ${what}\n${fromExplain.out}`);
  });
});
