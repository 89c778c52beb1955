#!/usr/bin/env node
// Checks what the compiler cannot: import layering between the top-level folders
// and file size. Exits non-zero and names each offence.
//
// Layers (see each folder's README):
//   policy/     pure: imports only policy/, saxes, quickjs-emscripten and a few node
//               modules (node:child_process only in the rules worker, for polkit.spawn)
//   prompt-ui/  only prompt-ui/ and the prompt protocol types in agent/src/prompt/protocol*
//   agent/      agent/, policy/, dbus-next, node, and prompt-ui's Node-side surface:
//               its view state, the secret art and the hosts (prompt-ui/src/*.ts,
//               not the renderer or the Electron app)
//   test/, bench/  anything
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const MAX_LINES = 600;
const problems = [];

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'build' || name === 'out' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(ts|mts|mjs|js|c|h)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const policyNode = new Set(['node:path', 'node:url', 'node:worker_threads', 'node:util']);
function allowed(file, spec) {
  const rel = relative(root, file);
  const layer = rel.split('/')[0];
  if (spec.startsWith('.')) {
    const target = relative(root, resolve(dirname(file), spec)).split('/')[0];
    if (layer === 'policy') return target === 'policy';
    if (layer === 'prompt-ui') return target === 'prompt-ui' || /agent\/src\/prompt\/protocol/.test(relative(root, resolve(dirname(file), spec)));
    if (layer === 'agent') {
      return target === 'agent' || target === 'policy' ||
        /^prompt-ui\/src\/[a-z0-9-]+\.js$/.test(relative(root, resolve(dirname(file), spec)));
    }
    return true;
  }
  if (layer === 'policy') {
    if (spec === 'saxes' || spec.startsWith('quickjs-emscripten')) return true;
    if (spec === 'node:child_process') return /rules-worker/.test(rel);
    return policyNode.has(spec);
  }
  if (layer === 'prompt-ui') return spec === 'electron' || spec === 'playwright-core' || spec.startsWith('node:');
  return true;
}

for (const file of walk(root, [])) {
  const rel = relative(root, file);
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').length;
  if (lines > MAX_LINES && !/lint: allow-long-file/.test(text)) {
    problems.push(`${rel}: ${lines} lines (limit ${MAX_LINES}; split it or say why with 'lint: allow-long-file')`);
  }
  if (!/\.(ts|mts|mjs|js)$/.test(file)) continue;
  const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    if (spec && !allowed(file, spec)) problems.push(`${rel}: may not import '${spec}' (layering, see scripts/lint.mjs)`);
  }
}

if (problems.length) {
  for (const p of problems) console.error(`lint: ${p}`);
  process.exit(1);
}
console.log('lint: ok');
