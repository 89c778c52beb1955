// Users of a netgroup, as polkit's get_users_in_net_group gets them with
// setnetgrent/getnetgrent: asked of NSS through `getent netgroup` (which expands
// nested netgroups), in order, skipping triples whose user is empty (NULL, a
// wildcard: never make everyone an admin) or "-" (matches nobody).
import { execFile } from 'node:child_process';

const GETENT_TIMEOUT_MS = 5_000;
const MAX_OUTPUT = 256 * 1024;
const MAX_USERS = 4096;

/** Looks up a netgroup; null when it is unknown or the lookup failed. */
export type NetgroupLookup = (name: string) => Promise<string[] | null>;

/** @internal the user fields of `getent netgroup` output: "NAME (h,u,d) (h,u,d) …" */
export function netgroupUsersFromOutput(output: string): string[] {
  const users: string[] = [];
  for (const m of output.matchAll(/\(\s*([^,()]*?)\s*,\s*([^,()]*?)\s*,\s*([^,()]*?)\s*\)/g)) {
    const user = m[2] ?? '';
    if (user === '' || user === '-') continue;
    users.push(user);
    if (users.length >= MAX_USERS) break;
  }
  return users;
}

/** The system's netgroups through NSS. */
export const getentNetgroupUsers: NetgroupLookup = (name) => new Promise((resolve) => {
  if (name === '' || name.startsWith('-') || /[\s\0]/.test(name)) return resolve(null);
  execFile('getent', ['netgroup', name], { timeout: GETENT_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT },
    (err, stdout) => resolve(err ? null : netgroupUsersFromOutput(stdout)));
});
