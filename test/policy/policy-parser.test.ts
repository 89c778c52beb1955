import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicyFile, PolicyParseError } from '../../policy/src/policy-parser.js';
import { buildActionPool } from '../../policy/src/action-pool.js';
import { localize, IMPLICIT_CODES } from '../../policy/src/actions.js';

const head = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE policyconfig PUBLIC "-//freedesktop//DTD PolicyKit Policy Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/PolicyKit/1/policyconfig.dtd">`;

const good = `${head}
<policyconfig>
  <vendor>Example</vendor>
  <vendor_url>https://example.org</vendor_url>
  <icon_name>example-icon</icon_name>
  <action id="org.example.one">
    <description>Do one</description>
    <description xml:lang="da">Gør en</description>
    <description xml:lang="da_DK">Gør en (DK)</description>
    <message gettext-domain="example">Authentication is required</message>
    <message xml:lang="de">Authentifizierung</message>
    <defaults><allow_any>no</allow_any><allow_inactive>auth_admin</allow_inactive><allow_active>auth_admin_keep</allow_active></defaults>
    <annotate key="org.freedesktop.policykit.exec.path">/usr/bin/x</annotate>
    <annotate key="org.freedesktop.policykit.imply">org.example.two</annotate>
    <unknown_element><nested/></unknown_element>
  </action>
  <action id="org.example.two">
    <vendor>Other</vendor>
    <icon_name>other</icon_name>
    <description>Two</description><message>M2</message>
    <defaults><allow_active>yes</allow_active></defaults>
  </action>
</policyconfig>`;

test('parses every element, annotations in order, file-level values inherited', () => {
  const [one, two] = parsePolicyFile({ path: '/x/a.policy', content: good });
  assert.ok(one && two);
  assert.equal(one.id, 'org.example.one');
  assert.equal(one.vendor, 'Example');
  assert.equal(one.vendorUrl, 'https://example.org');
  assert.equal(one.iconName, 'example-icon');
  assert.equal(one.implicitAny, 'no');
  assert.equal(one.implicitInactive, 'auth_admin');
  assert.equal(one.implicitActive, 'auth_admin_keep');
  assert.deepEqual([...one.annotations.keys()], ['org.freedesktop.policykit.exec.path', 'org.freedesktop.policykit.imply']);
  assert.equal(one.message.gettextDomain, 'example');
  assert.equal(one.file, '/x/a.policy');
  assert.equal(two.vendor, 'Other');
  assert.equal(two.vendorUrl, 'https://example.org');
  assert.equal(two.iconName, 'other');
  assert.equal(two.implicitAny, 'no', 'missing element defaults to no');
  assert.equal(two.implicitInactive, 'no');
  assert.equal(two.implicitActive, 'yes');
  assert.equal(IMPLICIT_CODES.auth_admin_keep, 4);
});

test('xml:lang selection: exact, variant, untranslated', () => {
  const [one] = parsePolicyFile({ path: '/x/a.policy', content: good });
  assert.ok(one);
  assert.equal(localize(one.description, 'da_DK'), 'Gør en (DK)');
  assert.equal(localize(one.description, 'da_DK.UTF-8'), 'Gør en (DK)');
  assert.equal(localize(one.description, 'da'), 'Gør en');
  assert.equal(localize(one.message, 'de_AT.UTF-8'), 'Authentifizierung');
  assert.equal(localize(one.description, 'fr_FR'), 'Do one');
  assert.equal(localize(one.description, ''), 'Do one');
  assert.equal(localize(one.description, 'C'), 'Do one');
});

function bad(content: string, pattern: RegExp): void {
  assert.throws(() => parsePolicyFile({ path: '/x/bad.policy', content }), (e: unknown) => {
    assert.ok(e instanceof PolicyParseError);
    assert.match(e.message, /^\/x\/bad\.policy: /);
    assert.match(e.message, pattern);
    return true;
  });
}

const wrap = (body: string) => `${head}<policyconfig>${body}</policyconfig>`;
const act = (inner: string, id = 'org.example.a') => wrap(`<action id="${id}"><description>d</description><message>m</message>${inner}</action>`);

test('rejects malformed files with a clear message', () => {
  bad(`${head}<policyconfig><action id="a.b">`, /XML error/);
  bad(act('<defaults><allow_any>maybe</allow_any></defaults>'), /invalid value 'maybe' for <allow_any>/);
  bad(act('', 'org..bad'), /invalid action id 'org\.\.bad'/);
  bad(act('', 'org.bad id'), /invalid action id/);
  bad(wrap('<action id="a.b" extra="1"></action>'), /exactly one attribute, id/);
  bad(wrap('<action></action>'), /exactly one attribute, id/);
  bad(act('<icon_name>../../etc/x.png</icon_name>'), /Icon name '..\/..\/etc\/x.png' is invalid/);
  bad(`${head}<other/>`, /root element is <other>/);
  bad('', /XML error|no <policyconfig>/);
  bad(act('<annotate>v</annotate>'), /<annotate> without key/);
});

test('deep nesting is bounded', () => {
  const deep = '<x>'.repeat(5000) + '</x>'.repeat(5000);
  bad(wrap(deep), /nested deeper than 32/);
});

test('no entity expansion: internal subset refused, external entities never fetched', () => {
  bad(`<?xml version="1.0"?><!DOCTYPE policyconfig [<!ENTITY xxe SYSTEM "file:///etc/shadow">]>
<policyconfig><action id="a.b"><description>&xxe;</description></action></policyconfig>`, /internal subset/);
  bad(`<?xml version="1.0"?><!DOCTYPE policyconfig [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>
<policyconfig/>`, /internal subset/);
  bad(wrap('<action id="a.b"><description>&xxe;</description><message>m</message></action>'), /XML error/);
});

test('buildActionPool: bad file skipped alone with a log line, later file wins', () => {
  const logs: string[] = [];
  const pool = buildActionPool([
    { path: '/etc/polkit-1/actions/a.policy', content: act('<defaults><allow_active>yes</allow_active></defaults>', 'org.dup') },
    { path: '/etc/polkit-1/actions/b.policy', content: act('<defaults><allow_any>bogus</allow_any></defaults>', 'org.bad') },
    { path: '/usr/share/polkit-1/actions/c.policy', content: act('<defaults><allow_active>auth_self</allow_active></defaults>', 'org.dup') },
  ], (m) => logs.push(m));
  assert.deepEqual([...pool.keys()], ['org.dup']);
  assert.equal(pool.get('org.dup')?.implicitActive, 'auth_self');
  assert.equal(pool.get('org.dup')?.file, '/usr/share/polkit-1/actions/c.policy');
  assert.equal(logs.length, 1);
  assert.match(logs[0] ?? '', /b\.policy.*invalid value 'bogus'/);
});
