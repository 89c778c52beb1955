// The whole trusted path for end-to-end tests: a real Xorg (dummy driver, inputtest
// keyboard, with or without trustpath's module), trustpathd serving on the system
// bus socket (pkexec talks to nothing else) with the desktop user placed at that
// display by --x11-display (there is no logind here), a desktop user whose admin
// identity is itself (a rules file), Debian's pkexec in a pty, and screenshots taken
// as the trusted user (the module lets only it read the screen while a prompt is up),
// kept under test-artifacts/prompt/ and read back with tesseract.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { withSystemBusAuthority, type AuthorityOnBus } from '../support/system-bus.js';
import { KEYCODES, startXorg, type Xorg } from '../support/xorg.js';
import { ensureTestUser, type TestUser } from '../support/users.js';
import { spawnPty, type PtySession } from '../support/pty.js';
import { ocr, screenshot } from '../support/screen.js';
import { trustedIds } from '../xserver/harness.js';
import { secretArt } from '../../prompt-ui/src/secret-art.js';

const ROOT = new URL('../../..', import.meta.url).pathname; // build/test/prompt -> repo
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'prompt');
const INPUT = join(ROOT, 'native', 'out', 'trustpath-input');
const SAK_LISTEN = join(ROOT, 'native', 'out', 'trustpath-sak-listen');

export interface PromptScene {
  readonly x: Xorg;
  readonly authority: AuthorityOnBus;
  readonly user: TestUser;
  readonly stateDir: string;
  /** trustpathd's log after `from` characters */
  log(from?: number): string;
  /** waits until the daemon's log (after `from`) matches */
  waitLog(re: RegExp, opts?: { from?: number; timeoutMs?: number }): Promise<RegExpExecArray>;
  /** how many times the daemon's log (after `from`) matches */
  countLog(re: RegExp, from: number): number;
  /** waits until the daemon's log (after `from`) matches `times` times */
  waitLogTimes(re: RegExp, times: number, opts?: { from?: number; timeoutMs?: number }): Promise<void>;
  /** `pkexec ARGV` typed into a shell of the desktop user */
  pkexec(argv: string): PtySession;
  /** a bash script run by the desktop user on a terminal of its own */
  shell(script: string): PtySession;
  /** types text on the inputtest keyboard and presses Return */
  answer(text: string): Promise<void>;
  /** the pkexec'd `id` printed root's identity and exited 0 */
  ranAsRoot(term: PtySession): Promise<void>;
  /** an X client run as the trusted user (trustpath, with its cookie) on the display; its stdout */
  asTrusted(argv: readonly string[]): Buffer;
  /** a screenshot of the whole display taken as the trusted user, saved as test-artifacts/prompt/NAME.png */
  screenshot(name: string): string;
  /** the text tesseract reads in a screenshot, whitespace collapsed */
  ocr(png: string): string;
  /** the desktop user's secret phrase, as the prompt must show it */
  secretPhrase(): string;
  /** replaces the admin identities the rules offer; resolves once trustpathd has reloaded them */
  setAdmins(names: readonly string[]): Promise<void>;
}

export interface PromptSceneOptions {
  readonly module: boolean;
  /** more trustpathd options */
  readonly daemonArgs?: readonly string[];
  /** admin identities the rules offer (default: the desktop user itself) */
  readonly admins?: readonly string[];
  /** xauthority for trustpath on a display without the module */
  readonly cookieForTrusted?: boolean;
  /** a .policy file's text, read from an --actions-dir of its own */
  readonly policy?: string;
  /**
   * Start the prompt host before the test's own requests (default true): one request,
   * shown and dismissed. Chromium's first start takes seconds (once, on a loaded CI
   * machine, a first start stayed silent until retried); the tests are about what the
   * prompt does, and the bench and the demo time the first start.
   */
  readonly warm?: boolean;
}

/** A request of the desktop user: pkcheck (as root, with user interaction) for a fresh process of theirs. */
export interface PkcheckRequest {
  /** pkcheck's exit: [code, signal] */
  readonly exited: Promise<unknown[]>;
  /** kills pkcheck */
  kill(): void;
  /** ends the subject process */
  subject(): void;
}

export function pkcheckRequest(s: Pick<PromptScene, 'user'>): PkcheckRequest {
  const subject = spawn('sleep', ['600'], { uid: s.user.uid, gid: s.user.gid, stdio: 'ignore' });
  const p = spawn('pkcheck', ['--action-id', 'org.freedesktop.policykit.exec', '--process', String(subject.pid), '--allow-user-interaction'], { stdio: 'ignore' });
  return { exited: once(p, 'exit'), kill: () => p.kill('SIGKILL'), subject: () => subject.kill() };
}

/** One request shown and dismissed with Escape (see PromptSceneOptions.warm); up to 3 tries. */
async function warmUp(s: PromptScene): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const from = s.log().length;
    const c = pkcheckRequest(s);
    try {
      const shown = await Promise.race([s.waitLog(/: shown \(/, { from, timeoutMs: 180_000 }).then(() => true), c.exited.then(() => false)]);
      if (shown) {
        await s.x.keyboard.tap(ESCAPE);
        await c.exited;
        await s.waitLog(/: closed/, { from });
        return;
      }
    } finally {
      c.kill();
      c.subject();
    }
    if (attempt === 3) throw new Error(`no prompt came up in 3 tries; trustpathd said:\n${s.log().slice(-4000)}`);
  }
}

const ESCAPE = 9;
const USER = 'tptprompt';
/** letters only: the inputtest keyboard helper types lowercase letters and spaces */
export const USER_PASSWORD = 'tptpromptpass';

export async function withPromptScene(o: PromptSceneOptions, fn: (s: PromptScene) => Promise<void>): Promise<void> {
  const trusted = trustedIds();
  const user = ensureTestUser(USER, USER_PASSWORD);
  const dir = mkdtempSync(join(tmpdir(), 'tp-prompt-'));
  chmodSync(dir, 0o755);
  const own = (d: string): string => { mkdirSync(d, { mode: 0o700 }); chownSync(d, trusted.uid, trusted.gid); return d; };
  const sakDir = own(join(dir, 'sak'));
  const stateDir = own(join(dir, 'state'));
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir);
  const writeAdmins = (names: readonly string[]): void => {
    const admins = names.map((n) => `"unix-user:${n}"`).join(', ');
    writeFileSync(join(rulesDir, '00-prompt-test.rules'), `polkit.addAdminRule(function (action, subject) { return [${admins}]; });\n`);
  };
  writeAdmins(o.admins ?? [USER]);
  const actionsDir = join(dir, 'actions');
  mkdirSync(actionsDir);
  if (o.policy !== undefined) writeFileSync(join(actionsDir, 'org.trustpath.test.policy'), o.policy);
  const sakSocket = join(sakDir, 'sak.sock');
  const x = await startXorg({ module: o.module, ...(o.module ? { moduleOptions: { User: 'trustpath', SAKSocket: sakSocket } } : {}) });
  mkdirSync(ARTIFACTS, { recursive: true });
  try {
    const display = o.cookieForTrusted ? `${x.display},xauthority=${x.cookieFileFor(trusted.uid, trusted.gid)}` : x.display;
    await withSystemBusAuthority('trustpathd', {
      rulesDirs: [rulesDir], actionsDirs: [actionsDir],
      extraArgs: ['--state-dir', stateDir, '--x11-display', `${USER}=${display}`, '--input-helper', INPUT,
        '--sak-listener', SAK_LISTEN, '--sak-socket', sakSocket, ...(o.daemonArgs ?? [])],
    }, async (authority) => {
      const cookie = x.cookieFileFor(trusted.uid, trusted.gid);
      const scene: PromptScene = {
        x, authority, user, stateDir,
        log: (from = 0) => authority.authority.log().slice(from),
        async waitLog(re, w = {}) {
          const deadline = Date.now() + (w.timeoutMs ?? 20_000);
          for (;;) {
            const m = re.exec(authority.authority.log().slice(w.from ?? 0));
            if (m) return m;
            if (Date.now() > deadline) throw new Error(`trustpathd never logged ${String(re)}; its log:\n${authority.authority.log().slice(-6000)}`);
            await sleep(50);
          }
        },
        countLog: (re, from) => (authority.authority.log().slice(from).match(new RegExp(re.source, 'g')) ?? []).length,
        async waitLogTimes(re, times, w = {}) {
          const deadline = Date.now() + (w.timeoutMs ?? 20_000);
          while (scene.countLog(re, w.from ?? 0) < times) {
            if (Date.now() > deadline) throw new Error(`trustpathd never logged ${String(re)} ${times} time(s); its log:\n${authority.authority.log().slice(-6000)}`);
            await sleep(50);
          }
        },
        pkexec: (argv) => scene.shell(`pkexec ${argv}; echo "rc=$?"`),
        async answer(text) {
          await x.keyboard.type(text);
          await x.keyboard.tap(KEYCODES.Return);
        },
        async ranAsRoot(term) {
          await term.expect(/uid=0\(root\)/);
          await term.expect(/rc=0/);
        },
        shell: (script) => spawnPty(['setpriv', '--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups',
          'bash', '-c', script], { env: { DISPLAY: x.display } }),
        asTrusted(argv) {
          const r = spawnSync(argv[0]!, argv.slice(1), {
            uid: trusted.uid, gid: trusted.gid, env: { DISPLAY: x.display, XAUTHORITY: cookie }, maxBuffer: 64 * 1024 * 1024,
          });
          if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr.toString()}`);
          return r.stdout;
        },
        screenshot: (name) => screenshot(x.display, trusted, cookie, join(ARTIFACTS, `${name}.png`)),
        ocr,
        secretPhrase: () => secretArt(readFileSync(join(stateDir, 'secrets', String(user.uid)))).phrase,
        async setAdmins(names) {
          const loaded = /Finished loading, compiling and executing/;
          const before = scene.countLog(loaded, 0);
          writeAdmins(names);
          await scene.waitLogTimes(loaded, before + 1);
        },
      };
      if (o.warm !== false) await warmUp(scene);
      await fn(scene);
    });
  } catch (e) {
    // what the X server saw belongs with a failure here (CI keeps only the output)
    if (e instanceof Error) e.message += `\n--- Xorg log (tail) ---\n${x.log().slice(-3000)}`;
    throw e;
  } finally {
    await x.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
