// Checks a rules request before it crosses into a worker: the types the API
// promises, with uids and gids as unsigned 32-bit values and bounded sizes.

import type { RulesAction, RulesSubject } from './rules-protocol.js';

const MAX_STR = 4096;
const MAX_GROUPS = 65536;
const MAX_DETAILS = 256;

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_STR;
const isU32 = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;

/** Returns a description of the first problem, or undefined if the request is well formed. */
export function validateRequest(action: RulesAction, subject: RulesSubject): string | undefined {
  if (typeof action !== 'object' || action === null || !isStr(action.id) || action.id === '') return 'bad action id';
  if (typeof action.details !== 'object' || action.details === null) return 'bad action details';
  const keys = Object.keys(action.details);
  if (keys.length > MAX_DETAILS) return 'too many action details';
  for (const k of keys) if (!isStr(k) || !isStr(action.details[k])) return `bad action detail '${k.slice(0, 64)}'`;
  if (typeof subject !== 'object' || subject === null) return 'bad subject';
  if (!isU32(subject.pid)) return 'bad subject pid';
  if (!isU32(subject.uid)) return 'bad subject uid';
  if (!isStr(subject.user) || !isStr(subject.seat) || !isStr(subject.session)) return 'bad subject string';
  if (!Array.isArray(subject.groups) || subject.groups.length > MAX_GROUPS || !subject.groups.every(isStr)) return 'bad subject groups';
  if (typeof subject.local !== 'boolean' || typeof subject.active !== 'boolean') return 'bad subject local/active';
  if (subject.system_unit !== undefined && !isStr(subject.system_unit)) return 'bad subject system_unit';
  if (subject.no_new_privileges !== undefined && typeof subject.no_new_privileges !== 'boolean') return 'bad subject no_new_privileges';
  return undefined;
}
