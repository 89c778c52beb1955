// The transport's own judgement of a helper, using small shell scripts as stand-in
// helpers (the real helper runs in test/pam/): success needs a SUCCESS frame AND
// exit 0; a bad frame kills the helper; the response pipe is a real FIFO on fd 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, closeSync, mkdtempSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPamConversation, type PamMessage } from './helper-process.js';
import { encodeResponse } from './frame.js';

const dir = mkdtempSync(join(tmpdir(), 'tp-helper-proc-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

test('success needs a SUCCESS frame and exit 0', async () => {
  const ok = script('ok', `printf '\\005\\000\\000\\000\\000'; exit 0`);
  const bad = script('bad-exit', `printf '\\005\\000\\000\\000\\000'; exit 1`);
  const none = script('none', 'exit 0');
  const run = async (p: string) => (await startPamConversation({ user: 'x', helperPath: p, onMessage: () => undefined })).outcome;
  assert.deepEqual(await run(ok), { ok: true });
  assert.deepEqual(await run(bad), { ok: false, reason: 'helper-exited', detail: 'exit 1' });
  assert.deepEqual(await run(none), { ok: false, reason: 'helper-exited', detail: 'exit 0' });
});

test('a malformed frame kills the helper and is reported as helper-protocol', async () => {
  const p = script('garbage', `printf '\\177'; sleep 30`);
  const conv = await startPamConversation({ user: 'x', helperPath: p, onMessage: () => undefined });
  const o = await conv.outcome;
  assert.equal(o.ok, false);
  assert.equal(!o.ok && o.reason, 'helper-protocol');
});

test('a missing helper is spawn-failed', async () => {
  const conv = await startPamConversation({ user: 'x', helperPath: join(dir, 'missing'), onMessage: () => undefined });
  assert.equal((await conv.outcome).ok, false);
  assert.throws(() => conv.takeResponseFd());
});

test('messages arrive in order; the answer goes through the fd 3 pipe, not stdin', async () => {
  // Echoes the answer it reads from fd 3 back as an INFO frame, then succeeds.
  const p = script('echo', [
    `head -c 5 >/dev/null`, // BEGIN
    `printf '\\001\\000\\000\\000\\002P:'`,
    `n=$(head -c 2 <&3 | od -An -tu1 | awk '{print $1*256+$2}')`,
    `a=$(head -c "$n" <&3)`,
    `printf "\\003\\000\\000\\000\\00$n%s" "$a"`,
    `printf '\\005\\000\\000\\000\\000'`,
  ].join('\n'));
  const seen: PamMessage[] = [];
  let fd = -1;
  const conv = await startPamConversation({
    user: 'x', helperPath: p,
    onMessage: (m) => { seen.push(m); if (m.kind === 'prompt') writeSync(fd, encodeResponse('abc')); },
  });
  fd = conv.takeResponseFd();
  assert.throws(() => conv.takeResponseFd(), /already taken/);
  assert.deepEqual(await conv.outcome, { ok: true });
  closeSync(fd);
  assert.deepEqual(seen, [{ kind: 'prompt', echo: false, text: 'P:' }, { kind: 'info', text: 'abc' }]);
});

test('cancel() sends CANCEL, closes stdin and kills a helper that ignores it', async () => {
  const p = script('stubborn', `trap '' TERM; sleep 30`);
  const conv = await startPamConversation({ user: 'x', helperPath: p, onMessage: () => undefined, killGraceMs: 100 });
  const t0 = Date.now();
  conv.cancel();
  assert.deepEqual(await conv.outcome, { ok: false, reason: 'cancelled' });
  assert.ok(Date.now() - t0 < 5000);
});

test('an onMessage that throws cancels the conversation instead of escaping', async () => {
  const p = script('prompt-then-wait', `printf '\\001\\000\\000\\000\\001P'; sleep 30`);
  const conv = await startPamConversation({
    user: 'x', helperPath: p, killGraceMs: 100, onMessage: () => { throw new Error('listener bug'); },
  });
  const o = await conv.outcome;
  assert.equal(o.ok, false);
  assert.equal(!o.ok && o.reason, 'cancelled');
});
