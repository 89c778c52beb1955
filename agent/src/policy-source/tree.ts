// Reads the action and rules directories into one snapshot, in polkit's order
// (selection and shadowing come from policy/). Bounded: a directory with too many
// entries or a file that is too large is logged and skipped, never read whole.
import { readdirSync, openSync, fstatSync, readSync, closeSync, constants } from 'node:fs';
import { selectPolicyFiles, selectRulesFiles, type SourceFile } from '../../../policy/src/index.js';

export interface PolicyDirs {
  readonly actions: readonly string[];
  readonly rules: readonly string[];
}

export interface PolicySnapshot {
  readonly policy: readonly SourceFile[];
  readonly rules: readonly SourceFile[];
}

export const TREE_LIMITS = Object.freeze({ entriesPerDir: 4096, fileBytes: 4 * 1024 * 1024, totalBytes: 64 * 1024 * 1024 });

function listDir(dir: string, log: (msg: string) => void): string[] {
  try {
    const names = readdirSync(dir);
    if (names.length > TREE_LIMITS.entriesPerDir) {
      log(`Directory ${dir} has ${names.length} entries, more than ${TREE_LIMITS.entriesPerDir}; reading the first ones only`);
      return names.sort().slice(0, TREE_LIMITS.entriesPerDir);
    }
    return names;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') log(`Error listing directory ${dir}: ${(e as Error).message}`);
    return [];
  }
}

/** @internal reads a regular file of at most `limit` bytes, without following a final symlink to a fifo */
export function readBounded(path: string, limit: number): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > limit) throw new Error(`file is larger than ${limit} bytes`);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function readAll(paths: readonly string[], budget: { left: number }, log: (msg: string) => void): SourceFile[] {
  const out: SourceFile[] = [];
  for (const path of paths) {
    try {
      const content = readBounded(path, Math.min(TREE_LIMITS.fileBytes, budget.left));
      budget.left -= content.length;
      out.push({ path, content });
    } catch (e) {
      log(`Error reading ${path}, skipping it: ${(e as Error).message}`);
    }
  }
  return out;
}

export function readPolicyTree(dirs: PolicyDirs, log: (msg: string) => void): PolicySnapshot {
  const listings = (list: readonly string[]): Map<string, string[]> =>
    new Map(list.map((d) => [d, listDir(d, log)]));
  const budget = { left: TREE_LIMITS.totalBytes };
  return {
    policy: readAll(selectPolicyFiles(listings(dirs.actions)), budget, log),
    rules: readAll(selectRulesFiles(listings(dirs.rules)), budget, log),
  };
}
