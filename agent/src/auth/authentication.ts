// One authentication, once it is its session's turn: show the request, let the user
// choose an identity, then run attempts until success, the attempts run out, the
// user is locked out, or it is stopped (client abort → 'cancelled'; dismissal or
// timeout → 'dismissed'). The prompt session always gets `finished` last.
import type { PamFailureReason } from '../pam/helper-process.js';
import { runAttempt, type AttemptObserver, type StartConversation } from './attempt.js';
import type { LockoutTracker } from './lockout.js';
import type { OfferedIdentity, PromptRequest, PromptSession, PromptSide } from './prompt-side.js';
import { failed, failedWithError, type AuthRequest, type AuthResult, type Clock } from './types.js';

export interface AuthenticationDeps {
  readonly start: StartConversation;
  readonly lockout: LockoutTracker;
  readonly clock: Clock;
  readonly log: (msg: string) => void;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly observer?: AttemptObserver;
}

/** Helper failures that mean a wrong answer: counted, retried. */
const WRONG_ANSWER: ReadonlySet<PamFailureReason> = new Set<PamFailureReason>(['auth', 'user-unknown']);

type Stop = 'dismissed' | 'cancelled';

export class Authentication {
  /** the uid the user chose, once chosen */
  chosen: number | undefined;
  #why: Stop | null = null;
  /** an answer was submitted in the current attempt */
  #answered = false;
  readonly #stop = new AbortController();
  /** aborted when run() returns, whatever the result */
  readonly #done = new AbortController();

  constructor(private readonly request: AuthRequest, private readonly deps: AuthenticationDeps) {}

  async run(prompt: PromptSide, offered: readonly OfferedIdentity[]): Promise<AuthResult> {
    const onClientAbort = (): void => this.#halt('cancelled');
    this.request.signal.addEventListener('abort', onClientAbort, { once: true });
    if (this.request.signal.aborted) this.#halt('cancelled');
    const timer = setTimeout(() => {
      this.deps.log(`Authentication for ${this.request.actionId} timed out after ${this.deps.timeoutMs} ms`);
      this.#halt('dismissed');
    }, this.deps.timeoutMs);
    try {
      return await this.#shown(prompt, offered);
    } finally {
      clearTimeout(timer);
      this.request.signal.removeEventListener('abort', onClientAbort);
      this.#done.abort();
    }
  }

  async #shown(prompt: PromptSide, offered: readonly OfferedIdentity[]): Promise<AuthResult> {
    let shown: Promise<PromptSession>;
    try {
      shown = Promise.resolve(prompt.show(this.#promptRequest(offered), {
        dismiss: () => this.#halt('dismissed'),
        answered: () => { this.#answered = true; },
        stopped: this.#done.signal,
      }));
    } catch (e) {
      return failedWithError(`prompt side: ${String(e)}`);
    }
    let session: PromptSession | null;
    try {
      session = await this.#unlessStopped(shown);
    } catch (e) {
      return failedWithError(`prompt side: ${String(e)}`);
    }
    if (session === null) {
      const result = this.#stopped();
      shown.then((late) => finish(late, result), () => undefined);
      return result;
    }
    let result: AuthResult;
    try {
      result = await this.#withSession(session, offered);
    } catch (e) {
      result = failedWithError(`prompt side: ${String(e)}`);
    }
    finish(session, result);
    return result;
  }

  async #withSession(session: PromptSession, offered: readonly OfferedIdentity[]): Promise<AuthResult> {
    const uid = await this.#unlessStopped(Promise.resolve(session.chooseIdentity(offered)));
    if (this.#why !== null) return this.#stopped();
    if (uid === null) return { outcome: 'dismissed' };
    const identity = offered.find((i) => i.uid === uid);
    if (identity === undefined) return failedWithError('the prompt chose an identity that was not offered');
    this.chosen = uid;
    if (identity.name === null) return failedWithError(`uid ${uid} has no user name`);
    if (this.request.pinAllowed === true && session.verifyWithoutPam && this.deps.lockout.lockedUntil(uid) === null) {
      const byPin = await this.#unlessStopped(session.verifyWithoutPam(uid));
      if (this.#why !== null) return this.#stopped();
      if (byPin === true) return { outcome: 'authenticated', uid };
    }
    return this.#attempts(session, uid, identity.name);
  }

  async #attempts(session: PromptSession, uid: number, name: string): Promise<AuthResult> {
    const { lockout, maxAttempts } = this.deps;
    for (let n = 1; ; n++) {
      if (this.#why !== null) return this.#stopped();
      const until = lockout.lockedUntil(uid);
      if (until !== null) return this.#lockedOut(session, uid, until);
      this.#answered = false;
      const outcome = await runAttempt(this.deps.start, name, session, this.#stop.signal, this.deps.observer);
      if (this.#why !== null) {
        if (this.#answered && !outcome.ok) {
          this.deps.log(`Authentication as unix-user:${name} for ${this.request.actionId} was stopped after an answer; counted as a failure`);
          lockout.recordFailure(uid);
        }
        return this.#stopped();
      }
      if (outcome.ok) {
        lockout.recordSuccess(uid);
        return { outcome: 'authenticated', uid };
      }
      if (outcome.reason === 'cancelled') return { outcome: 'dismissed' }; // the keyboard side closed the pipe
      if (!WRONG_ANSWER.has(outcome.reason)) return failedWithError(`${outcome.reason}${outcome.detail ? `: ${outcome.detail}` : ''}`);
      this.deps.log(`Authentication as unix-user:${name} for ${this.request.actionId} failed (attempt ${n} of ${maxAttempts})`);
      const locks = lockout.recordFailure(uid);
      if (locks !== null) return this.#lockedOut(session, uid, locks);
      if (n >= maxAttempts) return failed('retries-exhausted');
      session.retry(maxAttempts - n);
    }
  }

  #lockedOut(session: PromptSession, uid: number, until: number): AuthResult {
    const { clock } = this.deps;
    this.deps.log(`unix-user uid ${uid} is locked out for ${Math.ceil((until - clock.monotonic()) / 1000)} s`);
    session.lockedOut(uid, new Date(clock.wall() + (until - clock.monotonic())));
    return failed('locked-out');
  }

  #halt(why: Stop): void {
    if (this.#why !== null) return;
    this.#why = why;
    this.#stop.abort();
  }

  #stopped(): AuthResult {
    return this.#why === 'cancelled' ? { outcome: 'cancelled' } : { outcome: 'dismissed' };
  }

  /** p's value, or null as soon as the authentication is stopped */
  #unlessStopped<T>(p: Promise<T>): Promise<T | null> {
    if (this.#stop.signal.aborted) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const onStop = (): void => resolve(null);
      this.#stop.signal.addEventListener('abort', onStop, { once: true });
      p.then(resolve, reject).finally(() => this.#stop.signal.removeEventListener('abort', onStop));
    });
  }

  #promptRequest(identities: readonly OfferedIdentity[]): PromptRequest {
    const p = this.request.presentation;
    return {
      actionId: this.request.actionId, message: p?.message ?? '', iconName: p?.iconName ?? '',
      untrustedDetails: p?.untrustedDetails ?? {}, requester: this.request.requester,
      subject: this.request.subject, identities,
      ...(this.request.pinAllowed === true ? { pinAllowed: true } : {}),
    };
  }
}

function finish(session: PromptSession, result: AuthResult): void {
  try {
    session.finished(result);
  } catch {
    // the prompt side's own problem; the result stands
  }
}
