// trustpath-input --probe: one READY saying whether the display runs the module in
// enforce mode, and nothing else (no window is looked for, no grab is taken).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startXorg } from '../support/xorg.js';
import { trustedIds } from '../xserver/harness.js';
import { FrameProcess, INPUT_BIN, OUTT } from './support.js';

async function probe(display: string, xauthority?: string): Promise<{ code: number | null; flags: number[] }> {
  const ids = trustedIds();
  const env: Record<string, string> = { DISPLAY: display };
  if (xauthority !== undefined) env.XAUTHORITY = xauthority;
  const p = new FrameProcess(spawn(INPUT_BIN, ['--probe'], { uid: ids.uid, gid: ids.gid, env, stdio: ['pipe', 'pipe', 'pipe'] }));
  const code = await p.exited;
  return { code, flags: p.of(OUTT.READY).map((f) => f.payload[0]! & 1) };
}

test('--probe: protected with the module, not without it, and not in audit mode', async () => {
  const ids = trustedIds();
  for (const [opts, want] of [
    [{ module: true, moduleOptions: { User: 'trustpath' } }, 1],
    [{ module: true, moduleOptions: { User: 'trustpath', Mode: 'audit' } }, 0],
    [{ module: false }, 0],
  ] as const) {
    const x = await startXorg(opts);
    try {
      const r = await probe(x.display, opts.module ? undefined : x.cookieFileFor(ids.uid, ids.gid));
      assert.deepEqual(r, { code: 0, flags: [want] }, JSON.stringify(opts));
    } finally {
      await x.stop();
    }
  }
});
