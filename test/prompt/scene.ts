// The whole trusted path for end-to-end tests: a real Xorg (dummy driver, inputtest
// keyboard, with or without trustpath's module), trustpathd serving on the system
// bus socket (pkexec talks to nothing else) with the desktop user placed at that
// display by --x11-display (there is no logind here), a desktop user whose admin
// identity is itself (a rules file), Debian's pkexec in a pty, and screenshots taken
// as the trusted user (the module lets only it read the screen while a prompt is up),
// kept under test-artifacts/prompt/ and read back with tesseract.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { withSystemBusAuthority, type AuthorityOnBus } from '../support/system-bus.js';
import { startXorg, type Xorg } from '../support/xorg.js';
import { ensureTestUser, type TestUser } from '../support/users.js';
import { spawnPty, type PtySession } from '../support/pty.js';
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
  /** `pkexec ARGV` typed into a shell of the desktop user */
  pkexec(argv: string): PtySession;
  /** a screenshot of the whole display taken as the trusted user, saved as test-artifacts/prompt/NAME.png */
  screenshot(name: string): string;
  /** the text tesseract reads in a screenshot, whitespace collapsed */
  ocr(png: string): string;
  /** the desktop user's secret phrase, as the prompt must show it */
  secretPhrase(): string;
}

export interface PromptSceneOptions {
  readonly module: boolean;
  /** more trustpathd options */
  readonly daemonArgs?: readonly string[];
  /** admin identities the rules offer (default: the desktop user itself) */
  readonly admins?: readonly string[];
  /** xauthority for trustpath on a display without the module */
  readonly cookieForTrusted?: boolean;
}

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
  const admins = (o.admins ?? [USER]).map((n) => `"unix-user:${n}"`).join(', ');
  writeFileSync(join(rulesDir, '00-prompt-test.rules'), `polkit.addAdminRule(function (action, subject) { return [${admins}]; });\n`);
  const sakSocket = join(sakDir, 'sak.sock');
  const x = await startXorg({ module: o.module, ...(o.module ? { moduleOptions: { User: 'trustpath', SAKSocket: sakSocket } } : {}) });
  mkdirSync(ARTIFACTS, { recursive: true });
  try {
    const display = o.cookieForTrusted ? `${x.display},xauthority=${x.cookieFileFor(trusted.uid, trusted.gid)}` : x.display;
    await withSystemBusAuthority('trustpathd', {
      rulesDirs: [rulesDir],
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
        pkexec: (argv) => spawnPty(['setpriv', '--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups',
          'bash', '-c', `pkexec ${argv}; echo "rc=$?"`], { env: { DISPLAY: x.display } }),
        screenshot(name) {
          const png = join(ARTIFACTS, `${name}.png`);
          const xwd = spawnSync('xwd', ['-root', '-silent', '-display', x.display], {
            uid: trusted.uid, gid: trusted.gid, env: { XAUTHORITY: cookie }, maxBuffer: 64 * 1024 * 1024,
          });
          if (xwd.status !== 0) throw new Error(`xwd failed: ${xwd.stderr.toString()}`);
          const pnm = execFileSync('xwdtopnm', { input: xwd.stdout, maxBuffer: 64 * 1024 * 1024, stdio: ['pipe', 'pipe', 'ignore'] });
          writeFileSync(png, execFileSync('pnmtopng', { input: pnm, maxBuffer: 64 * 1024 * 1024, stdio: ['pipe', 'pipe', 'ignore'] }));
          return png;
        },
        ocr: (png) => execFileSync('tesseract', [png, '-', '--psm', '3'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
          .replace(/\s+/g, ' ').trim(),
        secretPhrase: () => secretArt(readFileSync(join(stateDir, 'secrets', String(user.uid)))).phrase,
      };
      await fn(scene);
    });
  } finally {
    await x.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
