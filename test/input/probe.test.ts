// trustpath-input --probe: one READY saying whether the display runs the module in
// enforce mode, and nothing else (no window is looked for, no grab is taken).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { probeDisplay } from '../../agent/src/prompt/grabber.js';
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

// The daemon's side (probeDisplay): an answer, and a failure that says why — a
// display that is not there, and an X server that accepts the connection but does
// not serve it (stopped here with SIGSTOP) and is given up on after the timeout.
test('probeDisplay: the answer, no server, and a server that does not answer', async () => {
  const ids = trustedIds();
  const as = { uid: ids.uid, gid: ids.gid };
  const log = (): void => {};
  const x = await startXorg({ module: false });
  try {
    const xauthority = x.cookieFileFor(ids.uid, ids.gid);
    assert.equal(await probeDisplay({ path: INPUT_BIN, display: x.display, xauthority, log, as }), false);
    process.kill(x.pid, 'SIGSTOP');
    try {
      await assert.rejects(probeDisplay({ path: INPUT_BIN, display: x.display, xauthority, log, as }, 500),
        new RegExp(`^Error: trustpath-input --probe on ${x.display} failed \\(no answer within 500 ms\\)$`));
    } finally {
      process.kill(x.pid, 'SIGCONT');
    }
    assert.equal(await probeDisplay({ path: INPUT_BIN, display: x.display, xauthority, log, as }), false, 'served again');
  } finally {
    await x.stop();
  }
  await assert.rejects(probeDisplay({ path: INPUT_BIN, display: ':239', log, as }),
    /^Error: trustpath-input --probe on :239 failed \(exit status 1\): .*cannot connect to the X display/);
});
