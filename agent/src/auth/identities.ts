// The identities a challenge offers, built exactly as polkitd's
// authentication_agent_initiate_challenge builds them (POLKIT-REFERENCE §2):
//
//   auth_self, auth_self_keep   → [the subject's uid]
//   auth_admin, auth_admin_keep → each admin-rules identity, expanded to users:
//     unix-user:UID    that uid, unlooked-up (polkit_unix_user_new)
//     unix-user:NAME   getpwnam; unknown → skipped with a log line
//     unix-group:G     the subject first if G is its primary gid and its uid ≠ 0,
//                      then gr_mem in file order without "root"; unknown → log
//     unix-netgroup:N  getnetgrent users in order (root is kept, as in polkit)
//   no de-duplication; an empty result falls back to [0].
import type { ImplicitAuthorization } from '../../../policy/src/index.js';
import { parseIdentityString, type ParsedIdentity } from '../../../policy/src/index.js';
import type { UserDatabase, UserRecord } from '../identity/users.js';
import { getentNetgroupUsers, type NetgroupLookup } from './netgroup.js';

export type ChallengeKind = Extract<ImplicitAuthorization, 'auth_self' | 'auth_self_keep' | 'auth_admin' | 'auth_admin_keep'>;

/** A bound on the offered list, far above any real admin group. */
export const MAX_OFFERED = 1024;

export interface IdentityOptions {
  /** Seam for tests; default `getent netgroup`. */
  readonly netgroupUsers?: NetgroupLookup;
}

type Log = (msg: string) => void;

/** Never rejects: lookups that fail are logged and skipped, as polkit does. */
export async function challengeIdentities(implicit: ChallengeKind, subjectUser: UserRecord,
  adminIdentities: readonly string[], users: UserDatabase, log: Log, opts: IdentityOptions = {}): Promise<number[]> {
  if (implicit === 'auth_self' || implicit === 'auth_self_keep') return [subjectUser.uid];
  const out: number[] = [];
  for (const s of adminIdentities) {
    if (out.length >= MAX_OFFERED) {
      log(`Offering only the first ${MAX_OFFERED} identities`);
      break;
    }
    out.push(...await expandOne(s, subjectUser, users, log, opts));
  }
  return out.length > 0 ? out.slice(0, MAX_OFFERED) : [0];
}

/** @internal one admin identity string → uids */
async function expandOne(s: string, subject: UserRecord, users: UserDatabase, log: Log, opts: IdentityOptions): Promise<number[]> {
  let id: ParsedIdentity;
  try {
    id = parseIdentityString(s);
  } catch (e) {
    log(`Identity \`${s}' is not valid, ignoring: ${e instanceof Error ? e.message : String(e)}`);
    return [];
  }
  try {
    if (id.kind === 'unix-user') return await userUids(id, users, log);
    if (id.kind === 'unix-group') return await groupUids(id, subject, users, log);
    return await netgroupUids(id.name ?? '', users, log, opts.netgroupUsers ?? getentNetgroupUsers);
  } catch (e) {
    log(`Error expanding identity \`${s}', ignoring: ${e instanceof Error ? e.message : String(e)}`);
    return [];
  }
}

async function userUids(id: ParsedIdentity, users: UserDatabase, log: Log): Promise<number[]> {
  if (id.name === undefined) return [id.id];
  const u = await users.userByName(id.name);
  if (u === null) log(`Identity \`unix-user:${id.name}' is not valid, ignoring: Unknown user '${id.name}'`);
  return u === null ? [] : [u.uid];
}

async function groupUids(id: ParsedIdentity, subject: UserRecord, users: UserDatabase, log: Log): Promise<number[]> {
  const group = id.name === undefined ? await users.groupByGid(id.id) : await users.groupByName(id.name);
  if (group === null && id.name !== undefined) {
    log(`Identity \`unix-group:${id.name}' is not valid, ignoring: Unknown group '${id.name}'`);
    return [];
  }
  const gid = group?.gid ?? (id.id as number);
  const out: number[] = subject.uid !== 0 && subject.gid === gid ? [subject.uid] : [];
  if (group === null) {
    log(`Error looking up group with gid ${gid}`);
    return out;
  }
  for (const member of group.members) {
    if (member === 'root') continue;
    const u = await users.userByName(member);
    if (u === null) log(`Unknown username '${member}' in group ${group.name}`);
    else out.push(u.uid);
  }
  return out;
}

async function netgroupUids(name: string, users: UserDatabase, log: Log, lookup: NetgroupLookup): Promise<number[]> {
  const members = await lookup(name);
  if (members === null) {
    log(`Error looking up net group with name ${name}`);
    return [];
  }
  const out: number[] = [];
  for (const member of members) {
    const u = await users.userByName(member);
    if (u === null) log(`Unknown username '${member}' in unix-netgroup: ${name}`);
    else out.push(u.uid);
  }
  return out;
}
