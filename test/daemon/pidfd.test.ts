// Subjects named by a pidfd that arrives as a real fd (polkit 124+, POLKIT-REFERENCE
// §1.2), end to end: python3 opens the pidfd, a dbus-next client (pidfd-client.ts)
// sends it over a real dbus-daemon, trustpathd answers. Received fds never stay in
// the daemon (CVE-2021-4115), whether a subject names them or not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startBus, type TestBus } from '../support/bus.js';
import { startAuthority, type RunningAuthority } from '../support/authority.js';
import { ensureTestUser, type TestUser } from '../support/users.js';

const CLIENT = fileURLToPath(new URL('./pidfd-client.js', import.meta.url));
// Opens a pidfd of argv[1], makes it inheritable and runs the client with it in
// place of every '{fd}' argument.
const OPENER = `import os, sys
fd = os.pidfd_open(int(sys.argv[1])); os.set_inheritable(fd, True)
os.execv(sys.argv[2], [sys.argv[2]] + [a.replace("{fd}", str(fd)) for a in sys.argv[3:]])`;
const PIDFD_ERR = 'Error getting subject: Error parsing unix-process subject: ';

let root: string;
let bus: TestBus;
let daemon: RunningAuthority;
let user: TestUser;
let userSleep: ChildProcess;
let rootSleep: ChildProcess;

function runClient(pid: number | null, args: string[]): Promise<{ out: string; err: string }> {
  const argv = pid === null ? [CLIENT, ...args] : ['-c', OPENER, String(pid), process.execPath, CLIENT, ...args];
  return new Promise((resolve) => {
    execFile(pid === null ? process.execPath : 'python3', argv, { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ out: stdout.trim(), err: `${err?.message ?? ''}\n${stderr}` }));
  });
}

/** Runs the client; with `pid`, its '{fd}' arguments become a pidfd of that process. */
async function client(pid: number | null, args: string[]): Promise<string> {
  const r = await runClient(pid, args);
  if (r.out === '') throw new Error(`pidfd-client printed no answer:${r.err}`);
  return r.out;
}

async function check(pid: number, uid: string, count = 1, inflight = 1): Promise<Record<string, number>> {
  return JSON.parse(await client(pid, ['check', bus.address, '{fd}', uid, String(count), String(inflight)])) as Record<string, number>;
}

/** What the daemon's fds point at (a received fd would be a pidfd or /etc/hostname). */
function daemonFds(): string[] {
  const dir = `/proc/${daemon.process.pid}/fd`;
  return readdirSync(dir).map((n) => { try { return readlinkSync(`${dir}/${n}`); } catch { return 'gone'; } });
}

function assertNoneReceived(fds: string[]): void {
  assert.deepEqual(fds.filter((f) => f === 'anon_inode:[pidfd]' || f === '/etc/hostname'), []);
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'tp-pidfd-'));
  chmodSync(root, 0o755);
  bus = await startBus(join(root, 'bus.sock')); // in a directory the trustpath user can enter
  daemon = await startAuthority('trustpathd', bus.address, {
    args: ['--state-dir', join(root, 'state'), '--runtime-dir', join(root, 'run')],
  });
  user = ensureTestUser('tptpidfd', 'pidfd-pw-1');
  userSleep = spawn('sleep', ['600'], { uid: user.uid, gid: user.gid, stdio: 'ignore' });
  rootSleep = spawn('sleep', ['600'], { stdio: 'ignore' });
});

after(async () => {
  userSleep?.kill();
  rootSleep?.kill();
  await daemon?.stop();
  await bus?.stop();
  rmSync(root, { recursive: true, force: true });
});

test("a test user's pidfd with its uid gets that user's answer", async () => {
  assert.deepEqual(await check(userSleep.pid!, String(user.uid)), { '[false,true,{}]': 1 });
});

test("root's pidfd with uid 0 is authorized", async () => {
  assert.deepEqual(await check(rootSleep.pid!, '0'), { '[true,false,{}]': 1 });
});

test('a pidfd without uid is refused with polkit\'s text', async () => {
  assert.deepEqual(await check(userSleep.pid!, '-'), {
    [`org.freedesktop.PolicyKit1.Error.Failed: ${PIDFD_ERR}'pidfd' specified withtout 'uid'`]: 1,
  });
});

test('an fd that is not a pidfd is refused', async () => {
  const out = JSON.parse(await client(null, ['check', bus.address, 'file', String(user.uid)])) as Record<string, number>;
  const [only, ...rest] = Object.keys(out);
  assert.equal(rest.length, 0, JSON.stringify(out));
  assert.ok(only?.startsWith(`org.freedesktop.PolicyKit1.Error.Failed: ${PIDFD_ERR}`), only);
});

test('2000 calls carrying a pidfd, 16 in flight: each gets its own fd, and none stays open', async () => {
  // The same load first, so that the rules workers (each with its own fds) all exist.
  await check(userSleep.pid!, String(user.uid), 200, 16);
  const before = daemonFds().length;
  assert.deepEqual(await check(userSleep.pid!, String(user.uid), 2000, 16), { '[false,true,{}]': 2000 });
  const after = daemonFds();
  assertNoneReceived(after);
  assert.equal(after.length, before);
});

test("fds on a message whose signature has no 'h' are closed too", async () => {
  const before = daemonFds().length;
  assert.equal(await client(null, ['stray', bus.address, 'file', '100']), '100');
  const after = daemonFds();
  assertNoneReceived(after);
  assert.equal(after.length, before);
});
