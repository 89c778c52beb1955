// The demo itself, run inside its private mount namespace: a private system bus,
// Xorg with trustpath's module on a virtual display, trustpathd, the demo user's
// `pkexec /usr/bin/id`, the prompt, typing before the SAK, the SAK, the password,
// root. Every step is told as one numbered sentence. On the user's own display
// (display.ts) no Xorg is started and there are no screenshots: the demo asks the
// user to press the SAK and type the password, and waits for them.
//
// The components are started with the project's test support (test/support/*: the same
// Xorg, bus and daemon start-up the scenario tests use), on purpose: the demo shows
// what the tests prove, with the same parts.
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SYSTEM_BUS_SOCKET, startBus } from '../test/support/bus.js';
import { startAuthorityOn, type AuthorityOnBus } from '../test/support/system-bus.js';
import { KEYCODES, startXorg, type Xorg } from '../test/support/xorg.js';
import { spawnPty, type PtySession } from '../test/support/pty.js';
import { screenshot } from '../test/support/screen.js';
import { trustedIds, type Ids } from '../test/xserver/harness.js';
import { secretArt } from '../prompt-ui/src/secret-art.js';
import { addDemoUser, privateEtc, privateRunDbus, type DemoUser } from './namespace.js';
import type { Cleanup } from './cleanup.js';
import type { OwnDisplay } from './display.js';

const ROOT = new URL('../..', import.meta.url).pathname; // build/demo -> repo
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'demo');
export const SHOTS = ['1-request.png', '2-after-sak.png'] as const;
export const INPUT = join(ROOT, 'native', 'out', 'trustpath-input');
const SAK_LISTEN = join(ROOT, 'native', 'out', 'trustpath-sak-listen');
export const DEMO_USER = 'tpdemo';
/** lowercase letters only: the inputtest keyboard types letters and spaces */
const DEMO_PASSWORD = 'opensesame';
const SAK = [KEYCODES.Control_L, KEYCODES.Alt_L];
/** how long the demo waits for a person at their own display */
const PERSON_MS = 300_000;

export interface StoryContext {
  readonly scratch: string;
  readonly cleanup: Cleanup;
  /** prints one numbered sentence */
  readonly say: (sentence: string) => void;
  /** rejects once the demo is interrupted */
  readonly until: <T>(p: Promise<T>) => Promise<T>;
  /** the user's own display, or null: a virtual one */
  readonly own: OwnDisplay | null;
}

function trustedDir(path: string, ids: Ids): string {
  mkdirSync(path, { mode: 0o700 });
  chownSync(path, ids.uid, ids.gid);
  return path;
}

/** The whole display as the trusted user sees it (the module lets only it read the screen under a prompt); the path told. */
function screenshotAs(x: Xorg, cookie: string, ids: Ids, name: string): string {
  screenshot(x.display, ids, cookie, join(ARTIFACTS, name));
  return join('test-artifacts', 'demo', name);
}

async function waitLog(a: AuthorityOnBus, re: RegExp, from: number, what: string, ms = 30_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = re.exec(a.authority.log().slice(from));
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`${what} did not happen in ${ms / 1000} s; trustpathd's log ends:\n${a.authority.log().slice(-3000)}`);
    await sleep(50);
  }
}

interface Stage {
  readonly user: DemoUser;
  readonly display: string;
  /** the virtual display's Xorg; null on the user's own display */
  readonly x: Xorg | null;
  readonly authority: AuthorityOnBus;
  readonly ids: Ids;
  readonly stateDir: string;
}

/** The SAK socket's directory on the user's own display: made for the run (and removed) when missing. */
function ownSakSocket(c: StoryContext, own: OwnDisplay, ids: Ids): string {
  const dir = dirname(own.sakSocket);
  if (!existsSync(dir)) {
    trustedDir(dir, ids);
    c.cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
  }
  return own.sakSocket;
}

async function setStage(c: StoryContext): Promise<Stage> {
  privateRunDbus(c.scratch);
  c.cleanup.add(privateEtc(c.scratch));
  const user = addDemoUser(DEMO_USER, DEMO_PASSWORD);
  c.say(`This demo runs in a private mount namespace: its own /run/dbus, and its own /etc, whose passwd, shadow, group ` +
    `and gshadow add the demo user '${user.name}' (uid ${user.uid}) with the password '${user.password}'. Nothing on this machine changes.`);
  const ids = trustedIds();
  const sakSocket = c.own ? ownSakSocket(c, c.own, ids) : join(trustedDir(join(c.scratch, 'sak'), ids), 'sak.sock');
  const stateDir = trustedDir(join(c.scratch, 'state'), ids);
  const rulesDir = join(c.scratch, 'rules');
  mkdirSync(rulesDir);
  // As a member of the sudo group would be, but without depending on who else is in it here.
  writeFileSync(join(rulesDir, '00-demo.rules'), `polkit.addAdminRule(function (action, subject) { return ["unix-user:${user.name}"]; });\n`);
  const bus = await c.until(c.cleanup.track(startBus(SYSTEM_BUS_SOCKET), (b) => b.stop()));
  let x: Xorg | null = null;
  if (c.own) {
    c.say(`A private dbus-daemon serves the system bus path ${SYSTEM_BUS_SOCKET} inside the namespace; the prompt will appear on ` +
      `your own display ${c.own.display}, whose Xorg runs trustpath's X module, and you will type on your own keyboard.`);
  } else {
    x = await c.until(c.cleanup.track(startXorg({ module: true, moduleOptions: { User: 'trustpath', SAKSocket: sakSocket } }), (xs) => xs.stop()));
    c.say(`A private dbus-daemon serves the system bus path ${SYSTEM_BUS_SOCKET} inside the namespace; Xorg runs on the virtual ` +
      `display ${x.display} (dummy video driver, the 'inputtest' keyboard as the physical keyboard) with trustpath's X module loaded.`);
  }
  const display = c.own?.display ?? x!.display;
  const authority = await c.until(c.cleanup.track(startAuthorityOn('trustpathd', bus, {
    rulesDirs: [rulesDir],
    extraArgs: ['--state-dir', stateDir, '--x11-display', `${user.name}=${display}`, '--input-helper', INPUT,
      '--sak-listener', SAK_LISTEN, '--sak-socket', sakSocket],
  }), (a) => a.authority.stop()));
  c.say(`trustpathd owns org.freedesktop.PolicyKit1 on that bus and runs as the 'trustpath' user; it knows that ${user.name} ` +
    `sits at ${display}, and a demo rule makes ${user.name} its own administrator.`);
  return { user, display, x, authority, ids, stateDir };
}

/** Runs the story; resolves once pkexec has run the command as root. */
export async function tellStory(c: StoryContext): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const stage = await setStage(c);
  const { user, authority } = stage;
  const term = spawnPty(['setpriv', '--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups',
    'bash', '-c', 'pkexec /usr/bin/id; echo "pkexec exit status $?"'], { env: { DISPLAY: stage.display } });
  c.cleanup.add(() => term.kill());
  c.say(`${user.name} runs \`pkexec /usr/bin/id\` in a terminal; pkexec asks trustpathd whether it may ` +
    '(org.freedesktop.policykit.exec), and trustpathd answers: only with the password of an administrator.');
  const shown = await c.until(waitLog(authority, /prompt \d+ on :[\d.]+: shown \(protected\).* after (\d+) ms/, 0, 'the prompt')
    .catch((e: Error) => { throw new Error(`${e.message}\npkexec's terminal:\n${term.transcript()}`); }));
  if (stage.x === null) await byPerson(c, stage, term, shown[1]!);
  else await byVirtualKeyboard(c, { ...stage, x: stage.x }, term, shown[1]!);
}

/** The SAK and the password typed by the person at their own display. */
async function byPerson(c: StoryContext, stage: Stage, term: PtySession, ms: string): Promise<void> {
  const { user, authority } = stage;
  const ended = term.expect(/pkexec exit status (\d+)/, { timeoutMs: PERSON_MS * 2 });
  ended.catch(() => undefined);
  const gaveUp = ended.then((m) => { throw new Error(`pkexec ended with exit status ${m[1]} (126: the prompt was cancelled)`); });
  gaveUp.catch(() => undefined);
  c.say(`The prompt appears on your display ${stage.display} after ${ms} ms, drawn by Chromium as 'trustpath' and held by ` +
    'trustpath-input; it names /usr/bin/id. Press Ctrl+Alt+Pause on your keyboard now: typing before it does nothing.');
  await c.until(Promise.race([waitLog(authority, /SAK received/, 0, 'the SAK', PERSON_MS), gaveUp]));
  // what is typed before PAM asks is wiped when it does: the person is told to type once it has
  await c.until(Promise.race([waitLog(authority, /PAM asks/, 0, 'the password question'), gaveUp]));
  const phrase = secretArt(readFileSync(join(stage.stateDir, 'secrets', String(user.uid)))).phrase;
  c.say(`Only the X server saw that key (no program can fake it) and told trustpathd; the prompt now shows ${user.name}'s ` +
    `secret picture and phrase '${phrase}', which a fake dialog could not know. Now type the password '${user.password}' and press Enter.`);
  const id = await c.until(Promise.race([term.expect(/uid=0\(root\)[^\n]*/, { timeoutMs: PERSON_MS }), gaveUp]));
  await c.until(term.expect(/pkexec exit status 0/));
  c.say(`What you typed went from trustpath-input straight to the PAM helper, never through the prompt's browser; ` +
    `PAM accepted it and pkexec ran /usr/bin/id as root: ${id[0].trim()}`);
}

/** The demo types on the virtual display's keyboard itself, and takes screenshots. */
async function byVirtualKeyboard(c: StoryContext, stage: Stage & { readonly x: Xorg }, term: PtySession, ms: string): Promise<void> {
  const { user, x, authority, ids, stateDir } = stage;
  const cookie = x.cookieFileFor(ids.uid, ids.gid);
  c.say(`The prompt appears on display ${x.display} after ${ms} ms, drawn by Chromium as 'trustpath' and held by ` +
    `trustpath-input; it names /usr/bin/id and asks for Ctrl+Alt+Pause first (screenshot: ${screenshotAs(x, cookie, ids, SHOTS[0])}).`);

  await c.until(x.keyboard.type('zzz'));
  await c.until(x.keyboard.tap(KEYCODES.Return));
  await c.until(sleep(300));
  if (/answer submitted/.test(authority.authority.log())) throw new Error('keys typed before the SAK reached the prompt');
  c.say("Typing before the SAK does nothing: 'zzz' and Enter on the keyboard were not taken as an answer (trustpathd got none).");

  const at = authority.authority.log().length;
  await c.until(x.keyboard.tap(KEYCODES.Pause, SAK));
  await c.until(waitLog(authority, /SAK received/, at, 'the SAK'));
  await c.until(sleep(300));
  const phrase = secretArt(readFileSync(join(stateDir, 'secrets', String(user.uid)))).phrase;
  c.say(`Ctrl+Alt+Pause: only the X server sees it (no program can fake it) and tells trustpathd; the prompt now shows ` +
    `${user.name}'s secret picture and phrase '${phrase}', which a fake dialog could not know (screenshot: ${screenshotAs(x, cookie, ids, SHOTS[1])}).`);

  await c.until(x.keyboard.type(user.password));
  await c.until(x.keyboard.tap(KEYCODES.Return));
  const id = await c.until(term.expect(/uid=0\(root\)[^\n]*/));
  await c.until(term.expect(/pkexec exit status 0/));
  c.say(`The password typed on the same keyboard goes from trustpath-input straight to the PAM helper, never through ` +
    `the prompt's browser; PAM accepts it and pkexec runs /usr/bin/id as root: ${id[0].trim()}`);
}

