// Reads the action and rules directories for `trustpath explain`, in polkit's order
// (selection and shadowing come from policy/), and keeps what a person debugging a
// tree wants to see: which directories exist, which files were shadowed, and which
// could not be read. Bounded like the daemon's reader: entries, file and total size.

import { closeSync, constants, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import {
  selectPolicyFiles, selectRulesFiles, shadowedPolicyFiles, type SourceFile,
} from '../../../policy/src/index.js';

export interface DirState { readonly dir: string; readonly state: 'read' | 'missing' | 'error'; readonly error?: string }

export interface ExplainTree {
  readonly actionDirs: readonly DirState[];
  readonly rulesDirs: readonly DirState[];
  readonly policyFiles: readonly SourceFile[];
  readonly rulesFiles: readonly SourceFile[];
  /** .policy files not read because an earlier directory has the same file name. */
  readonly shadowed: readonly { path: string; by: string }[];
  /** Files that were selected but could not be read (and so were skipped). */
  readonly readErrors: readonly string[];
}

export const TREE_LIMITS = Object.freeze({ entriesPerDir: 4096, fileBytes: 4 * 1024 * 1024, totalBytes: 64 * 1024 * 1024 });

/** @private */
function list(dirs: readonly string[], states: DirState[]): Map<string, string[]> {
  const listings = new Map<string, string[]>();
  for (const dir of new Set(dirs)) {
    try {
      listings.set(dir, readdirSync(dir).sort().slice(0, TREE_LIMITS.entriesPerDir));
      states.push({ dir, state: 'read' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') states.push({ dir, state: 'missing' });
      else states.push({ dir, state: 'error', error: (e as Error).message });
    }
  }
  return listings;
}

/** @private A regular file of at most `limit` bytes (never blocks on a fifo). */
function readFile(path: string, limit: number): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > limit) throw new Error(`larger than ${limit} bytes`);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    for (let n = 1; off < buf.length && n > 0; off += n) n = readSync(fd, buf, off, buf.length - off, off);
    return buf.subarray(0, off).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** @private */
function readAll(paths: readonly string[], budget: { left: number }, errors: string[]): SourceFile[] {
  const out: SourceFile[] = [];
  for (const path of paths) {
    try {
      const content = readFile(path, Math.min(TREE_LIMITS.fileBytes, budget.left));
      budget.left -= content.length;
      out.push({ path, content });
    } catch (e) {
      errors.push(`${path}: ${(e as Error).message}`);
    }
  }
  return out;
}

export function readExplainTree(actionDirs: readonly string[], rulesDirs: readonly string[]): ExplainTree {
  const actionStates: DirState[] = [];
  const rulesStates: DirState[] = [];
  const actionListings = list(actionDirs, actionStates);
  const rulesListings = list(rulesDirs, rulesStates);
  const readErrors: string[] = [];
  const budget = { left: TREE_LIMITS.totalBytes };
  return {
    actionDirs: actionStates, rulesDirs: rulesStates,
    policyFiles: readAll(selectPolicyFiles(actionListings), budget, readErrors),
    rulesFiles: readAll(selectRulesFiles(rulesListings), budget, readErrors),
    shadowed: shadowedPolicyFiles(actionListings), readErrors,
  };
}
