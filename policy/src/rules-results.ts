// What the daemon makes of the string a rules worker answered: polkit's checks of a
// rule's result and of an admin rule's identity list. Shared by RulesEngine and
// RulesTracer so that `trustpath explain` reports exactly the daemon's decision.

import { isImplicitAuthorization, type ImplicitAuthorization } from './actions.js';
import { parseIdentityString } from './identity-string.js';

/** polkit's answer when admin rules give nothing usable. */
export const ADMIN_FALLBACK: readonly string[] = Object.freeze(['unix-user:0']);

/** `ok` false (a rule threw or ran away) → 'no'; null → not handled; invalid → logged, 'no'. */
export function rulesResult(value: string | null, ok: boolean, log: (msg: string) => void): ImplicitAuthorization | null {
  if (!ok) return 'no';
  if (value === null) return null;
  if (!isImplicitAuthorization(value)) {
    log(`Returned result \`${value}' is not valid`);
    return 'no';
  }
  return value;
}

/** Splits the joined admin-rule list; bad entries are logged and dropped; nothing usable → [unix-user:0]. */
export function adminResult(value: string | null, ok: boolean, log: (msg: string) => void): string[] {
  if (!ok || value === null) return [...ADMIN_FALLBACK];
  const out: string[] = [];
  for (const entry of value.split(',')) {
    try {
      parseIdentityString(entry);
      out.push(entry);
    } catch (e) {
      log(`Identity \`${entry}' is not valid, ignoring: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out.length > 0 ? out : [...ADMIN_FALLBACK];
}
