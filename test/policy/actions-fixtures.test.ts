import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POLICY_DIRS, selectPolicyFiles, buildActionPool } from '../../policy/src/index.js';
import { listings, read, expected } from './fixture-tree.js';

interface Expect {
  files: string[];
  actions: Record<string, { any: string; inactive: string; active: string; description: string; file: string }>;
  skippedWithLog: string[];
}

test('fixture tree: file order, shadowing, bad files skipped alone, defaults', () => {
  const want = expected<Expect>('expected-actions.json');
  const files = selectPolicyFiles(listings(POLICY_DIRS));
  assert.deepEqual(files, want.files);
  const logs: string[] = [];
  const pool = buildActionPool(read(files), (m) => logs.push(m));
  assert.deepEqual([...pool.keys()].sort(), Object.keys(want.actions).sort());
  for (const [id, w] of Object.entries(want.actions)) {
    const a = pool.get(id);
    assert.ok(a, id);
    assert.equal(a.implicitAny, w.any, id);
    assert.equal(a.implicitInactive, w.inactive, id);
    assert.equal(a.implicitActive, w.active, id);
    assert.equal(a.description.untranslated, w.description, id);
    assert.equal(a.file, w.file, id);
  }
  assert.equal(logs.length, want.skippedWithLog.length, logs.join('\n'));
  for (const name of want.skippedWithLog) assert.ok(logs.some((l) => l.includes(name)), `no log line for ${name}`);
  assert.ok(logs.some((l) => /bad-xxe\.policy.*internal subset/.test(l)));
  assert.ok(logs.some((l) => /bad-deep\.policy.*nested deeper/.test(l)));
  assert.ok(logs.some((l) => /bad-unknown-default\.policy.*'sometimes'/.test(l)));
  assert.equal(pool.get('org.example.good.one')?.annotations.get('org.freedesktop.policykit.exec.path'), '/usr/bin/example');
});
