// The session monitor against a real elogind on a private bus, with sessions created
// through Manager.CreateSession as pam_elogind would; and against a bus without logind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import dbus from 'dbus-next';
import { startBus, type TestBus } from '../support/bus.js';
import { withLock } from '../support/lock.js';
import { ensureTestUser } from '../support/users.js';
import { ELOGIND_LOCK, startElogind, type Elogind } from '../support/elogind.js';
import {
  LogindSessionMonitor, NoSessionMonitor, createSessionMonitor, type SessionMonitor,
} from '../../agent/src/session/session-monitor.js';

function sleeper(): ChildProcess {
  return spawn('sleep', ['120'], { stdio: 'ignore' });
}

/** The VT that is in the foreground now, as elogind reads it (seat0 sessions on it are active). */
function activeVt(): number {
  try {
    const m = /^tty(\d+)$/.exec(readFileSync('/sys/class/tty/tty0/active', 'utf8').trim());
    return m ? Number(m[1]) : 1;
  } catch {
    return 1;
  }
}

function waitFor(monitor: SessionMonitor, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no change signal')), timeoutMs);
    monitor.onChanged(() => { clearTimeout(timer); resolve(); });
  });
}

test('without logind on the bus, createSessionMonitor gives NoSessionMonitor', async () => {
  const bus = await startBus();
  const conn = dbus.sessionBus({ busAddress: bus.address });
  try {
    const logs: string[] = [];
    const monitor = await createSessionMonitor(conn, (m) => logs.push(m));
    assert.ok(monitor instanceof NoSessionMonitor);
    assert.match(logs.join('\n'), /no session/);
    assert.equal(await monitor.sessionOfPid(process.pid), null);
    assert.deepEqual(await monitor.subjectSessionState(process.pid, 0), { session: null, local: false, active: false });
  } finally {
    conn.disconnect();
    await bus.stop();
  }
});

/** A bus where org.freedesktop.login1 is activatable by running `exec`. */
async function withActivatableLogind(exec: string, fn: (conn: dbus.MessageBus) => Promise<void>): Promise<void> {
  const services = mkdtempSync(join(tmpdir(), 'tp-services-'));
  writeFileSync(join(services, 'org.freedesktop.login1.service'), `[D-BUS Service]\nName=org.freedesktop.login1\nExec=${exec}\nUser=root\n`);
  const bus = await startBus(undefined, `<servicedir>${services}</servicedir>`);
  const conn = dbus.sessionBus({ busAddress: bus.address });
  try {
    await fn(conn);
  } finally {
    conn.disconnect();
    await bus.stop();
    rmSync(services, { recursive: true, force: true });
  }
}

test('logind that is activatable and starts gives the logind monitor', async () => {
  // a stand-in that takes the name when activated (dbus-daemon starts it with DBUS_STARTER_ADDRESS)
  const dbusNext = new URL('../../../node_modules/dbus-next/index.js', import.meta.url).pathname;
  const stub = join(mkdtempSync(join(tmpdir(), 'tp-logind-stub-')), 'stub.cjs');
  writeFileSync(stub, `const dbus = require(${JSON.stringify(dbusNext)});
const bus = dbus.sessionBus({ busAddress: process.env.DBUS_STARTER_ADDRESS });
bus.requestName('org.freedesktop.login1', 0).then(() => setTimeout(() => process.exit(0), 20000));\n`);
  await withActivatableLogind(`${process.execPath} ${stub}`, async (conn) => {
    const monitor = await createSessionMonitor(conn, () => undefined);
    assert.ok(monitor instanceof LogindSessionMonitor);
    monitor.close();
  });
});

test('logind that is activatable but never starts (systemd installed, not running) gives no sessions, as polkitd', async () => {
  await withActivatableLogind('/bin/false', async (conn) => {
    const logs: string[] = [];
    const monitor = await createSessionMonitor(conn, (m) => logs.push(m));
    assert.ok(monitor instanceof NoSessionMonitor);
    assert.match(logs.join('\n'), /neither running nor starts on activation/);
  });
});

test('against real elogind', async (t) => {
  await withLock(ELOGIND_LOCK, async () => {
    const local = ensureTestUser('tptsesslocal', 'tpt-pass-1');
    const remote = ensureTestUser('tptsessremote', 'tpt-pass-2');
    const bus: TestBus = await startBus();
    const children: ChildProcess[] = [];
    let elogind: Elogind | null = null;
    const conn = dbus.sessionBus({ busAddress: bus.address });
    try {
      elogind = await startElogind(bus.address);
      const logs: string[] = [];
      const monitor = await createSessionMonitor(conn, (m) => logs.push(m));
      assert.ok(monitor instanceof LogindSessionMonitor, logs.join('\n'));
      await runScenarios(t, monitor, elogind, { local: local.uid, remote: remote.uid }, children);
      monitor.close();
    } catch (err) {
      if (elogind) console.error(`elogind log:\n${elogind.log()}`);
      throw err;
    } finally {
      for (const c of children) c.kill('SIGKILL');
      conn.disconnect();
      if (elogind) await elogind.stop();
      await bus.stop();
    }
  });
});

async function runScenarios(
  t: import('node:test').TestContext, monitor: SessionMonitor, elogind: Elogind,
  uids: { local: number; remote: number }, children: ChildProcess[],
): Promise<void> {
  const spawnChild = (): number => {
    const c = sleeper();
    children.push(c);
    assert.ok(c.pid !== undefined);
    return c.pid;
  };
  // Every child is spawned before any session exists: a received session fifo fd is
  // not close-on-exec, and a child holding it would keep its session alive.
  const lone = spawnChild();
  const seatPid = spawnChild();
  const remotePid = spawnChild();

  await t.test('a process in no session has none, and its user is not active', async () => {
    assert.equal(await monitor.sessionOfPid(lone), null);
    assert.equal(await monitor.userIsActive(uids.local), false);
    assert.equal(await monitor.displaySessionOfUser(uids.local), null);
    assert.deepEqual(await monitor.subjectSessionState(lone, uids.local), { session: null, local: false, active: false });
  });

  await t.test('pid 0 and caller-relative session ids are refused', async () => {
    await assert.rejects(monitor.sessionOfPid(0), /invalid pid/);
    assert.equal(await monitor.session('self'), null);
    assert.equal(await monitor.session('auto'), null);
    assert.equal(await monitor.session(''), null);
    assert.equal(await monitor.session('nosuchsession'), null);
  });

  const changed = waitFor(monitor, 5_000);
  const seatSession = await elogind.createSession({
    uid: uids.local, pid: seatPid, type: 'x11', seat: 'seat0', vtnr: activeVt(), display: ':5', remote: false,
  });
  await changed;

  await t.test('a seat0 x11 session on the foreground VT: local and active', async () => {
    assert.equal(await monitor.sessionOfPid(seatPid), seatSession.id);
    const info = await monitor.session(seatSession.id);
    assert.deepEqual(info, {
      id: seatSession.id, uid: uids.local, seat: 'seat0', active: true, remote: false,
      type: 'x11', display: ':5', state: 'active',
    });
    assert.equal(await monitor.userIsActive(uids.local), true);
    const st = await monitor.subjectSessionState(seatPid, uids.local);
    assert.equal(st.local, true);
    assert.equal(st.active, true);
  });

  await t.test("a process without a session falls back to its user's display session", async () => {
    assert.equal(await monitor.displaySessionOfUser(uids.local), seatSession.id);
    const st = await monitor.subjectSessionState(lone, uids.local);
    assert.equal(st.session?.id, seatSession.id);
    assert.equal(st.local, true);
    assert.equal(st.active, true);
  });

  const remoteSession = await elogind.createSession({
    uid: uids.remote, pid: remotePid, type: 'tty', seat: '', vtnr: 0, display: '', remote: true,
    remoteHost: 'client.test', tty: 'pts/9',
  });

  await t.test('a remote seatless tty session: not local', async () => {
    assert.equal(await monitor.sessionOfPid(remotePid), remoteSession.id);
    const info = await monitor.session(remoteSession.id);
    assert.ok(info);
    assert.equal(info.uid, uids.remote);
    assert.equal(info.seat, '');
    assert.equal(info.remote, true);
    assert.equal(info.type, 'tty');
    assert.equal(info.display, '');
    const st = await monitor.subjectSessionState(remotePid, uids.remote);
    assert.equal(st.local, false);
    assert.equal(st.active, await monitor.userIsActive(uids.remote));
  });

  await t.test('closing a session signals a change and the session is gone', async () => {
    const gone = waitFor(monitor, 5_000);
    seatSession.close();
    await gone;
    // elogind may take a moment to finish the session after the signal.
    const deadline = Date.now() + 5_000;
    while ((await monitor.session(seatSession.id)) !== null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await monitor.session(seatSession.id), null);
    assert.equal(await monitor.sessionOfPid(seatPid), null);
  });
}
