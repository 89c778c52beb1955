// Cross-process locks for machine-wide test resources (the system bus socket path,
// X display numbers). A lock is a directory created atomically; a lock whose owner
// process has died is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const LOCK_ROOT = '/tmp/trustpath-test-locks';

function ownerAlive(dir: string): boolean {
  try {
    const pid = Number(readFileSync(`${dir}/pid`, 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tryAcquire(dir: string): boolean {
  try {
    mkdirSync(dir);
  } catch {
    if (ownerAlive(dir)) return false;
    rmSync(dir, { recursive: true, force: true });
    return false;
  }
  writeFileSync(`${dir}/pid`, String(process.pid));
  return true;
}

/** Runs fn while holding the named lock; waits (up to timeoutMs) for it. */
export async function withLock<T>(name: string, fn: () => Promise<T>, timeoutMs = 600_000): Promise<T> {
  mkdirSync(LOCK_ROOT, { recursive: true });
  const dir = `${LOCK_ROOT}/${name}`;
  const deadline = Date.now() + timeoutMs;
  while (!tryAcquire(dir)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for test lock ${name}`);
    await sleep(100);
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
