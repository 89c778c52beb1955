import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeReaderFrame, ReaderDecoder, ReaderFrame } from './reader-protocol.js';

test('frames split anywhere decode the same', () => {
  const snap = { policy: [{ path: '/a.policy', content: '<x/>' }], rules: [] };
  const bytes = Buffer.concat([encodeReaderFrame(ReaderFrame.Changed, Buffer.alloc(0)),
    encodeReaderFrame(ReaderFrame.Snapshot, Buffer.from(JSON.stringify(snap)))]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const d = new ReaderDecoder();
    const out = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
    assert.deepEqual(out, [{ type: 'changed' }, { type: 'snapshot', snapshot: snap }]);
  }
});

test('malformed frames throw (the daemon then stops the reader)', () => {
  const bad = [
    Buffer.from([9, 0, 0, 0, 0]),
    Buffer.from([2, 0, 0, 0, 1, 0]),
    Buffer.from([1, 0xff, 0xff, 0xff, 0xff]),
    encodeReaderFrame(ReaderFrame.Snapshot, Buffer.from('{"policy": 1, "rules": []}')),
    encodeReaderFrame(ReaderFrame.Snapshot, Buffer.from('{"policy": [{"path": 1}], "rules": []}')),
    encodeReaderFrame(ReaderFrame.Snapshot, Buffer.from('not json')),
  ];
  for (const b of bad) assert.throws(() => new ReaderDecoder().push(b));
});

test('random bytes never hang or return garbage types', () => {
  let seed = 12345;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(Array.from({ length: rnd() % 40 }, () => rnd() & 0xff));
    try {
      for (const f of new ReaderDecoder().push(b)) assert.ok(f.type === 'changed' || f.type === 'snapshot');
    } catch { /* rejected: fine */ }
  }
});

test('requests: read and exe, split anywhere; anything else is refused', async () => {
  const { RequestDecoder, encodeExeRequest } = await import('./reader-protocol.js');
  const bytes = Buffer.concat([Buffer.of(0x52), encodeExeRequest(4000000000), Buffer.of(0x52)]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const d = new RequestDecoder();
    assert.deepEqual([...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))],
      [{ type: 'read' }, { type: 'exe', pid: 4000000000 }, { type: 'read' }]);
  }
  assert.throws(() => new RequestDecoder().push(Buffer.of(0x00)));
});

test('exe answers are checked field by field', () => {
  const ok = encodeReaderFrame(ReaderFrame.Exe, Buffer.from('{"pid":5,"exe":"/usr/bin/sleep","startTime":"123"}'));
  assert.deepEqual(new ReaderDecoder().push(ok), [{ type: 'exe', answer: { pid: 5, exe: '/usr/bin/sleep', startTime: 123n, locale: null, ctype: null } }]);
  const de = encodeReaderFrame(ReaderFrame.Exe, Buffer.from('{"pid":5,"exe":null,"startTime":null,"locale":"de_DE.UTF-8","ctype":"pt_BR.UTF-8"}'));
  assert.deepEqual(new ReaderDecoder().push(de), [{ type: 'exe', answer: { pid: 5, exe: null, startTime: null, locale: 'de_DE.UTF-8', ctype: 'pt_BR.UTF-8' } }]);
  for (const bad of ['{"pid":-1,"exe":null,"startTime":null}', '{"pid":5,"exe":7,"startTime":null}', '{"pid":5,"exe":null,"startTime":"12x"}',
    '{"pid":5,"exe":null,"startTime":null,"locale":7}', '{"pid":5,"exe":null,"startTime":null,"ctype":["C"]}']) {
    assert.throws(() => new ReaderDecoder().push(encodeReaderFrame(ReaderFrame.Exe, Buffer.from(bad))), bad);
  }
  assert.throws(() => new ReaderDecoder().push(encodeReaderFrame(ReaderFrame.Exe, Buffer.alloc(9000, 0x20))));
});
