// One authentication as the prompt channel serves it: the PromptSession the manager
// drives (prompt-side.ts), turned into frames for the connected client, and the
// client's answers for this authentication (CHOSEN, DISMISS) turned back.
//
// States: 'shown' (SHOW sent) -> 'choosing' (CHOOSE sent, CHOSEN awaited) ->
// 'conversing' (identity chosen; PAM, RETRY, LOCKED) -> gone after FINISHED.
// The response pipe's write end is held here from the first prompt of an attempt
// and closed when the attempt ends (RETRY, LOCKED, FINISHED): the client writes
// through /proc/PID/fd/N and never receives the fd itself.
import { closeSync, fstatSync } from 'node:fs';
import type { PamMessage } from '../pam/helper-process.js';
import type { OfferedIdentity, PromptControls, PromptSession } from '../auth/prompt-side.js';
import type { AuthResult } from '../auth/types.js';
import { chooseMessage, encodeDaemonMessage, finishedMessage, type ClientMessage, type DaemonMessage, type PipeRef } from './messages.js';

export type SessionState = 'shown' | 'choosing' | 'conversing';

/** Client messages allowed in each state; anything else drops the client. */
export const ALLOWED: Readonly<Record<SessionState, ReadonlySet<ClientMessage['type']>>> = Object.freeze({
  shown: new Set(['dismiss'] as const),
  choosing: new Set(['chosen', 'dismiss'] as const),
  conversing: new Set(['dismiss', 'answered'] as const),
});

/** Where frames go; a closed connection drops them. */
export interface Outbox {
  send(frame: Buffer): void;
}

export class ChannelSession implements PromptSession {
  #state: SessionState = 'shown';
  #offered: ReadonlySet<number> = new Set();
  #choice: ((uid: number | null) => void) | null = null;
  #fd: number | null = null;

  constructor(readonly id: number, private readonly out: Outbox, private readonly controls: PromptControls,
    private readonly onFinished: (s: ChannelSession) => void) {}

  get state(): SessionState {
    return this.#state;
  }

  chooseIdentity(identities: readonly OfferedIdentity[]): Promise<number | null> {
    if (this.#state !== 'shown') return Promise.reject(new Error('chooseIdentity called twice'));
    const frame = encodeDaemonMessage(chooseMessage(this.id, identities));
    this.#state = 'choosing';
    this.#offered = new Set(identities.map((i) => i.uid));
    return new Promise((resolve) => {
      this.#choice = resolve;
      this.out.send(frame);
    });
  }

  pamMessage(message: PamMessage, responseFd: number | null): void {
    if (responseFd !== null && responseFd !== this.#fd) {
      this.closePipe();
      this.#fd = responseFd; // ours from now on, whatever happens below
    }
    const pipe = message.kind === 'prompt' ? this.#pipeRef() : null;
    const echo = message.kind === 'prompt' && message.echo;
    this.#send({ type: 'pam', id: this.id, kind: message.kind, echo, text: message.text, pipe });
  }

  retry(remaining: number): void {
    this.closePipe();
    this.#send({ type: 'retry', id: this.id, remaining });
  }

  lockedOut(uid: number, until: Date): void {
    this.closePipe();
    this.#send({ type: 'locked', id: this.id, uid, until: Math.max(0, until.getTime()) });
  }

  finished(result: AuthResult): void {
    this.closePipe();
    this.#resolveChoice(null);
    this.onFinished(this);
    this.#send(finishedMessage(this.id, result));
  }

  /** CHOSEN from the client: an error text when the uid was not offered. */
  chosen(uid: number | null): string | undefined {
    if (uid !== null && !this.#offered.has(uid)) return `uid ${uid} was not offered`;
    this.#state = 'conversing';
    this.#resolveChoice(uid);
    return undefined;
  }

  /** ANSWERED from the client: an answer went into the pipe (counts if the attempt is then stopped). */
  answered(): void {
    this.controls.answered();
  }

  /** DISMISS from the client, or the client went away. */
  dismiss(): void {
    this.#resolveChoice(null);
    this.controls.dismiss();
  }

  closePipe(): void {
    if (this.#fd !== null) {
      try {
        closeSync(this.#fd);
      } catch { /* already gone: nothing to leak */ }
    }
    this.#fd = null;
  }

  #pipeRef(): PipeRef {
    if (this.#fd === null) throw new Error('a prompt without a response pipe');
    const st = fstatSync(this.#fd, { bigint: true });
    if (!st.isFIFO()) throw new Error('the response fd is not a pipe');
    return { pid: process.pid, fd: this.#fd, dev: String(st.dev), ino: String(st.ino) };
  }

  #resolveChoice(uid: number | null): void {
    const c = this.#choice;
    this.#choice = null;
    c?.(uid);
  }

  #send(m: DaemonMessage): void {
    this.out.send(encodeDaemonMessage(m));
  }
}
