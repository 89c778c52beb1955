// Rules run as trustpathd runs them: as the `trustpath` system user, so that
// polkit.spawn() in a rule has the daemon's rights and not root's. Called after the
// policy tree has been read (rules directories may be readable by root only).

import type { UserDatabase } from '../identity/users.js';
import { dropPrivileges } from '../privileges.js';

export const RULES_USER = 'trustpath';

/**
 * As root: switches the whole process to RULES_USER for good (as trustpathd drops)
 * and returns its name. Not root: returns the current user's name. Root without that
 * user: stays root and says so (trustpathd would refuse to start; explain answers).
 */
export async function dropToRulesUser(users: UserDatabase): Promise<string> {
  const uid = process.getuid?.() ?? -1;
  if (uid !== 0) return (await users.userByUid(uid))?.name ?? String(uid);
  const u = await users.userByName(RULES_USER);
  if (u === null) return `root (there is no '${RULES_USER}' user; polkit.spawn runs as root)`;
  dropPrivileges(u);
  return RULES_USER;
}
