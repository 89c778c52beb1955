import { test } from 'node:test';
import assert from 'node:assert/strict';
import dbus from 'dbus-next';
import type { Message } from 'dbus-next';
import { LogindSessionMonitor } from './logind-session-monitor.js';
import type { LogindBus } from './logind-wire.js';

const V = (sig: string, value: unknown) => new dbus.Variant(sig, value);

interface FakeSession { id: string; uid: number; seat: string; active: boolean; remote: boolean; type: string; display: string; state: string }

/** A stand-in for logind and the bus driver, answering from plain data. */
class FakeLogind {
  sessions = new Map<string, FakeSession>();
  pids = new Map<number, string>();
  users = new Map<number, { state: string | (() => never); display: string }>();
  calls: string[] = [];
  failAddMatch = false;
  noOwner = false;
  sessionOverrides: Record<string, unknown> = {};
  private listener: ((m: Message) => void) | null = null;

  bus(): LogindBus {
    return {
      call: async (m: Message) => this.answer(m),
      on: (_e: string, l: (m: Message) => void) => { this.listener = l; },
      removeListener: () => { this.listener = null; },
    } as unknown as LogindBus;
  }

  get listening(): boolean { return this.listener !== null; }

  signal(sender: string, path: string, iface: string, member: string, body: unknown[] = []): void {
    const m = dbus.Message.newSignal(path, iface, member, '', []);
    m.sender = sender;
    m.body = body;
    this.listener?.(m);
  }

  private reply(body: unknown[]): Message {
    return new dbus.Message({ type: dbus.MessageType.METHOD_RETURN, replySerial: '1', body, signature: '' });
  }

  private async answer(m: Message): Promise<Message> {
    this.calls.push(m.member);
    const [a, b] = m.body as [unknown, unknown];
    if (m.interface === 'org.freedesktop.DBus') {
      if (m.member === 'AddMatch' && this.failAddMatch) throw new dbus.DBusError('org.freedesktop.DBus.Error.AccessDenied', 'no');
      if (m.member === 'GetNameOwner' && this.noOwner) throw new dbus.DBusError('org.freedesktop.DBus.Error.NameHasNoOwner', 'no');
      return this.reply(m.member === 'GetNameOwner' ? [':1.7'] : []);
    }
    if (m.member === 'GetSessionByPID') {
      const id = this.pids.get(a as number);
      if (id === undefined) throw new dbus.DBusError('org.freedesktop.login1.NoSessionForPID', 'none');
      return this.reply([`/org/freedesktop/login1/session/${id}`]);
    }
    if (m.member === 'GetSession') {
      if (!this.sessions.has(a as string)) throw new dbus.DBusError('org.freedesktop.login1.NoSuchSession', 'none');
      return this.reply([`/org/freedesktop/login1/session/${String(a)}`]);
    }
    if (m.member === 'GetUser') {
      if (!this.users.has(a as number)) throw new dbus.DBusError('org.freedesktop.login1.NoSuchUser', 'none');
      return this.reply([`/org/freedesktop/login1/user/_${String(a)}`]);
    }
    return this.property(m.path, m.member, a, b);
  }

  private property(path: string, member: string, iface: unknown, name: unknown): Message {
    const last = path.split('/').pop() ?? '';
    if (iface === 'org.freedesktop.login1.User') {
      const u = this.users.get(Number(last.slice(1)));
      if (!u) throw new dbus.DBusError('org.freedesktop.DBus.Error.UnknownObject', 'gone');
      if (name !== 'State') return this.reply([V('(so)', [u.display, '/org/freedesktop/login1/session/x'])]);
      return this.reply([V('s', typeof u.state === 'function' ? u.state() : u.state)]);
    }
    const s = this.sessions.get(last);
    if (!s) throw new dbus.DBusError('org.freedesktop.DBus.Error.UnknownObject', 'gone');
    const all: Record<string, unknown> = {
      Id: V('s', s.id), User: V('(uo)', [s.uid, '/u']), Seat: V('(so)', [s.seat, s.seat ? '/s' : '/']),
      Active: V('b', s.active), Remote: V('b', s.remote), Type: V('s', s.type), Display: V('s', s.display),
      State: V('s', s.state), ...this.sessionOverrides,
    };
    return this.reply([member === 'GetAll' ? all : all[name as string]]);
  }
}

function withSession(fake: FakeLogind, s: Partial<FakeSession> & { id: string; uid: number }, pid?: number): void {
  fake.sessions.set(s.id, { seat: 'seat0', active: true, remote: false, type: 'x11', display: ':0', state: 'active', ...s });
  if (pid !== undefined) fake.pids.set(pid, s.id);
}

const tick = () => new Promise((r) => setImmediate(r));

test('no session for a pid is null; other lookup errors throw', async () => {
  const fake = new FakeLogind();
  const mon = new LogindSessionMonitor(fake.bus());
  assert.equal(await mon.sessionOfPid(4242), null);
  await assert.rejects(mon.sessionOfPid(-1), /invalid pid/);
  await assert.rejects(mon.sessionOfPid(1.5), /invalid pid/);
  assert.deepEqual(await mon.subjectSessionState(4242, 1000), { session: null, local: false, active: false });
  mon.close();
});

test('a mistyped property fails the lookup instead of defaulting', async () => {
  const fake = new FakeLogind();
  withSession(fake, { id: '3', uid: 1000 }, 100);
  fake.sessionOverrides = { Active: V('s', 'yes') };
  const mon = new LogindSessionMonitor(fake.bus(), { cacheTtlMs: 0 });
  await assert.rejects(mon.session('3'), /Active/);
  await assert.rejects(mon.subjectSessionState(100, 1000), /Active/);
  fake.sessionOverrides = { Id: V('s', '4') };
  await assert.rejects(mon.session('3'), /answered as 4/);
  mon.close();
});

test('local follows the seat; active follows the user state, falling back to the session', async () => {
  const fake = new FakeLogind();
  withSession(fake, { id: 'c1', uid: 1000, seat: '', remote: true, active: false, type: 'tty', display: '' }, 100);
  withSession(fake, { id: 'c2', uid: 1001, seat: 'seat0', active: false, state: 'online' }, 101);
  fake.users.set(1000, { state: 'active', display: '' });
  fake.users.set(1001, { state: () => { throw new dbus.DBusError('org.freedesktop.DBus.Error.Failed', 'broken'); }, display: 'c2' });
  const mon = new LogindSessionMonitor(fake.bus(), { cacheTtlMs: 0 });
  const remote = await mon.subjectSessionState(100, 1000);
  assert.equal(remote.local, false);
  assert.equal(remote.active, true, 'any active session of the user makes it active');
  const seat = await mon.subjectSessionState(101, 1001);
  assert.equal(seat.local, true);
  assert.equal(seat.active, false, 'user state failed: the session\'s own Active is used');
  // pid 555 has no session: the user's display session is used.
  const fallback = await mon.subjectSessionState(555, 1001);
  assert.equal(fallback.session?.id, 'c2');
  assert.equal(await mon.displaySessionOfUser(1000), null);
  assert.equal(await mon.userIsActive(4000000000), false);
  mon.close();
});

test('lookups are cached until logind signals a change; only logind\'s own signals notify', async () => {
  const fake = new FakeLogind();
  withSession(fake, { id: 'c1', uid: 1000 });
  const mon = new LogindSessionMonitor(fake.bus(), { cacheTtlMs: 60_000 });
  await tick();
  let notified = 0;
  mon.onChanged(() => { notified++; });
  assert.equal((await mon.session('c1'))?.active, true);
  fake.sessions.get('c1')!.active = false;
  assert.equal((await mon.session('c1'))?.active, true, 'served from the cache');
  fake.signal(':1.99', '/org/freedesktop/login1', 'org.freedesktop.login1.Manager', 'SessionNew');
  assert.equal(notified, 0, 'a signal from another peer does not notify');
  assert.equal((await mon.session('c1'))?.active, false, 'but it does drop the cache');
  fake.sessions.get('c1')!.active = true;
  fake.signal(':1.7', '/org/freedesktop/login1/session/c1', 'org.freedesktop.DBus.Properties', 'PropertiesChanged');
  assert.equal(notified, 1);
  assert.equal((await mon.session('c1'))?.active, true);
  fake.signal('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'NameOwnerChanged',
    ['org.freedesktop.login1', ':1.7', '']);
  assert.equal(notified, 2, 'logind leaving is a change');
  mon.close();
  assert.equal(fake.listening, false);
  await assert.rejects(mon.session('c9'), /closed/);
});

test('without match rules the cache is off', async () => {
  const fake = new FakeLogind();
  fake.failAddMatch = true;
  withSession(fake, { id: 'c1', uid: 1000 });
  const mon = new LogindSessionMonitor(fake.bus(), { cacheTtlMs: 60_000 });
  await tick();
  await mon.session('c1');
  fake.sessions.get('c1')!.active = false;
  assert.equal((await mon.session('c1'))?.active, false);
  mon.close();
});

test('logind started later (activation) is learnt from NameOwnerChanged, and the cache stays on', async () => {
  const fake = new FakeLogind();
  fake.noOwner = true;
  withSession(fake, { id: 'c1', uid: 1000 });
  const mon = new LogindSessionMonitor(fake.bus(), { cacheTtlMs: 60_000 });
  await tick();
  let notified = 0;
  mon.onChanged(() => { notified++; });
  fake.signal(':1.8', '/org/freedesktop/login1', 'org.freedesktop.login1.Manager', 'SessionNew');
  assert.equal(notified, 0, 'no owner known yet');
  fake.signal('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'NameOwnerChanged',
    ['org.freedesktop.login1', '', ':1.8']);
  assert.equal(notified, 1);
  fake.signal(':1.8', '/org/freedesktop/login1', 'org.freedesktop.login1.Manager', 'SessionRemoved');
  assert.equal(notified, 2);
  await mon.session('c1');
  fake.sessions.get('c1')!.active = false;
  assert.equal((await mon.session('c1'))?.active, true, 'cached');
  mon.close();
});
