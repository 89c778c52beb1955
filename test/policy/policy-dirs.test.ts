import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectPolicyFiles, selectRulesFiles } from '../../policy/src/policy-dirs.js';
import { POLICY_DIRS, RULES_DIRS } from '../../policy/src/actions.js';

test('policy files: /etc first, basename shadowing, only *.policy, no dot/hash names', () => {
  const listings = new Map<string, string[]>([
    ['/usr/share/polkit-1/actions', ['b.policy', 'a.policy', '.hidden.policy', '#x.policy', 'readme.txt']],
    ['/etc/polkit-1/actions', ['b.policy']],
    ['/usr/local/share/polkit-1/actions', ['c.policy', 'a.policy']],
  ]);
  assert.deepEqual(selectPolicyFiles(listings), [
    '/etc/polkit-1/actions/b.policy',
    '/usr/local/share/polkit-1/actions/a.policy',
    '/usr/local/share/polkit-1/actions/c.policy',
  ]);
  assert.equal(POLICY_DIRS[0], '/etc/polkit-1/actions');
  assert.equal(POLICY_DIRS.length, 4);
});

test('rules files: all run, sorted by basename, ties by directory order', () => {
  const listings = new Map<string, string[]>([
    ['/usr/share/polkit-1/rules.d', ['50-default.rules', '10-a.rules', 'x.txt']],
    ['/run/polkit-1/rules.d', ['50-default.rules']],
    ['/etc/polkit-1/rules.d', ['50-default.rules', '90-z.rules', '.swp.rules']],
    ['/usr/local/share/polkit-1/rules.d', ['50-default.rules', '20-b.rules']],
  ]);
  assert.deepEqual(selectRulesFiles(listings), [
    '/usr/share/polkit-1/rules.d/10-a.rules',
    '/usr/local/share/polkit-1/rules.d/20-b.rules',
    '/etc/polkit-1/rules.d/50-default.rules',
    '/run/polkit-1/rules.d/50-default.rules',
    '/usr/local/share/polkit-1/rules.d/50-default.rules',
    '/usr/share/polkit-1/rules.d/50-default.rules',
    '/etc/polkit-1/rules.d/90-z.rules',
  ]);
  assert.equal(RULES_DIRS.length, 4);
});
