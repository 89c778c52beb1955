#!/usr/bin/env node
// Runs every compiled test file (build/**/*.test.js) with node's test runner.
// Usage: node scripts/run-tests.mjs [substring ...]   (filters test files by path)
// Test files that need a machine-wide resource (the system bus socket, an X display
// number) take a lock from test/support/lock.ts, so files may run two at a time.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const buildDir = join(root, 'build');

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect(buildDir, [])
  .filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
const concurrency = process.env.TRUSTPATH_TEST_CONCURRENCY ?? '2';
const result = spawnSync(process.execPath, [
  '--enable-source-maps', '--test', `--test-concurrency=${concurrency}`,
  '--test-timeout=600000', '--test-reporter=spec', ...files,
], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
