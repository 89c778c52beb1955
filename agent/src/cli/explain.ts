// `trustpath explain`: evaluates one CheckAuthorization question against the policy
// tree on disk, without a bus, in polkit's order (POLKIT-REFERENCE §1.5), and records
// each step for the renderers. The decision logic mirrors polkit's; the rules run in
// the same interpreter and through the same checks as in trustpathd (RulesTracer).

import {
  buildActionPool, localize, POLICY_DIRS, RULES_DIRS, RulesTracer,
  type ActionDefinition, type FileLoad, type ImplicitAuthorization, type RulesAction, type RulesSubject, type TracedAdmin, type TracedRules,
} from '../../../policy/src/index.js';
import { challengeIdentities } from '../auth/identities.js';
import type { UserDatabase, UserRecord } from '../identity/users.js';
import type { ExplainOptions, SessionState } from './explain-options.js';
import { filesDefining, readExplainTree, shadowedDefinitions, type ExplainTree } from './explain-tree.js';

export type ImplicitKey = 'allow_any' | 'allow_inactive' | 'allow_active';

export type Decider =
  | { kind: 'root' }
  | { kind: 'implicit'; key: ImplicitKey; file: string }
  | { kind: 'rule'; file: string; line: number; value: string }
  | { kind: 'rule-invalid'; file: string; line: number; value: string }
  | { kind: 'rule-error'; file: string; line: number; error: string }
  | { kind: 'rule-runaway'; file: string; line: number; error: string }
  | { kind: 'rules-failed'; error: string }
  | { kind: 'implied'; action: string; by: Decider };

export interface Evaluation {
  readonly action: string;
  readonly implicit: { readonly key: ImplicitKey; readonly value: ImplicitAuthorization };
  readonly rules: TracedRules;
  readonly result: ImplicitAuthorization;
  readonly decidedBy: Decider;
}

export interface ActionInfo {
  readonly id: string;
  readonly file: string;
  readonly description: string;
  readonly message: string;
  readonly defaults: { readonly any: ImplicitAuthorization; readonly inactive: ImplicitAuthorization; readonly active: ImplicitAuthorization };
  readonly annotations: readonly [string, string][];
  /** Files that define this id too but were never read: a same-named file of an earlier directory shadows each. */
  readonly shadowed: readonly { readonly path: string; readonly by: string }[];
  /** Earlier-parsed files that also define this id (the later file wins). */
  readonly overrides: readonly string[];
}

export interface Identities {
  readonly kind: 'auth_self' | 'auth_admin';
  readonly admin?: TracedAdmin;
  readonly offered: readonly { readonly uid: number; readonly name?: string }[];
  readonly log: readonly string[];
}

export interface Explanation {
  readonly request: {
    readonly action: string; readonly user: string; readonly uid: number; readonly details: Record<string, string>;
    readonly state: SessionState; readonly alwaysCheck: boolean; readonly allRules: boolean;
  };
  readonly subject: RulesSubject;
  readonly tree: ExplainTree;
  readonly policyErrors: readonly string[];
  readonly rulesLoads: readonly FileLoad[];
  readonly rulesLoadLog: readonly string[];
  readonly rulesUser: string;
  readonly runawayMs: number;
  readonly action: ActionInfo;
  readonly rootShortcut: boolean;
  readonly main?: Evaluation;
  readonly implied: readonly Evaluation[];
  readonly implies: readonly string[];
  readonly result: ImplicitAuthorization;
  readonly decidedBy: Decider;
  readonly identities?: Identities;
  readonly exitCode: number;
}

export const EXIT = Object.freeze({ yes: 0, no: 1, challenge: 2, unknownAction: 3, unknownUser: 4, usage: 126, error: 127 });

export class ExplainError extends Error {
  constructor(readonly exitCode: number, message: string) {
    super(message);
    this.name = 'ExplainError';
  }
}

export interface ExplainDeps {
  readonly users: UserDatabase;
  /** Called after the tree and the user are read, before any rule runs; says who rules run as. */
  readonly beforeRules: () => Promise<string>;
  readonly pid: number;
}

const IMPLY = 'org.freedesktop.policykit.imply';

export async function explain(opts: ExplainOptions, deps: ExplainDeps): Promise<Explanation> {
  const tree = readExplainTree([...(opts.systemDirs ? POLICY_DIRS : []), ...opts.actionsDirs],
    [...(opts.systemDirs ? RULES_DIRS : []), ...opts.rulesDirs]);
  const policyErrors: string[] = [];
  const pool = buildActionPool(tree.policyFiles, (m) => policyErrors.push(m));
  const def = pool.get(opts.action);
  if (def === undefined) throw new ExplainError(EXIT.unknownAction, unknownActionText(opts.action, tree));
  const user = await lookupUser(opts.user, deps.users);
  const subject = await subjectFor(user, opts, deps);
  const rulesUser = await deps.beforeRules();
  const rulesLoadLog: string[] = [];
  const tracer = await RulesTracer.start({
    files: tree.rulesFiles, log: (m) => rulesLoadLog.push(m), ...(opts.runawayMs === undefined ? {} : { runawayMs: opts.runawayMs }),
  });
  try {
    const base = {
      request: {
        action: opts.action, user: user.name, uid: user.uid, details: Object.fromEntries(opts.details),
        state: opts.state, alwaysCheck: opts.alwaysCheck, allRules: opts.allRules,
      },
      subject, tree, policyErrors, rulesLoads: tracer.loads, rulesLoadLog, rulesUser, runawayMs: tracer.runawayMs,
      action: actionInfo(def, tree), implies: splitImply(def),
    };
    if (user.uid === 0 && !opts.alwaysCheck) {
      return { ...base, rootShortcut: true, implied: [], result: 'yes', decidedBy: { kind: 'root' }, exitCode: EXIT.yes };
    }
    return { ...base, rootShortcut: false, ...await decide(def, pool, subject, user, opts, tracer, deps.users) };
  } finally {
    await tracer.close();
  }
}

/** @private Steps 6–11 for a non-root subject (or AlwaysCheck). */
async function decide(def: ActionDefinition, pool: ReadonlyMap<string, ActionDefinition>, subject: RulesSubject,
  user: UserRecord, opts: ExplainOptions, tracer: RulesTracer, users: UserDatabase) {
  const main = await evaluate(def, subject, opts, tracer);
  const implied: Evaluation[] = [];
  if (main.result !== 'yes') {
    for (const other of pool.values()) {
      if (other.id === def.id || !splitImply(other).includes(def.id)) continue;
      const e = await evaluate(other, subject, opts, tracer);
      implied.push(e);
      if (e.result === 'yes') {
        return { main, implied, result: 'yes' as const, decidedBy: { kind: 'implied' as const, action: other.id, by: e.decidedBy }, exitCode: EXIT.yes };
      }
    }
  }
  const result = main.result;
  const common = { main, implied, result, decidedBy: main.decidedBy };
  if (result === 'yes') return { ...common, exitCode: EXIT.yes };
  if (result === 'no') return { ...common, exitCode: EXIT.no };
  const action = { id: def.id, details: Object.fromEntries(opts.details) };
  return { ...common, identities: await identities(result, action, subject, user, tracer, users), exitCode: EXIT.challenge };
}

/** @private Implicit authorization by session state, then the rules (steps 6–7). */
async function evaluate(def: ActionDefinition, subject: RulesSubject, opts: ExplainOptions, tracer: RulesTracer): Promise<Evaluation> {
  const key: ImplicitKey = opts.state === 'active' ? 'allow_active' : opts.state === 'inactive' ? 'allow_inactive' : 'allow_any';
  const value = key === 'allow_active' ? def.implicitActive : key === 'allow_inactive' ? def.implicitInactive : def.implicitAny;
  const rules = await tracer.traceRules({ id: def.id, details: Object.fromEntries(opts.details) }, subject, opts.allRules);
  return { action: def.id, implicit: { key, value }, rules, result: rules.result ?? value, decidedBy: deciderOf(rules, key, def.file) };
}

/** @private */
function deciderOf(t: TracedRules, key: ImplicitKey, file: string): Decider {
  const step = t.decidedBy === undefined ? undefined : t.steps[t.decidedBy];
  if (!t.ok) {
    if (step === undefined) return { kind: 'rules-failed', error: t.error ?? 'unknown error' };
    const at = { file: step.file, line: step.line, error: step.error ?? t.error ?? 'unknown error' };
    return t.runaway ? { kind: 'rule-runaway', ...at } : { kind: 'rule-error', ...at };
  }
  if (t.result === null || step === undefined) return { kind: 'implicit', key, file };
  if (t.result !== t.value) return { kind: 'rule-invalid', file: step.file, line: step.line, value: t.value ?? '' };
  return { kind: 'rule', file: step.file, line: step.line, value: t.result };
}

/** @private Step 12's identity list, as polkitd builds it for the agent. */
async function identities(result: ImplicitAuthorization, action: RulesAction, subject: RulesSubject, user: UserRecord,
  tracer: RulesTracer, users: UserDatabase): Promise<Identities> {
  const log: string[] = [];
  const self = result === 'auth_self' || result === 'auth_self_keep';
  const admin = self ? undefined : await tracer.traceAdminRules(action, subject);
  const uids = await challengeIdentities(result as 'auth_self', user, admin?.identities ?? [], users, (m) => log.push(m));
  const offered = [];
  for (const uid of uids) {
    const u = await users.userByUid(uid);
    offered.push(u === null ? { uid } : { uid, name: u.name });
  }
  return { kind: self ? 'auth_self' : 'auth_admin', ...(admin === undefined ? {} : { admin }), offered, log };
}

/** @private A name, or a uid when all digits; unknown → ExplainError. */
async function lookupUser(spec: string, users: UserDatabase): Promise<UserRecord> {
  const byUid = /^[0-9]{1,10}$/.test(spec) && Number(spec) <= 0xffffffff;
  const u = byUid ? await users.userByUid(Number(spec)) : await users.userByName(spec);
  if (u === null) throw new ExplainError(EXIT.unknownUser, `No such user '${spec}'`);
  return u;
}

/** @private The subject as rules see it: groups by name (decimal when a gid has no name). */
async function subjectFor(user: UserRecord, opts: ExplainOptions, deps: ExplainDeps): Promise<RulesSubject> {
  const groups: string[] = [];
  for (const gid of await deps.users.groupsOfUser(user.name, user.gid)) {
    groups.push((await deps.users.groupByGid(gid))?.name ?? String(gid));
  }
  return {
    pid: opts.pid ?? deps.pid, user: user.name, uid: user.uid, groups, seat: opts.seat, session: opts.session,
    local: opts.state !== 'remote', active: opts.state === 'active',
  };
}

/** @private */
function splitImply(def: ActionDefinition): string[] {
  return (def.annotations.get(IMPLY) ?? '').split(' ').filter((s) => s !== '');
}

/** @private polkit's message, and the shadowed files that would have defined the action. */
function unknownActionText(id: string, tree: ExplainTree): string {
  const hidden = shadowedDefinitions(id, tree);
  const why = hidden.map((h) => `; ${h.path} defines it but is not read: ${h.by} has the same file name and comes first`);
  return `Action ${id} is not registered${why.join('')}`;
}

/** @private */
function actionInfo(def: ActionDefinition, tree: ExplainTree): ActionInfo {
  return {
    id: def.id, file: def.file, description: localize(def.description, ''), message: localize(def.message, ''),
    defaults: { any: def.implicitAny, inactive: def.implicitInactive, active: def.implicitActive },
    annotations: [...def.annotations], shadowed: shadowedDefinitions(def.id, tree),
    overrides: filesDefining(def.id, tree.policyFiles.filter((f) => f.path !== def.file)), // parsed earlier: the later file wins
  };
}
