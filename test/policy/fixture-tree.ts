// Reads the fixture trees under test/policy/fixtures as if they were the real
// polkit directories (keys are the real paths, e.g. /etc/polkit-1/rules.d).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../../test/policy/fixtures', import.meta.url));

export function listings(dirs: readonly string[], root = FIXTURES): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const dir of dirs) if (existsSync(root + dir)) out.set(dir, readdirSync(root + dir));
  return out;
}

export function read(paths: readonly string[], root = FIXTURES): { path: string; content: string }[] {
  return paths.map((path) => ({ path, content: readFileSync(root + path, 'utf8') }));
}

export function expected<T>(name: string): T {
  return JSON.parse(readFileSync(`${FIXTURES}/../${name}`, 'utf8')) as T;
}
