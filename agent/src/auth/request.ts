// Checks of an authentication request at run time (the types say it is well formed;
// the manager still refuses what is not) and its audit record.
import type { AuditEntry } from '../audit/audit-log.js';
import { MAX_OFFERED } from './identities.js';
import type { AuthRequest, AuthResult } from './types.js';

const MAX_KEY = 256;
const MAX_TEXT = 4096;

function isUint32(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

function isText(s: unknown, max: number): boolean {
  return typeof s === 'string' && s.length > 0 && s.length <= max;
}

/** @internal what is wrong with a request, or undefined */
export function requestProblem(r: AuthRequest): string | undefined {
  if (typeof r !== 'object' || r === null) return 'not an object';
  if (!isText(r.sessionKey, MAX_KEY)) return 'sessionKey';
  if (!Array.isArray(r.candidates) || r.candidates.length === 0 || r.candidates.length > MAX_OFFERED) return 'candidates';
  if (!r.candidates.every(isUint32)) return 'candidate uid';
  if (!isText(r.actionId, MAX_TEXT) || !isText(r.subject, MAX_TEXT)) return 'actionId or subject';
  const q = r.requester;
  if (typeof q !== 'object' || q === null || !isUint32(q.uid) || !isUint32(q.pid) || q.pid === 0) return 'requester';
  if (typeof q.exe !== 'string' || !Array.isArray(q.cmdline)) return 'requester exe or cmdline';
  if (!(r.signal instanceof AbortSignal)) return 'signal';
  return undefined;
}

/** @internal the audit record of one authentication by trustpathd's own prompt */
export function auditEntry(r: AuthRequest, result: AuthResult, identity: number | undefined): AuditEntry {
  const q = r?.requester;
  return {
    via: 'prompt',
    requester: { pid: q?.pid, uid: q?.uid, exe: q?.exe, ...(q?.busName !== undefined ? { busName: q.busName } : {}) },
    actionId: r?.actionId, subject: r?.subject,
    offered: Array.isArray(r?.candidates) ? r.candidates : [],
    ...(result.outcome === 'authenticated' ? { identity: result.uid } : identity !== undefined ? { identity } : {}),
    outcome: result.outcome,
    ...(result.outcome === 'failed' ? { reason: result.reason } : {}),
    ...(result.outcome === 'failed' && result.reason === 'error' ? { detail: result.detail } : {}),
  };
}
