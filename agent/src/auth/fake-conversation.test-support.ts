// Test doubles for the authentication manager's unit tests (not shipped logic):
// a fake helper conversation the test ends by hand, and a recording prompt side.
import { closeSync, openSync } from 'node:fs';
import type { PamConversation, PamMessage, PamOutcome } from '../pam/helper-process.js';
import type { StartConversation } from './attempt.js';
import type { OfferedIdentity, PromptControls, PromptRequest, PromptSession, PromptSide } from './prompt-side.js';
import type { AuthResult } from './types.js';

/** A conversation that sends one password prompt and ends when the test says so. */
export class FakeConversation implements PamConversation {
  readonly pid = undefined;
  readonly responsePath = null;
  readonly outcome: Promise<PamOutcome>;
  cancelled = false;
  #fd: number | null = openSync('/dev/null', 'w');
  #settle!: (o: PamOutcome) => void;

  constructor(readonly user: string, onMessage: (m: PamMessage) => void) {
    this.outcome = new Promise((r) => { this.#settle = r; });
    setImmediate(() => onMessage({ kind: 'prompt', echo: false, text: 'Password: ' }));
  }

  takeResponseFd(): number {
    const fd = this.#fd;
    if (fd === null) throw new Error('taken');
    this.#fd = null;
    return fd;
  }

  cancel(): void {
    this.cancelled = true;
    this.end({ ok: false, reason: 'cancelled' });
  }

  end(o: PamOutcome): void {
    this.#settle(o);
  }
}

/** start() seam that records conversations and ends each per `script` (or leaves it open). */
export function fakeStarter(script: (c: FakeConversation, n: number) => PamOutcome | null = () => null):
  { start: StartConversation; convs: FakeConversation[] } {
  const convs: FakeConversation[] = [];
  const start: StartConversation = async (user, onMessage) => {
    const c = new FakeConversation(user, onMessage);
    convs.push(c);
    const o = script(c, convs.length);
    if (o !== null) setImmediate(() => c.end(o));
    return c;
  };
  return { start, convs };
}

export type Event =
  | { e: 'show'; request: PromptRequest }
  | { e: 'choose'; uids: number[] }
  | { e: 'message'; m: PamMessage; fd: boolean }
  | { e: 'retry'; remaining: number }
  | { e: 'locked'; uid: number; until: Date }
  | { e: 'finished'; result: AuthResult };

/** A prompt side that records events, picks `choose(identities)` and closes fds it gets. */
export class RecordingPrompt implements PromptSide, PromptSession {
  readonly events: Event[] = [];
  controls: PromptControls | null = null;
  onMessage: (m: PamMessage) => void = () => undefined;
  #fds = new Set<number>();

  constructor(private readonly choose: (ids: readonly OfferedIdentity[]) => Promise<number | null> =
    async (ids) => ids[0]?.uid ?? null) {}

  async show(request: PromptRequest, controls: PromptControls): Promise<PromptSession> {
    this.events.push({ e: 'show', request });
    this.controls = controls;
    return this;
  }

  chooseIdentity(identities: readonly OfferedIdentity[]): Promise<number | null> {
    this.events.push({ e: 'choose', uids: identities.map((i) => i.uid) });
    return this.choose(identities);
  }

  pamMessage(m: PamMessage, fd: number | null): void {
    this.events.push({ e: 'message', m, fd: fd !== null });
    if (fd !== null) this.#fds.add(fd);
    this.onMessage(m);
  }

  retry(remaining: number): void {
    this.#closeFds();
    this.events.push({ e: 'retry', remaining });
  }

  lockedOut(uid: number, until: Date): void {
    this.#closeFds();
    this.events.push({ e: 'locked', uid, until });
  }

  finished(result: AuthResult): void {
    this.#closeFds();
    this.events.push({ e: 'finished', result });
  }

  kinds(): string[] {
    return this.events.map((x) => x.e);
  }

  #closeFds(): void {
    for (const fd of this.#fds) closeSync(fd);
    this.#fds.clear();
  }
}
