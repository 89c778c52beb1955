// Where the demo shows the prompt: on the user's own display when that runs Xorg with
// trustpath's module (`--display :N`, or $DISPLAY), otherwise on a virtual display the
// demo starts. The own display is used only if trustpath can connect to it without a
// cookie and the module enforces there (trustpath-input --probe, as trustpath), and if
// the module's SAK socket is free for the demo's trustpathd: an installed trustpathd
// listening there already serves that display with its own prompt.
import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { probeDisplay } from '../agent/src/prompt/grabber.js';
import { trustedIds } from '../test/xserver/harness.js';
import { INPUT } from './story.js';
/** the module's default SAKSocket (xserver-ext/src/config.c), as packaging/ configures it */
export const DEFAULT_SAK_SOCKET = '/run/trustpath/sak.sock';

export interface OwnDisplay {
  readonly display: string;
  /** where the display's module sends SAK datagrams */
  readonly sakSocket: string;
}

export interface DisplayRequest {
  /** --display: required to be usable (an error otherwise) */
  readonly display?: string;
  readonly sakSocket?: string;
  /** --virtual: never the own display */
  readonly virtual?: boolean;
}

/** The own display to use, or null for a virtual one, with a sentence on why $DISPLAY is not used. */
export async function chooseDisplay(r: DisplayRequest, env: NodeJS.ProcessEnv): Promise<{ own: OwnDisplay | null; note: string | null }> {
  const display = r.virtual ? undefined : r.display ?? env['DISPLAY'];
  if (display === undefined || display === '') return { own: null, note: null };
  const sakSocket = r.sakSocket ?? DEFAULT_SAK_SOCKET;
  const why = await unusable(display, sakSocket);
  if (why === null) return { own: { display, sakSocket }, note: null };
  if (r.display !== undefined) throw new Error(`--display ${display} cannot show the demo: ${why}`);
  return { own: null, note: `$DISPLAY ${display} is not used: ${why}. The demo uses a virtual display instead.` };
}

/** Why the display cannot show the demo's prompt, or null. */
async function unusable(display: string, sakSocket: string): Promise<string | null> {
  if (!/^:\d+(\.\d+)?$/.test(display)) return 'only a local display (:N) can run the module for this machine';
  let enforced: boolean;
  try {
    enforced = await probeDisplay({ path: INPUT, display, log: () => undefined, as: trustedIds() });
  } catch (e) {
    return `trustpath cannot connect to it without a cookie, as it can to a display whose module trusts it (${(e as Error).message})`;
  }
  if (!enforced) return "it does not run trustpath's X module in enforce mode";
  if (!sakSocket.startsWith('/')) return `the SAK socket ${sakSocket} is not an absolute path`;
  if (socketInUse(sakSocket)) return `another program listens on its SAK socket ${sakSocket} (an installed trustpathd, whose own prompt serves that display: run pkexec there)`;
  const dir = dirname(sakSocket);
  try {
    const st = statSync(dir);
    const ids = trustedIds();
    if (!st.isDirectory() || st.uid !== ids.uid || (st.mode & 0o077) !== 0) return `${dir} is not a directory of trustpath's that no one else may enter`;
  } catch {
    // missing: the demo makes it for the run (mode 0700, trustpath) and removes it afterwards
  }
  return null;
}

/** Whether a unix socket of this network namespace is bound at `path` (its last field in /proc/net/unix). */
function socketInUse(path: string): boolean {
  return readFileSync('/proc/net/unix', 'utf8').split('\n').some((line) => line.split(' ').at(-1) === path);
}
