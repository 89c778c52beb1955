// Reads the action and rules directories for `trustpath explain` exactly as
// trustpathd reads them (policy-source/tree.ts: polkit's order, same bounds), and
// adds what a person debugging a tree wants to see: which directories exist and
// which .policy files were shadowed by a same-named file of an earlier directory.

import { readdirSync } from 'node:fs';
import { parsePolicyFile, shadowedPolicyFiles, type SourceFile } from '../../../policy/src/index.js';
import { readBounded, readPolicyTree, TREE_LIMITS } from '../policy-source/tree.js';

export interface DirState { readonly dir: string; readonly state: 'read' | 'missing' | 'error'; readonly error?: string }

export interface ExplainTree {
  readonly actionDirs: readonly DirState[];
  readonly rulesDirs: readonly DirState[];
  readonly policyFiles: readonly SourceFile[];
  readonly rulesFiles: readonly SourceFile[];
  /** .policy files not read because an earlier directory has the same file name. */
  readonly shadowed: readonly { path: string; by: string }[];
  /** What the daemon's reader logged: files or directories it could not read (and skipped). */
  readonly readErrors: readonly string[];
}

/** @private Each directory's state, and the listings of those that could be read. */
function list(dirs: readonly string[], states: DirState[]): Map<string, string[]> {
  const listings = new Map<string, string[]>();
  for (const dir of new Set(dirs)) {
    try {
      listings.set(dir, readdirSync(dir).sort().slice(0, TREE_LIMITS.entriesPerDir));
      states.push({ dir, state: 'read' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      states.push(code === 'ENOENT' ? { dir, state: 'missing' } : { dir, state: 'error', error: (e as Error).message });
    }
  }
  return listings;
}

export function readExplainTree(actionDirs: readonly string[], rulesDirs: readonly string[]): ExplainTree {
  const readErrors: string[] = [];
  const snapshot = readPolicyTree({ actions: actionDirs, rules: rulesDirs }, (m) => readErrors.push(m));
  const actionStates: DirState[] = [];
  const rulesStates: DirState[] = [];
  const shadowed = shadowedPolicyFiles(list(actionDirs, actionStates));
  list(rulesDirs, rulesStates);
  return {
    actionDirs: actionStates, rulesDirs: rulesStates, policyFiles: snapshot.policy, rulesFiles: snapshot.rules,
    shadowed, readErrors,
  };
}

/** Files among `files` that define action `id` (files that do not parse are left out). */
export function filesDefining(id: string, files: readonly SourceFile[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (!f.content.includes(id)) continue;
    try {
      if (parsePolicyFile(f).some((a) => a.id === id)) out.push(f.path);
    } catch { /* the daemon's pool skips it too; listed among the policy errors when it was read */ }
  }
  return out;
}

/**
 * Shadowed .policy files (never read by the daemon) that define `id`, each with the
 * file that shadows it: the answer to "why is my action not there?".
 */
export function shadowedDefinitions(id: string, tree: ExplainTree): { path: string; by: string }[] {
  const files: SourceFile[] = [];
  for (const s of tree.shadowed) {
    try { files.push({ path: s.path, content: readBounded(s.path, TREE_LIMITS.fileBytes) }); } catch { /* unreadable: not ours to report */ }
  }
  const defining = new Set(filesDefining(id, files));
  return tree.shadowed.filter((s) => defining.has(s.path));
}
