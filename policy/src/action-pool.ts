// Builds the action table from parsed .policy files, the way polkit's action pool does.

import type { ActionDefinition, SourceFile } from './actions.js';
import { parsePolicyFile } from './policy-parser.js';

/**
 * Parses `files` in the given order (use selectPolicyFiles for polkit's order).
 * A file that fails to parse is skipped whole, with one log line, and never affects
 * the others. For duplicate action ids the later file wins.
 */
export function buildActionPool(files: readonly SourceFile[], log: (msg: string) => void): Map<string, ActionDefinition> {
  const pool = new Map<string, ActionDefinition>();
  for (const file of files) {
    let actions: ActionDefinition[];
    try {
      actions = parsePolicyFile(file);
    } catch (e) {
      log(`Error parsing policy file ${file.path}, skipping it: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    for (const action of actions) {
      if (pool.has(action.id)) pool.delete(action.id);
      pool.set(action.id, action);
    }
  }
  return pool;
}
