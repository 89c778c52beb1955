// The prompt's view state: everything the renderer shows, as plain JSON data. The
// daemon (trustpathd) builds it and pushes the whole state on every change; the
// renderer replaces its view with it and keeps nothing else. No secret and no key
// ever travels in it: the password is read by trustpath-input and goes to PAM; the
// renderer learns only how many characters were typed (`typed`).
//
// Texts are already localized by the daemon (action description and message by the
// subject session's locale, PAM text as PAM gave it); the renderer localizes only its
// own labels and notices, by `lang`. Every text is untrusted for layout: the renderer
// shows it with textContent and wraps or cuts it, never interprets it.

/** Where the prompt is in one authentication. */
export type PromptPhase =
  /** the request is shown; the user must press the secure attention key to go on */
  | 'sak'
  /** several identities qualify: Up/Down choose, Enter confirms (`identities`, `selected`) */
  | 'choose'
  /** PAM asks (`pam`); trustpath-input counts the typed characters (`typed`) */
  | 'password'
  /** an answer was submitted; PAM is checking it */
  | 'verifying'
  /** too many failures for the target identity (`locked`) */
  | 'locked'
  /** the authentication is over (`finished`); the window goes away shortly */
  | 'finished'
  /**
   * the prompt is over and its window about to be hidden: nothing is shown, so that
   * when the window is shown again for the next prompt, nothing of this one is on
   * screen before that one is painted
   */
  | 'closed';

/**
 * Localized notices the renderer knows by key (it owns their text in every UI language):
 *  - 'sak-required-again': the prompt lost the trusted path (another window was raised,
 *    the grab was lost); press the SAK again before typing
 *  - 'caps-lock': Caps Lock is on
 *  - 'input-full': the answer reached its length limit; further keys are ignored
 *  - 'pin': PAM asks for a PIN (a token or a smart card) rather than a password
 *  - 'timed-out': the prompt waited too long and gives up
 *  - 'pin-new', 'pin-again', 'pin-mismatch': setting a PIN (trustpath pin set) asks for a
 *    new one, for it once more, or for a new one after a short or different second entry
 */
export type PromptNotice = 'sak-required-again' | 'caps-lock' | 'input-full' | 'pin' | 'timed-out'
  | 'pin-new' | 'pin-again' | 'pin-mismatch';

export type PromptOutcome = 'authenticated' | 'dismissed' | 'cancelled' | 'failed';

/** One process of the requester's verified parent chain, nearest parent first. */
export interface ProcessView {
  readonly pid: number;
  /** the executable as /proc/PID/exe resolved it ('' when it could not be read) */
  readonly exe: string;
  /** argv as the kernel holds it (possibly cut by the daemon) */
  readonly cmdline: readonly string[];
}

/** The requester as trustpathd verified it (from the kernel and the bus, never the payload). */
export interface RequesterView extends ProcessView {
  /** user name of the requester's uid ('' when it has none) */
  readonly user: string;
  readonly uid: number;
  readonly parents: readonly ProcessView[];
}

export interface ActionView {
  /** e.g. 'org.freedesktop.packagekit.package-install' */
  readonly id: string;
  /** the action's <description>, localized */
  readonly description: string;
  /** the action's <message> (or what the rules/caller chose), localized */
  readonly message: string;
  /** freedesktop icon name; '' for none (the renderer may ignore it) */
  readonly iconName: string;
}

/** An identity the user may authenticate as. */
export interface IdentityView {
  readonly uid: number;
  /** login name; null for a uid without a passwd entry */
  readonly name: string | null;
  /** GECOS full name ('' when there is none) */
  readonly realName: string;
}

/**
 * The user's personal secret picture as plain data (see secret-art.ts). The renderer
 * draws it with SVG elements; every field is checked there before use.
 */
export interface SecretArt {
  /** background colour, '#rrggbb' */
  readonly background: string;
  /** colours of the pattern cells, '#rrggbb', index 1.. of `cells` (0 = empty) */
  readonly palette: readonly string[];
  /** side of the square grid (cells per row and column) */
  readonly grid: number;
  /** grid*grid palette indices, row by row, mirror-symmetric left to right; 0 = background */
  readonly cells: readonly number[];
  /** the emblem drawn over the centre */
  readonly emblem: {
    readonly shape: SecretShape;
    readonly colour: string;
    /** rotation in degrees */
    readonly rotation: number;
  };
}

export type SecretShape = 'circle' | 'square' | 'triangle' | 'diamond' | 'star' | 'hexagon' | 'cross' | 'heart';

export interface PamView {
  /** 'prompt': PAM asks (echo false: dots, echo true: still dots here — the text is never sent) */
  readonly kind: 'prompt' | 'info' | 'error';
  /** PAM's exact text, e.g. 'Password: ' */
  readonly text: string;
  /** whether PAM asked for an echoed answer (the renderer shows a note; it still shows only dots) */
  readonly echo: boolean;
}

export interface PromptViewState {
  /**
   * Random per-prompt key. The renderer sets document.title to it and the grabber
   * (trustpath-input) finds the host window by that title. ASCII, at most 64 chars.
   */
  readonly windowKey: string;
  /** BCP 47 tag of the subject session's locale, e.g. 'de-DE'; unknown languages fall back to English */
  readonly lang: string;
  readonly phase: PromptPhase;
  /**
   * true only on a display whose X server runs trustpath's module (capture, injection
   * and snooping blocked). false: the secret is never shown and the prompt says plainly
   * that this display does not protect what is typed.
   */
  readonly protectedDisplay: boolean;
  readonly action: ActionView;
  readonly requester: RequesterView;
  /** who may authenticate (at least one) */
  readonly identities: readonly IdentityView[];
  /** index into `identities` of the chosen (or, in 'choose', highlighted) identity */
  readonly selected: number;
  /** key/value details of trusted callers only ([] otherwise), in the caller's order */
  readonly details: readonly (readonly [string, string])[];
  /** the user's secret phrase and picture: set only after the SAK and only on a protected display */
  readonly secret: { readonly phrase: string; readonly art: SecretArt } | null;
  /** the current PAM message; null before the conversation starts */
  readonly pam: PamView | null;
  /** characters typed so far into the current answer (one dot each) */
  readonly typed: number;
  /** set after a failed attempt: how many attempts are left */
  readonly retry: { readonly remaining: number } | null;
  /** set while the target identity is locked out: until when (ms since the epoch) */
  readonly locked: { readonly untilMs: number } | null;
  /** when the prompt gives up (ms since the epoch), for the countdown; null: no countdown */
  readonly deadlineMs: number | null;
  readonly notice: PromptNotice | null;
  /** set in phase 'finished' */
  readonly finished: { readonly outcome: PromptOutcome } | null;
}
