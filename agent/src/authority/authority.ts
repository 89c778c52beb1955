// org.freedesktop.PolicyKit1.Authority's behaviour, transport aside: the caller is
// always the bus daemon's unique name of the sender; subjects and identities come
// typed from identity/subject.ts. Mirrors polkitbackendinteractiveauthority.c.
import { localize } from '../../../policy/src/index.js';
import { CallError, failed, notAuthorized, POLKIT_ERROR } from '../bus/errors.js';
import { isObjectPath } from '../bus/signature.js';
import type { BusDaemon } from '../bus/bus-daemon.js';
import { processFacts, startTimeOf, type ExeFacts } from '../identity/proc.js';
import { parseIdentity, parseSubject, processToWire, subjectToString, type Subject } from '../identity/subject.js';
import type { UserDatabase, UserRecord } from '../identity/users.js';
import { challengeIdentities, type ChallengeKind } from '../auth/identities.js';
import type { AgentRegistry, Agent } from './agents.js';
import { decide, FLAG_ALLOW_USER_INTERACTION, isKeep, type Decision, type DecideContext } from './decide.js';
import type { PolicyState } from './policy-state.js';
import type { SubjectResolver } from './subjects.js';
import type { TemporaryAuthorizationStore } from './temporary-authorizations.js';
import { expandProperties } from './messages.js';
import type { AuditSink } from '../audit/audit-log.js';
import type { AuthenticationManager } from '../auth/authentication-manager.js';
import type { PromptSide } from '../auth/prompt-side.js';
import type { AuthResult } from '../auth/types.js';
import type { DisplayResolver, DisplayTarget } from '../prompt/displays.js';
import { bcp47, composeLocale } from '../prompt/locales.js';
import type { PromptContext, TrustedPrompts } from '../prompt/trusted-prompt.js';

export type AuthorizationResult = [boolean, boolean, Record<string, string>];

export interface AuthorityDeps {
  readonly busDaemon: BusDaemon;
  readonly resolver: SubjectResolver;
  readonly policy: PolicyState;
  readonly users: UserDatabase;
  readonly temporary: TemporaryAuthorizationStore;
  readonly agents: AgentRegistry;
  readonly log: (msg: string) => void;
  readonly changed: () => void;
  readonly audit: AuditSink;
  /** locale for EnumerateActions('') */
  readonly systemLocale: string;
  /**
   * trustpathd's own authentication sessions (PAM helper + a prompt side), used for
   * a challenge when no registered agent serves the subject. Absent: polkit's
   * behaviour (the challenge result is returned).
   */
  readonly own?: { readonly manager: AuthenticationManager; readonly prompt: PromptSide };
  /**
   * The trusted prompt: a challenge whose subject sits at a local X display is shown
   * there, before any registered agent is asked; session agents of such sessions
   * are refused unless `allowSessionAgents`.
   */
  readonly trusted?: {
    readonly manager: AuthenticationManager;
    readonly prompts: TrustedPrompts;
    readonly displays: DisplayResolver;
    readonly allowSessionAgents: boolean;
  };
  /** A process's executable, its start time read after it, and its locales (the root policy reader). */
  readonly exeOf: (pid: number) => Promise<ExeFacts>;
}

const MAX_CANCELLABLE = 4096;

function withPrefix<T>(prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CallError) throw new CallError(e.errorName, `${prefix}${e.message}`);
    throw e;
  }
}

/** polkit_unix_process_new_for_owner: a start time of 0 is read from /proc (errors ignored). */
function normalize(subject: Subject): Subject {
  if (subject.kind !== 'unix-process' || subject.startTime !== 0n) return subject;
  try {
    return { ...subject, startTime: startTimeOf(subject.pid) };
  } catch {
    return subject;
  }
}

export function subjectFromWire(raw: unknown): Subject {
  return normalize(withPrefix('Error getting subject: ', () => parseSubject(raw)));
}

function detailsFromWire(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === null || typeof raw !== 'object') return out;
  for (const k of Object.keys(raw)) {
    const v = (raw as Record<string, unknown>)[k];
    if (typeof v === 'string' && k !== '__proto__') out[k] = v;
  }
  return out;
}

export class Authority {
  readonly #cancellable = new Map<string, AbortController>();
  /** checks in progress and their callers: a caller leaving the bus aborts them (pkcheck passes no cancellation id) */
  readonly #inFlight = new Map<AbortController, string>();
  readonly #ctx: DecideContext;

  constructor(private readonly d: AuthorityDeps) {
    this.#ctx = { policy: d.policy, resolver: d.resolver, users: d.users, temporary: d.temporary, log: d.log };
  }

  enumerateActions(locale: string): unknown[] {
    const loc = locale === '' ? this.d.systemLocale : locale;
    return [...this.d.policy.actions.values()].map((a) => [
      a.id, localize(a.description, loc), localize(a.message, loc), a.vendor, a.vendorUrl, a.iconName,
      IMPLICIT[a.implicitAny], IMPLICIT[a.implicitInactive], IMPLICIT[a.implicitActive], Object.fromEntries(a.annotations),
    ]);
  }

  async checkAuthorization(sender: string, rawSubject: unknown, actionId: string, rawDetails: unknown, flags: number,
    cancellationId: string): Promise<AuthorizationResult> {
    const subject = subjectFromWire(rawSubject);
    const details = detailsFromWire(rawDetails);
    const controller = new AbortController();
    let fullId: string | undefined;
    if (cancellationId !== '') {
      fullId = `${sender}-${cancellationId}`;
      if (this.#cancellable.has(fullId)) {
        throw new CallError(POLKIT_ERROR.CancellationIdNotUnique,
          `Given cancellation_id ${cancellationId} is already in use for name ${sender}`);
      }
      if (this.#cancellable.size >= MAX_CANCELLABLE) throw failed('Too many cancellable checks in progress');
      this.#cancellable.set(fullId, controller);
    }
    this.#inFlight.set(controller, sender);
    try {
      return await this.#check(sender, subject, actionId, details, flags, controller.signal);
    } finally {
      this.#inFlight.delete(controller);
      if (fullId !== undefined) this.#cancellable.delete(fullId);
    }
  }

  cancelCheckAuthorization(sender: string, cancellationId: string): void {
    const c = this.#cancellable.get(`${sender}-${cancellationId}`);
    if (!c) throw failed(`No such cancellation_id \`${cancellationId}' for name ${sender}`);
    c.abort();
  }

  async #check(sender: string, subject: Subject, actionId: string, details: Record<string, string>, flags: number,
    signal: AbortSignal): Promise<AuthorizationResult> {
    const callerUid = await this.d.busDaemon.uidOf(sender);
    const ofSubject = await this.d.resolver.userOf(subject);
    const hasDetails = Object.keys(details).length > 0;
    if (!ofSubject.matches || callerUid !== ofSubject.uid || hasDetails) {
      if (!this.#mayCheck(actionId, callerUid)) {
        throw notAuthorized(hasDetails
          ? 'Only trusted callers (e.g. uid 0 or an action owner) can use CheckAuthorization() and pass details'
          : 'Only trusted callers (e.g. uid 0 or an action owner) can use CheckAuthorization() for subjects belonging to other identities');
      }
    }
    const decision = await decide(this.#ctx, subject, ofSubject.uid, actionId, details, flags);
    if (decision.challenge && (flags & FLAG_ALLOW_USER_INTERACTION) !== 0) {
      const target = await this.#displayOf(subject, ofSubject.uid);
      if (target !== null && this.d.trusted) {
        const { manager, prompts } = this.d.trusted;
        return this.#ownChallenge({ manager, prompt: (context) => prompts.side(target, context), pin: true },
          sender, callerUid, subject, ofSubject.uid, actionId, decision, signal);
      }
      const agent = await this.#agentFor(subject);
      if (agent) return this.#challenge(agent, sender, callerUid, subject, ofSubject.uid, actionId, decision, signal);
      const own = this.d.own;
      if (own) return this.#ownChallenge({ manager: own.manager, prompt: () => own.prompt, pin: false }, sender, callerUid, subject, ofSubject.uid, actionId, decision, signal);
    }
    return [decision.authorized, decision.challenge, decision.details];
  }

  /** The X display of the subject's graphical session, when the trusted prompt serves there. */
  async #displayOf(subject: Subject, subjectUid: number): Promise<DisplayTarget | null> {
    const t = this.d.trusted;
    if (!t) return null;
    const session = await this.d.resolver.sessionOf(subject, subjectUid).catch(() => null);
    return t.displays.displayFor(session, subjectUid);
  }

  /**
   * The executable of `pid`, only if that pid is still the process that started at
   * `startTime` (read before asking, when the caller has no start time of its own).
   */
  async #verifiedExe(pid: number | undefined, startTime?: bigint): Promise<string | null> {
    return (await this.#verifiedProcess(pid, startTime)).exe;
  }

  /** Executable and message locale of `pid`, as #verifiedExe checks them (null when unverified). */
  async #verifiedProcess(pid: number | undefined, startTime?: bigint): Promise<Pick<ExeFacts, 'exe' | 'locale' | 'ctype'>> {
    const none = { exe: null, locale: null, ctype: null };
    if (pid === undefined) return none;
    let expected = startTime;
    if (expected === undefined) {
      try { expected = startTimeOf(pid); } catch { return none; }
    }
    const a = await this.d.exeOf(pid).catch(() => null);
    return a && a.startTime === expected ? a : none;
  }

  /** uid 0, or a uid named in the action's org.freedesktop.policykit.owner annotation */
  #mayCheck(actionId: string, uid: number): boolean {
    if (uid === 0) return true;
    const owners = this.d.policy.action(actionId)?.annotations.get('org.freedesktop.policykit.owner');
    if (owners === undefined) return false;
    return owners.split(' ').some((t) => t === `unix-user:${uid}`);
  }

  async #agentFor(subject: Subject): Promise<Agent | undefined> {
    let key: string | undefined = subject.kind === 'system-bus-name' ? undefined : subjectToString(subject);
    if (subject.kind === 'system-bus-name') {
      try {
        const p = await this.d.resolver.processOfName(subject.name);
        key = `unix-process:${p.pid}:${p.startTime}`;
      } catch { /* no process, no process agent */ }
    }
    const exact = key === undefined ? undefined : this.d.agents.get(key);
    if (exact && !exact.fallback) return exact;
    let session: string | null = null;
    try { session = await this.d.resolver.sessionOf(subject); } catch { /* no session */ }
    const bySession = session === null ? undefined : this.d.agents.get(`unix-session:${session}`);
    return bySession ?? exact;
  }

  async #challenge(agent: Agent, sender: string, callerUid: number, subject: Subject, subjectUid: number,
    actionId: string, decision: Decision, signal: AbortSignal): Promise<AuthorizationResult> {
    const details = decision.details;
    const identities = await this.#identities(subjectUid, actionId, details, decision);
    const shown = this.#presentation(actionId, details, agent.locale, true);
    const agentDetails: Record<string, string> = {};
    const callerPid = await this.d.busDaemon.pidOf(sender).catch(() => undefined);
    if (callerPid !== undefined) agentDetails['polkit.caller-pid'] = String(callerPid);
    const subjectPid = await this.d.resolver.pidOf(subject).catch(() => undefined);
    if (subjectPid !== undefined) agentDetails['polkit.subject-pid'] = String(subjectPid);
    const outcome = await this.d.agents.challenge(agent, {
      ...shown, actionId, details: agentDetails, identities, initiator: sender,
      subjectBusName: subject.kind === 'system-bus-name' ? subject.name : undefined, signal,
    });
    const cmdline = subject.kind === 'unix-process' ? processFacts(subject.pid).cmdline : null;
    const result = await this.#concluded(agent.scope, agent.scope, subject, subjectUid, actionId, decision,
      outcome.authenticatedUid, outcome.dismissed, cmdline);
    const ok = outcome.authenticatedUid !== undefined;
    this.d.audit.record({
      via: 'agent', actionId, subject: subjectToString(subject), offered: identities, identity: outcome.authenticatedUid,
      requester: { pid: callerPid ?? 0, uid: callerUid, exe: (await this.#verifiedExe(callerPid)) ?? '<unknown>', busName: sender },
      outcome: ok ? 'authenticated' : signal.aborted ? 'cancelled' : outcome.dismissed ? 'dismissed' : 'failed',
    });
    return result;
  }

  /**
   * A challenge answered by trustpathd's own session: PAM through the setuid helper,
   * the request shown by `own.prompt` (in the subject's language: its process's
   * message locale, else the system's).
   */
  async #ownChallenge(own: { manager: AuthenticationManager; prompt: (context: PromptContext) => PromptSide; pin: boolean },
    sender: string, callerUid: number, subject: Subject, subjectUid: number, actionId: string,
    decision: Decision, signal: AbortSignal): Promise<AuthorizationResult> {
    const details = decision.details;
    const identities = await this.#identities(subjectUid, actionId, details, decision);
    const requesterPid = (await this.d.resolver.pidOf(subject).catch(() => undefined)) ?? await this.d.busDaemon.pidOf(sender);
    const facts = processFacts(requesterPid);
    const verified = await this.#verifiedProcess(requesterPid, subject.kind === 'unix-process' ? subject.startTime : undefined);
    const exe = verified.exe;
    const locale = verified.locale ?? this.d.systemLocale;
    const action = this.d.policy.action(actionId);
    const prompt = own.prompt({
      lang: bcp47(locale), description: action ? localize(action.description, locale) : actionId, composeLocale: composeLocale(verified.ctype),
    });
    const session = await this.d.resolver.sessionOf(subject, subjectUid).catch(() => null);
    const scope = session !== null ? `unix-session:${session}` : subjectToString(subject);
    const result: AuthResult = await own.manager.authenticate({
      sessionKey: scope, candidates: identities, actionId, subject: subjectToString(subject), signal,
      // the user's PIN only ever stands in for the user's own password on the user's own request
      ...(own.pin && (decision.implicit === 'auth_self' || decision.implicit === 'auth_self_keep') &&
        identities.length === 1 && identities[0] === subjectUid ? { pinAllowed: true } : {}),
      // The requester is the subject's process (who wants the privilege), as the
      // kernel and the bus daemon describe it; its bus name only when it is one.
      requester: {
        pid: requesterPid, uid: subjectUid, exe: exe ?? '<unknown>', cmdline: facts.argv,
        ...(subject.kind === 'system-bus-name' ? { busName: subject.name } : {}),
      },
      presentation: { ...this.#presentation(actionId, details, locale, false), untrustedDetails: { ...details } },
    }, prompt);
    const ok = result.outcome === 'authenticated';
    return this.#concluded(scope, `${scope} (check requested by ${sender}, uid ${callerUid})`, subject, subjectUid,
      actionId, decision, ok ? result.uid : undefined, result.outcome === 'dismissed', facts.cmdline,
      ok ? undefined : result.outcome === 'failed' && result.reason === 'error' ? `failed (${result.detail})` : result.outcome);
  }

  /** The agent's message and icon: polkit.message or the action's message, $(key) expanded. */
  #presentation(actionId: string, details: Record<string, string>, locale: string, logUnknown: boolean): { message: string; iconName: string } {
    const action = this.d.policy.action(actionId);
    const raw = details['polkit.message'] ?? (action ? localize(action.message, locale) : '');
    const message = expandProperties(raw, details, (key) => {
      if (logUnknown) this.d.log(`Error substituting value for property $(${key}) when preparing message \`${raw}' for action-id ${actionId}`);
    });
    return { message, iconName: details['polkit.icon_name'] ?? action?.iconName ?? '' };
  }

  /**
   * A challenge's end, as polkitd's check_authorization_challenge_cb: the result
   * details (retained, temporary authorization id in `scope`, dismissed), the log line.
   */
  async #concluded(scope: string, operator: string, subject: Subject, subjectUid: number, actionId: string,
    decision: Decision, authUid: number | undefined, dismissed: boolean, cmdline: string | null,
    why?: string): Promise<AuthorizationResult> {
    const details = decision.details;
    const keep = isKeep(decision.implicit);
    if (keep) details['polkit.retains_authorization_after_challenge'] = 'true';
    const target = `action ${actionId} for ${subjectToString(subject)} [${cmdline ?? '<unknown>'}] (owned by unix-user:${subjectUid})`;
    if (authUid === undefined) {
      if (dismissed) details['polkit.dismissed'] = 'true';
      this.d.log(`Operator of ${operator} FAILED to authenticate to gain authorization for ${target}${why ? `: ${why}` : ''}`);
      return [false, false, details];
    }
    let temporary = false;
    if (keep) {
      const process = await this.d.resolver.processKeyOf(subject, subjectUid).catch(() => undefined);
      if (process) {
        details['polkit.temporary_authorization_id'] = this.d.temporary.add(actionId, process, scope).id;
        temporary = true;
        this.d.changed();
      }
    }
    this.d.log(`Operator of ${operator} successfully authenticated as unix-user:${authUid} to gain ${temporary ? 'TEMPORARY' : 'ONE-SHOT'} authorization for ${target}`);
    return [true, false, details];
  }

  async #identities(uid: number, actionId: string, details: Record<string, string>, decision: Decision): Promise<number[]> {
    const implicit = decision.implicit as ChallengeKind;
    const user: UserRecord = (await this.d.users.userByUid(uid)) ??
      { name: String(uid), uid, gid: -1, gecos: '', home: '/', shell: '' };
    let admin: string[] = [];
    if (implicit === 'auth_admin' || implicit === 'auth_admin_keep') {
      // the admin rules see the Subject the rules saw for this check (decide.ts sets it on every challenge)
      if (!decision.rulesSubject) throw new Error('a challenge without the subject its rules saw');
      admin = await this.d.policy.rules.runAdminRules({ id: actionId, details: { ...details } }, decision.rulesSubject);
    }
    return challengeIdentities(implicit, user, admin, this.d.users, this.d.log);
  }

  async registerAgent(sender: string, rawSubject: unknown, locale: string, objectPath: string, options: unknown): Promise<void> {
    const subject = subjectFromWire(rawSubject);
    await this.#agentSubjectChecks(sender, subject);
    if (subject.kind === 'unix-session' && this.d.trusted && !this.d.trusted.allowSessionAgents) {
      const uid = (await this.d.resolver.userOf(subject)).uid;
      if (await this.d.trusted.displays.displayFor(subject.sessionId, uid) !== null) {
        this.d.log(`Refused an authentication agent for ${subjectToString(subject)} (system bus name ${sender}): graphical sessions use the trusted prompt`);
        throw failed('Authentication agents are not accepted for graphical sessions: trustpath shows its trusted prompt there (trustpathd --allow-session-agents changes this)');
      }
    }
    const scope = subjectToString(subject);
    if (this.d.agents.get(scope)) throw failed('An authentication agent already exists for the given subject');
    if (!isObjectPath(objectPath)) throw failed(`Invalid object path '${objectPath}'`);
    const subjectUid = (await this.d.resolver.userOf(subject)).uid;
    const fallbackOpt = options !== null && typeof options === 'object' && Object.hasOwn(options, 'fallback')
      ? (options as Record<string, { signature?: string; value?: unknown }>).fallback : undefined;
    const fallback = fallbackOpt?.signature === 'b' && fallbackOpt.value === true;
    const callerUid = await this.d.busDaemon.uidOf(sender);
    this.d.agents.register(scope, [...new Set([callerUid, subjectUid])], sender, objectPath, locale, fallback);
    const pid = await this.d.busDaemon.pidOf(sender).catch(() => undefined);
    const cmdline = (pid === undefined ? null : processFacts(pid).cmdline) ?? '<unknown>';
    this.d.log(`Registered Authentication Agent for ${scope} (system bus name ${sender} [${cmdline}], object path ${objectPath}, locale ${locale})`);
    this.d.changed();
  }

  /** The checks register and unregister share (session equality, user of caller vs subject). */
  async #agentSubjectChecks(sender: string, subject: Subject): Promise<void> {
    if (subject.kind === 'unix-session') {
      let session: string | null = null;
      try { session = await this.d.resolver.sessionOf({ kind: 'system-bus-name', name: sender }); } catch { /* none */ }
      if (session === null) throw failed('Cannot determine session the caller is in');
      if (session !== subject.sessionId) throw failed('Passed session and the session the caller is in differs. They must be equal for now.');
    } else if (subject.kind !== 'unix-process') {
      throw failed('Only unix-process and unix-session subjects can be used for authentication agents.');
    }
    const callerUid = await this.d.busDaemon.uidOf(sender).catch(() => { throw failed('Cannot determine user of caller'); });
    const ofSubject = await this.d.resolver.userOf(subject).catch(() => { throw failed('Cannot determine user of subject'); });
    if ((!ofSubject.matches || callerUid !== ofSubject.uid) && callerUid !== 0) throw failed('User of caller and user of subject differs.');
  }

  async unregisterAgent(sender: string, rawSubject: unknown, objectPath: string): Promise<void> {
    const subject = subjectFromWire(rawSubject);
    await this.#agentSubjectChecks(sender, subject);
    const agent = this.d.agents.get(subjectToString(subject));
    if (!agent) throw failed('No such agent registered');
    if (agent.busName !== sender) throw failed('System bus names do not match');
    if (agent.objectPath !== objectPath) throw failed('Object paths do not match');
    this.d.log(`Unregistered Authentication Agent for ${agent.scope} (system bus name ${agent.busName}, object path ${agent.objectPath}, locale ${agent.locale})`);
    this.d.agents.remove(agent);
    this.d.changed();
  }

  /** AuthenticationAgentResponse (uid undefined) and AuthenticationAgentResponse2. */
  async agentResponse(sender: string, uid: number | undefined, cookie: string, rawIdentity: unknown): Promise<void> {
    const identity = withPrefix('Error getting identity: ', () => parseIdentity(rawIdentity));
    const callerUid = await this.d.busDaemon.uidOf(sender);
    if (callerUid !== 0) {
      this.d.log(`AuthenticationAgentResponse from ${sender} (uid ${callerUid}) refused: only uid 0 may answer`);
      throw failed('Only uid 0 may invoke this method. This incident has been logged.');
    }
    const session = this.d.agents.sessionForCookie(uid, cookie);
    if (!session) throw failed('No session for cookie');
    if (identity.kind !== 'unix-user' || !session.identities.includes(identity.uid)) {
      throw failed('The authenticated identity is wrong');
    }
    session.authenticatedUid = identity.uid;
  }

  /**
   * polkit 127's AuthenticationAgentResponse3: the helper's own process stands in for
   * the uid argument. polkit takes it from a pidfd; this connection never receives fds,
   * so the process subject must carry its uid, and it must match the live process.
   */
  async agentResponse3(sender: string, cookie: string, rawIdentity: unknown, rawSubject: unknown): Promise<void> {
    const subject = subjectFromWire(rawSubject);
    if (subject.kind !== 'unix-process' || subject.uid === undefined) {
      throw failed('Subject must be a unix-process with a uid');
    }
    const { uid, matches } = await this.d.resolver.userOf(subject);
    if (!matches) throw failed('Subject must be a unix-process with a uid');
    await this.agentResponse(sender, uid, cookie, rawIdentity);
  }

  async #callerSession(sender: string): Promise<string> {
    let session: string | null = null;
    try { session = await this.d.resolver.sessionOf({ kind: 'system-bus-name', name: sender }); } catch { /* none */ }
    if (session === null) throw failed('Cannot determine session the caller is in');
    return session;
  }

  async #sessionScope(sender: string, rawSubject: unknown): Promise<string> {
    const subject = subjectFromWire(rawSubject);
    if (subject.kind !== 'unix-session') throw failed('Can only handle PolkitUnixSession objects for now.');
    const session = await this.#callerSession(sender);
    if (session !== subject.sessionId) throw failed('Passed session and the session the caller is in differs. They must be equal for now.');
    return `unix-session:${session}`;
  }

  async enumerateTemporary(sender: string, rawSubject: unknown): Promise<unknown[]> {
    const scope = await this.#sessionScope(sender, rawSubject);
    const monoNow = performance.now();
    const realNow = Math.floor(Date.now() / 1000);
    const wall = (ms: number): bigint => BigInt(Math.max(0, Math.trunc((ms - monoNow) / 1000) + realNow));
    return this.d.temporary.inScope(scope).map((t) => [t.id, t.actionId,
      processToWire(t.process.pid, t.process.startTime, t.process.uid), wall(t.grantedMs), wall(t.expiresMs)]);
  }

  async revokeTemporary(sender: string, rawSubject: unknown): Promise<void> {
    const scope = await this.#sessionScope(sender, rawSubject);
    this.d.temporary.remove((t) => t.scope === scope);
  }

  async revokeTemporaryById(sender: string, id: string): Promise<void> {
    const session = await this.#callerSession(sender);
    const t = this.d.temporary.byId(id);
    if (!t) throw failed(`No such authorization with id \`${id}'`);
    if (t.scope !== `unix-session:${session}`) throw failed('Cannot remove a temporary authorization belonging to another subject.');
    this.d.temporary.remove((x) => x.id === id);
  }

  /** A unique name left the bus: its agents go, sessions it started or is the subject of end. */
  nameVanished(name: string): void {
    for (const agent of this.d.agents.byBusName(name)) {
      this.d.log(`Unregistered Authentication Agent for ${agent.scope} (system bus name ${agent.busName}, object path ${agent.objectPath}, locale ${agent.locale}) (disconnected from bus)`);
      this.d.agents.remove(agent);
      this.d.changed();
    }
    // Aborting the name's own checks ends the sessions they started (agent or own);
    // sessions about the name that others started are cancelled here.
    for (const [c, caller] of this.#inFlight) if (caller === name) c.abort();
    for (const s of this.d.agents.sessionsWhere((x) => x.subjectBusName === name && x.initiator !== name)) this.d.agents.cancel(s);
  }
}

const IMPLICIT = { no: 0, auth_self: 1, auth_admin: 2, auth_self_keep: 3, auth_admin_keep: 4, yes: 5 } as const;
