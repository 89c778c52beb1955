// What an authentication session tells the prompt, and what the prompt may answer.
// The trusted prompt (Chromium/Electron window + trustpath-input) implements this
// directly; tests use a plain implementation (test/auth/plain-prompt.ts).
//
// Events, in this order, for one authentication:
//
//   show(request, controls)              request shown (may wait, e.g. for the SAK)
//   session.chooseIdentity(identities)   one of the offered uids, or null (dismissed)
//   then per attempt (at most maxAttempts):
//     session.pamMessage(m, fd)*         each PAM prompt/info/error, exact text
//     session.retry(remaining)           wrong answer, a new attempt follows
//   session.lockedOut(uid, until)        the target user is locked out (no PAM ran
//                                        or this failure locked it); no more attempts
//   session.finished(result)             always last, also after abort or timeout
//
// controls.dismiss() may be called at any time (the user closed the prompt): the
// conversation is cancelled, the helper killed, and the result is 'dismissed'.
//
// Response pipe: for a prompt, `responseFd` is the write end of the current
// attempt's response pipe (the same fd for every prompt of that attempt). Ownership
// passes to the prompt side with the first prompt of the attempt: it hands the fd to
// the input grabber (which writes each answer as encodeResponse() frames it) and
// must close it by the time the attempt ends (retry, lockedOut or finished).
// Closing it before answering (e.g. Escape) ends the attempt as 'dismissed'.
// The daemon never writes to it and never sees an answer.
import type { PamMessage } from '../pam/helper-process.js';
import type { AuthResult, Requester } from './types.js';

export interface OfferedIdentity {
  readonly uid: number;
  /** null when the uid has no passwd entry (polkit offers numeric uids unlooked-up) */
  readonly name: string | null;
  readonly realName: string;
}

export interface PromptRequest {
  readonly actionId: string;
  /** The action's message as the authority prepared it ($(var) expanded). */
  readonly message: string;
  readonly iconName: string;
  /** Details as the client passed them: display text only, never trusted. */
  readonly untrustedDetails: Readonly<Record<string, string>>;
  /** Facts about the requester, verified by the authority (not from the payload). */
  readonly requester: Requester;
  /** The subject, in polkit's string form (e.g. `unix-process:123:4567`). */
  readonly subject: string;
  readonly identities: readonly OfferedIdentity[];
  /** The user's PIN may stand in for the password: an auth_self challenge of the user's own request. */
  readonly pinAllowed?: boolean;
}

export interface PromptControls {
  /** The user dismissed the prompt; idempotent, valid at any time. */
  dismiss(): void;
  /**
   * The keyboard side submitted an answer to the current prompt (trustpath-input
   * reports submit). If the attempt is then stopped before PAM has given its verdict
   * (e.g. during pam_unix's failure delay), it counts as a failure for the lockout:
   * otherwise cancelling whenever success does not come at once would allow
   * unlimited guessing.
   */
  answered(): void;
  /** Aborted once the authentication is over for any reason (a prompt still waiting for its turn can give up). */
  readonly stopped: AbortSignal;
}

export interface PromptSession {
  /** Resolves to one of the offered uids, or null if the user dismissed. */
  chooseIdentity(identities: readonly OfferedIdentity[]): Promise<number | null>;
  /**
   * A PAM message; `responseFd` is set for prompts only (see the ownership rule
   * above), and `responsePath` too when the helper keeps the FIFO linked
   * (AuthManagerOptions.helper.pipeByPath): trustpath-input opens it there.
   */
  pamMessage(message: PamMessage, responseFd: number | null, responsePath?: string | null): void;
  /** The answer was wrong; `remaining` more attempts follow (≥ 1). */
  retry(remaining: number): void;
  /** No more attempts for `uid` until `until` (wall clock). */
  lockedOut(uid: number, until: Date): void;
  /** Always the last event. */
  finished(result: AuthResult): void;
  /**
   * Optional, asked after the identity is chosen when the request allows a PIN:
   * resolves true if the prompt verified `uid` without PAM (the user's PIN); false
   * to go on with the password.
   */
  verifyWithoutPam?(uid: number): Promise<boolean>;
}

export interface PromptSide {
  /**
   * Shows the request. Rejecting (or throwing from any session method) ends the
   * authentication as a failure: the daemon fails closed.
   */
  show(request: PromptRequest, controls: PromptControls): Promise<PromptSession>;
}
