import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('../..', import.meta.url).pathname;

function lint(cwd: string) {
  return spawnSync(process.execPath, [join(cwd, 'scripts/lint.mjs')], { cwd, encoding: 'utf8' });
}

test('the tree passes its own layering and size lint', () => {
  const r = lint(root);
  assert.equal(r.status, 0, r.stderr);
});

test('lint rejects a policy/ file that imports the agent or does I/O', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tp-lint-'));
  try {
    mkdirSync(join(dir, 'scripts'));
    cpSync(join(root, 'scripts/lint.mjs'), join(dir, 'scripts/lint.mjs'));
    mkdirSync(join(dir, 'policy/src'), { recursive: true });
    writeFileSync(join(dir, 'policy/src/bad.ts'),
      "import { x } from '../../agent/src/main.js';\nimport { readFileSync } from 'node:fs';\n");
    const r = lint(dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /may not import '\.\.\/\.\.\/agent\/src\/main\.js'/);
    assert.match(r.stderr, /may not import 'node:fs'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lint rejects an oversized file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tp-lint-'));
  try {
    mkdirSync(join(dir, 'scripts'));
    cpSync(join(root, 'scripts/lint.mjs'), join(dir, 'scripts/lint.mjs'));
    mkdirSync(join(dir, 'agent/src'), { recursive: true });
    writeFileSync(join(dir, 'agent/src/big.ts'), 'export const a = 1;\n'.repeat(700));
    const r = lint(dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /big\.ts: 701 lines/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
