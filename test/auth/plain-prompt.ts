// The plain prompt side for tests and benches: records every event of the
// PromptSide interface (agent/src/auth/prompt-side.ts) and plays the keyboard as the
// input grabber will, writing each answer into the response pipe it was handed
// (encodeResponse: u16 length + bytes, PROTOCOL.md). Unlike the real grabber, the
// answers pass through this process: test use only.
import { closeSync, writeSync } from 'node:fs';
import { encodeResponse } from '../../agent/src/pam/frame.js';
import type { PamMessage } from '../../agent/src/pam/helper-process.js';
import type { OfferedIdentity, PromptControls, PromptRequest, PromptSession, PromptSide } from '../../agent/src/auth/prompt-side.js';
import type { AuthResult } from '../../agent/src/auth/types.js';

export type PromptEvent =
  | { readonly e: 'show'; readonly request: PromptRequest }
  | { readonly e: 'choose'; readonly identities: readonly OfferedIdentity[] }
  | { readonly e: 'message'; readonly message: PamMessage }
  | { readonly e: 'answered' }
  | { readonly e: 'retry'; readonly remaining: number }
  | { readonly e: 'locked'; readonly uid: number; readonly until: Date }
  | { readonly e: 'finished'; readonly result: AuthResult };

export interface PlainPromptOptions {
  /** Answers for the prompts, in order; when they run out, prompts wait for answer(). */
  readonly answers?: readonly string[];
  /** Which identity to pick (default: the first offered). null = dismiss. */
  readonly choose?: (ids: readonly OfferedIdentity[]) => number | null;
  /** Called after each event is recorded (label, event): for cross-prompt ordering. */
  readonly onEvent?: (e: PromptEvent, prompt: PlainPrompt) => void;
}

export class PlainPrompt implements PromptSide, PromptSession {
  readonly events: PromptEvent[] = [];
  #controls: PromptControls | null = null;
  #fd: number | null = null;
  readonly #answers: string[];
  readonly #waiters: { pred: (e: PromptEvent) => boolean; resolve: (e: PromptEvent) => void }[] = [];

  constructor(private readonly opts: PlainPromptOptions = {}) {
    this.#answers = [...(opts.answers ?? [])];
  }

  async show(request: PromptRequest, controls: PromptControls): Promise<PromptSession> {
    this.#controls = controls;
    this.#emit({ e: 'show', request });
    return this;
  }

  async chooseIdentity(identities: readonly OfferedIdentity[]): Promise<number | null> {
    this.#emit({ e: 'choose', identities });
    return this.opts.choose ? this.opts.choose(identities) : identities[0]?.uid ?? null;
  }

  pamMessage(message: PamMessage, responseFd: number | null): void {
    if (responseFd !== null) this.#fd = responseFd;
    this.#emit({ e: 'message', message });
    const next = message.kind === 'prompt' ? this.#answers.shift() : undefined;
    if (next !== undefined) this.answer(next);
  }

  retry(remaining: number): void {
    this.closePipe();
    this.#emit({ e: 'retry', remaining });
  }

  lockedOut(uid: number, until: Date): void {
    this.closePipe();
    this.#emit({ e: 'locked', uid, until });
  }

  finished(result: AuthResult): void {
    this.closePipe();
    this.#emit({ e: 'finished', result });
  }

  /** Types an answer, as the grabber does on Enter. */
  answer(text: string): void {
    if (this.#fd === null) throw new Error('no response pipe held');
    writeSync(this.#fd, encodeResponse(text));
    this.#emit({ e: 'answered' });
  }

  /** The grabber goes away (Escape): the attempt ends as dismissed. */
  closePipe(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  /** The user closes the prompt. */
  dismiss(): void {
    this.#controls?.dismiss();
  }

  /** The first recorded event (past or future) of this kind. */
  waitFor<K extends PromptEvent['e']>(kind: K): Promise<Extract<PromptEvent, { e: K }>> {
    const pred = (e: PromptEvent): boolean => e.e === kind;
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen as Extract<PromptEvent, { e: K }>);
    return new Promise((resolve) => this.#waiters.push({ pred, resolve: resolve as (e: PromptEvent) => void }));
  }

  kinds(): string[] {
    return this.events.map((e) => e.e);
  }

  #emit(e: PromptEvent): void {
    this.events.push(e);
    for (const w of this.#waiters.filter((x) => x.pred(e))) {
      this.#waiters.splice(this.#waiters.indexOf(w), 1);
      w.resolve(e);
    }
    this.opts.onEvent?.(e, this);
  }
}
