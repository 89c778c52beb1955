import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localeVariants } from '../../policy/src/actions.js';
import { isValidActionId, isValidIconName } from '../../policy/src/policy-parser.js';
import { validateRequest } from '../../policy/src/rules-request.js';
import { RulesEngine } from '../../policy/src/index.js';

test('locale variants, most specific first', () => {
  assert.deepEqual(localeVariants('da_DK.UTF-8@euro'), [
    'da_DK.UTF-8@euro', 'da_DK@euro', 'da.UTF-8@euro', 'da@euro', 'da_DK.UTF-8', 'da_DK', 'da.UTF-8', 'da',
  ]);
  assert.deepEqual(localeVariants('de'), ['de']);
});

test('action ids and icon names', () => {
  for (const ok of ['org.freedesktop.policykit.exec', 'com.1password.1Password.unlock', 'a', 'org.x-y.z_w']) assert.ok(isValidActionId(ok), ok);
  for (const bad of ['', '.org', 'org.', 'org..x', 'org x', 'org/x', '-org.x', 'org.x\n']) assert.ok(!isValidActionId(bad), bad);
  assert.ok(isValidIconName('network-wireless'));
  for (const bad of ['', '/usr/share/x', 'x.png', 'a b', '.hidden']) assert.ok(!isValidIconName(bad), bad);
});

test('requests are checked before crossing into a worker', () => {
  const s = { pid: 1, user: 'u', uid: 4294967295, groups: ['g'], seat: '', session: '', local: true, active: false };
  assert.equal(validateRequest({ id: 'a.b', details: { k: 'v' } }, s), undefined);
  assert.equal(validateRequest({ id: 'a.b', details: {} }, { ...s, uid: 4294967296 }), 'bad subject uid');
  assert.equal(validateRequest({ id: 'a.b', details: {} }, { ...s, uid: 1.5 }), 'bad subject uid');
  assert.equal(validateRequest({ id: '', details: {} }, s), 'bad action id');
  assert.equal(validateRequest({ id: 'a', details: { k: 1 as unknown as string } }, s), "bad action detail 'k'");
  assert.equal(validateRequest({ id: 'a', details: {} }, { ...s, groups: [1 as unknown as string] }), 'bad subject groups');
});

test('no rules files: nothing handled, admin fallback', async () => {
  const e = await RulesEngine.start({ files: [], log: () => {} });
  try {
    assert.equal(e.loadedCount, 0);
    const s = { pid: 1, user: 'u', uid: 2147483648, groups: [], seat: '', session: '', local: true, active: true };
    assert.equal(await e.runRules({ id: 'a.b', details: {} }, s), null);
    assert.deepEqual(await e.runAdminRules({ id: 'a.b', details: {} }, s), ['unix-user:0']);
  } finally { await e.close(); }
});

test('overlapping reloads: the newest wins', async () => {
  const rule = (r: string) => [{ path: '/etc/polkit-1/rules.d/1.rules', content: `polkit.addRule(function(){ return "${r}"; });` }];
  const e = await RulesEngine.start({ files: rule('no'), log: () => {} });
  try {
    await Promise.all([e.reload(rule('auth_self')), e.reload(rule('yes'))]);
    const s = { pid: 1, user: 'u', uid: 1, groups: [], seat: '', session: '', local: true, active: true };
    assert.equal(await e.runRules({ id: 'a.b', details: {} }, s), 'yes');
  } finally { await e.close(); }
});
