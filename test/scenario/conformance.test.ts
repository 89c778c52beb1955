// Raw D-Bus conformance: every case of conformance-cases.ts against polkitd (pinned to
// what polkitd 122 answers) and trustpathd (identical to polkitd after normalize()).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type dbus from 'dbus-next';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { AUTHORITY_IFACE, callRaw, connect, plain, type Outcome } from '../support/dbus-client.js';
import { startAuthority } from '../support/authority.js';
import { startAuthorityOn, startSharedPrivateBus, trustpathdArgs } from '../support/system-bus.js';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthorityOnBus } from '../support/system-bus.js';
import type { AuthorityKind } from '../support/authority.js';
import { CASES, introspect, normalize, type Case, type CaseContext, type Expect } from './conformance-cases.js';
import { KINDS, scenarioUser, sleepAs, startDaemon, type UserProcess } from './daemons.js';

interface Side { daemon?: AuthorityOnBus; conn?: dbus.MessageBus; failure?: Error }
const sides = new Map<AuthorityKind, Side>();
let sleeper: UserProcess;

before(async () => {
  const user = scenarioUser();
  sleeper = sleepAs(user);
  await Promise.all(KINDS.map(async (kind) => {
    try {
      const daemon = await startDaemon(kind);
      sides.set(kind, { daemon, conn: await connect(daemon.bus.address) });
    } catch (e) {
      sides.set(kind, { failure: e as Error });
    }
  }));
});

after(async () => {
  for (const s of sides.values()) {
    s.conn?.disconnect();
    await s.daemon?.stop();
  }
  await sleeper.stop();
});

function context(kind: AuthorityKind): CaseContext {
  const s = sides.get(kind);
  if (!s?.daemon || !s.conn) throw new Error(`${kind} did not start: ${s?.failure?.message ?? 'unknown'}`);
  return { address: s.daemon.bus.address, conn: s.conn, user: { uid: sleeper.user.uid, gid: sleeper.user.gid, pid: sleeper.pid } };
}

function assertExpected(o: Outcome, e: Expect, what: string): void {
  const shown = JSON.stringify(plain(o));
  if (e.ok !== undefined) assert.equal(o.ok, e.ok, `${what}: ${shown}`);
  if (e.error !== undefined) assert.equal(o.ok ? '(reply)' : o.error, e.error, `${what}: ${shown}`);
  if (e.message !== undefined) assert.match(o.ok ? '(reply)' : o.message, e.message, `${what}: ${shown}`);
}

async function runOn(kind: AuthorityKind, c: Case): Promise<Outcome> {
  const ctx = context(kind);
  return normalize(await c.run(ctx), ctx);
}

for (const c of CASES) {
  test(`conformance: ${c.name}`, async () => {
    const baseline = await runOn('polkitd', c);
    if (process.env.TP_DUMP) console.log(c.name, JSON.stringify(plain(baseline)));
    assertExpected(baseline, c.expect, `polkitd (baseline) ${c.name}`);
    const ours = await runOn('trustpathd', c);
    assert.deepEqual(plain(ours), plain(baseline), `trustpathd differs from polkitd for "${c.name}"`);
  });
}

/** Methods, signals and properties of the Authority interface in an introspection XML. */
function authorityMembers(xml: string): string[] {
  const m = /<interface name="org\.freedesktop\.PolicyKit1\.Authority">([\s\S]*?)<\/interface>/.exec(xml);
  assert.ok(m, 'Introspect lists org.freedesktop.PolicyKit1.Authority');
  const members = [...m[1]!.matchAll(/<(method|signal|property) name="([^"]+)"/g)].map((x) => `${x[1]} ${x[2]}`);
  return members.sort();
}

test('conformance: Introspect names the same Authority members', async () => {
  const xmlOf = async (kind: AuthorityKind): Promise<string> => {
    const o = await introspect(context(kind));
    assert.ok(o.ok, `${kind} Introspect failed: ${JSON.stringify(o)}`);
    return String(o.body[0]);
  };
  const baseline = authorityMembers(await xmlOf('polkitd'));
  assert.ok(baseline.includes('method CheckAuthorization') && baseline.includes('signal Changed'));
  // AuthenticationAgentResponse3 came with polkit 127 (POLKIT-REFERENCE.md §1.1), and
  // the issue asks for it: the one member trustpathd may add.
  const ours = authorityMembers(await xmlOf('trustpathd'));
  assert.deepEqual(ours.filter((m) => m !== 'method AuthenticationAgentResponse3'), baseline);
});

test('conformance: the Authority is served as soon as the name is owned', async () => {
  // Clients (pkexec, systemd) call as soon as the name appears; a daemon that takes
  // the name before exporting its object answers them UnknownMethod.
  for (const kind of KINDS) {
    const bus = await startSharedPrivateBus();
    try {
      const scratch = mkdtempSync(join(tmpdir(), 'tp-race-'));
      const authority = await startAuthority(kind, bus.address, kind === 'trustpathd' ? { args: trustpathdArgs({}, scratch) } : {});
      const conn = await connect(bus.address);
      const o = await callRaw(conn, { iface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: [AUTHORITY_IFACE, 'BackendFeatures'] });
      conn.disconnect();
      await authority.stop();
      assert.deepEqual(plain(o), { ok: true, signature: 'v', body: [{ sig: 'u', value: 1 }] }, `${kind} right after owning the name`);
    } finally {
      await bus.stop();
    }
  }
});

test('conformance: the daemon exits when its bus goes away', async () => {
  // polkitd (GDBus exit-on-close) ends when its bus connection closes, so a service
  // manager can restart it; a daemon left running without a bus serves no one.
  for (const kind of KINDS) {
    const bus = await startSharedPrivateBus();
    const daemon = await startAuthorityOn(kind, bus);
    const proc = daemon.authority.process;
    try {
      const exited = once(proc, 'exit');
      bus.process.kill('SIGTERM');
      const outcome = await Promise.race([exited.then(() => 'exited'), sleep(10_000).then(() => 'still running')]);
      assert.equal(outcome, 'exited', `${kind} after its bus went away:\n${daemon.authority.log().slice(-1500)}`);
    } finally {
      await daemon.stop();
    }
  }
});
