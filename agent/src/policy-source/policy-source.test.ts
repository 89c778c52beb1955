import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PrivilegedPolicySource } from './policy-source.js';
import { startTimeOf } from '../identity/proc.js';

test('the reader process answers which executable a process runs, with its start time', async () => {
  const src = new PrivilegedPolicySource({ actions: [], rules: [] }, () => {});
  const child = spawn('/bin/sleep', ['30'], { stdio: 'ignore', uid: 65534, gid: 65534 });
  try {
    await once(child, 'spawn');
    let a = await src.exeOf(child.pid!);
    for (let i = 0; i < 50 && a.exe !== '/usr/bin/sleep'; i++) { // exec may not have happened yet
      await new Promise((r) => setTimeout(r, 20));
      a = await src.exeOf(child.pid!);
    }
    assert.equal(a.exe, '/usr/bin/sleep');
    assert.equal(a.startTime, startTimeOf(child.pid!));
    const gone = await src.exeOf(999999999);
    assert.deepEqual(gone, { pid: 999999999, exe: null, startTime: null, locale: null, ctype: null });
    const snap = await src.read();
    assert.deepEqual(snap, { policy: [], rules: [] });
  } finally {
    child.kill('SIGKILL');
    src.close();
  }
});
