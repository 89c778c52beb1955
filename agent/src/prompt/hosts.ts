// Where the trusted prompt's programs come from: the prompt host (Chromium in
// app/kiosk mode, or Electron) and the native helpers trustpath-input and
// trustpath-sak-listen.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromiumHost, type PromptHost } from '../../../prompt-ui/src/chromium-host.js';
import type { DaemonOptions } from '../options.js';
import type { DisplayTarget } from './displays.js';
import { launchElectronHost } from './electron-host.js';

const REPO = new URL('../../../../', import.meta.url).pathname; // build/agent/src/prompt → the tree it was built in

/**
 * A native helper's default path: the build tree's native/out (development and
 * tests), else the distribution's libexec (the package), else /usr/local's.
 */
export function installedHelper(name: string): string {
  const candidates = [join(REPO, 'native', 'out', name), `/usr/libexec/trustpath/${name}`, `/usr/local/libexec/trustpath/${name}`];
  return candidates.find((p) => existsSync(p)) ?? candidates[1]!;
}

/** Launches the configured host on a display; its profile lives in the runtime directory. */
export function hostLauncher(opts: DaemonOptions, log: (m: string) => void): (target: DisplayTarget) => Promise<PromptHost> {
  return (target) => {
    const profileDir = join(opts.runtimeDir, `host${target.display.replace(':', '-')}`);
    const xauth = target.xauthority !== undefined ? { xauthority: target.xauthority } : {};
    if (opts.promptHost === 'electron') return launchElectronHost({ electron: opts.electron!, display: target.display, ...xauth, log });
    const launch = (launchTimeoutMs: number): Promise<PromptHost> => launchChromiumHost({
      launchTimeoutMs, display: target.display, profileDir, ...(opts.chromium !== undefined ? { executable: opts.chromium } : {}), ...xauth, log,
    });
    // Now and then, on a loaded machine, a first start in a fresh profile printed two
    // lines and answered nothing for minutes, while a second start took 3 s: one retry,
    // within the prompt's own timeout.
    const budget = Math.min(opts.promptTimeoutSeconds * 1000, 90_000);
    log(`starting the prompt host (Chromium) on ${target.display}`);
    return launch(Math.min(20_000, budget)).catch((e: unknown) => {
      log(`${(e as Error).message}; starting it once more`);
      return launch(budget);
    });
  };
}
