import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const LOG = new URL('./log.js', import.meta.url).pathname;

test('log: a stderr whose reader went away is no uncaught exception (it used to loop for ever)', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'tp-log-')), 'report');
  const child = spawn(process.execPath, ['--input-type=module', '-e', `
    import { writeFileSync } from 'node:fs';
    const { createLog } = await import(${JSON.stringify(LOG)});
    const log = createLog('t');
    let uncaught = 0;
    process.on('uncaughtException', (e) => { uncaught += 1; log('Unexpected error (continuing): ' + e.message); });
    const tick = setInterval(() => log('tick'), 5);
    setTimeout(() => { clearInterval(tick); writeFileSync(${JSON.stringify(out)}, String(uncaught)); process.exit(0); }, 1500);
  `], { stdio: ['ignore', 'ignore', 'pipe'] });
  await once(child.stderr!, 'data');
  child.stderr!.destroy();
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, 'the process lived on and ended normally');
  assert.equal(readFileSync(out, 'utf8'), '0', 'no uncaught exceptions');
});
