import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RulesEngine, type RulesSubject } from '../../policy/src/index.js';
import { timeoutMessage, netgroupOutputHasUser, execFailureMessage } from '../../policy/src/rules-worker-spawn.js';

const subject: RulesSubject = { pid: 1, user: 'john', uid: 4000000000, groups: ['users'], seat: '', session: '', local: false, active: false };
const RULES = `
polkit.addRule(function (action, subject) {
  if (action.id == "loop") { try { while (true) {} } catch (e) { return "yes"; } }
  if (action.id == "bomb") { var a = [], s = "x"; for (var i = 0; i < 20; i++) s += s; while (true) a.push(s + a.length); }
  if (action.id == "stack") { var f = function (n) { return f(n + 1) + 1; }; return f(0); }
  if (action.id == "slow") { polkit.spawn(["sleep", "2"]); return "auth_self"; }
  if (action.id == "hang") { polkit.spawn(["sleep", "5"]); return "yes"; }
  if (action.id == "spawn_timeout") { try { polkit.spawn(["sleep", "5"]); } catch (e) { polkit.log(String(e)); } return "no"; }
  if (action.id == "ok") return "yes";
});
polkit.addAdminRule(function (action, subject) {
  if (action.id == "loop") while (true) {}
  return ["unix-group:wheel"];
});`;

async function engine(extra: Partial<Parameters<typeof RulesEngine.start>[0]> = {}, logs: string[] = []): Promise<RulesEngine> {
  return RulesEngine.start({ files: [{ path: '/etc/polkit-1/rules.d/50-t.rules', content: RULES }], log: (m) => logs.push(m), ...extra });
}

test('runaway rule is stopped: no for rules, fallback for admin rules; engine keeps working', async () => {
  const logs: string[] = [];
  const e = await engine({ runawayMs: 300 }, logs);
  try {
    assert.equal(await e.runRules({ id: 'loop', details: {} }, subject), 'no');
    assert.deepEqual(await e.runAdminRules({ id: 'loop', details: {} }, subject), ['unix-user:0']);
    assert.deepEqual(await e.runAdminRules({ id: 'x', details: {} }, subject), ['unix-group:wheel']);
    assert.equal(await e.runRules({ id: 'ok', details: {} }, subject), 'yes');
    assert.ok(logs.some((l) => /runaway/i.test(l)), logs.join('\n'));
  } finally { await e.close(); }
});

test('a runaway file at load time is skipped alone', async () => {
  const logs: string[] = [];
  const e = await RulesEngine.start({ runawayMs: 300, log: (m) => logs.push(m), files: [
    { path: '/etc/polkit-1/rules.d/10-loop.rules', content: 'while (true) {}' },
    { path: '/etc/polkit-1/rules.d/20-ok.rules', content: 'polkit.addRule(function () { return "auth_self"; });' },
  ] });
  try {
    assert.equal(e.loadedCount, 1);
    assert.ok(logs.some((l) => l.startsWith('Error compiling script /etc/polkit-1/rules.d/10-loop.rules')), logs.join('\n'));
    assert.equal(await e.runRules({ id: 'a', details: {} }, subject), 'auth_self');
  } finally { await e.close(); }
});

test('memory bomb and deep recursion are contained', async () => {
  const logs: string[] = [];
  const e = await engine({ memoryLimitBytes: 16 * 1024 * 1024 }, logs);
  try {
    assert.equal(await e.runRules({ id: 'bomb', details: {} }, subject), 'no');
    assert.ok(!logs.some((l) => /runaway|terminating its worker/i.test(l)), 'stopped by the memory limit, not the runaway timer');
    assert.ok(logs.includes('Error evaluating authorization rules: InternalError: out of memory'), logs.join('\n'));
    assert.equal(await e.runRules({ id: 'stack', details: {} }, subject), 'no');
    assert.equal(await e.runRules({ id: 'ok', details: {} }, subject), 'yes');
  } finally { await e.close(); }
});

test('a thread stuck in a host call is terminated and replaced', async () => {
  const logs: string[] = [];
  const e = await engine({ runawayMs: 300, workers: 2 }, logs);
  try {
    assert.equal(await e.runRules({ id: 'hang', details: {} }, subject), 'no');
    assert.ok(logs.some((l) => /terminating its worker/.test(l)), logs.join('\n'));
    assert.equal(await e.runRules({ id: 'ok', details: {} }, subject), 'yes');
  } finally { await e.close(); }
});

test('slow rule in one worker does not block another request', async () => {
  const e = await engine({ workers: 2 });
  try {
    const order: string[] = [];
    const slow = e.runRules({ id: 'slow', details: {} }, subject).then((v) => { order.push('slow'); return v; });
    assert.equal(await e.runRules({ id: 'ok', details: {} }, subject), 'yes');
    order.push('quick');
    assert.equal(await slow, 'auth_self');
    assert.deepEqual(order, ['quick', 'slow'], 'the quick answer came while the slow rule still ran');
  } finally { await e.close(); }
});

test('bounded queue rejects when full; close rejects new work', async () => {
  const e = await engine({ workers: 1, maxQueue: 1 });
  try {
    const a = e.runRules({ id: 'slow', details: {} }, subject);
    const b = e.runRules({ id: 'ok', details: {} }, subject);
    await assert.rejects(e.runRules({ id: 'ok', details: {} }, subject), /queue is full/);
    assert.equal(await a, 'auth_self');
    assert.equal(await b, 'yes');
  } finally { await e.close(); }
  await assert.rejects(e.runRules({ id: 'ok', details: {} }, subject), /closed/);
});

test('spawn timeout configurable; message format', async () => {
  const logs: string[] = [];
  const e = await engine({ spawnTimeoutMs: 1000 }, logs);
  try {
    assert.equal(await e.runRules({ id: 'spawn_timeout', details: {} }, subject), 'no');
    assert.ok(logs.includes('Error: Error spawning helper: Timed out after 1 seconds (g-io-error-quark, 24)'), logs.join('\n'));
  } finally { await e.close(); }
  assert.equal(timeoutMessage(10_000), 'Error spawning helper: Timed out after 10 seconds (g-io-error-quark, 24)');
  assert.match(execFailureMessage('/x', 'EACCES'), /\(Permission denied\) \(g-exec-error-quark, 3\)$/);
});

test('reload swaps rules; bad subject is refused with no', async () => {
  const logs: string[] = [];
  const e = await engine({}, logs);
  try {
    assert.equal(await e.runRules({ id: 'ok', details: {} }, subject), 'yes');
    await e.reload([{ path: '/etc/polkit-1/rules.d/1.rules', content: 'polkit.addRule(function(){ return "auth_admin"; });' }]);
    assert.equal(e.loadedCount, 1);
    assert.equal(await e.runRules({ id: 'ok', details: {} }, subject), 'auth_admin');
    assert.equal(await e.runRules({ id: 'ok', details: {} }, { ...subject, uid: 4294967296 }), 'no');
    assert.equal(await e.runRules({ id: 'ok', details: {} }, { ...subject, uid: -1 }), 'no');
    assert.ok(logs.some((l) => /bad subject uid/.test(l)));
  } finally { await e.close(); }
});

test('netgroup output parsing (innetgr semantics)', () => {
  assert.equal(netgroupOutputHasUser('foo (host1,john,dom) (-,sally,)', 'john'), true);
  assert.equal(netgroupOutputHasUser('foo (host1,john,dom) (-,sally,)', 'bob'), false);
  assert.equal(netgroupOutputHasUser('foo (host1,,dom)', 'bob'), true, 'empty user field is a wildcard');
  assert.equal(netgroupOutputHasUser('foo (host1,-,dom)', 'bob'), false);
  assert.equal(netgroupOutputHasUser('', 'bob'), false);
});
