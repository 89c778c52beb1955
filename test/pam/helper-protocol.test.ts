// Misuse of trustpath-pam-helper by other uids and bad invocations, and every kind of
// malformed input on its control channel and its response pipe.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chmodSync, chownSync, copyFileSync, rmSync } from 'node:fs';
import { ensureTestUser, type TestUser } from '../support/users.js';
import { INSTALL_DIR, HELPER, converse, prepare, rawRun } from './support.js';

const PW = 'Pr0t0col-pass';
const BEGIN = Buffer.from([0x10, 0, 0, 0, 0]);
const CANCEL = Buffer.from([0x11, 0, 0, 0, 0]);
const OPEN_COPY = join(INSTALL_DIR, 'helper-4755-misuse-test');
let user: TestUser;
let other: TestUser;

function resp(len: number, body: Buffer | string = ''): Buffer {
  const b = Buffer.from(body);
  const h = Buffer.alloc(2);
  h.writeUInt16BE(len, 0);
  return Buffer.concat([h, b]);
}

before(async () => {
  await prepare();
  user = ensureTestUser('tptpam-proto', PW);
  other = ensureTestUser('tptpam-other', PW);
  // A copy anyone may execute, to show the helper's own uid check (not only the mode).
  copyFileSync(HELPER, OPEN_COPY);
  chownSync(OPEN_COPY, 0, 0);
  chmodSync(OPEN_COPY, 0o4755);
});
after(() => rmSync(OPEN_COPY, { force: true }));

describe('misuse', { concurrency: true }, () => {
  test('another uid cannot execute the installed helper (mode 4750 root:trustpath)', async () => {
    const r = await converse(user.name, [PW], { spawnAs: { uid: other.uid, gid: other.gid } });
    assert.equal(r.outcome.ok, false);
    assert.equal(!r.outcome.ok && r.outcome.reason, 'spawn-failed');
  });

  test('another uid running a world-executable copy is refused: exit 2, no frames', async () => {
    const r = await rawRun({ helper: OPEN_COPY, args: [user.name], asUid: other, control: BEGIN, response: resp(PW.length, PW) });
    assert.deepEqual([r.code, r.frames], [2, []]);
  });

  test('the trustpath user may run the same copy', async () => {
    const r = await rawRun({ helper: OPEN_COPY, args: [user.name], control: BEGIN, closeControl: false, response: resp(PW.length, PW) });
    assert.deepEqual([r.code, r.frames.at(-1)], [0, { kind: 'success' }]);
  });

  const badInvocations: [string, Parameters<typeof rawRun>[0]][] = [
    ['no user argument', { args: [], control: BEGIN }],
    ['two arguments', { args: ['root', 'extra'], control: BEGIN }],
    ['option-like user name', { args: ['-froot'], control: BEGIN }],
    ['user name with a slash', { args: ['a/b'], control: BEGIN }],
    ['overlong user name', { args: ['u'.repeat(65)], control: BEGIN }],
    ['a terminal on stdin', { args: ['root'], control: BEGIN, ttyStdin: true }],
    ['fd 3 a regular file', { args: ['root'], control: BEGIN, fd3: 'file' }],
    ['fd 3 missing', { args: ['root'], control: BEGIN, fd3: 'none' }],
  ];
  for (const [name, opts] of badInvocations) {
    test(`refused: ${name} (exit 2, no frames)`, async () => {
      const r = await rawRun(opts);
      assert.deepEqual([r.code, r.frames], [2, []]);
    });
  }
});

describe('malformed control frames', { concurrency: true }, () => {
  const cases: [string, Buffer, string][] = [
    ['unknown type', Buffer.from([0x7f, 0, 0, 0, 0]), 'protocol'],
    ['helper frame type sent to the helper', Buffer.from([0x05, 0, 0, 0, 0]), 'protocol'],
    ['BEGIN with a payload (above its cap of 0)', Buffer.from([0x10, 0, 0, 0, 1, 0x41]), 'protocol'],
    ['oversize length 0xffffffff', Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff]), 'protocol'],
    ['BEGIN twice (not allowed once running)', Buffer.concat([BEGIN, BEGIN]), 'protocol'],
    ['truncated header, then end of file', Buffer.from([0x10, 0, 0]), 'protocol'],
    ['end of file before BEGIN', Buffer.alloc(0), 'cancelled'],
    ['CANCEL before BEGIN', CANCEL, 'cancelled'],
    ['BEGIN then CANCEL', Buffer.concat([BEGIN, CANCEL]), 'cancelled'],
  ];
  for (const [name, control, reason] of cases) {
    test(`${name}: FAILURE ${reason}, exit 1`, async () => {
      const r = await rawRun({ args: [user.name], control, response: resp(PW.length, PW) });
      assert.equal(r.error, undefined);
      assert.deepEqual([r.code, r.frames.at(-1)], [1, { kind: 'failure', reason }]);
      assert.equal(r.frames.filter((f) => f.kind === 'success').length, 0);
    });
  }
});

describe('malformed responses', { concurrency: true }, () => {
  const cases: [string, Buffer, string][] = [
    ['length 513 (above the 512 cap)', resp(513, 'x'.repeat(513)), 'protocol'],
    ['length 0xffff', resp(0xffff), 'protocol'],
    ['NUL inside the answer', resp(PW.length + 2, PW + '\0x'), 'protocol'],
    ['truncated answer, then the pipe closes', resp(40, PW), 'cancelled'],
    ['truncated length, then the pipe closes', Buffer.from([0]), 'cancelled'],
    ['pipe closed with nothing written', Buffer.alloc(0), 'cancelled'],
  ];
  for (const [name, response, reason] of cases) {
    test(`${name}: FAILURE ${reason}`, async () => {
      const r = await rawRun({ args: [user.name], control: BEGIN, closeControl: false, response });
      assert.deepEqual(r.frames[0], { kind: 'prompt', echo: false, text: 'Password: ' });
      assert.deepEqual([r.code, r.frames.at(-1)], [1, { kind: 'failure', reason }]);
    });
  }

  test('a right answer of exactly 512 bytes is accepted by the framing (then fails PAM)', async () => {
    const r = await rawRun({ args: [user.name], control: BEGIN, closeControl: false, response: resp(512, 'y'.repeat(512)) });
    assert.deepEqual([r.code, r.frames.at(-1)], [1, { kind: 'failure', reason: 'auth' }]);
  });
});
