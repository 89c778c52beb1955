// The prompt channel over its real unix socket, without a daemon: the manager's side
// is played by calling the PromptSide/PromptSession methods directly, the client is
// test/support/prompt-client.ts. Checks the socket's place and mode, one client at a
// time, the per-state message table, drops and what they dismiss, the unread bound,
// and the response pipe handed over as /proc/PID/fd/N.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, constants, fstatSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PromptControls, PromptRequest, PromptSession } from '../../agent/src/auth/prompt-side.js';
import { ClientType } from '../../agent/src/prompt-channel/frame.js';
import { LIMITS } from '../../agent/src/prompt-channel/messages.js';
import { PromptChannel } from '../../agent/src/prompt-channel/prompt-channel.js';
import { parseOptions, UsageError } from '../../agent/src/options.js';
import { openPipe, PromptClient } from '../support/prompt-client.js';

const ROOT = mkdtempSync(join(tmpdir(), 'tpt-channel-'));
let serial = 0;
const logs: string[] = [];

after(() => rmSync(ROOT, { recursive: true, force: true }));

function request(over: Partial<PromptRequest> = {}): PromptRequest {
  return {
    actionId: 'org.trustpath.test.channel', message: 'Test', iconName: '', untrustedDetails: {}, subject: 'unix-process:1:2',
    requester: { pid: process.pid, uid: 0, exe: process.execPath, cmdline: ['node'] }, identities: [], ...over,
  };
}

/** Counts dismissals and answer notices, as the authentication's controls would. */
class Controls implements PromptControls {
  dismissed = 0;
  answeredCount = 0;
  readonly stopped = new AbortController().signal;
  dismiss(): void {
    this.dismissed += 1;
  }
  answered(): void {
    this.answeredCount += 1;
  }
}

async function channel(): Promise<{ ch: PromptChannel; path: string }> {
  const dir = join(ROOT, `run${++serial}`);
  mkdirSync(dir, { mode: 0o700 });
  const path = join(dir, 'prompt.sock');
  return { ch: await PromptChannel.listen(path, (m) => logs.push(m)), path };
}

/** Waits until the channel sees the client (the accept runs after the client's connect). */
async function connected(ch: PromptChannel, path: string): Promise<PromptClient> {
  const c = await PromptClient.connect(path);
  while (!ch.connected) await sleep(5);
  return c;
}

/** A FIFO: the read end (ours) and the write end, as the helper and the daemon hold them. */
function fifo(): { readFd: number; writeFd: number } {
  const path = join(ROOT, `fifo${++serial}`);
  execFileSync('mkfifo', ['-m', '600', path]);
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(path, constants.O_WRONLY);
  rmSync(path);
  return { readFd, writeFd };
}

function isOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

describe('prompt channel', () => {
  let ch: PromptChannel;
  let path: string;
  before(async () => ({ ch, path } = await channel()));
  after(() => ch.close());

  test('the socket is 0600; with no client, show() rejects at once (fail closed)', async () => {
    assert.equal(statSync(path).mode & 0o777, 0o600);
    await assert.rejects(ch.show(request(), new Controls()), /no prompt connected/);
  });

  test('a whole authentication: SHOW, CHOOSE/CHOSEN, PAM with a pipe the client opens, RETRY closes it, FINISHED', async () => {
    const c = await connected(ch, path);
    const controls = new Controls();
    const s: PromptSession = await ch.show(request({ untrustedDetails: { who: 'me' } }), controls);
    const show = await c.waitFor('show');
    assert.deepEqual(show.untrustedDetails, { who: 'me' });
    const chosen = s.chooseIdentity([{ uid: 1000, name: 'a', realName: 'A' }, { uid: 1001, name: 'b', realName: '' }]);
    const choose = await c.waitFor('choose');
    c.choose(choose.id, 1001);
    assert.equal(await chosen, 1001);
    const p = fifo();
    s.pamMessage({ kind: 'info', text: 'Hello' }, null);
    s.pamMessage({ kind: 'prompt', echo: false, text: 'Password: ' }, p.writeFd);
    const prompt = await c.waitFor('pam', (m) => m.kind === 'prompt');
    assert.deepEqual((await c.waitFor('pam')).pipe, null, 'info carries no pipe');
    assert.equal(prompt.pipe?.fd, p.writeFd);
    c.answer(prompt, 'sekrit');
    const got = Buffer.alloc(64);
    const n = readSync(p.readFd, got);
    assert.deepEqual(got.subarray(0, n), Buffer.from([0, 6, ...Buffer.from('sekrit')]), 'the helper\'s response framing');
    s.retry(2);
    assert.equal(isOpen(p.writeFd), false, 'the daemon closes the response fd when the attempt ends');
    s.finished({ outcome: 'authenticated', uid: 1001 });
    assert.deepEqual((await c.waitFor('finished')).outcome, 'authenticated');
    assert.deepEqual(c.typesOf(show.id), ['show', 'choose', 'pam', 'pam', 'retry', 'finished']);
    closeSync(p.readFd);
    c.dismiss(show.id); // a DISMISS racing with FINISHED is ignored
    c.choose(show.id, 1001);
    const again = await ch.show(request(), new Controls());
    again.finished({ outcome: 'dismissed' });
    await c.waitFor('finished', (m) => m.outcome === 'dismissed');
    assert.equal(ch.connected, true, 'still connected');
    assert.equal(controls.dismissed, 0);
    assert.equal(c.error, undefined);
    await c.close();
  });

  test('LOCKED carries the uid and the wall-clock end, and closes the held response fd', async () => {
    const c = await connected(ch, path);
    const s = await ch.show(request(), new Controls());
    const p = fifo();
    s.pamMessage({ kind: 'prompt', echo: false, text: 'Password: ' }, p.writeFd);
    const until = new Date(Date.now() + 600_000);
    s.lockedOut(1000, until);
    assert.equal(isOpen(p.writeFd), false);
    s.finished({ outcome: 'failed', reason: 'locked-out' });
    const locked = await c.waitFor('locked');
    assert.deepEqual([locked.uid, locked.until], [1000, until.getTime()]);
    assert.deepEqual(await c.waitFor('finished', (m) => m.id === locked.id), { type: 'finished', id: locked.id, outcome: 'failed', reason: 'locked-out' });
    closeSync(p.readFd);
    await c.close();
  });

  test('a second client is refused while one is connected; the first goes on', async () => {
    const c = await connected(ch, path);
    const second = await PromptClient.connect(path);
    await second.closed;
    assert.match(logs.join('\n'), /Prompt client refused: one is already connected/);
    const s = await ch.show(request(), new Controls());
    await c.waitFor('show');
    s.finished({ outcome: 'cancelled' });
    await c.waitFor('finished');
    await c.close();
  });

  const violations: [string, (c: PromptClient, id: number) => void][] = [
    ['CHOSEN before CHOOSE', (c, id) => c.choose(id, 0)],
    ['an unknown frame type', (c) => c.sendRaw(Buffer.from([0x7f, 0, 0, 0, 0]))],
    ['a length above the cap', (c) => c.sendRaw(Buffer.from([ClientType.Dismiss, 0x7f, 0xff, 0xff, 0xff]))],
    ['a payload of the wrong shape', (c, id) => c.sendRaw(Buffer.concat([Buffer.from([ClientType.Dismiss, 0, 0, 0, 17]), Buffer.from(`{"id":${id},"x":1}`.padEnd(17))]))],
    ['DISMISS for an authentication never issued', (c) => c.dismiss(4_000_000_000)],
  ];
  for (const [name, act] of violations) {
    test(`${name}: the client is dropped and its authentications dismissed`, async () => {
      const c = await connected(ch, path);
      const controls = [new Controls(), new Controls()];
      const sessions = [await ch.show(request(), controls[0]!), await ch.show(request(), controls[1]!)];
      const show = await c.waitFor('show');
      act(c, show.id);
      await c.closed;
      assert.deepEqual(controls.map((x) => x.dismissed), [1, 1]);
      assert.equal(ch.connected, false);
      for (const s of sessions) s.finished({ outcome: 'dismissed' });
      await assert.rejects(ch.show(request(), new Controls()), /no prompt connected/);
    });
  }

  test('CHOSEN with a uid that was not offered drops the client; the pending choice ends as null', async () => {
    const c = await connected(ch, path);
    const controls = new Controls();
    const s = await ch.show(request(), controls);
    const chosen = s.chooseIdentity([{ uid: 1000, name: 'a', realName: '' }]);
    c.choose((await c.waitFor('choose')).id, 0);
    await c.closed;
    assert.equal(await chosen, null);
    assert.equal(controls.dismissed, 1);
    assert.match(logs.join('\n'), /uid 0 was not offered/);
  });

  test('the client going away dismisses and closes the held response fd at FINISHED', async () => {
    const c = await connected(ch, path);
    const controls = new Controls();
    const s = await ch.show(request(), controls);
    const p = fifo();
    s.pamMessage({ kind: 'prompt', echo: true, text: 'Code: ' }, p.writeFd);
    await c.waitFor('pam');
    await c.close();
    while (controls.dismissed === 0) await sleep(5);
    assert.equal(isOpen(p.writeFd), true, 'held until the attempt ends');
    s.finished({ outcome: 'dismissed' });
    assert.equal(isOpen(p.writeFd), false);
    closeSync(p.readFd);
  });

  test('a client that does not read is dropped once 1 MiB waits for it', async () => {
    const c = await connected(ch, path);
    c.stopReading();
    const controls: Controls[] = [];
    const big = request({ message: 'm'.repeat(LIMITS.text), untrustedDetails: Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, 'v'.repeat(1000)])) });
    const sessions: PromptSession[] = [];
    while (ch.connected && sessions.length < 200) {
      controls.push(new Controls());
      sessions.push(await ch.show(big, controls.at(-1)!));
    }
    assert.equal(ch.connected, false);
    assert.ok(controls.every((x) => x.dismissed === 1));
    assert.match(logs.join('\n'), /does not read its messages/);
    for (const s of sessions) s.finished({ outcome: 'dismissed' });
    await c.close();
  });
});

test('the socket directory must be private and ours; only a stale socket is replaced', async () => {
  const open = join(ROOT, 'open');
  mkdirSync(open, { mode: 0o755 });
  chmodSync(open, 0o755);
  await assert.rejects(PromptChannel.listen(join(open, 's'), () => undefined), /open to others/);
  const priv = join(ROOT, 'priv');
  mkdirSync(priv, { mode: 0o700 });
  writeFileSync(join(priv, 'file'), 'x');
  await assert.rejects(PromptChannel.listen(join(priv, 'file'), () => undefined), /not a socket/);
  const first = await PromptChannel.listen(join(priv, 's'), () => undefined);
  const second = await PromptChannel.listen(join(priv, 's'), () => undefined); // replaces it
  await second.close();
  await first.close();
});

test('the client opens only the pipe the daemon named', () => {
  const fd = openSync(join(ROOT, 'regular'), 'w');
  try {
    const st = fstatSync(fd, { bigint: true });
    assert.throws(() => openPipe({ pid: process.pid, fd, dev: String(st.dev), ino: String(st.ino) }), /not the response pipe/);
    const p = fifo();
    assert.throws(() => openPipe({ pid: process.pid, fd: p.writeFd, dev: '1', ino: '1' }), /not the response pipe/);
    closeSync(openPipe({ pid: process.pid, fd: p.writeFd, ...idOf(p.writeFd) }));
    closeSync(p.readFd);
    closeSync(p.writeFd);
  } finally {
    closeSync(fd);
  }
});

function idOf(fd: number): { dev: string; ino: string } {
  const st = fstatSync(fd, { bigint: true });
  return { dev: String(st.dev), ino: String(st.ino) };
}

test('trustpathd options: --prompt-socket and --pam-helper take absolute paths; absent by default', () => {
  const o = parseOptions(['--prompt-socket', '/run/trustpath/prompt.sock', '--pam-helper=/usr/local/libexec/x']);
  assert.equal(o.promptSocket, '/run/trustpath/prompt.sock');
  assert.equal(o.pamHelper, '/usr/local/libexec/x');
  assert.equal(parseOptions([]).promptSocket, undefined);
  for (const argv of [['--prompt-socket', 'prompt.sock'], ['--pam-helper'], ['--prompt-socket=']]) assert.throws(() => parseOptions(argv), UsageError);
});
