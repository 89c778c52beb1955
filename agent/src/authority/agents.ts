// Registered authentication agents and their sessions (POLKIT-REFERENCE §1.7, §2):
// one agent per exact subject, BeginAuthentication with no timeout, cookies that
// are unguessable and bound to the agent's creator uid, answers only from uid 0.
import { randomBytes } from 'node:crypto';
import dbus from 'dbus-next';
import { failed } from '../bus/errors.js';
import { userToWire } from '../identity/subject.js';

const { Message } = dbus;
const AGENT_IFACE = 'org.freedesktop.PolicyKit1.AuthenticationAgent';

export interface Agent {
  readonly serial: number;
  /** subject string of the registration (unix-process:PID:START or unix-session:ID) */
  readonly scope: string;
  /**
   * uids whose AuthenticationAgentResponse2 may answer this agent's cookies: the
   * registering caller's (polkit 122: user_of_caller — root for pkexec's own agent)
   * and the subject's (the real uid polkit-agent-helper-1 reports when started by a
   * setuid pkexec; upstream polkit issue 17). Any other uid gets "No session for cookie".
   */
  readonly creatorUids: readonly number[];
  readonly busName: string;
  readonly objectPath: string;
  readonly locale: string;
  readonly fallback: boolean;
  readonly cookiePrefix: string;
  cookieSerial: number;
  readonly sessions: Set<AgentSession>;
}

export interface AgentSession {
  readonly cookie: string;
  readonly agent: Agent;
  readonly identities: readonly number[];
  /** the caller that started the check, and the subject's bus name if it is one */
  readonly initiator: string;
  readonly subjectBusName: string | undefined;
  authenticatedUid: number | undefined;
}

export interface ChallengeRequest {
  readonly actionId: string;
  readonly message: string;
  readonly iconName: string;
  readonly details: Readonly<Record<string, string>>;
  readonly identities: readonly number[];
  readonly initiator: string;
  readonly subjectBusName: string | undefined;
  readonly signal: AbortSignal;
}

export interface ChallengeOutcome { readonly authenticatedUid: number | undefined; readonly dismissed: boolean }

export const AGENT_LIMITS = Object.freeze({ agents: 4096, sessionsPerAgent: 64 });

function hex128(): string {
  return randomBytes(16).toString('hex');
}

export class AgentRegistry {
  readonly #byScope = new Map<string, Agent>();
  #serial = 0;

  constructor(private readonly bus: dbus.MessageBus, private readonly log: (msg: string) => void) {}

  get size(): number { return this.#byScope.size; }

  get(scope: string): Agent | undefined { return this.#byScope.get(scope); }

  register(scope: string, creatorUids: readonly number[], busName: string, objectPath: string, locale: string, fallback: boolean): Agent {
    if (this.#byScope.has(scope)) throw failed('An authentication agent already exists for the given subject');
    if (this.#byScope.size >= AGENT_LIMITS.agents) throw failed('Too many authentication agents are registered');
    const serial = ++this.#serial;
    const agent: Agent = {
      serial, scope, creatorUids, busName, objectPath, locale, fallback,
      cookiePrefix: `${serial}-${hex128()}`, cookieSerial: 0, sessions: new Set(),
    };
    this.#byScope.set(scope, agent);
    return agent;
  }

  /** Removes the agent and cancels its sessions. */
  remove(agent: Agent): void {
    this.#byScope.delete(agent.scope);
    for (const s of agent.sessions) this.cancel(s);
  }

  byBusName(name: string): Agent[] {
    return [...this.#byScope.values()].filter((a) => a.busName === name);
  }

  sessionsWhere(pred: (s: AgentSession) => boolean): AgentSession[] {
    const out: AgentSession[] = [];
    for (const a of this.#byScope.values()) for (const s of a.sessions) if (pred(s)) out.push(s);
    return out;
  }

  /** uid undefined: the legacy AuthenticationAgentResponse, matched against every agent. */
  sessionForCookie(uid: number | undefined, cookie: string): AgentSession | undefined {
    for (const a of this.#byScope.values()) {
      if (uid !== undefined && !a.creatorUids.includes(uid)) continue;
      for (const s of a.sessions) if (s.cookie === cookie) return s;
    }
    return undefined;
  }

  /** Asks the agent to stop; its BeginAuthentication then returns (usually Cancelled). */
  cancel(session: AgentSession): void {
    this.bus.call(new Message({
      destination: session.agent.busName, path: session.agent.objectPath, interface: AGENT_IFACE,
      member: 'CancelAuthentication', signature: 's', body: [session.cookie],
    })).catch((e: unknown) => this.log(`Error cancelling authentication: ${(e as Error)?.message ?? String(e)}`));
  }

  async #begin(agent: Agent, session: AgentSession, req: ChallengeRequest): Promise<ChallengeOutcome> {
    try {
      await this.bus.call(new Message({
        destination: agent.busName, path: agent.objectPath, interface: AGENT_IFACE, member: 'BeginAuthentication',
        signature: 'sssa{ss}sa(sa{sv})',
        body: [req.actionId, req.message, req.iconName, req.details, session.cookie, req.identities.map(userToWire)],
      }));
      return { authenticatedUid: session.authenticatedUid, dismissed: false };
    } catch (e) {
      const type = (e as { type?: unknown })?.type;
      this.log(`Error performing authentication: ${(e as { text?: string })?.text ?? (e as Error)?.message} (${String(type)})`);
      return { authenticatedUid: undefined, dismissed: type === 'org.freedesktop.PolicyKit1.Error.Cancelled' };
    }
  }

  /** Runs one BeginAuthentication; resolves when the agent returns or the check is cancelled. */
  async challenge(agent: Agent, req: ChallengeRequest): Promise<ChallengeOutcome> {
    if (agent.sessions.size >= AGENT_LIMITS.sessionsPerAgent) {
      this.log(`Agent ${agent.busName} has ${agent.sessions.size} sessions already; not starting another`);
      return { authenticatedUid: undefined, dismissed: false };
    }
    agent.cookieSerial++;
    const session: AgentSession = {
      cookie: `${agent.cookiePrefix}-${agent.cookieSerial}-${hex128()}`, agent, identities: req.identities,
      initiator: req.initiator, subjectBusName: req.subjectBusName, authenticatedUid: undefined,
    };
    agent.sessions.add(session);
    // As polkitd (its agent call carries the check's GCancellable): a cancelled check
    // asks the agent to stop and is answered at once, without waiting for the agent.
    let onAbort = (): void => {};
    const aborted = new Promise<ChallengeOutcome>((resolve) => {
      onAbort = (): void => {
        this.cancel(session);
        resolve({ authenticatedUid: undefined, dismissed: false });
      };
    });
    req.signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (req.signal.aborted) onAbort();
      return await Promise.race([aborted, this.#begin(agent, session, req)]);
    } finally {
      req.signal.removeEventListener('abort', onAbort);
      agent.sessions.delete(session);
    }
  }
}
