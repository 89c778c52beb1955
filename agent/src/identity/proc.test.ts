import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { exeOf, localesOf, parseRealUid, parseStartTime, processFacts, racyUidOf, startTimeOf } from './proc.js';

test('start time is field 22, found after the last parenthesis even if the name has some', () => {
  const fields = Array.from({ length: 30 }, (_, i) => String(i + 3)); // fields 3.. after "(comm)"
  const stat = `123 (evil) 1 2 3) ${fields.join(' ')}`;
  // after the last ')' come fields 3..: the 20th token (index 19) is field 22
  assert.equal(parseStartTime(stat), BigInt(fields[19]!));
  assert.equal(parseStartTime('no paren here'), undefined);
  assert.equal(parseStartTime('1 (x)'), undefined);
});

test('the real uid is the first value of Uid:, unsigned', () => {
  assert.equal(parseRealUid('Name:\tx\nUid:\t1000\t0\t0\t0\n', 'f'), 1000);
  assert.equal(parseRealUid('Uid:\t4000000000\t0\t0\t0\n', 'f'), 4000000000);
  assert.equal(parseRealUid('Uid:\t-294967296\t0\t0\t0\n', 'f'), 4000000000);
  assert.throws(() => parseRealUid('Gid:\t1\n', 'f'), /Didn't find any line starting with `Uid:' in file f/);
});

test('this process: start time, racy uid, facts', () => {
  const st = startTimeOf(process.pid);
  assert.ok(st > 0n);
  assert.equal(racyUidOf(process.pid, st), process.getuid!());
  assert.throws(() => racyUidOf(process.pid, st + 1n), new RegExp(`process with PID ${process.pid} has been replaced`));
  const facts = processFacts(process.pid);
  assert.ok(facts.argv.length >= 1);
  const { messages, ctype } = localesOf(process.pid);
  assert.deepEqual(exeOf(process.pid), { pid: process.pid, exe: process.execPath, startTime: st, locale: messages, ctype });
  assert.deepEqual(exeOf(999999999), { pid: 999999999, exe: null, startTime: null, locale: null, ctype: null });
});

test('a pid that does not exist gives GLib\'s text and a GFileError name', () => {
  try {
    racyUidOf(999999999, 1n);
    assert.fail('no error');
  } catch (e) {
    assert.equal((e as Error).message, 'Failed to open file “/proc/999999999/status”: No such file or directory');
    assert.equal((e as { errorName?: string }).errorName, 'org.gtk.GDBus.UnmappedGError.Quark._g_2dfile_2derror_2dquark.Code4');
  }
});

test('localesOf: messages from LC_ALL, LC_MESSAGES, LANG; characters from LC_ALL, LC_CTYPE, LANG; malformed ones are none', async () => {
  type Want = { messages: string | null; ctype: string | null };
  const cases: [Record<string, string>, Want][] = [
    [{ LANG: 'de_DE.UTF-8' }, { messages: 'de_DE.UTF-8', ctype: 'de_DE.UTF-8' }],
    [{ LANG: 'de_DE.UTF-8', LC_MESSAGES: 'fr_FR.UTF-8' }, { messages: 'fr_FR.UTF-8', ctype: 'de_DE.UTF-8' }],
    [{ LANG: 'en_US.UTF-8', LC_CTYPE: 'pt_BR.UTF-8' }, { messages: 'en_US.UTF-8', ctype: 'pt_BR.UTF-8' }],
    [{ LANG: 'de_DE.UTF-8', LC_MESSAGES: 'fr_FR.UTF-8', LC_CTYPE: 'pt_BR.UTF-8', LC_ALL: 'ja_JP.UTF-8' }, { messages: 'ja_JP.UTF-8', ctype: 'ja_JP.UTF-8' }],
    [{ LANG: '../../etc/passwd' }, { messages: null, ctype: null }],
    [{ LANG: 'de_DE.UTF-8', LC_CTYPE: '/tmp/x' }, { messages: 'de_DE.UTF-8', ctype: null }],
    [{}, { messages: null, ctype: null }],
  ];
  for (const [env, want] of cases) {
    const child = spawn('sleep', ['5'], { env });
    await once(child, 'spawn');
    try {
      assert.deepEqual(localesOf(child.pid!), want, JSON.stringify(env));
    } finally {
      child.kill();
    }
  }
  assert.deepEqual(localesOf(999999999), { messages: null, ctype: null });
});
