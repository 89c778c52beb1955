// Raw D-Bus calls of every Authority method, with good and bad input, each with what
// polkitd 122 answers (pinned: the error name and message, or the reply). The
// conformance test runs each case against polkitd and trustpathd and requires the two
// outcomes to be identical after normalize().
import type dbus from 'dbus-next';
import {
  AUTHORITY_IFACE, Variant, busNameSubject, callAs, callRaw, callWithDanglingFd, checkAuthorization, processSubject, sessionSubject,
  uniqueName, unixUser, type Outcome, type RawCall, type Subject,
} from '../support/dbus-client.js';

export interface CaseContext {
  readonly address: string;
  /** a root connection */
  readonly conn: dbus.MessageBus;
  /** a non-root test user and one of its long-lived processes */
  readonly user: { readonly uid: number; readonly gid: number; readonly pid: number };
}

export interface Expect {
  readonly ok?: boolean;
  readonly error?: string;
  readonly message?: RegExp;
}

export interface Case {
  readonly name: string;
  run(ctx: CaseContext): Promise<Outcome>;
  readonly expect: Expect;
}

export const EXEC = 'org.freedesktop.policykit.exec';
const CHECK_SIG = '(sa{sv})sa{ss}us';
const INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs';
const FAILED = 'org.freedesktop.PolicyKit1.Error.Failed';
const NOT_AUTHORIZED = 'org.freedesktop.PolicyKit1.Error.NotAuthorized';
const UNKNOWN_METHOD = 'org.freedesktop.DBus.Error.UnknownMethod';

const self = (): Subject => processSubject(process.pid, undefined, 0);
const check = (ctx: CaseContext, subject: Subject, action = EXEC, details: Record<string, string> = {}): Promise<Outcome> =>
  checkAuthorization(ctx.conn, subject, action, details, 0, '');
const raw = (c: RawCall) => (ctx: CaseContext): Promise<Outcome> => callRaw(ctx.conn, c);
const checkWith = (subject: Subject) => (ctx: CaseContext): Promise<Outcome> => check(ctx, subject);
const v = (sig: string, value: unknown): dbus.Variant => new Variant(sig, value);

/** Replaces what legitimately differs between two runs: unique names, pids, start times. */
export function normalize(o: Outcome, ctx: CaseContext): Outcome {
  const text = (s: string): string => s
    .replace(/:1\.\d+/g, ':1.N')
    .replaceAll(String(ctx.user.pid), 'USERPID')
    .replaceAll(String(process.pid), 'PID');
  return JSON.parse(text(JSON.stringify(o, (_k, x: unknown) => typeof x === 'bigint' ? x.toString() : x))) as Outcome;
}

const introspect = (ctx: CaseContext): Promise<Outcome> =>
  callRaw(ctx.conn, { iface: 'org.freedesktop.DBus.Introspectable', member: 'Introspect' });

const property = (name: string) => raw({
  iface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: [AUTHORITY_IFACE, name],
});

const getAll = raw({ iface: 'org.freedesktop.DBus.Properties', member: 'GetAll', signature: 's', body: [AUTHORITY_IFACE] });

async function registerTwice(ctx: CaseContext): Promise<Outcome> {
  const subject = processSubject(ctx.user.pid, undefined, ctx.user.uid);
  const reg = { member: 'RegisterAuthenticationAgent', signature: '(sa{sv})ss', body: [subject, 'C', '/org/trustpath/test/Twice'] };
  const first = await callRaw(ctx.conn, reg);
  if (!first.ok) return first;
  const second = await callRaw(ctx.conn, reg);
  await callRaw(ctx.conn, { member: 'UnregisterAuthenticationAgent', signature: '(sa{sv})s', body: [subject, '/org/trustpath/test/Twice'] });
  return second;
}

async function unregisterOtherPath(ctx: CaseContext): Promise<Outcome> {
  const subject = processSubject(ctx.user.pid, undefined, ctx.user.uid);
  const path = '/org/trustpath/test/Mismatch';
  const first = await callRaw(ctx.conn, { member: 'RegisterAuthenticationAgent', signature: '(sa{sv})ss', body: [subject, 'C', path] });
  if (!first.ok) return first;
  const wrong = await callRaw(ctx.conn, { member: 'UnregisterAuthenticationAgent', signature: '(sa{sv})s', body: [subject, '/org/trustpath/test/Other'] });
  await callRaw(ctx.conn, { member: 'UnregisterAuthenticationAgent', signature: '(sa{sv})s', body: [subject, path] });
  return wrong;
}

async function registerUnregister(ctx: CaseContext): Promise<Outcome> {
  const subject = processSubject(ctx.user.pid, undefined, ctx.user.uid);
  const path = '/org/trustpath/test/Good';
  const reg = await callRaw(ctx.conn, { member: 'RegisterAuthenticationAgentWithOptions', signature: '(sa{sv})ssa{sv}',
    body: [subject, 'C', path, { fallback: v('b', false) }] });
  if (!reg.ok) return reg;
  return callRaw(ctx.conn, { member: 'UnregisterAuthenticationAgent', signature: '(sa{sv})s', body: [subject, path] });
}

async function registerFallbackString(ctx: CaseContext): Promise<Outcome> {
  const path = '/org/trustpath/test/Fb';
  const reg = await callRaw(ctx.conn, { member: 'RegisterAuthenticationAgentWithOptions', signature: '(sa{sv})ssa{sv}',
    body: [self(), 'C', path, { fallback: v('s', 'yes') }] });
  await callRaw(ctx.conn, { member: 'UnregisterAuthenticationAgent', signature: '(sa{sv})s', body: [self(), path] });
  return reg;
}

const asUser = (c: RawCall) => (ctx: CaseContext): Promise<Outcome> => callAs(ctx.user.uid, ctx.user.gid, ctx.address, c);

/** The cases, in the order they run. */
export const CASES: readonly Case[] = [
  // --- CheckAuthorization
  { name: 'check: root process subject', run: (c) => check(c, self()), expect: { ok: true } },
  { name: 'check: root with details', run: (c) => check(c, self(), EXEC, { who: 'probe', 'polkit.message': 'm' }), expect: { ok: true } },
  { name: 'check: own bus name', run: (c) => check(c, busNameSubject(uniqueName(c.conn))), expect: { ok: true } },
  { name: 'check: non-root process, no interaction', run: (c) => check(c, processSubject(c.user.pid, undefined, c.user.uid)), expect: { ok: true } },
  { name: 'check: unknown action', run: (c) => check(c, self(), 'org.trustpath.no.such.action'), expect: { error: FAILED, message: /is not registered/ } },
  { name: 'check: wrong signature', run: raw({ member: 'CheckAuthorization', signature: 'ssa{ss}us', body: ['unix-process', EXEC, {}, 0, ''] }), expect: { error: INVALID_ARGS } },
  { name: 'check: no arguments', run: raw({ member: 'CheckAuthorization' }), expect: { error: INVALID_ARGS } },
  { name: 'check: flags as string', run: raw({ member: 'CheckAuthorization', signature: '(sa{sv})sa{ss}ss', body: [self(), EXEC, {}, '0', ''] }), expect: { error: INVALID_ARGS } },
  { name: 'check: pid as string', run: checkWith(['unix-process', { pid: v('s', '1'), 'start-time': v('t', 0n), uid: v('i', 0) }]), expect: { error: FAILED } },
  { name: 'check: start-time as u', run: checkWith(['unix-process', { pid: v('u', process.pid), 'start-time': v('u', 0), uid: v('i', 0) }]), expect: { error: FAILED } },
  { name: 'check: uid as u (ignored, read from /proc)', run: checkWith(['unix-process', { pid: v('u', process.pid), 'start-time': v('t', 0n), uid: v('u', 0) }]), expect: { ok: true } },
  { name: 'check: missing start-time', run: checkWith(['unix-process', { pid: v('u', process.pid) }]), expect: { error: FAILED, message: /start-time/ } },
  { name: 'check: missing pid', run: checkWith(['unix-process', { 'start-time': v('t', 0n) }]), expect: { error: FAILED } },
  { name: 'check: start-time 0 is read from /proc', run: checkWith(processSubject(process.pid, 0n, 0)), expect: { ok: true } },
  { name: 'check: replaced process', run: checkWith(processSubject(process.pid, 1n, 0)), expect: { error: FAILED, message: /has been replaced/ } },
  { name: 'check: pid that does not exist', run: checkWith(processSubject(4_000_000, 1n, 0)), expect: { ok: false, message: /\/proc\/4000000\/status/ } },
  { name: 'check: unknown subject kind', run: checkWith(['bogus-kind', {}]), expect: { error: FAILED, message: /Unknown subject of kind `bogus-kind'/ } },
  { name: 'check: empty subject kind', run: checkWith(['', {}]), expect: { error: FAILED } },
  { name: 'check: non-unique bus name', run: checkWith(busNameSubject('org.freedesktop.PolicyKit1')), expect: { error: FAILED, message: /is not a valid unique name/ } },
  { name: 'check: unknown unique name', run: checkWith(busNameSubject(':1.99999')), expect: { error: 'org.freedesktop.DBus.Error.NameHasNoOwner', message: /no such name/ } },
  { name: 'check: bus name as u', run: checkWith(['system-bus-name', { name: v('u', 1) }]), expect: { error: FAILED } },
  { name: 'check: unix-session without logind', run: checkWith(sessionSubject('c1')), expect: { error: FAILED } },
  { name: 'check: __proto__ keys', run: (c) => check(c, ['unix-process', { ...Object.fromEntries([['__proto__', v('s', 'x')]]), pid: v('u', process.pid), 'start-time': v('t', 0n), uid: v('i', 0) }], EXEC, Object.fromEntries([['__proto__', 'y'], ['toString', 'z']])), expect: { ok: true } },
  { name: 'check: pidfd (h) with no fd attached, uid given', run: (c) => callWithDanglingFd(c.conn, { member: 'CheckAuthorization', signature: CHECK_SIG, body: [['unix-process', { pidfd: v('h', 0), uid: v('i', 0) }], EXEC, {}, 0, ''] }), expect: { error: FAILED, message: /Didn't find value for key `pid' of type u/ } },
  { name: 'check: pidfd (h) with no fd attached, no uid', run: (c) => callWithDanglingFd(c.conn, { member: 'CheckAuthorization', signature: CHECK_SIG, body: [['unix-process', { pidfd: v('h', 0) }], EXEC, {}, 0, ''] }), expect: { error: FAILED } },
  { name: 'check: pidfd (h) with no fd attached, and a pid', run: (c) => callWithDanglingFd(c.conn, { member: 'CheckAuthorization', signature: CHECK_SIG, body: [['unix-process', { pidfd: v('h', 0), pid: v('u', process.pid), 'start-time': v('t', 0n), uid: v('i', 0) }], EXEC, {}, 0, ''] }), expect: { ok: true } },
  { name: 'check: uid above INT_MAX as i', run: checkWith(['unix-process', { pid: v('u', process.pid), 'start-time': v('t', 0n), uid: v('i', -2) }]), expect: {} },
  { name: 'check: non-root caller passes details', run: (c) => asUser({ member: 'CheckAuthorization', signature: CHECK_SIG, body: [processSubject(c.user.pid, undefined, c.user.uid), EXEC, { a: 'b' }, 0, ''] })(c), expect: { error: NOT_AUTHORIZED, message: /pass details/ } },
  { name: 'check: non-root caller, root subject', run: asUser({ member: 'CheckAuthorization', signature: CHECK_SIG, body: [processSubject(1, undefined, 0), EXEC, {}, 0, ''] }), expect: { error: NOT_AUTHORIZED, message: /other identities/ } },
  { name: 'check: non-root caller checks itself', run: (c) => asUser({ member: 'CheckAuthorization', signature: CHECK_SIG, body: [processSubject(c.user.pid, undefined, c.user.uid), EXEC, {}, 0, ''] })(c), expect: { ok: true } },
  { name: 'check: non-root caller lies about uid', run: (c) => asUser({ member: 'CheckAuthorization', signature: CHECK_SIG, body: [processSubject(c.user.pid, undefined, 0), EXEC, {}, 0, ''] })(c), expect: { error: NOT_AUTHORIZED } },
  // --- CancelCheckAuthorization
  { name: 'cancel: unknown id', run: raw({ member: 'CancelCheckAuthorization', signature: 's', body: ['nope'] }), expect: { error: FAILED, message: /No such cancellation_id `nope' for name/ } },
  { name: 'cancel: wrong signature', run: raw({ member: 'CancelCheckAuthorization', signature: 'u', body: [1] }), expect: { error: INVALID_ARGS } },
  // --- EnumerateActions
  { name: 'enumerate actions: wrong signature', run: raw({ member: 'EnumerateActions', signature: 'u', body: [7] }), expect: { error: INVALID_ARGS } },
  // --- agents
  { name: 'register: bad object path', run: raw({ member: 'RegisterAuthenticationAgent', signature: '(sa{sv})ss', body: [self(), 'C', 'not a path'] }), expect: { error: FAILED, message: /Invalid object path 'not a path'/ } },
  { name: 'register: unix-user subject', run: raw({ member: 'RegisterAuthenticationAgent', signature: '(sa{sv})ss', body: [unixUser(0), 'C', '/a'] }), expect: { error: FAILED, message: /Unknown subject of kind `unix-user'/ } },
  { name: 'register: bus-name subject', run: (c) => callRaw(c.conn, { member: 'RegisterAuthenticationAgent', signature: '(sa{sv})ss', body: [busNameSubject(uniqueName(c.conn)), 'C', '/a'] }), expect: { error: FAILED, message: /Only unix-process and unix-session/ } },
  { name: 'register: session subject without logind', run: raw({ member: 'RegisterAuthenticationAgent', signature: '(sa{sv})ss', body: [sessionSubject('c1'), 'C', '/a'] }), expect: { error: FAILED, message: /^Cannot determine session the caller is in$/ } },
  { name: 'register: twice for one subject', run: registerTwice, expect: { error: FAILED, message: /already exists for the given subject/ } },
  { name: 'register with options, then unregister', run: registerUnregister, expect: { ok: true } },
  { name: 'register with options: fallback as string', run: registerFallbackString, expect: { ok: true } },
  { name: 'register: non-root for another user', run: asUser({ member: 'RegisterAuthenticationAgent', signature: '(sa{sv})ss', body: [processSubject(1, undefined, 0), 'C', '/a'] }), expect: { error: FAILED, message: /^User of caller and user of subject differs\.$/ } },
  { name: 'register: wrong signature', run: raw({ member: 'RegisterAuthenticationAgent', signature: '(sa{sv})s', body: [self(), '/a'] }), expect: { error: INVALID_ARGS } },
  { name: 'unregister: nothing registered', run: raw({ member: 'UnregisterAuthenticationAgent', signature: '(sa{sv})s', body: [self(), '/nothing'] }), expect: { error: FAILED, message: /^No such agent registered$/ } },
  { name: 'unregister: other object path', run: unregisterOtherPath, expect: { error: FAILED, message: /^Object paths do not match$/ } },
  { name: 'response2: unknown cookie', run: raw({ member: 'AuthenticationAgentResponse2', signature: 'us(sa{sv})', body: [0, 'no-such-cookie', unixUser(0)] }), expect: { error: FAILED, message: /No session for cookie/ } },
  { name: 'response (legacy): unknown cookie', run: raw({ member: 'AuthenticationAgentResponse', signature: 's(sa{sv})', body: ['no-such-cookie', unixUser(0)] }), expect: { error: FAILED, message: /^No session for cookie$/ } },
  { name: 'response2: from non-root', run: asUser({ member: 'AuthenticationAgentResponse2', signature: 'us(sa{sv})', body: [0, 'c', unixUser(0)] }), expect: { error: FAILED, message: /Only uid 0 may invoke this method/ } },
  { name: 'response2: wrong identity type', run: raw({ member: 'AuthenticationAgentResponse2', signature: 'us(sa{sv})', body: [0, 'c', ['unix-user', { uid: v('s', '0') }]] }), expect: { error: FAILED, message: /Error parsing unix-user identity/ } },
  // --- temporary authorizations
  { name: 'enumerate temp: process subject', run: raw({ member: 'EnumerateTemporaryAuthorizations', signature: '(sa{sv})', body: [self()] }), expect: { error: FAILED, message: /Can only handle PolkitUnixSession objects for now/ } },
  { name: 'enumerate temp: session subject without logind', run: raw({ member: 'EnumerateTemporaryAuthorizations', signature: '(sa{sv})', body: [sessionSubject('c1')] }), expect: { error: FAILED, message: /^Cannot determine session the caller is in$/ } },
  { name: 'revoke temp: process subject', run: raw({ member: 'RevokeTemporaryAuthorizations', signature: '(sa{sv})', body: [self()] }), expect: { error: FAILED, message: /^Can only handle PolkitUnixSession objects for now\.$/ } },
  { name: 'revoke temp by id: unknown id', run: raw({ member: 'RevokeTemporaryAuthorizationById', signature: 's', body: ['tmpauthz999'] }), expect: { error: FAILED, message: /^Cannot determine session the caller is in$/ } },
  // --- not exported, properties, standard interfaces
  { name: 'AddLockdownForAction', run: raw({ member: 'AddLockdownForAction', signature: 's', body: [EXEC] }), expect: { error: UNKNOWN_METHOD } },
  { name: 'RemoveLockdownForAction', run: raw({ member: 'RemoveLockdownForAction', signature: 's', body: [EXEC] }), expect: { error: UNKNOWN_METHOD } },
  { name: 'property BackendName', run: property('BackendName'), expect: { ok: true } },
  { name: 'property BackendVersion', run: property('BackendVersion'), expect: { ok: true } },
  { name: 'property BackendFeatures', run: property('BackendFeatures'), expect: { ok: true } },
  { name: 'property GetAll', run: getAll, expect: { ok: true } },
  { name: 'property unknown', run: property('NoSuchProperty'), expect: { error: INVALID_ARGS } },
  { name: 'property Set is refused', run: raw({ iface: 'org.freedesktop.DBus.Properties', member: 'Set', signature: 'ssv', body: [AUTHORITY_IFACE, 'BackendName', v('s', 'x')] }), expect: { error: INVALID_ARGS, message: /is not writable/ } },
  { name: 'Peer.Ping', run: raw({ iface: 'org.freedesktop.DBus.Peer', member: 'Ping' }), expect: { ok: true } },
  { name: 'Introspect is callable', run: async (c) => { const o = await introspect(c); return o.ok ? { ...o, body: [] } : o; }, expect: { ok: true } },
];

export { introspect };
