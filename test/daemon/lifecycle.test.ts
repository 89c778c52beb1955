// trustpathd as a process: privilege drop, a missing user, reloading actions and
// rules when their directories change and on SIGHUP (with the Changed signal), and a
// malformed file skipped alone. Real dbus-daemon, real pkaction/pkcheck.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import dbus from 'dbus-next';
import { startBus, type TestBus } from '../support/bus.js';
import { startAuthority, TRUSTPATHD, type RunningAuthority } from '../support/authority.js';
import { ensureTestUser } from '../support/users.js';

const ACTION = (id: string, value: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE policyconfig PUBLIC "-//freedesktop//DTD polkit Policy Configuration 1.0//EN"
 "http://www.freedesktop.org/software/polkit/policyconfig-1.dtd">
<policyconfig><vendor>t</vendor>
  <action id="${id}"><description>d</description><message>m</message>
    <defaults><allow_any>${value}</allow_any><allow_inactive>${value}</allow_inactive><allow_active>${value}</allow_active></defaults>
  </action>
</policyconfig>
`;

let bus: TestBus;
let daemon: RunningAuthority;
let root: string;
let actions: string;
let rules: string;
let changedSignals = 0;
let watcher: dbus.MessageBus;

function run(cmd: string, args: string[], opts: { uid?: number; gid?: number } = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { DBUS_SYSTEM_BUS_ADDRESS: bus.address, PATH: '/usr/bin:/bin' }, timeout: 20_000, ...opts },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
  });
}

async function eventually(what: string, f: () => Promise<boolean>, ms = 8000): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (await f()) return;
    await sleep(100);
  }
  assert.fail(`${what}: not within ${ms} ms`);
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'tp-life-'));
  chmodSync(root, 0o755);
  actions = join(root, 'actions');
  rules = join(root, 'rules');
  for (const d of [actions, rules]) { (await import('node:fs')).mkdirSync(d, { mode: 0o755 }); chmodSync(d, 0o755); }
  writeFileSync(join(actions, 'a.policy'), ACTION('org.trustpath.life.a', 'auth_admin'));
  writeFileSync(join(actions, 'broken.policy'), '<policyconfig><action id="x.y"');
  bus = await startBus(join(root, 'bus.sock')); // in a directory the trustpath user can enter
  daemon = await startAuthority('trustpathd', bus.address, {
    args: ['--no-system-dirs', '--actions-dir', actions, '--rules-dir', rules,
      '--state-dir', join(root, 'state'), '--runtime-dir', join(root, 'run')],
  });
  watcher = dbus.sessionBus({ busAddress: bus.address });
  await watcher.call(new dbus.Message({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus',
    interface: 'org.freedesktop.DBus', member: 'AddMatch', signature: 's',
    body: ["type='signal',interface='org.freedesktop.PolicyKit1.Authority',member='Changed'"] }));
  watcher.on('message', (m: { member?: string; interface?: string }) => {
    if (m.member === 'Changed' && m.interface === 'org.freedesktop.PolicyKit1.Authority') changedSignals++;
  });
});

after(async () => {
  watcher?.disconnect();
  await daemon?.stop();
  await bus?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('started as root it runs as the trustpath user, with no root group left', () => {
  const status = readFileSync(`/proc/${daemon.process.pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
  const expected = Number(/^trustpath:[^:]*:(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'))![1]);
  assert.equal(uid, expected);
  assert.match(status, new RegExp(`^Uid:\\s+${expected}\\s+${expected}\\s+${expected}\\s+${expected}$`, 'm'));
  assert.doesNotMatch(/^Groups:(.*)$/m.exec(status)![1]!, /\b0\b/);
  assert.match(daemon.log(), /Successfully changed to user trustpath/);
});

test('a missing user is named in a clear error and the daemon does not start', async () => {
  const child = spawn(process.execPath, [TRUSTPATHD, '--user', 'tptnosuchuser', '--no-system-dirs',
    '--state-dir', join(root, 's2'), '--runtime-dir', join(root, 'r2')],
  { env: { DBUS_SYSTEM_BUS_ADDRESS: bus.address, PATH: '/usr/bin:/bin' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const [code] = await once(child, 'exit');
  assert.equal(code, 1);
  assert.match(err, /the system user 'tptnosuchuser' does not exist/);
});

test('a malformed .policy file is skipped alone, with a log line naming it', async () => {
  const r = await run('pkaction', ['--action-id', 'org.trustpath.life.a']);
  assert.equal(r.code, 0, r.out);
  assert.match(daemon.log(), /broken\.policy/);
});

test('a new .policy file is picked up without a restart, and Changed is emitted', async () => {
  const before = changedSignals;
  assert.notEqual((await run('pkaction', ['--action-id', 'org.trustpath.life.b'])).code, 0);
  writeFileSync(join(actions, 'b.policy'), ACTION('org.trustpath.life.b', 'yes'));
  await eventually('pkaction sees the new action', async () => (await run('pkaction', ['--action-id', 'org.trustpath.life.b'])).code === 0);
  await eventually('Changed was emitted', async () => changedSignals > before);
});

test('a new .rules file changes decisions; SIGHUP reloads too', async () => {
  const user = ensureTestUser('tptlife-user', 'tptlife-pw');
  const sleeper = spawn('sleep', ['120'], { uid: user.uid, gid: user.gid, stdio: 'ignore' });
  try {
    const check = async (): Promise<number> => (await run('pkcheck', ['--action-id', 'org.trustpath.life.a', '--process', String(sleeper.pid)])).code;
    assert.equal(await check(), 2); // auth_admin: a challenge
    writeFileSync(join(rules, '10-life.rules'),
      `polkit.addRule(function (action, subject) {\n  if (action.id == "org.trustpath.life.a" && subject.user == "${user.name}") return polkit.Result.YES;\n});\n`);
    await eventually('the rule decides', async () => (await check()) === 0);
    process.kill(daemon.process.pid!, 'SIGHUP');
    await eventually('SIGHUP reload logged', async () => /Reloading rules and actions \(SIGHUP\)/.test(daemon.log()));
    assert.equal(await check(), 0);
  } finally {
    sleeper.kill('SIGKILL');
  }
});
