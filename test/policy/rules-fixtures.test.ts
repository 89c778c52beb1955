import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { RULES_DIRS, selectRulesFiles, RulesEngine, DEFAULT_RUNAWAY_MS, type RulesSubject } from '../../policy/src/index.js';
import { listings, read, expected } from './fixture-tree.js';

type Row = [kind: 'rules' | 'admin', id: string, details: Record<string, string>, user: string, uid: number, want: unknown];

export function subjectFor(user: string, uid: number, extra: Partial<RulesSubject> = {}): RulesSubject {
  const groups = user === 'john' ? ['john', 'users'] : [user];
  return { pid: 4242, user, uid, groups, seat: 'seat0', session: 'c1', local: true, active: true, ...extra };
}

const logs: string[] = [];
const files = read(selectRulesFiles(listings(RULES_DIRS)));
const enginePromise = RulesEngine.start({ files, log: (m) => logs.push(m), workers: 3 });
after(async () => { await (await enginePromise).close(); });

test('rules load order by basename, ties /etc before /usr; syntax error skipped alone', async () => {
  assert.deepEqual(files.map((f) => f.path), [
    '/usr/share/polkit-1/rules.d/05-first.rules',
    '/etc/polkit-1/rules.d/10-testing.rules',
    '/usr/share/polkit-1/rules.d/10-testing.rules',
    '/etc/polkit-1/rules.d/15-syntax-error.rules',
  ]);
  const engine = await enginePromise;
  assert.equal(engine.loadedCount, 3);
  assert.ok(logs.some((l) => /^Error compiling script \/etc\/polkit-1\/rules\.d\/15-syntax-error\.rules: SyntaxError/.test(l)), logs.join('\n'));
  assert.equal(engine.runawayMs, 15000, 'the 15 s runaway limit is the default');
  assert.equal(DEFAULT_RUNAWAY_MS, 15000);
});

test('table of expected results (polkit JS authority cases)', async () => {
  const engine = await enginePromise;
  for (const [kind, id, details, user, uid, want] of expected<Row[]>('expected-rules.json')) {
    const subject = subjectFor(user, uid);
    const got = kind === 'rules' ? await engine.runRules({ id, details }, subject) : await engine.runAdminRules({ id, details }, subject);
    assert.deepEqual(got, want, `${kind} ${id} for ${user}`);
  }
  assert.ok(logs.includes("Returned result `maybe' is not valid"));
  assert.ok(logs.some((l) => l === 'Error evaluating authorization rules: Error: rule boom'), logs.join('\n'));
  assert.ok(logs.some((l) => l.startsWith("Identity `bogus' is not valid, ignoring")));
});

test('spawn error texts are polkit\'s', async () => {
  const engine = await enginePromise;
  const s = subjectFor('john', 500);
  for (const id of ['non_existing_helper', 'helper_with_stderr', 'helper_signaled', 'failing_helper']) {
    await engine.runRules({ id: `net.company.spawning.${id}`, details: {} }, s);
  }
  const spawnLogs = logs.filter((l) => l.startsWith('SPAWN '));
  assert.ok(spawnLogs.includes('SPAWN Error: Error spawning helper: Error spawning: Failed to execute child process \u201c/path/to/non/existing/helper\u201d (No such file or directory) (g-exec-error-quark, 8)'), spawnLogs.join('\n'));
  assert.ok(spawnLogs.includes("SPAWN Error: Helper exited with non-zero exit status 3, stdout=`out\n', stderr=`err\n'"), spawnLogs.join('\n'));
  assert.ok(spawnLogs.includes("SPAWN Error: Helper was signaled with signal SIGTERM (15), stdout=`', stderr=`'"), spawnLogs.join('\n'));
  assert.ok(spawnLogs.includes("SPAWN Error: Helper exited with non-zero exit status 1, stdout=`', stderr=`'"), spawnLogs.join('\n'));
});

test('Action and Subject toString, system_unit and no_new_privileges', async () => {
  const engine = await enginePromise;
  assert.equal(await engine.runRules({ id: 'net.company.tostring', details: { foo: 'bar' } }, subjectFor('2147483648', 2147483648)), 'yes');
  assert.ok(logs.includes("ACTION [Action id='net.company.tostring' foo='bar'] SUBJECT [Subject pid=4242 user='2147483648' groups=2147483648 seat='seat0' session='c1' local=true active=true uid=2147483648]"),
    logs.filter((l) => l.startsWith('ACTION')).join('\n'));
  const unit = subjectFor('john', 500, { system_unit: 'foo.service', no_new_privileges: true });
  assert.equal(await engine.runRules({ id: 'net.company.system_unit', details: {} }, unit), 'yes');
  assert.equal(await engine.runRules({ id: 'net.company.system_unit', details: {} }, subjectFor('john', 500)), 'no');
});

test('spawn timeout after 10 s gives polkit\'s exact message, and does not block other requests', async () => {
  const engine = await enginePromise;
  const started = Date.now();
  const slow = engine.runRules({ id: 'net.company.spawning.helper_timeout', details: {} }, subjectFor('john', 500));
  const quick = await engine.runRules({ id: 'net.company.order0', details: {} }, subjectFor('john', 500));
  assert.equal(quick, 'yes');
  assert.ok(Date.now() - started < 5000, 'a quick request is answered while a spawn is running');
  assert.equal(await slow, 'yes');
  assert.ok(Date.now() - started >= 9500);
  assert.ok(logs.includes('SPAWN Error: Error spawning helper: Timed out after 10 seconds (g-io-error-quark, 24)'));
});
