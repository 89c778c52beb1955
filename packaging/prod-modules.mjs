#!/usr/bin/env node
// Prints the node_modules directories trustpath needs at run time, one per line,
// relative to the checkout: the production dependency closure (npm ls --omit=dev)
// without packages only used to build native addons (node-gyp and what it pulls in),
// which would otherwise be installed next to the daemon for nothing.
import { execFileSync } from 'node:child_process';

const BUILD_ONLY = new Set(['node-gyp', 'nan']);
const root = new URL('..', import.meta.url).pathname;
const tree = JSON.parse(execFileSync('npm', ['ls', '--omit=dev', '--all', '--json', '--long'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 }));

const paths = new Set();
function walk(deps) {
  for (const [name, dep] of Object.entries(deps ?? {})) {
    if (BUILD_ONLY.has(name) || typeof dep.path !== 'string') continue;
    if (dep.missing) throw new Error(`npm module ${name} is missing: run npm ci`);
    if (paths.has(dep.path)) continue;
    paths.add(dep.path);
    walk(dep.dependencies);
  }
}
walk(tree.dependencies);
const prefix = root.endsWith('/') ? root : `${root}/`;
for (const p of [...paths].sort()) {
  if (!p.startsWith(prefix)) throw new Error(`npm module outside the checkout: ${p}`);
  process.stdout.write(`${p.slice(prefix.length)}\n`);
}
