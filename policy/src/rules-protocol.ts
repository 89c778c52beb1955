// Messages between the RulesEngine (daemon thread) and a rules worker thread.
// Both ends are our code, but each side still checks what it receives.

/** polkit.spawn's timeout (polkit: 10 seconds, SIGTERM). */
export const SPAWN_TIMEOUT_MS = 10_000;

export interface RulesSubject {
  pid: number; user: string; uid: number; groups: string[]; seat: string; session: string;
  local: boolean; active: boolean; system_unit?: string; no_new_privileges?: boolean;
}
export interface RulesAction { id: string; details: Record<string, string> }

export interface WorkerInit {
  readonly files: readonly { path: string; content: string }[];
  readonly runawayMs: number;
  readonly memoryLimitBytes: number;
  readonly spawnTimeoutMs: number;
  /** Forward log lines written while loading (only the first worker of a generation does). */
  readonly logLoad: boolean;
  /** Tracing mode for `trustpath explain` (rules-worker-trace.ts); the daemon never sets it. */
  readonly trace?: boolean;
}

export type ToWorker =
  | { type: 'run'; id: number; kind: 'rules' | 'admin'; action: RulesAction; subject: RulesSubject };

export type FromWorker =
  | { type: 'ready'; loaded: number }
  | { type: 'log'; msg: string }
  | { type: 'result'; id: number; value: string | null; ok: boolean; retire: boolean };

/** @private Narrow an unknown message from a worker; anything else is a protocol error. */
export function parseFromWorker(m: unknown): FromWorker | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const r = m as Record<string, unknown>;
  if (r['type'] === 'ready' && Number.isSafeInteger(r['loaded'])) return { type: 'ready', loaded: r['loaded'] as number };
  if (r['type'] === 'log' && typeof r['msg'] === 'string') return { type: 'log', msg: r['msg'] };
  if (r['type'] === 'result' && Number.isSafeInteger(r['id']) && (typeof r['value'] === 'string' || r['value'] === null) &&
      typeof r['ok'] === 'boolean' && typeof r['retire'] === 'boolean') {
    return { type: 'result', id: r['id'] as number, value: r['value'] as string | null, ok: r['ok'], retire: r['retire'] };
  }
  return undefined;
}
