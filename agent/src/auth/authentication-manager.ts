// trustpathd's own authentication sessions (issue 3): one request = the prompt
// shows it, the user picks an identity, and up to `maxAttempts` PAM conversations
// run through trustpath-pam-helper for that identity.
//
//   const manager = new AuthenticationManager({ users, log, audit });
//   const result = await manager.authenticate(request, promptSide);
//
// Guarantees: at most one authentication per sessionKey at a time (others queue,
// bounded; over the bound → 'queue-full' at once); different keys in parallel; a
// failure delay lives in the helper process and blocks nobody else; lockout per
// target uid; the client's abort, the user's dismissal or the overall timeout cancel
// the conversation and kill the helper before the result is returned. Never
// rejects: any internal error is a failed result (fail closed). Every result is
// audited.
import type { AuditSink } from '../audit/audit-log.js';
import type { UserDatabase } from '../identity/users.js';
import { startPamConversation } from '../pam/helper-process.js';
import type { AttemptObserver, StartConversation } from './attempt.js';
import { auditEntry, requestProblem } from './request.js';
import { DEFAULT_LOCKOUT, LockoutTracker, type LockoutPolicy } from './lockout.js';
import type { OfferedIdentity, PromptSide } from './prompt-side.js';
import { SessionQueue } from './session-queue.js';
import { failed, failedWithError, SYSTEM_CLOCK, type AuthRequest, type AuthResult, type Clock } from './types.js';
import { Authentication } from './authentication.js';

export interface AuthManagerOptions {
  readonly users: UserDatabase;
  readonly log: (msg: string) => void;
  readonly audit?: AuditSink;
  /** Seam over the helper; default startPamConversation with `helper`. */
  readonly startConversation?: StartConversation;
  /** Where and how the default seam starts the helper. */
  readonly helper?: {
    readonly path?: string; readonly spawnAs?: { uid: number; gid: number }; readonly killGraceMs?: number;
    /** keep each response FIFO linked while its attempt runs (the trusted prompt's grabber opens it by path) */
    readonly pipeByPath?: boolean;
  };
  /** attempts per request (default 3) */
  readonly maxAttempts?: number;
  readonly lockout?: Partial<LockoutPolicy>;
  /** requests waiting behind a running one, per sessionKey (default 8) */
  readonly maxQueue?: number;
  /** sessionKeys with an authentication at once (default 256) */
  readonly maxSessions?: number;
  /** overall time of one authentication once it runs (default 5 minutes); then dismissed */
  readonly timeoutMs?: number;
  readonly clock?: Clock;
  /** tests and logs: told each helper pid */
  readonly observer?: AttemptObserver;
}

export const AUTH_DEFAULTS = Object.freeze({ maxAttempts: 3, maxQueue: 8, maxSessions: 256, timeoutMs: 5 * 60_000, killGraceMs: 200 });

export class AuthenticationManager {
  readonly #queue: SessionQueue;
  readonly #lockout: LockoutTracker;
  readonly #start: StartConversation;
  readonly #clock: Clock;

  constructor(private readonly opts: AuthManagerOptions) {
    this.#clock = opts.clock ?? SYSTEM_CLOCK;
    this.#queue = new SessionQueue(opts.maxQueue ?? AUTH_DEFAULTS.maxQueue, opts.maxSessions ?? AUTH_DEFAULTS.maxSessions);
    this.#lockout = new LockoutTracker({ ...DEFAULT_LOCKOUT, ...opts.lockout }, () => this.#clock.monotonic());
    this.#start = opts.startConversation ?? defaultStart(opts.helper);
  }

  /** Runs one authentication; never rejects. */
  async authenticate(request: AuthRequest, prompt: PromptSide): Promise<AuthResult> {
    let identity: number | undefined;
    let result: AuthResult;
    try {
      ({ result, identity } = await this.#queued(request, prompt));
    } catch (e) {
      this.opts.log(`Authentication for ${String(request?.actionId)} failed internally: ${String(e)}`);
      result = failedWithError('internal error');
    }
    this.#audit(request, result, identity);
    return result;
  }

  async #queued(request: AuthRequest, prompt: PromptSide): Promise<{ result: AuthResult; identity?: number }> {
    const problem = requestProblem(request);
    if (problem !== undefined) return { result: failedWithError(`bad request: ${problem}`) };
    const slot = await this.#queue.acquire(request.sessionKey, request.signal);
    if (slot === 'full') return { result: failed('queue-full') };
    if (slot === 'aborted') return { result: { outcome: 'cancelled' } };
    try {
      const auth = new Authentication(request, {
        start: this.#start, lockout: this.#lockout, clock: this.#clock, log: this.opts.log,
        maxAttempts: this.opts.maxAttempts ?? AUTH_DEFAULTS.maxAttempts,
        timeoutMs: this.opts.timeoutMs ?? AUTH_DEFAULTS.timeoutMs,
        ...(this.opts.observer ? { observer: this.opts.observer } : {}),
      });
      const result = await auth.run(prompt, await this.#offered(request.candidates));
      return auth.chosen === undefined ? { result } : { result, identity: auth.chosen };
    } finally {
      slot();
    }
  }

  async #offered(uids: readonly number[]): Promise<OfferedIdentity[]> {
    const out: OfferedIdentity[] = [];
    for (const uid of uids) {
      const u = await this.opts.users.userByUid(uid);
      out.push({ uid, name: u?.name ?? null, realName: u?.gecos.split(',')[0] ?? '' });
    }
    return out;
  }

  #audit(request: AuthRequest, result: AuthResult, identity: number | undefined): void {
    try {
      this.opts.audit?.record(auditEntry(request, result, identity));
    } catch (e) {
      this.opts.log(`Audit record failed: ${String(e)}`);
    }
  }
}

function defaultStart(helper: AuthManagerOptions['helper'] = {}): StartConversation {
  return (user, onMessage) => startPamConversation({
    user, onMessage,
    ...(helper.path !== undefined ? { helperPath: helper.path } : {}),
    ...(helper.spawnAs !== undefined ? { spawnAs: helper.spawnAs } : {}),
    killGraceMs: helper.killGraceMs ?? AUTH_DEFAULTS.killGraceMs,
    ...(helper.pipeByPath === true ? { pipeByPath: true } : {}),
  });
}
