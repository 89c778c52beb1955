// AuditLog: JSON lines, 0600, append, bounded records, rotation, errors logged.
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, MAX_RECORD, encodeRecord, type AuditEntry } from './audit-log.js';

const dir = mkdtempSync(join(tmpdir(), 'tp-audit-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const entry: AuditEntry = {
  via: 'prompt', requester: { pid: 4242, uid: 1000, exe: '/usr/bin/pkexec', busName: ':1.7' },
  actionId: 'org.example.run', subject: 'unix-process:4242:99', offered: [0, 1000], identity: 0, outcome: 'authenticated',
};

function lines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('records are JSON lines with the named fields, appended to a 0600 file', () => {
  const path = join(dir, 'a.jsonl');
  writeFileSync(path, '{"earlier":true}\n', { mode: 0o644 });
  const log = new AuditLog(path, () => undefined, { now: () => new Date('2026-12-02T08:00:00Z') });
  log.record(entry);
  log.record({ ...entry, via: 'agent', outcome: 'failed', reason: 'error', detail: 'helper-exited: exit 2', identity: undefined });
  log.close();
  log.record(entry); // after close: ignored
  const got = lines(path);
  assert.equal(got.length, 3);
  assert.equal(statSync(path).mode & 0o777, 0o600, 'an existing file is made private');
  assert.deepEqual(got[1], {
    time: '2026-12-02T08:00:00.000Z', via: 'prompt',
    requester: { pid: 4242, uid: 1000, exe: '/usr/bin/pkexec', busName: ':1.7' },
    actionId: 'org.example.run', subject: 'unix-process:4242:99', offered: [0, 1000], identity: 0, outcome: 'authenticated',
  });
  assert.equal(got[2]!.via, 'agent');
  assert.equal(got[2]!.reason, 'error');
  const fresh = join(dir, 'fresh.jsonl');
  new AuditLog(fresh, () => undefined).close();
  assert.equal(statSync(fresh).mode & 0o777, 0o600);
});

test('a record never passes MAX_RECORD bytes and stays one line, whatever the strings hold', () => {
  const nasty = '\u0001\n"\\'.repeat(5000);
  const big: AuditEntry = { ...entry, requester: { pid: 1, uid: 2, exe: nasty, busName: nasty }, actionId: nasty, subject: nasty,
    offered: Array.from({ length: 5000 }, (_, i) => i), reason: nasty, detail: nasty, outcome: 'failed' };
  const line = encodeRecord(big, new Date(0));
  assert.ok(line.length <= MAX_RECORD, String(line.length));
  assert.equal(line.toString().indexOf('\n'), line.length - 1);
  const parsed = JSON.parse(line.toString()) as Record<string, unknown>;
  assert.equal(parsed.truncated, true);
  assert.equal(parsed.outcome, 'failed');
  const long = encodeRecord({ ...entry, offered: Array.from({ length: 100 }, (_, i) => i) }, new Date(0));
  const p2 = JSON.parse(long.toString()) as Record<string, unknown>;
  assert.equal((p2.offered as number[]).length, 64);
  assert.equal(p2.offeredTotal, 100);
  const odd = JSON.parse(encodeRecord({ ...entry, outcome: 'hacked' as never }, new Date(0)).toString()) as Record<string, unknown>;
  assert.equal(odd.outcome, 'invalid');
});

test('the file is rotated to PATH.1 before it passes maxBytes', () => {
  const path = join(dir, 'rot.jsonl');
  const log = new AuditLog(path, () => undefined, { maxBytes: 4096 });
  for (let i = 0; i < 100; i++) log.record({ ...entry, identity: i });
  log.close();
  assert.ok(statSync(path).size <= 4096);
  assert.ok(statSync(`${path}.1`).size <= 4096);
  const all = [...lines(`${path}.1`), ...lines(path)];
  assert.equal(all.at(-1)!.identity, 99);
  assert.equal(new Set(all.map((r) => r.identity)).size, all.length);
});

test('errors are logged once, never thrown; a symlink is refused; writing resumes when possible', () => {
  const msgs: string[] = [];
  const target = join(dir, 'target');
  writeFileSync(target, '');
  const link = join(dir, 'link.jsonl');
  symlinkSync(target, link);
  const viaLink = new AuditLog(link, (m) => msgs.push(m));
  viaLink.record(entry);
  viaLink.record(entry);
  assert.equal(readFileSync(target, 'utf8'), '');
  assert.equal(msgs.length, 1);
  assert.match(msgs[0]!, /cannot open/);
  const sub = join(dir, 'gone');
  const later = new AuditLog(join(sub, 'x.jsonl'), (m) => msgs.push(m));
  mkdirSync(sub);
  later.record(entry);
  assert.equal(lines(join(sub, 'x.jsonl')).length, 1, 'reopened on the next record');
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  new AuditLog(fifo, (m) => msgs.push(m)).record(entry);
  assert.match(msgs.at(-1)!, /cannot open .*fifo/, 'a FIFO neither hangs nor is written');
  const throwingLogger = new AuditLog(join(dir, 'nodir', 'y'), () => { throw new Error('logger down'); });
  throwingLogger.record(entry);
  assert.equal(existsSync(join(dir, 'nodir')), false);
});
