import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DisplayResolver, normalizeDisplay, parseDisplayRule } from './displays.js';
import type { SessionInfo, SessionMonitor } from '../session/session-monitor.js';
import { NoSessionMonitor } from '../session/session-monitor.js';

test('displays: local display names normalize, remote ones do not', () => {
  assert.equal(normalizeDisplay(':0'), ':0');
  assert.equal(normalizeDisplay(':12.0'), ':12');
  assert.equal(normalizeDisplay('unix:3'), ':3');
  assert.equal(normalizeDisplay('host:0'), null);
  assert.equal(normalizeDisplay('localhost:10.0'), null);
  assert.equal(normalizeDisplay(''), null);
});

test('displays: --x11-display rules parse, and bad ones say why', () => {
  assert.deepEqual(parseDisplayRule('alice=:1'), { who: 'alice', target: { display: ':1' } });
  assert.deepEqual(parseDisplayRule('1000=:0.0,xauthority=/run/x/auth'), { who: '1000', target: { display: ':0', xauthority: '/run/x/auth' } });
  assert.deepEqual(parseDisplayRule('*=:5'), { who: '*', target: { display: ':5' } });
  assert.throws(() => parseDisplayRule(':0'), /USER=:N/);
  assert.throws(() => parseDisplayRule('bob=remote:0'), /not a local display/);
  assert.throws(() => parseDisplayRule('bob=:0,cookie=x'), /unknown setting 'cookie=x'/);
  assert.throws(() => parseDisplayRule('bob=:0,xauthority=relative'), /unknown setting/);
  assert.throws(() => parseDisplayRule('b;ob=:0'), /bad user/);
});

function monitorWith(s: SessionInfo): SessionMonitor {
  const m = new NoSessionMonitor();
  m.session = async (id) => (id === s.id ? s : null);
  return m;
}

const NAMES: Readonly<Record<number, string>> = { 1000: 'alice', 1001: 'bob' };
const USERS = {
  userByUid: async (uid: number) => {
    const name = NAMES[uid];
    return name === undefined ? null : { name, uid, gid: uid, gecos: '', home: '/', shell: '' };
  },
};

const X11: SessionInfo = { id: 'c1', uid: 1000, seat: 'seat0', active: true, remote: false, type: 'x11', display: ':0', state: 'active' };

test('displays: logind decides for a known session; rules only where it says nothing', async () => {
  const rules = [parseDisplayRule('alice=:7'), parseDisplayRule('*=:9')];
  assert.deepEqual(await new DisplayResolver(rules, monitorWith(X11), USERS).displayFor('c1', 1000), { display: ':0' });
  assert.equal(await new DisplayResolver(rules, monitorWith({ ...X11, type: 'tty', display: '' }), USERS).displayFor('c1', 1000), null);
  assert.equal(await new DisplayResolver(rules, monitorWith({ ...X11, remote: true }), USERS).displayFor('c1', 1000), null);
  assert.equal(await new DisplayResolver(rules, monitorWith({ ...X11, seat: '' }), USERS).displayFor('c1', 1000), null);
  const none = new DisplayResolver(rules, new NoSessionMonitor(), USERS);
  assert.deepEqual(await none.displayFor(null, 1000), { display: ':7' });
  assert.deepEqual(await none.displayFor(null, 1001), { display: ':9' });
  assert.equal(await new DisplayResolver([parseDisplayRule('alice=:7')], new NoSessionMonitor(), USERS).displayFor(null, 1001), null);
  const xauth = new DisplayResolver([parseDisplayRule('alice=:0,xauthority=/a')], monitorWith(X11), USERS);
  assert.deepEqual(await xauth.displayFor('c1', 1000), { display: ':0', xauthority: '/a' }, 'the rule\'s cookie for the same display');
});
