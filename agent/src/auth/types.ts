// Requests to and results from the authentication manager.

/** The requesting process, as the authority verified it (bus daemon and /proc). */
export interface Requester {
  readonly pid: number;
  readonly uid: number;
  /** /proc/PID/exe as resolved by the identity module */
  readonly exe: string;
  readonly cmdline: readonly string[];
  /** the caller's unique bus name, when it came over the bus */
  readonly busName?: string;
}

export interface AuthRequest {
  /** The subject's session id, or its process key when it has no session. */
  readonly sessionKey: string;
  /** uids offered, from challengeIdentities(), in order */
  readonly candidates: readonly number[];
  readonly actionId: string;
  /** polkit's string form of the subject, for the prompt and the audit log */
  readonly subject: string;
  readonly requester: Requester;
  /** What the prompt shows besides verified facts. */
  readonly presentation?: {
    readonly message: string;
    readonly iconName: string;
    readonly untrustedDetails: Readonly<Record<string, string>>;
  };
  /** Aborted when the client cancels (CancelCheckAuthorization) or disconnects. */
  readonly signal: AbortSignal;
  /** auth_self of the subject's own request: the prompt may accept the user's PIN. */
  readonly pinAllowed?: boolean;
}

export type FailureReason = 'retries-exhausted' | 'locked-out' | 'queue-full' | 'error';

export type AuthResult =
  | { readonly outcome: 'authenticated'; readonly uid: number }
  | { readonly outcome: 'dismissed' }
  | { readonly outcome: 'cancelled' }
  | { readonly outcome: 'failed'; readonly reason: Exclude<FailureReason, 'error'> }
  | { readonly outcome: 'failed'; readonly reason: 'error'; readonly detail: string };

export function failed(reason: Exclude<FailureReason, 'error'>): AuthResult {
  return { outcome: 'failed', reason };
}

export function failedWithError(detail: string): AuthResult {
  return { outcome: 'failed', reason: 'error', detail: detail.slice(0, 200) };
}

export interface Clock {
  /** monotonic milliseconds */
  monotonic(): number;
  /** wall-clock milliseconds since the epoch (display only) */
  wall(): number;
}

export const SYSTEM_CLOCK: Clock = Object.freeze({ monotonic: () => performance.now(), wall: () => Date.now() });
