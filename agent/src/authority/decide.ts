// The decision itself, in polkit's order (POLKIT-REFERENCE §1.5 steps 4–11):
// action lookup, user of subject, root shortcut, session state, implicit default,
// rules, yes, temporary authorization, imply (one level), challenge or no.
// Details are the caller's own dict, added to and echoed back as polkitd does.
import type { ActionDefinition, ImplicitAuthorization, RulesSubject } from '../../../policy/src/index.js';
import { failed } from '../bus/errors.js';
import type { Subject } from '../identity/subject.js';
import type { UserDatabase } from '../identity/users.js';
import type { PolicyState } from './policy-state.js';
import type { SubjectResolver } from './subjects.js';
import type { TemporaryAuthorizationStore } from './temporary-authorizations.js';

export const FLAG_ALLOW_USER_INTERACTION = 0x1;
export const FLAG_ALWAYS_CHECK = 0x2;

export interface Decision {
  readonly authorized: boolean;
  readonly challenge: boolean;
  readonly details: Record<string, string>;
  /** the rules-adjusted implicit value, for the challenge that may follow */
  readonly implicit: ImplicitAuthorization;
  /** the Subject the rules saw; set on a challenge, whose admin rules see it too */
  readonly rulesSubject?: RulesSubject;
}

export interface DecideContext {
  readonly policy: PolicyState;
  readonly resolver: SubjectResolver;
  readonly users: UserDatabase;
  readonly temporary: TemporaryAuthorizationStore;
  readonly log: (msg: string) => void;
}

const KEEP: ReadonlySet<ImplicitAuthorization> = new Set(['auth_self_keep', 'auth_admin_keep']);
export const isKeep = (i: ImplicitAuthorization): boolean => KEEP.has(i);

/** @internal polkit's subject_to_jsval: the Subject the rules see. Throws if it cannot be built. */
async function rulesSubjectFor(ctx: DecideContext, subject: Subject, uid: number,
  state: { session: { id: string; seat: string } | null; local: boolean; active: boolean }): Promise<RulesSubject> {
  const pid = (await ctx.resolver.pidOf(subject)) ?? 0;
  const user = await ctx.users.userByUid(uid);
  let groups: string[] = [];
  if (user) {
    const gids = await ctx.users.groupsOfUser(user.name, user.gid);
    groups = await Promise.all(gids.map(async (g) => (await ctx.users.groupByGid(g))?.name ?? String(g)));
  } else {
    ctx.log(`Error looking up info for uid ${uid}`);
  }
  return {
    pid, user: user?.name ?? String(uid), uid, groups,
    seat: state.session?.seat ?? '', session: state.session?.id ?? '', local: state.local, active: state.active,
  };
}

/** `uid` is the subject's user, already resolved by the caller (user_of_subject). */
export async function decide(ctx: DecideContext, subject: Subject, uid: number, actionId: string,
  details: Record<string, string>, flags: number, checkingImply = false): Promise<Decision> {
  const action = ctx.policy.action(actionId);
  if (!action) throw failed(`Action ${actionId} is not registered`);
  if ((flags & FLAG_ALWAYS_CHECK) === 0 && uid === 0) {
    return { authorized: true, challenge: false, details: {}, implicit: 'yes' };
  }
  const state = await ctx.resolver.sessionState(subject, uid);
  const ruled = await runRules(ctx, subject, uid, state, action, details, implicitFor(action, state.local, state.active));
  const implicit = ruled.implicit;
  if (implicit === 'yes') return { authorized: true, challenge: false, details, implicit };

  const process = await processKeyQuiet(ctx, subject, uid);
  const temp = process && ctx.temporary.find(actionId, process);
  if (temp) {
    details['polkit.temporary_authorization_id'] = temp.id;
    return { authorized: true, challenge: false, details, implicit };
  }
  if (!checkingImply) {
    for (const implying of ctx.policy.impliedBy(actionId)) {
      try {
        const r = await decide(ctx, subject, uid, implying, details, flags, true);
        if (r.authorized) return r;
      } catch { /* as polkit: an implying action that fails to check is skipped */ }
    }
  }
  if (implicit === 'no') return { authorized: false, challenge: false, details, implicit };
  if (isKeep(implicit)) details['polkit.retains_authorization_after_challenge'] = '1';
  return { authorized: false, challenge: true, details, implicit, ...(ruled.subject ? { rulesSubject: ruled.subject } : {}) };
}

function implicitFor(action: ActionDefinition, local: boolean, active: boolean): ImplicitAuthorization {
  if (!local) return action.implicitAny;
  return active ? action.implicitActive : action.implicitInactive;
}

async function runRules(ctx: DecideContext, subject: Subject, uid: number,
  state: Awaited<ReturnType<SubjectResolver['sessionState']>>, action: ActionDefinition,
  details: Record<string, string>, implicit: ImplicitAuthorization): Promise<{ implicit: ImplicitAuthorization; subject?: RulesSubject }> {
  let rulesSubject: RulesSubject;
  try {
    rulesSubject = await rulesSubjectFor(ctx, subject, uid, state);
  } catch (e) {
    ctx.log(`Error converting subject to JS object: ${(e as Error).message}`);
    return { implicit: 'no' };
  }
  const r = await ctx.policy.rules.runRules({ id: action.id, details: { ...details } }, rulesSubject);
  return { implicit: r ?? implicit, subject: rulesSubject };
}

async function processKeyQuiet(ctx: DecideContext, subject: Subject, uid: number) {
  try {
    return await ctx.resolver.processKeyOf(subject, uid);
  } catch {
    return undefined;
  }
}
