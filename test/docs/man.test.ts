// The man pages render without groff warnings and name every option the commands
// accept, so that they cannot silently drift from --help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const page = (name: string): string => readFileSync(`${ROOT}docs/man/${name}`, 'utf8').replaceAll('\\-', '-');
const options = (help: string): string[] => [...new Set(help.match(/--[a-z][a-z-]+/g) ?? [])];

test('the man pages render cleanly', () => {
  const r = spawnSync('groff', ['-man', '-ww', '-z', `${ROOT}docs/man/trustpathd.8`, `${ROOT}docs/man/trustpath.1`], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.equal(r.stderr, '', 'groff warnings');
});

test('trustpathd.8 names every option of trustpathd --help', () => {
  const help = execFileSync(process.execPath, [`${ROOT}build/agent/src/trustpathd.js`, '--help'], { encoding: 'utf8' });
  const man = page('trustpathd.8');
  const missing = options(help).filter((o) => !man.includes(o));
  assert.ok(options(help).length > 8);
  assert.deepEqual(missing, []);
});

test('trustpath.1 names every option of trustpath explain --help', () => {
  const help = execFileSync(`${ROOT}bin/trustpath`, ['explain', '--help'], { encoding: 'utf8' });
  const man = page('trustpath.1');
  const missing = options(help).filter((o) => !man.includes(o));
  assert.ok(options(help).length > 8);
  assert.deepEqual(missing, []);
});
