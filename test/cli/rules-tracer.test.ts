// RulesTracer (policy/, used by `trustpath explain`) decides exactly as the daemon's
// RulesEngine: the whole polkit JS-authority table of test/policy through both, plus
// what only the tracer reports (file:line of each rule function, file loads).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { RULES_DIRS, selectRulesFiles, RulesEngine, RulesTracer, type RulesSubject } from '../../policy/src/index.js';
import { listings, read, expected } from '../policy/fixture-tree.js';

/** The subjects of test/policy's table (john is in group users). */
function subjectFor(user: string, uid: number): RulesSubject {
  return { pid: 4242, user, uid, groups: user === 'john' ? ['john', 'users'] : [user], seat: 'seat0', session: 'c1', local: true, active: true };
}

type Row = [kind: 'rules' | 'admin', id: string, details: Record<string, string>, user: string, uid: number, want: unknown];

const files = read(selectRulesFiles(listings(RULES_DIRS)));
const quiet = (): void => {};
const enginePromise = RulesEngine.start({ files, log: quiet, workers: 1 });
const tracerPromise = RulesTracer.start({ files, log: quiet });
after(async () => { await Promise.all([(await enginePromise).close(), (await tracerPromise).close()]); });

test('the tracer and the engine give the same answers over the polkit fixture table', async () => {
  const [engine, tracer] = await Promise.all([enginePromise, tracerPromise]);
  for (const [kind, id, details, user, uid, want] of expected<Row[]>('expected-rules.json')) {
    const subject = subjectFor(user, uid);
    const action = { id, details };
    const fromEngine = kind === 'rules' ? await engine.runRules(action, subject) : await engine.runAdminRules(action, subject);
    const traced = kind === 'rules' ? (await tracer.traceRules(action, subject)).result : (await tracer.traceAdminRules(action, subject)).identities;
    assert.deepEqual(traced, fromEngine, `${kind} ${id} for ${user}`);
    assert.deepEqual(traced, want, `${kind} ${id} for ${user}`);
  }
});

test('loads name the file with the syntax error and count each file\'s rules', async () => {
  const tracer = await tracerPromise;
  const bad = tracer.loads.find((l) => l.path.endsWith('15-syntax-error.rules'));
  assert.equal(bad?.ok, false);
  assert.match(bad?.error ?? '', /^SyntaxError/);
  assert.deepEqual(tracer.loads.map((l) => l.path), files.map((f) => f.path));
  assert.ok(tracer.loads.filter((l) => l.ok).every((l) => l.rules + l.adminRules > 0));
});

test('every traced step carries the file and line of its function; the decider is the first truthy return', async () => {
  const tracer = await tracerPromise;
  const t = await tracer.traceRules({ id: 'net.company.group.variables', details: { foo: '2' } }, subjectFor('john', 500));
  assert.equal(t.result, 'auth_self');
  const d = t.steps[t.decidedBy ?? -1];
  assert.ok(d !== undefined);
  assert.equal(d.returned?.text, 'auth_self');
  const content = files.find((f) => f.path === d.file)?.content ?? '';
  assert.match(content.split('\n')[d.line - 1] ?? '', /polkit\.addRule\(function/);
  assert.ok(t.steps.slice(0, t.decidedBy).every((s) => s.returned?.truthy === false));
});
