// The prompt host where Electron is not installed (and in tests): Debian's Chromium in
// kiosk app mode on the subject's display, driven over --remote-debugging-pipe (no TCP
// port). trustpathd launches it as the `trustpath` user, pushes view states with
// render() and closes it when the authentication ends; the grabber (trustpath-input)
// finds its window by the title, which the page sets to state.windowKey.
//
//   const host = await launchChromiumHost({ display: ':0', xauthority, profileDir, uid, gid });
//   await host.render(state);   // resolves once painted (or the window is hidden)
//   await host.close();         // kills the whole process group
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import { CdpPipe } from './cdp-pipe.js';
import type { PromptViewState } from './state.js';

export interface ChromiumHostOptions {
  readonly display: string;
  readonly xauthority?: string;
  /** Chromium's --user-data-dir and HOME; created 0700 (owned by uid:gid) when missing */
  readonly profileDir: string;
  /**
   * Default: Debian's Chromium binary, /usr/lib/chromium/chromium, not the /usr/bin/chromium
   * wrapper: the wrapper sources /etc/chromium.d, which loads extensions into every
   * window and enables remote ones, and it needs a shell and PATH.
   */
  readonly executable?: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly log?: (m: string) => void;
  readonly extraArgs?: readonly string[];
  /** LANG of the browser (default C.UTF-8); the page's language comes from each state */
  readonly lang?: string;
  /** the page (default: the built prompt-ui/out/app/page/prompt.html) */
  readonly page?: string;
  /** how long launching may take before it fails (default 30 s) */
  readonly launchTimeoutMs?: number;
}

export interface PromptHost {
  readonly pid: number;
  /** Shows the state; resolves after the page has painted it (two animation frames), or at once while the window is hidden. */
  render(state: PromptViewState): Promise<void>;
  /**
   * Resolves once the window is visible again and the page has painted since (two
   * animation frames): after another client mapped it, Chromium learns so a little
   * later, and until then a render resolves at once and the previous frame is on screen.
   */
  painted?(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
  readonly exited: Promise<void>;
}

export interface ChromiumPromptHost extends PromptHost {
  /** Evaluates an expression in the page and returns its JSON value (tests, diagnostics). */
  evaluate(expression: string): Promise<unknown>;
}

const ROOT = new URL('../../..', import.meta.url).pathname; // build/prompt-ui/src -> repo
export const DEFAULT_PAGE = join(ROOT, 'prompt-ui', 'out', 'app', 'page', 'prompt.html');
export const DEFAULT_CHROMIUM = '/usr/lib/chromium/chromium';
const RENDER_TIMEOUT_MS = 10_000;
const CLOSE_GRACE_MS = 3_000;
const MAX_LOGGED_LINES = 40; // Chromium's stderr is chatty (D-Bus it cannot reach): the first lines tell what matters

/** Live (not zombie) processes of a process group, from /proc. */
export function processGroupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') out.push(Number(name));
    } catch { /* exited meanwhile */ }
  }
  return out;
}

/**
 * @internal SIGKILL to the processes of uid whose command line names the profile: the
 * crashpad handlers, which Chromium starts in sessions of their own (outside the group;
 * --disable-crashpad-for-testing makes this Chromium abort at start).
 */
function killProfileStragglers(profileDir: string, uid: number): void {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      if (!new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(status)) continue;
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      const inProfile = (v: string): boolean => v === profileDir || v.startsWith(`${profileDir}/`);
      if (argv.some((a) => inProfile(a.slice(a.indexOf('=') + 1)))) process.kill(Number(name), 'SIGKILL');
    } catch { /* exited meanwhile */ }
  }
}

/** @internal SIGKILL to the group until none of it is left (bounded) */
async function killGroup(pgid: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    try { process.kill(-pgid, 'SIGKILL'); } catch { return; } // ESRCH: the group is gone
    if (processGroupMembers(pgid).length === 0) return;
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error(`processes of group ${pgid} survive SIGKILL`);
}

/** @internal the command line: no browser UI, no network services, no background throttling */
function chromiumArgs(o: ChromiumHostOptions, uid: number, page: string): string[] {
  return [
    '--remote-debugging-pipe', `--user-data-dir=${o.profileDir}`,
    '--no-first-run', '--no-default-browser-check', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-default-apps', '--disable-extensions', '--noerrdialogs', '--disable-translate',
    '--disable-features=Translate,MediaRouter,OptimizationHints', '--password-store=basic', '--disable-breakpad',
    // The grabber unmaps and re-maps the window between prompts: keep rendering and
    // timers running so the page is current the moment it is mapped again.
    '--disable-renderer-backgrounding', '--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows',
    // Chromium refuses its sandbox as root. As the `trustpath` user the namespace
    // sandbox works on Debian 12 (unprivileged user namespaces are enabled), so it is
    // kept there; a machine without them must pass --no-sandbox in extraArgs knowingly.
    ...(uid === 0 ? ['--no-sandbox'] : []),
    ...(o.extraArgs ?? []),
    '--kiosk', `--app=${pathToFileURL(page).href}`,
  ];
}

/** @internal the profile directory, private to the uid Chromium runs as */
function prepareProfile(o: ChromiumHostOptions): void {
  if (!existsSync(o.profileDir)) {
    mkdirSync(o.profileDir, { recursive: true, mode: 0o700 });
    if (o.uid !== undefined && o.gid !== undefined) chownSync(o.profileDir, o.uid, o.gid);
  }
}

interface AttachedPage { readonly targetId: string; readonly sessionId: string }

/** @internal the page target and its flat session, once the page has loaded the renderer */
async function attachPage(cdp: CdpPipe, deadline: number): Promise<AttachedPage> {
  // A cold start on a loaded machine answers its first calls late: each call may take
  // what is left of the launch deadline, not the usual per-call limit.
  const left = (): number => Math.max(1000, deadline - Date.now());
  for (;;) {
    const { targetInfos } = await cdp.call('Target.getTargets', {}, undefined, left()) as { targetInfos?: { type: string; targetId: string; url: string }[] };
    const page = targetInfos?.find((t) => t.type === 'page' || t.type === 'app');
    if (page) {
      const { sessionId } = await cdp.call('Target.attachToTarget', { targetId: page.targetId, flatten: true }, undefined, left()) as { sessionId?: string };
      if (typeof sessionId !== 'string') throw new Error('Chromium gave no session for the prompt page');
      for (;;) {
        const ready = await evaluateIn(cdp, sessionId, "document.readyState === 'complete' && typeof window.trustpathPrompt === 'object'", left());
        if (ready === true) return { targetId: page.targetId, sessionId };
        if (Date.now() > deadline) throw new Error('the prompt page did not load');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    if (Date.now() > deadline) throw new Error('Chromium opened no page');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function evaluateIn(cdp: CdpPipe, sessionId: string, expression: string, timeoutMs?: number): Promise<unknown> {
  const r = await cdp.call('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId, timeoutMs) as
    { result?: { value?: unknown }; exceptionDetails?: { text?: string; exception?: { description?: string } } };
  if (r.exceptionDetails) throw new Error(`page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text ?? 'exception'}`);
  return r.result?.value;
}

/**
 * @internal Waits until the browser process knows the page's title (it names the X
 * window after it in the same step): the grabber looks for the window by this title
 * as soon as render() resolves.
 */
async function titleSettled(cdp: CdpPipe, targetId: string, title: string, deadline: number): Promise<void> {
  for (;;) {
    const { targetInfo } = await cdp.call('Target.getTargetInfo', { targetId }) as { targetInfo?: { title?: string } };
    if (targetInfo?.title === title) return;
    if (Date.now() > deadline) throw new Error('the window did not take the prompt\'s title');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** @internal an expression: resolves 'painted' once the page has painted twice from now */
const TWO_FRAMES = "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r('painted'))))";

/** @internal an expression: TWO_FRAMES once the page is visible (now, or when it becomes so) */
const PAINTED_WHEN_VISIBLE = `new Promise((r) => {
  if (document.visibilityState === 'visible') { r(); return; }
  document.addEventListener('visibilitychange', function seen() {
    if (document.visibilityState !== 'visible') return;
    document.removeEventListener('visibilitychange', seen);
    r();
  });
}).then(() => ${TWO_FRAMES})`;

/** @internal the expression that renders a state and waits for it to be painted */
function renderExpression(state: PromptViewState): string {
  const json = JSON.stringify(JSON.stringify(state));
  return `(() => { window.trustpathPrompt.render(JSON.parse(${json}));
    return document.visibilityState === 'hidden' ? 'hidden' : ${TWO_FRAMES}; })()`;
}

/** @internal the first MAX_LOGGED_LINES lines of Chromium's stderr, each cut to 500 chars */
function logLines(stderr: Readable | null, log: (m: string) => void): void {
  let lines = 0;
  stderr?.setEncoding('utf8').on('data', (d: string) => {
    for (const line of d.split('\n')) {
      if (line.trim() === '' || lines > MAX_LOGGED_LINES) continue;
      log(++lines > MAX_LOGGED_LINES ? 'chromium: (further output not logged)' : `chromium: ${line.slice(0, 500)}`);
    }
  });
}

export async function launchChromiumHost(o: ChromiumHostOptions): Promise<ChromiumPromptHost> {
  const log = o.log ?? (() => {});
  const uid = o.uid ?? process.getuid?.() ?? 0;
  const page = o.page ?? DEFAULT_PAGE;
  if (!existsSync(page)) throw new Error(`prompt page ${page} missing (make -C prompt-ui)`);
  prepareProfile(o);
  const env: Record<string, string> = {
    DISPLAY: o.display, HOME: o.profileDir, LANG: o.lang ?? 'C.UTF-8',
    // The prompt needs no D-Bus. Where a system bus runs, Chromium's start-up calls on
    // it (power, bluetooth, accessibility names) held the launch up for many seconds.
    DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/trustpath-prompt', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/trustpath-prompt',
  };
  if (o.xauthority !== undefined) env['XAUTHORITY'] = o.xauthority;
  const child = spawn(o.executable ?? DEFAULT_CHROMIUM, chromiumArgs(o, uid, page), {
    env, cwd: '/', detached: true, stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    ...(o.uid !== undefined ? { uid: o.uid } : {}), ...(o.gid !== undefined ? { gid: o.gid } : {}),
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (): Promise<void> => (child.pid === undefined ? Promise.resolve() : killGroup(child.pid));
  child.once('error', (e) => log(`chromium: ${e.message}`));
  logLines(child.stderr, log);
  const cdp = new CdpPipe(child.stdio[3] as Writable, child.stdio[4] as Readable, (e) => { log(e.message); void kill(); });
  void exited.then(() => cdp.close(new Error('Chromium exited')));
  const deadline = Date.now() + (o.launchTimeoutMs ?? 30_000);
  let attached: AttachedPage;
  try {
    attached = await Promise.race([attachPage(cdp, deadline), exited.then(() => { throw new Error('Chromium exited while starting'); })]);
  } catch (e) {
    await kill();
    cdp.close(e as Error);
    throw new Error(`cannot launch the Chromium prompt host: ${(e as Error).message}`);
  }
  log(`chromium prompt host ${child.pid} on ${o.display}`);
  const { targetId, sessionId } = attached;
  return {
    pid: child.pid ?? 0,
    exited,
    async render(state: PromptViewState): Promise<void> {
      const deadline = Date.now() + RENDER_TIMEOUT_MS;
      await evaluateIn(cdp, sessionId, renderExpression(state), RENDER_TIMEOUT_MS);
      await titleSettled(cdp, targetId, state.windowKey, deadline);
    },
    evaluate: (expression: string) => evaluateIn(cdp, sessionId, expression),
    async painted(timeoutMs: number): Promise<void> {
      await evaluateIn(cdp, sessionId, PAINTED_WHEN_VISIBLE, timeoutMs);
    },
    async close(): Promise<void> {
      await cdp.call('Browser.close', {}, undefined, CLOSE_GRACE_MS).catch(() => undefined);
      const t = setTimeout(() => void kill(), CLOSE_GRACE_MS);
      await exited;
      clearTimeout(t);
      cdp.close(new Error('host closed'));
      await kill(); // helpers (zygotes, renderers) share the group and may outlive the browser
      killProfileStragglers(o.profileDir, uid);
    },
  };
}
