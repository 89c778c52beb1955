// One attempt: one PAM conversation for one user, its messages relayed to the
// prompt session with the response pipe's write end (see prompt-side.ts for who
// owns it). `stop` cancels the conversation; the helper is killed if it does not
// end by itself. Never rejects: the conversation's outcome says what happened.
import { closeSync } from 'node:fs';
import type { PamConversation, PamMessage, PamOutcome } from '../pam/helper-process.js';
import type { PromptSession } from './prompt-side.js';

/** Seam over startPamConversation: start the helper for `user`. Must not reject. */
export type StartConversation = (user: string, onMessage: (m: PamMessage) => void) => Promise<PamConversation>;

export interface AttemptObserver {
  /** the helper's pid, once started (tests and logs) */
  readonly started?: (pid: number | undefined) => void;
}

export async function runAttempt(start: StartConversation, user: string, session: PromptSession,
  stop: AbortSignal, observer: AttemptObserver = {}): Promise<PamOutcome> {
  if (stop.aborted) return { ok: false, reason: 'cancelled' };
  const relay = new Relay(session);
  let conv: PamConversation;
  try {
    conv = await start(user, (m) => relay.message(m));
  } catch (e) {
    return { ok: false, reason: 'spawn-failed', detail: String(e) };
  }
  observer.started?.(conv.pid);
  const cancel = (): void => conv.cancel();
  relay.attach(conv);
  if (stop.aborted) conv.cancel();
  stop.addEventListener('abort', cancel, { once: true });
  try {
    const outcome = await conv.outcome;
    return relay.failure ?? outcome;
  } finally {
    stop.removeEventListener('abort', cancel);
    relay.closeIfHeld();
  }
}

/** @internal passes messages on; holds the fd until the first prompt hands it over */
class Relay {
  #conv: PamConversation | null = null;
  #fd: number | null = null;
  #handedOver = false;
  readonly #early: PamMessage[] = [];
  failure: PamOutcome | null = null;

  constructor(private readonly session: PromptSession) {}

  attach(conv: PamConversation): void {
    this.#conv = conv;
    try {
      this.#fd = conv.takeResponseFd();
    } catch {
      this.#fd = null; // the helper did not start; its outcome says so
    }
    for (const m of this.#early.splice(0)) this.message(m);
  }

  message(m: PamMessage): void {
    if (this.#conv === null) {
      this.#early.push(m);
      return;
    }
    if (this.failure !== null) return;
    try {
      const fd = m.kind === 'prompt' ? this.#fdForPrompt() : null;
      this.session.pamMessage(m, fd, fd === null ? null : this.#conv.responsePath);
    } catch (e) {
      this.failure = { ok: false, reason: 'system', detail: `prompt side: ${String(e)}` };
      this.#conv.cancel();
    }
  }

  #fdForPrompt(): number {
    if (this.#fd === null) throw new Error('no response pipe');
    this.#handedOver = true;
    return this.#fd;
  }

  closeIfHeld(): void {
    if (this.#fd !== null && !this.#handedOver) closeSync(this.#fd);
    this.#fd = null;
  }
}
