// Which files polkit reads from its action and rules directories, and in what order.
// Pure: the caller lists the directories and reads the files.

import { POLICY_DIRS, RULES_DIRS } from './actions.js';

/** @private polkit ignores editor droppings; only `*.<ext>` names count. */
function wanted(name: string, ext: string): boolean {
  return name.endsWith(ext) && name.length > ext.length && !name.startsWith('.') &&
    !name.startsWith('#') && !name.includes('/');
}

/** @private Directory order: the known directories first in their order, then others by name. */
function orderedDirs(listings: ReadonlyMap<string, readonly string[]>, known: readonly string[]): string[] {
  const strip = (d: string): string => (d.length > 1 ? d.replace(/\/+$/, '') : d);
  const rank = (d: string): number => { const i = known.indexOf(strip(d)); return i < 0 ? known.length : i; };
  return [...listings.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function join(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/**
 * `.policy` files to parse, in polkit's order: directory by directory (/etc first),
 * names sorted within each; a basename already taken by an earlier directory is
 * shadowed and not read again.
 */
export function selectPolicyFiles(listings: ReadonlyMap<string, readonly string[]>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const dir of orderedDirs(listings, POLICY_DIRS)) {
    const names = [...(listings.get(dir) ?? [])].filter((n) => wanted(n, '.policy')).sort(byCodeUnit);
    for (const name of names) {
      if (seen.has(name)) continue;
      seen.add(name);
      out.push(join(dir, name));
    }
  }
  return out;
}

/**
 * `.policy` files that selectPolicyFiles leaves out because a directory earlier in
 * polkit's order has a file of the same basename, each with the file that wins.
 */
export function shadowedPolicyFiles(listings: ReadonlyMap<string, readonly string[]>): { path: string; by: string }[] {
  const winner = new Map(selectPolicyFiles(listings).map((p) => [p.slice(p.lastIndexOf('/') + 1), p]));
  const out: { path: string; by: string }[] = [];
  for (const dir of orderedDirs(listings, POLICY_DIRS)) {
    for (const name of [...(listings.get(dir) ?? [])].filter((n) => wanted(n, '.policy')).sort(byCodeUnit)) {
      const path = join(dir, name);
      const by = winner.get(name);
      if (by !== undefined && by !== path) out.push({ path, by });
    }
  }
  return out;
}

/**
 * `.rules` files to run, all of them (no shadowing), sorted by basename; equal
 * basenames by directory order (/etc < /run < /usr/local < /usr).
 */
export function selectRulesFiles(listings: ReadonlyMap<string, readonly string[]>): string[] {
  const dirs = orderedDirs(listings, RULES_DIRS);
  const entries: { name: string; dirRank: number; path: string }[] = [];
  dirs.forEach((dir, dirRank) => {
    for (const name of new Set(listings.get(dir) ?? [])) {
      if (wanted(name, '.rules')) entries.push({ name, dirRank, path: join(dir, name) });
    }
  });
  entries.sort((a, b) => byCodeUnit(a.name, b.name) || a.dirRank - b.dirRank);
  return entries.map((e) => e.path);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
