// The production prompt host: prompt-ui's Electron app (prompt-ui/src/electron/main.ts)
// on the subject's display, its states sent as frames on fd 3 (prompt-ui/src/fd3-frames.ts).
// Electron cannot be downloaded on the machines these tests run on, so the Chromium
// host (same renderer) is the one exercised here; this launcher is type-checked.
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { encodeStateFrame } from '../../../prompt-ui/src/fd3-frames.js';
import type { PromptHost } from '../../../prompt-ui/src/chromium-host.js';
import type { PromptViewState } from '../../../prompt-ui/src/state.js';

const APP = new URL('../../../../prompt-ui/out/app/', import.meta.url).pathname; // build/agent/src/prompt → repo

export interface ElectronHostOptions {
  readonly electron: string;
  readonly display: string;
  readonly xauthority?: string;
  /** the app directory (default: the built prompt-ui/out/app) */
  readonly app?: string;
  readonly log: (m: string) => void;
}

export function launchElectronHost(o: ElectronHostOptions): Promise<PromptHost> {
  const env: Record<string, string> = { DISPLAY: o.display, LANG: 'C.UTF-8' };
  if (o.xauthority !== undefined) env.XAUTHORITY = o.xauthority;
  const child = spawn(o.electron, [o.app ?? APP], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env, detached: true });
  const states = child.stdio[3] as Writable;
  states.on('error', () => undefined); // the host is gone; 'exited' says so
  let said = 0;
  child.stderr?.on('data', (b: Buffer) => { if (said++ < 40) o.log(`electron: ${b.toString('utf8').trim().slice(0, 300)}`); });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`electron (${o.electron}): ${e.message}`)));
    child.once('spawn', () => resolve({
      pid: child.pid!,
      exited,
      render: (state: PromptViewState) => new Promise<void>((done, fail) => {
        states.write(encodeStateFrame(state), (e) => (e ? fail(e) : done()));
      }),
      close: async () => {
        states.end();
        try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
        await exited;
      },
    }));
  });
}
