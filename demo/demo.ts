// `npm run demo`: the whole trusted path in one command, narrated, without touching
// the machine. This entry runs twice:
//   outside  (as started): checks the machine, starts itself again inside a private
//            mount namespace (`unshare --mount --propagation private`) in a session of
//            its own, passes Ctrl+C on as SIGTERM, kills whatever is left in that
//            namespace afterwards, and checks that the machine is as before;
//   --inside (in the namespace): story.ts, then its own clean-up.
// The display is chosen outside (display.ts) and passed in.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Cleanup } from './cleanup.js';
import { busReachedFrom, checkHost, hostState, sweepNamespace } from './host.js';
import { assertPrivateNamespace, HOST_NS_ENV, mountNamespace } from './namespace.js';
import { ARTIFACTS, DEMO_USER, SHOTS, tellStory } from './story.js';
import { chooseDisplay, DEFAULT_SAK_SOCKET, type DisplayRequest, type OwnDisplay } from './display.js';

const ENTRY = fileURLToPath(import.meta.url);
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const USAGE = `Usage: npm run demo [-- --display :N [--sak-socket PATH] | --virtual]   (as root)

Shows trustpath's trusted path end to end: a private system bus, trustpathd, a demo
user's pkexec request, the prompt, the secure attention key, the password, and the
command running as root. Everything runs in a private mount namespace; nothing on the
machine changes.

Where the prompt appears:
  on your own display (--display :N, or $DISPLAY) when its Xorg runs trustpath's X
  module and no installed trustpathd serves it: you press Ctrl+Alt+Pause and type the
  demo user's password yourself. --sak-socket: the module's SAKSocket option there
  (default ${DEFAULT_SAK_SOCKET}).
  otherwise (or with --virtual) on a virtual display with the module, where the demo
  types on a virtual keyboard; screenshots go to test-artifacts/demo/.
`;

async function inside(own: OwnDisplay | null): Promise<number> {
  assertPrivateNamespace();
  const scratch = mkdtempSync(join(tmpdir(), 'tp-demo-'));
  chmodSync(scratch, 0o755); // trustpath enters it (its state, the SAK socket); only root writes here
  const cleanup = new Cleanup();
  cleanup.add(() => rmSync(scratch, { recursive: true, force: true }));
  const abort = new AbortController();
  for (const sig of STOP_SIGNALS) process.on(sig, () => abort.abort(new Error(`interrupted by ${sig}`)));
  const interrupted = new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason)));
  interrupted.catch(() => undefined);
  let step = 0;
  try {
    await tellStory({
      scratch, cleanup, own,
      say: (sentence) => process.stdout.write(`${++step}. ${sentence}\n`),
      until: (p) => Promise.race([p, interrupted]),
    });
    return 0;
  } catch (e) {
    process.stderr.write(`demo: ${abort.signal.aborted ? 'stopped' : `failed after step ${step}`}: ${(e as Error)?.message ?? String(e)}\n`);
    return abort.signal.aborted ? 130 : 1;
  } finally {
    for (const m of await cleanup.run()) process.stderr.write(`demo: clean-up: ${m}\n`);
  }
}

async function outside(request: DisplayRequest): Promise<number> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('demo: run it as root (it makes a private mount namespace and starts Xorg)\n');
    return 2;
  }
  let chosen;
  try {
    chosen = await chooseDisplay(request, process.env);
  } catch (e) {
    process.stderr.write(`demo: ${(e as Error).message}\n`);
    return 2;
  }
  if (chosen.note) process.stdout.write(`${chosen.note}\n`);
  const display = chosen.own ? ['--display', chosen.own.display, '--sak-socket', chosen.own.sakSocket] : [];
  const own = mountNamespace();
  const before = hostState();
  const child = spawn('unshare', ['--mount', '--propagation', 'private', '--', process.execPath, ENTRY, '--inside', ...display], {
    detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, [HOST_NS_ENV]: own },
  });
  let ns: string | null = null;
  let last = 0;
  let reached: string | null = null;
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    // The first sentence comes after the namespace exists and before anything is started in it.
    if (ns === null) try { ns = mountNamespace(child.pid!); } catch { /* exited already */ }
    last = Number(/^(\d+)\. /.exec(line)?.[1] ?? last);
    process.stdout.write(`${line}\n`);
    if (ns !== null && /trustpathd owns/.test(line)) reached = busReachedFrom(ns);
  });
  // dbus-daemon's start-up remark about its fd limit says nothing about the demo.
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (!/^dbus-daemon\[\d+\]: .*Failed to set fd limit/.test(line)) process.stderr.write(`${line}\n`);
  });
  let stops = 0;
  for (const sig of STOP_SIGNALS) {
    process.on(sig, () => {
      if (++stops === 1) process.stderr.write('demo: stopping and cleaning up (again to kill at once)\n');
      child.kill(stops === 1 ? 'SIGTERM' : 'SIGKILL');
    });
  }
  const code = await new Promise<number>((resolve) => child.on('close', (c, s) => resolve(c ?? (s ? 130 : 1))));
  const leftOver = ns ? await sweepNamespace(ns, own) : 0;
  if (leftOver > 0 && code !== 0) process.stderr.write(`demo: ${leftOver} left-over processes killed\n`);
  const check = checkHost(before, hostState(), DEMO_USER);
  if (reached) check.failures.push(reached);
  if (check.failures.length > 0) {
    process.stderr.write(`demo: FAILED: the demo reached the machine: ${check.failures.join('; ')}\n`);
    return 1;
  }
  if (code !== 0) return code;
  process.stdout.write(`${last + 1}. Everything the demo started has exited (${leftOver ? `${leftOver} left-over processes killed` : 'no left-over processes'}); ` +
    `${check.clause}.\n` +
    (chosen.own ? `Screenshots: none (the prompt was on your own display ${chosen.own.display})\n`
      : `Screenshots: ${SHOTS.map((s) => join(ARTIFACTS, s)).join(', ')}\n`));
  return 0;
}

interface Args extends DisplayRequest { readonly inside: boolean; readonly help: boolean }

/** The command line, or an error message. */
function parseArgs(argv: readonly string[]): Args | string {
  const a: { -readonly [K in keyof Args]?: Args[K] } = { inside: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string | undefined => argv[++i];
    if (arg === '--help' || arg === '-h') a.help = true;
    else if (arg === '--inside') a.inside = true;
    else if (arg === '--virtual') a.virtual = true;
    else if (arg === '--display' && a.display === undefined) a.display = value();
    else if (arg === '--sak-socket' && a.sakSocket === undefined) a.sakSocket = value();
    else return `unknown argument: ${arg}`;
  }
  if (a.display === '' || (a.display === undefined && argv.includes('--display'))) return '--display needs a display (:N)';
  if (a.sakSocket === '' || (a.sakSocket === undefined && argv.includes('--sak-socket'))) return '--sak-socket needs a path';
  if (a.virtual && a.display !== undefined) return '--virtual and --display exclude each other';
  return a as Args;
}

const args = parseArgs(process.argv.slice(2));
if (typeof args === 'string') {
  process.stderr.write(`demo: ${args}\n\n${USAGE}`);
  process.exit(2);
} else if (args.help) {
  process.stdout.write(USAGE);
} else {
  const own = args.display !== undefined ? { display: args.display, sakSocket: args.sakSocket ?? DEFAULT_SAK_SOCKET } : null;
  (args.inside ? inside(own) : outside(args)).then(
    (code) => process.exit(code),
    (e: unknown) => { process.stderr.write(`demo: failed: ${(e as Error)?.message ?? String(e)}\n`); process.exit(1); },
  );
}
