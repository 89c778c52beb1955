// `npm run demo` end to end, as a user runs it (build/demo/demo.js as root): the
// transcript's numbered steps, the screenshots read back with tesseract, root at the
// end; on a machine whose system bus runs with polkitd on it (a mount namespace of
// the test's, see withSystemBusMachine) that bus keeps its id and polkitd its name;
// nothing of the demo outlives it (no process in its mount namespace, no display
// lock, no demo user), also when it is stopped with SIGINT while Xorg starts or the
// prompt is up. On "the user's own display" (an Xorg with the module the test starts,
// `--display :N`) the demo starts no Xorg and the test presses the SAK and types the
// password when asked, as a person would; a display it cannot use is an error with
// --display and a note (then the virtual display) with $DISPLAY.
// (Not the X socket: another test may take the display number at once.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { busConfig, SYSTEM_BUS_SOCKET } from '../support/bus.js';
import { POLKITD } from '../support/authority.js';
import { assertPhraseOnlyAfterSak, ocr } from '../support/screen.js';
import { KEYCODES, startXorg } from '../support/xorg.js';

const ROOT = new URL('../../..', import.meta.url).pathname; // build/test/demo -> repo
const DEMO = join(ROOT, 'build', 'demo', 'demo.js');
const OWN_NS = readlinkSync('/proc/self/ns/mnt');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** the mount namespace the demo ran its story in, and the pid of the story there */
  readonly ns: string | null;
  readonly inner: number | null;
  /** tp-demo-* scratch directories that existed before this run (another demo's, still running or killed) */
  readonly scratchBefore: readonly string[];
}

const scratchDirs = (): string[] => readdirSync(tmpdir()).filter((d) => d.startsWith('tp-demo-'));

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch { /* gone */ }
  }
  return out;
}

function pidsIn(ns: string): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).filter((n) => {
    try { return readlinkSync(`/proc/${n}/ns/mnt`) === ns; } catch { return false; }
  }).map(Number);
}

interface RunOptions {
  /** SIGINT once stdout matches */
  readonly interruptAt?: RegExp;
  /** a mount namespace (a process's) to run the demo in, as if it were the machine's */
  readonly inNamespaceOf?: number;
  /** the demo's arguments */
  readonly args?: readonly string[];
  /** $DISPLAY for the demo (default: none) */
  readonly display?: string;
  /** what a person does once stdout matches (each once, in order) */
  readonly person?: readonly (readonly [RegExp, () => Promise<void>])[];
}

/** Runs the demo as `npm run demo` would, after ensure.sh. */
async function runDemo(o: RunOptions = {}): Promise<Run> {
  const scratchBefore = scratchDirs();
  let interruptAt = o.interruptAt;
  const outerNs = o.inNamespaceOf ? readlinkSync(`/proc/${o.inNamespaceOf}/ns/mnt`) : OWN_NS;
  const argv = [...(o.inNamespaceOf ? ['nsenter', `--mount=/proc/${o.inNamespaceOf}/ns/mnt`, '--'] : []), process.execPath, DEMO, ...(o.args ?? [])];
  const env = { ...process.env };
  delete env['DISPLAY']; // the machine's display, if any, is not the test's
  if (o.display !== undefined) env['DISPLAY'] = o.display;
  const demo = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
  const person = [...(o.person ?? [])];
  let acting = Promise.resolve();
  let stdout = '';
  let stderr = '';
  let ns: string | null = null;
  let inner: number | null = null;
  demo.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    if (interruptAt?.test(stdout)) { interruptAt = undefined; demo.kill('SIGINT'); }
    while (person.length > 0 && person[0]![0].test(stdout)) {
      const act = person.shift()![1];
      acting = acting.then(act);
    }
  });
  demo.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  const closed = new Promise<number | null>((resolve) => demo.on('close', (code) => resolve(code)));
  let done = false;
  void closed.then(() => { done = true; });
  while (!done && ns === null) {
    for (const pid of childrenOf(demo.pid!)) {
      try {
        const theirs = readlinkSync(`/proc/${pid}/ns/mnt`);
        if (theirs !== outerNs && theirs !== OWN_NS) { ns = theirs; inner = pid; }
      } catch { /* not yet */ }
    }
    await sleep(20);
  }
  const code = await closed;
  await acting;
  return { code, stdout, stderr, ns, inner, scratchBefore };
}

function busCall(address: string, member: string, ...args: string[]): string | null {
  const r = spawnSync('dbus-send', [`--bus=${address}`, '--print-reply=literal', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus',
    `org.freedesktop.DBus.${member}`, ...args], { encoding: 'utf8', timeout: 3000 });
  return r.status === 0 ? r.stdout.trim() : null;
}


function assertNothingLeft(run: Run): void {
  assert.ok(run.ns, 'the demo ran in a mount namespace of its own');
  assert.deepEqual(pidsIn(run.ns!), [], 'no process is left in the demo namespace');
  assert.notEqual(spawnSync('getent', ['passwd', 'tpdemo']).status, 0, 'tpdemo does not exist outside the demo');
  const locks = '/tmp/trustpath-test-locks';
  const held = readdirSync(locks).filter((d) => {
    try { return Number(readFileSync(join(locks, d, 'pid'), 'utf8')) === run.inner; } catch { return false; }
  });
  assert.deepEqual(held, [], 'no display lock of the demo is left');
  assert.deepEqual(scratchDirs().filter((d) => !run.scratchBefore.includes(d)), [], 'the demo removed its scratch directory');
}

/**
 * A machine whose system bus runs, with polkitd on it, as on a desktop: a mount
 * namespace of this test whose /run/dbus is private and holds a dbus-daemon at the
 * system bus path (so the machine's own path and its lock stay free for other tests).
 * fn gets that dbus-daemon's pid (the namespace to run the demo in) and an address
 * that reaches the bus from here.
 */
async function withSystemBusMachine(fn: (busPid: number, address: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-demotest-'));
  mkdirSync(join(dir, 'run-dbus'));
  writeFileSync(join(dir, 'bus.conf'), busConfig(SYSTEM_BUS_SOCKET));
  mkdirSync('/run/dbus', { recursive: true, mode: 0o755 });
  const bus = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c',
    'mount --bind "$1" /run/dbus && exec dbus-daemon --config-file "$2" --nofork --nopidfile --print-address=1',
    'sh', join(dir, 'run-dbus'), join(dir, 'bus.conf')], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = once(bus, 'exit');
  let polkitd: ChildProcess | null = null;
  try {
    await Promise.race([once(bus.stdout, 'data'), exited.then(() => { throw new Error('the test bus did not start'); })]);
    // Root reaches the namespace's socket through the bus's /proc root; polkitd, once it
    // has dropped to its user, could not: it runs in the namespace.
    const address = `unix:path=/proc/${bus.pid}/root${SYSTEM_BUS_SOCKET}`;
    polkitd = spawn('nsenter', [`--mount=/proc/${bus.pid}/ns/mnt`, '--', POLKITD, '--no-debug'], { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    while (!busCall(address, 'GetNameOwner', 'string:org.freedesktop.PolicyKit1')) {
      if (Date.now() > deadline || polkitd.exitCode !== null) throw new Error('polkitd did not take its name on the test bus');
      await sleep(100);
    }
    await fn(bus.pid!, address);
  } finally {
    if (polkitd && polkitd.exitCode === null) { polkitd.kill('SIGTERM'); await once(polkitd, 'exit'); }
    bus.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

test('npm run demo: narrated steps, screenshots, root; nothing left', async () => {
  const started = Date.now();
  const run = await runDemo();
  assert.equal(run.code, 0, `the demo succeeds; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  const lines = run.stdout.trim().split('\n');
  const steps = lines.filter((l) => /^\d+\. /.test(l));
  assert.deepEqual(steps.map((l) => Number(l.split('.')[0])), steps.map((_, i) => i + 1), 'steps numbered 1, 2, 3, ...');
  assert.ok(steps.length >= 8, `at least 8 steps:\n${run.stdout}`);
  assert.match(lines.at(-1)!, /^Screenshots: /, 'the transcript ends with where the screenshots are');
  assert.match(run.stdout, /demo user 'tpdemo' \(uid \d+\) with the password 'opensesame'/);
  assert.match(run.stdout, /Typing before the SAK does nothing/);
  assert.match(run.stdout, /pkexec runs \/usr\/bin\/id as root: uid=0\(root\)/);
  assert.match(steps.at(-1)!, /\(no left-over processes\)/, 'the demo stopped what it started itself');

  const shots = [...lines.at(-1)!.matchAll(/(\/\S+?\.png)/g)].map((m) => m[1]!);
  assert.equal(shots.length, 2, `two screenshots: ${lines.at(-1)}`);
  for (const png of shots) assert.ok(statSync(png).mtimeMs >= started, `${png} was written by this run`);
  const request = ocr(shots[0]!);
  assert.match(request, /\/usr\/bin\/id/, `the request names the command; OCR read: ${request}`);
  assert.match(request, /Ctr\S?\s*\+\s*Alt\s*\+\s*Pause/i, `the prompt asks for the SAK; OCR read: ${request}`);
  const phrase = /phrase '([a-z ]+)'/.exec(run.stdout)?.[1];
  assert.ok(phrase, 'the transcript tells the secret phrase');
  assertPhraseOnlyAfterSak(request, ocr(shots[1]!), phrase);
  assertNothingLeft(run);
});

test('npm run demo where a system bus with polkitd runs: that bus keeps its id and polkitd its name', async () => {
  await withSystemBusMachine(async (busPid, address) => {
    const id = busCall(address, 'GetId');
    const owner = busCall(address, 'GetNameOwner', 'string:org.freedesktop.PolicyKit1');
    assert.ok(id && owner, 'the bus answers and polkitd owns org.freedesktop.PolicyKit1 there');
    const run = await runDemo({ inNamespaceOf: busPid });
    assert.equal(run.code, 0, `the demo succeeds; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    assert.match(run.stdout, /uid=0\(root\)/);
    assert.match(run.stdout, new RegExp(`the system bus at /run/dbus/system_bus_socket \\(id ${id}\\) never saw the demo.*owned as before \\(${owner.replace(/[.]/g, '\\.')}\\)`));
    assert.equal(busCall(address, 'GetId'), id, 'the same system bus answers afterwards');
    assert.equal(busCall(address, 'GetNameOwner', 'string:org.freedesktop.PolicyKit1'), owner, 'polkitd still owns its name');
    assertNothingLeft(run);
  });
});

test('npm run demo -- --display :N on a display whose Xorg runs the module: no Xorg of its own, the person presses the SAK and types; nothing left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tp-demotest-own-'));
  chmodSync(dir, 0o755);
  const sakSocket = join(dir, 'sak', 'sak.sock'); // its directory missing: the demo makes it for the run
  const x = await startXorg({ module: true, moduleOptions: { User: 'trustpath', SAKSocket: sakSocket } });
  try {
    const run = await runDemo({
      args: ['--display', x.display, '--sak-socket', sakSocket],
      person: [
        [/Press Ctrl\+Alt\+Pause on your keyboard now/, () => x.keyboard.tap(KEYCODES.Pause, [KEYCODES.Control_L, KEYCODES.Alt_L])],
        [/Now type the password 'opensesame'/, async () => { await x.keyboard.type('opensesame'); await x.keyboard.tap(KEYCODES.Return); }],
      ],
    });
    assert.equal(run.code, 0, `the demo succeeds; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    assert.match(run.stdout, new RegExp(`on your own display ${x.display}, whose Xorg runs trustpath's X module`));
    assert.doesNotMatch(run.stdout, /virtual/, 'no virtual display');
    assert.match(run.stdout, /secret picture and phrase '[a-z]+ [a-z]+ [a-z]+ [a-z]+'/);
    assert.match(run.stdout, /pkexec ran \/usr\/bin\/id as root: uid=0\(root\)/);
    assert.match(run.stdout.trim().split('\n').at(-1)!, new RegExp(`^Screenshots: none \\(the prompt was on your own display ${x.display}\\)`));
    assert.equal(existsSync(join(dir, 'sak')), false, 'the SAK socket directory the demo made is gone');
    assertNothingLeft(run);
  } finally {
    await x.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npm run demo -- --display with a display it cannot use: exit 2 and why, nothing started', async () => {
  const run = await runDemo({ args: ['--display', ':97'] });
  assert.equal(run.code, 2, `refused; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  assert.match(run.stderr, /demo: --display :97 cannot show the demo: trustpath cannot connect to it/);
  assert.equal(run.ns, null, 'no namespace was made');
  const bad = await runDemo({ args: ['--display'] });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--display needs a display/);
});

test('npm run demo with a $DISPLAY it cannot use: says why, then goes on with a virtual display', async () => {
  const run = await runDemo({ display: ':97', interruptAt: /^1\. /m });
  assert.match(run.stdout, /^\$DISPLAY :97 is not used: trustpath cannot connect to it[^\n]*The demo uses a virtual display instead\.\n1\. /);
  assert.equal(run.code, 130, `stopped; stderr:\n${run.stderr}`);
  assertNothingLeft(run);
});

for (const [when, at] of [['while the prompt is up', /^5\. The prompt appears/m], ['while Xorg starts', /^1\. /m]] as const) {
  test(`npm run demo stopped with SIGINT ${when}: exits 130 and leaves nothing behind`, async () => {
    const run = await runDemo({ interruptAt: at });
    assert.equal(run.code, 130, `stopped; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    assert.match(run.stderr, /demo: stopping and cleaning up/);
    assert.match(run.stderr, /demo: stopped: interrupted by SIGTERM/);
    assert.doesNotMatch(run.stdout, /uid=0\(root\)/);
    assert.doesNotMatch(run.stderr, /left-over processes killed/, 'the demo stopped what it started itself');
    assertNothingLeft(run);
  });
}
