// Messages of the tracing mode of a rules worker (used by `trustpath explain` through
// RulesTracer, never by the daemon's RulesEngine). Both ends are our code; each side
// still checks what it receives, and the worker's step records are bounded.

import type { RulesAction, RulesSubject } from './rules-protocol.js';

/** What happened when one .rules file was evaluated at load time. */
export interface FileLoad {
  readonly path: string;
  readonly ok: boolean;
  /** Compile or evaluation error, like String(e). */
  readonly error?: string;
  /** The file ran into the runaway limit while loading. */
  readonly runaway: boolean;
  /** addRule / addAdminRule calls the file made. */
  readonly rules: number;
  readonly adminRules: number;
}

export type TraceToWorker = {
  type: 'trace'; id: number; kind: 'rules' | 'admin'; action: RulesAction; subject: RulesSubject; all: boolean;
};

/** One record a traced rule function reported (parsed from the worker's JSON). */
export type StepRecord =
  | { ev: 'start'; i: number; file: string; line: number; extra: boolean }
  | { ev: 'return'; i: number; type: string; text: string; truthy: boolean }
  | { ev: 'threw'; i: number; text: string };

type TraceResult = { type: 'trace-result'; id: number; value: string | null; ok: boolean; error: string; runaway: boolean };

/** As the worker sends them: a step is the JSON text the traced rule produced. */
export type TraceFromWorker =
  | { type: 'loads'; files: FileLoad[] } | { type: 'step'; id: number; step: string } | TraceResult;

/** As the tracer reads them, checked. */
export type TraceMessage =
  | { type: 'loads'; files: FileLoad[] } | { type: 'step'; id: number; step: StepRecord } | TraceResult;

const MAX_TEXT = 4096;
const MAX_VALUE = 1024 * 1024;
const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_TEXT;
const isIndex = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** @private */
function parseFileLoad(v: unknown): FileLoad | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  if (!isText(r['path']) || typeof r['ok'] !== 'boolean' || typeof r['runaway'] !== 'boolean') return undefined;
  if (!isIndex(r['rules']) || !isIndex(r['adminRules'])) return undefined;
  if (r['error'] !== undefined && !isText(r['error'])) return undefined;
  const base = { path: r['path'], ok: r['ok'], runaway: r['runaway'], rules: r['rules'], adminRules: r['adminRules'] };
  return r['error'] === undefined ? base : { ...base, error: r['error'] as string };
}

/** Parses the JSON a traced rule reported; undefined if it is not one of ours. */
export function parseStepRecord(json: string): StepRecord | undefined {
  let v: unknown;
  try { v = JSON.parse(json.slice(0, 4 * MAX_TEXT)); } catch { return undefined; }
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  if (!isIndex(r['i'])) return undefined;
  const i = r['i'];
  if (r['ev'] === 'start' && isText(r['file']) && isIndex(r['line']) && typeof r['extra'] === 'boolean') {
    return { ev: 'start', i, file: r['file'], line: r['line'], extra: r['extra'] };
  }
  if (r['ev'] === 'return' && isText(r['type']) && isText(r['text']) && typeof r['truthy'] === 'boolean') {
    return { ev: 'return', i, type: r['type'], text: r['text'], truthy: r['truthy'] };
  }
  if (r['ev'] === 'threw' && isText(r['text'])) return { ev: 'threw', i, text: r['text'] };
  return undefined;
}

/** @private Narrow a tracing message from a worker; undefined for anything else. */
export function parseTraceFromWorker(m: unknown): TraceMessage | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const r = m as Record<string, unknown>;
  if (r['type'] === 'loads' && Array.isArray(r['files'])) {
    const files = r['files'].map(parseFileLoad);
    return files.every((f) => f !== undefined) ? { type: 'loads', files: files as FileLoad[] } : undefined;
  }
  if (r['type'] === 'step' && isIndex(r['id']) && typeof r['step'] === 'string') {
    const step = parseStepRecord(r['step']);
    return step === undefined ? undefined : { type: 'step', id: r['id'], step };
  }
  if (r['type'] === 'trace-result' && isIndex(r['id']) && (r['value'] === null || (typeof r['value'] === 'string' && r['value'].length <= MAX_VALUE)) &&
      typeof r['ok'] === 'boolean' && isText(r['error']) && typeof r['runaway'] === 'boolean') {
    return { type: 'trace-result', id: r['id'], value: r['value'] as string | null, ok: r['ok'], error: r['error'], runaway: r['runaway'] };
  }
  return undefined;
}
