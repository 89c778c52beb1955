// `trustpath explain` as a real process (bin/trustpath) against a fixture tree in
// isolation (--no-system-dirs) and real users from the user database: the printed
// decision and the deciding file:line, exit statuses, and bad options.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ensureTestUser, type TestUser } from '../support/users.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = `${ROOT}bin/trustpath`;
const FIX = `${ROOT}test/cli/fixtures`;
const TREE = ['--no-system-dirs', '--actions-dir', `${FIX}/a-actions`, '--actions-dir', `${FIX}/b-actions`,
  '--rules-dir', `${FIX}/rules-a`, '--rules-dir', `${FIX}/rules-b`];
const RULES = `${FIX}/rules-a/10-tests.rules`;
const USAGE = /^Usage: trustpath explain --action ID --user NAME/m;

interface Run { code: number; stdout: string; stderr: string }

function run(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(BIN, args, { timeout: 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const explain = (action: string, user: string, ...more: string[]): Promise<Run> =>
  run(['explain', ...TREE, '--action', `org.trustpath.test.${action}`, '--user', user, ...more]);

/** "FILE:LINE" of the addRule call marked `// @marker` in a fixture rules file. */
function at(marker: string, file = RULES): string {
  const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.trimEnd().endsWith(`// @${marker}`));
  assert.ok(line >= 0, `marker @${marker} in ${file}`);
  return `${file}:${line + 1}`;
}

function decided(r: Run): string {
  return /^Decided by: (.*)$/m.exec(r.stdout)?.[1] ?? `(no decision line) ${r.stderr}`;
}

let adm: TestUser;
let usr: TestUser;
before(() => {
  adm = ensureTestUser('tptexp-adm', 'tpt-explain-pw-1', { groups: ['tptexpadm'] });
  usr = ensureTestUser('tptexp-usr', 'tpt-explain-pw-2');
});

test('a rule that allows by group decides for a member; others get the implicit challenge and the admin group', async () => {
  const [member, other] = await Promise.all([explain('group', adm.name), explain('group', usr.name)]);
  assert.equal(member.code, 0, member.stdout + member.stderr);
  assert.match(member.stdout, /^Result: yes$/m);
  assert.equal(decided(member), `rule ${at('group')} returned "yes"`);
  assert.equal(other.code, 2, other.stdout + other.stderr);
  assert.match(other.stdout, /^Result: auth_admin$/m);
  assert.equal(decided(other), `implicit authorization allow_active in ${FIX}/a-actions/org.trustpath.test.policy (no rule returned a value)`);
  assert.ok(other.stdout.includes(`${at('admin')}  returned object ["unix-group:tptexpadm"]   <- decides`), other.stdout);
  assert.match(other.stdout, new RegExp(`^Identities offered: unix-user:tptexp-adm \\(uid ${adm.uid}\\)$`, 'm'));
});

test('admin rules see the details too', async () => {
  const r = await explain('group', usr.name, '--detail', 'admins=self');
  assert.equal(r.code, 2);
  assert.ok(r.stdout.includes(`${at('admin-detail')}  returned object ["unix-user:tptexp-usr"]   <- decides`), r.stdout);
  assert.match(r.stdout, new RegExp(`^Identities offered: unix-user:tptexp-usr \\(uid ${usr.uid}\\)$`, 'm'));
});

test('the implicit authorization follows the session state; auth_self offers the subject', async () => {
  const [active, inactive, remote] = await Promise.all([
    explain('plain', usr.name), explain('plain', usr.name, '--inactive'), explain('plain', usr.name, '--remote')]);
  assert.equal(active.code, 2);
  assert.match(active.stdout, /^2\. Implicit authorization: allow_active = auth_admin_keep$/m);
  assert.match(active.stdout, /^Result: auth_admin_keep$/m);
  assert.equal(inactive.code, 2);
  assert.match(inactive.stdout, /^Result: auth_self$/m);
  assert.match(inactive.stdout, /local=true active=false/);
  assert.match(inactive.stdout, new RegExp(`^Identities offered: unix-user:tptexp-usr \\(uid ${usr.uid}\\)$`, 'm'));
  assert.equal(remote.code, 1);
  assert.match(remote.stdout, /^Result: no$/m);
  assert.match(decided(remote), /^implicit authorization allow_any in /);
});

test('details reach action.lookup()', async () => {
  const [open, closed, none] = await Promise.all([
    explain('detail', usr.name, '--detail', 'mode=open'), explain('detail', usr.name, '--detail', 'mode=closed'),
    explain('detail', usr.name)]);
  assert.equal(open.code, 0);
  assert.equal(decided(open), `rule ${at('detail')} returned "yes"`);
  assert.equal(closed.code, 1);
  assert.equal(decided(closed), `rule ${at('detail')} returned "no"`);
  assert.equal(none.code, 2);
  assert.match(none.stdout, /^Result: auth_self$/m);
});

test('subject.local and subject.active as rules see them', async () => {
  const [active, inactive, remote] = await Promise.all([
    explain('local', usr.name), explain('local', usr.name, '--inactive'), explain('local', usr.name, '--remote')]);
  assert.deepEqual([active.code, inactive.code, remote.code], [0, 1, 1]);
  assert.equal(decided(active), `rule ${at('local')} returned "yes"`);
  assert.equal(decided(remote), `rule ${at('local')} returned "no"`);
});

test('a throwing rule denies although a later rule would allow; the syntax error file is skipped alone', async () => {
  const [plain, all] = await Promise.all([explain('throws', usr.name), explain('throws', usr.name, '--all-rules')]);
  assert.equal(plain.code, 1, plain.stdout);
  assert.equal(decided(plain), `rule ${at('throws')} threw Error: rule boom (a throwing rule denies)`);
  assert.ok(plain.stdout.includes(`${at('throws')}  threw Error: rule boom   <- decides`), plain.stdout);
  assert.match(plain.stdout, /^ {5}5 later rule functions not run/m);
  assert.match(plain.stdout, new RegExp(`skipped file ${FIX}/rules-a/15-syntax\\.rules: SyntaxError`));
  assert.match(plain.stdout, /^ {7}log: quiet rule saw org\.trustpath\.test\.throws$/m);
  assert.equal(all.code, 1, 'rules after the decision do not count');
  const later = at('later', `${FIX}/rules-b/20-later.rules`);
  assert.ok(all.stdout.includes(`${later}  returned "yes"   (after the decision: does not count)`), all.stdout);
});

test('a runaway rule is stopped at the configured limit and denies', async () => {
  const r = await explain('runaway', usr.name, '--runaway-ms', '300');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(decided(r), `rule ${at('runaway')} ran into the runaway limit (denies)`);
  assert.ok(r.stdout.includes(`${at('runaway')}  ran away: `), r.stdout);
  assert.match(r.stdout, /runaway limit 300 ms/);
});

test('a rule stuck in polkit.spawn past the limit: its worker is terminated, the rule named, the answer no', async () => {
  const dir = mkdtempSync(`${tmpdir()}/tpt-explain-`);
  try {
    writeFileSync(`${dir}/10-slow.rules`, '\npolkit.addRule(function (action, subject) { polkit.spawn(["sleep", "5"]); return "yes"; });\n');
    const r = await run(['explain', '--no-system-dirs', '--actions-dir', `${FIX}/a-actions`, '--rules-dir', dir,
      '--action', 'org.trustpath.test.plain', '--user', usr.name, '--runaway-ms', '300']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(decided(r), `rule ${dir}/10-slow.rules:2 ran into the runaway limit (denies)`);
    assert.match(r.stdout, /10-slow\.rules:2 {2}terminated: still running 3300 ms after the rules started; worker terminated/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an invalid result denies and says why', async () => {
  const r = await explain('invalid', usr.name);
  assert.equal(r.code, 1);
  assert.equal(decided(r), `rule ${at('invalid')} returned "maybe", not a valid result (denies)`);
  assert.match(r.stdout, /log: Returned result `maybe' is not valid/);
});

test('imply: an implying action that is authorized authorizes, one level deep', async () => {
  const [active, remote] = await Promise.all([explain('implied', usr.name), explain('implied', usr.name, '--remote')]);
  assert.equal(active.code, 0, active.stdout);
  assert.match(decided(active), /^implied by org\.trustpath\.test\.master: implicit authorization allow_active in /);
  assert.equal(remote.code, 1);
  assert.match(remote.stdout, /^ {3}org\.trustpath\.test\.master:$/m);
});

test('shadowing: the file of an earlier directory wins and is named', async () => {
  const r = await explain('shadowed', usr.name);
  assert.equal(r.code, 0);
  assert.match(r.stdout, new RegExp(`^ {2}defined in {2}${FIX}/a-actions/shadow\\.policy$`, 'm'));
  assert.match(r.stdout, new RegExp(`^ {2}shadowed {4}${FIX}/b-actions/shadow\\.policy also defines it but is not read \\(${FIX}/a-actions/shadow\\.policy has the same file name`, 'm'));
  assert.match(r.stdout, /skipped: Error parsing policy file .*broken\.policy/);
});

test('an action defined only in a shadowed file is unknown, and explain says which file hides it', async () => {
  const r = await explain('hidden', usr.name);
  assert.equal(r.code, 3);
  assert.equal(r.stderr, `trustpath explain: Action org.trustpath.test.hidden is not registered; ${FIX}/b-actions/hidden.policy ` +
    `defines it but is not read: ${FIX}/a-actions/hidden.policy has the same file name and comes first\n`);
});

test('a file the daemon could not read is named and skipped; a missing directory is said', async () => {
  const dir = mkdtempSync(`${tmpdir()}/tpt-explain-`);
  try {
    execFileSync('mkfifo', [`${dir}/30-fifo.rules`]);
    const r = await explain('group', adm.name, '--rules-dir', dir, '--actions-dir', `${dir}/none`);
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^ {2}Error reading ${dir}/30-fifo\\.rules, skipping it: not a regular file$`, 'm'));
    assert.match(r.stdout, new RegExp(`^Actions from: .*, ${dir}/none \\(missing\\)$`, 'm'));
    assert.match(r.stderr, /^trustpath explain: warning: part of the policy tree could not be read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('root: the shortcut, unless --always-check', async () => {
  const [root, always] = await Promise.all([explain('group', 'root'), explain('group', 'root', '--always-check')]);
  assert.equal(root.code, 0);
  assert.equal(decided(root), 'root shortcut (uid 0)');
  assert.equal(always.code, 2);
  assert.match(always.stdout, /^1\. Root shortcut: disabled by --always-check$/m);
});

test('rules run as the trustpath user, as in the daemon (polkit.spawn sees it)', async () => {
  const r = await explain('spawn', usr.name, '--json');
  const j = JSON.parse(r.stdout) as { rulesUser: string; exitCode: number; decidedBy: { kind: string; line: number } };
  assert.equal(j.rulesUser, 'trustpath');
  assert.equal(r.code, 0, r.stdout);
  assert.equal(j.decidedBy.kind, 'rule');
});

test('--json: the decision with file and line, the subject, the tree', async () => {
  const r = await explain('group', adm.name, '--json', '--pid', '4242', '--seat', 'seat0', '--session', 'c7');
  assert.equal(r.code, 0);
  const j = JSON.parse(r.stdout) as {
    result: string; authorized: boolean; exitCode: number; decidedBy: { kind: string; file: string; line: number };
    subject: { pid: number; uid: number; groups: string[]; seat: string; session: string };
    rulesLoads: { path: string; ok: boolean }[]; tree: { shadowed: { path: string; by: string }[] };
  };
  assert.equal(j.result, 'yes');
  assert.equal(j.authorized, true);
  assert.equal(j.exitCode, 0);
  assert.equal(`${j.decidedBy.file}:${j.decidedBy.line}`, at('group'));
  assert.deepEqual([j.subject.pid, j.subject.uid, j.subject.seat, j.subject.session], [4242, adm.uid, 'seat0', 'c7']);
  assert.ok(j.subject.groups.includes('tptexpadm'));
  assert.deepEqual(j.rulesLoads.map((l) => [l.path.slice(FIX.length), l.ok]),
    [['/rules-a/10-tests.rules', true], ['/rules-a/15-syntax.rules', false], ['/rules-b/20-later.rules', true]]);
  assert.deepEqual(j.tree.shadowed, [
    { path: `${FIX}/b-actions/hidden.policy`, by: `${FIX}/a-actions/hidden.policy` },
    { path: `${FIX}/b-actions/shadow.policy`, by: `${FIX}/a-actions/shadow.policy` }]);
});

test('uids above 2^31 end to end: by name or by uid, in rules and in the JSON subject', async () => {
  const big = ensureTestUser('tptexp-big', 'tpt-explain-pw-3', { uid: 4000000000 });
  assert.equal(big.uid, 4000000000);
  const [byName, byUid] = await Promise.all([explain('bigid', big.name, '--json'), explain('bigid', '4000000000')]);
  assert.equal(byName.code, 0, byName.stdout);
  const j = JSON.parse(byName.stdout) as { subject: { uid: number; user: string }; decidedBy: { file: string; line: number } };
  assert.deepEqual([j.subject.uid, j.subject.user], [4000000000, 'tptexp-big']);
  assert.equal(`${j.decidedBy.file}:${j.decidedBy.line}`, at('bigid'));
  assert.equal(byUid.code, 0, byUid.stdout);
  assert.match(byUid.stdout, /^Subject unix-process pid \d+: user tptexp-big uid 4000000000,/m);
});

test('unknown action and unknown user are clear errors', async () => {
  const [action, user] = await Promise.all([
    run(['explain', ...TREE, '--action', 'org.trustpath.test.nope', '--user', usr.name]),
    explain('plain', 'tptexp-no-such-user')]);
  assert.equal(action.code, 3);
  assert.equal(action.stderr, 'trustpath explain: Action org.trustpath.test.nope is not registered\n');
  assert.equal(user.code, 4);
  assert.equal(user.stderr, "trustpath explain: No such user 'tptexp-no-such-user'\n");
});

test('bad options exit 126 with a usage line', async () => {
  const cases: string[][] = [
    ['--bogus'], [], ['--action', 'a'], ['--user', 'root'], ['--action'], ['--action', 'a', '--user', 'root', '--inactive', '--remote'],
    ['--action', 'a', '--user', 'root', '--detail', 'novalue'], ['--action', 'a', '--user', 'root', '--pid', 'abc'],
    ['--action', 'a', '--action', 'b', '--user', 'root'], ['--json=1', '--action', 'a', '--user', 'root'],
    ['--action', 'a', '--user', 'root', '--runaway-ms', '0'], ['stray', '--action', 'a', '--user', 'root'],
  ];
  const results = await Promise.all(cases.map((c) => run(['explain', ...c])));
  results.forEach((r, i) => {
    assert.equal(r.code, 126, `explain ${cases[i]?.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^trustpath explain: .+\n/);
    assert.match(r.stderr, USAGE);
    assert.equal(r.stdout, '');
  });
});

test('top level: --help, --version, explain --help, no or unknown command', async () => {
  const [help, version, explainHelp, none, unknown] = await Promise.all([
    run(['--help']), run(['--version']), run(['explain', '--help']), run([]), run(['frobnicate'])]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^ {2}explain {3}/m);
  assert.equal(version.code, 0);
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
  assert.equal(version.stdout, `trustpath ${pkg.version}\n`);
  assert.equal(explainHelp.code, 0);
  assert.match(explainHelp.stdout, USAGE);
  assert.match(explainHelp.stdout, /^Exit status: 0 authorized/m);
  assert.equal(none.code, 126);
  assert.match(none.stderr, /a command is needed/);
  assert.equal(unknown.code, 126);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
});
