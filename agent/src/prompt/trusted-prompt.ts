// The trusted prompt: trustpathd's own authentication sessions shown on the
// subject's X display. Per display one prompt at a time (others wait their turn,
// bounded), one warm host (Chromium or Electron, drawing prompt-ui's renderer) kept
// between prompts, and one trustpath-input per shown prompt (grabber.ts).
//
// What the user sees, in order (DESIGN.md, "A privileged request"):
//   1. 'sak'       the verified request and "press Ctrl+Alt+Pause"; typing is ignored
//   2. SAK (from the X module, on this display) → the grabber is armed, the user's
//      secret image and phrase appear, then 'choose' (several identities) and
//      'password' with PAM's own prompt text; one dot per typed character
//   3. retry / lockout / finished, as the authentication manager reports them.
// On a display without the module there is no SAK and no secret: the prompt goes
// straight to the identity/password, saying that this display does not protect
// what is typed — or is refused, if the administrator chose so.
// Escape (grabber CANCEL), a vanished grabber or host, and the manager's timeout
// dismiss; the client's cancellation or disconnection ends it through `stopped`.
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, readFileSync } from 'node:fs';
import type { PamMessage } from '../pam/helper-process.js';
import type { OfferedIdentity, PromptControls, PromptRequest, PromptSession, PromptSide } from '../auth/prompt-side.js';
import type { AuthResult } from '../auth/types.js';
import type { UserDatabase } from '../identity/users.js';
import type { PromptViewState, ProcessView, PromptPhase, PromptNotice } from '../../../prompt-ui/src/state.js';
import { secretArt } from '../../../prompt-ui/src/secret-art.js';
import type { PromptHost } from '../../../prompt-ui/src/chromium-host.js';
import type { DisplayTarget } from './displays.js';
import { Grabber, probeDisplay, type GrabberEvent } from './grabber.js';
import type { Sak } from './sak-listener.js';
import { PIN_MAX_FAILURES, type UserSecrets } from './user-secrets.js';

export interface TrustedPromptOptions {
  readonly launchHost: (target: DisplayTarget) => Promise<PromptHost>;
  readonly grabberPath: string;
  readonly secrets: UserSecrets;
  readonly users: UserDatabase;
  /** the root policy reader's exe lookup (the daemon's user cannot read other users' /proc/PID/exe) */
  readonly exeOf: (pid: number) => Promise<{ readonly exe: string | null }>;
  /** start the SAK listener (idempotent); resolves once its socket is bound */
  readonly listenForSak: () => Promise<void>;
  readonly log: (msg: string) => void;
  /** 'refuse': a display without the X module gets no prompt (the request fails, closed) */
  readonly unprotectedDisplays: 'allow' | 'refuse';
  /** for the countdown; the authentication manager enforces it */
  readonly timeoutMs: number;
  /** prompts waiting behind the shown one, per display (default 8) */
  readonly maxQueue?: number;
  /** displays with a prompt host at once (default 16) */
  readonly maxDisplays?: number;
}

/** What the authority knows of a request beyond PromptRequest. */
export interface PromptContext {
  /** BCP 47 language of the subject's session */
  readonly lang: string;
  /** the locale of the Compose table for typing (composeLocale()); default C.UTF-8 */
  readonly composeLocale?: string;
  /** the action's description in that language */
  readonly description: string;
  /**
   * Runs in the same prompt once the user has authenticated (the PIN set-up asks for
   * the new PIN there); the prompt closes when it settles.
   */
  readonly afterSuccess?: (uid: number, pin: PinEntry) => Promise<void>;
}

/** The grabber's PIN modes, for a flow that runs inside a shown prompt. */
export interface PinEntry {
  /** Asks for a new PIN (the renderer says why by `notice`, in the user's language); its argon2id hash, or null if too short or the prompt ended. */
  choose(notice: PinNotice): Promise<string | null>;
  /** Asks for a PIN and checks it against `hash`; null if the prompt ended. */
  check(notice: PinNotice, hash: string): Promise<boolean | null>;
}

/** What a PIN field is for (the renderer owns the texts): the PIN, a new one, it again, a new one after a mismatch. */
export type PinNotice = Extract<PromptNotice, 'pin' | 'pin-new' | 'pin-again' | 'pin-mismatch'>;

/** The field's label: PAM's own word for it, the same in every language. */
const PIN_LABEL = 'PIN:';

const MAX_PARENTS = 6;
let shownCount = 0;
const READY_TIMEOUT_MS = 8000;
const PAINT_TIMEOUT_MS = 3000;
const EMPTY_TIMEOUT_MS = 1000;

export class TrustedPrompts {
  readonly #displays = new Map<string, DisplayPrompt>();

  constructor(private readonly o: TrustedPromptOptions) {}

  /** The prompt side that shows one request on `target`. */
  side(target: DisplayTarget, context: PromptContext): PromptSide {
    return { show: (request, controls) => this.#display(target).show(request, controls, context) };
  }

  /** A SAK from the X module: arms the prompt waiting for it on that display, if any. */
  sak(s: Sak): void {
    const d = this.#displays.get(s.display);
    if (d === undefined) {
      this.o.log(`SAK on ${s.display}, where no prompt is shown; ignored`);
      return;
    }
    d.sak();
  }

  async close(): Promise<void> {
    await Promise.all([...this.#displays.values()].map((d) => d.close()));
  }

  #display(target: DisplayTarget): DisplayPrompt {
    let d = this.#displays.get(target.display);
    if (d === undefined) {
      if (this.#displays.size >= (this.o.maxDisplays ?? 16)) throw new Error('too many displays with a prompt');
      d = new DisplayPrompt(target, this.o);
      this.#displays.set(target.display, d);
    }
    return d;
  }
}

/** One display: its warm host, its queue, the prompt shown now. */
class DisplayPrompt {
  #host: Promise<PromptHost> | null = null;
  /**
   * The host window's title, random per host: trustpath-input finds the window by it
   * (and checks its owner's uid). One per host rather than per prompt, so a warm
   * host's title is already there and rendering waits for no title change.
   */
  windowKey = randomBytes(16).toString('hex');
  /** whether the X server runs the module, asked once per host (a new host asks again) */
  #protected: Promise<boolean> | null = null;
  #busy = false;
  readonly #waiting: Array<() => void> = [];
  #active: ShownPrompt | null = null;

  constructor(readonly target: DisplayTarget, private readonly o: TrustedPromptOptions) {}

  async show(request: PromptRequest, controls: PromptControls, context: PromptContext): Promise<PromptSession> {
    const release = await this.#turn(controls.stopped);
    const shown = new ShownPrompt(this, request, controls, context, this.o, () => {
      if (this.#active === shown) this.#active = null;
      release();
    });
    this.#active = shown;
    try {
      await shown.open();
      return shown;
    } catch (e) {
      this.o.log(`prompt on ${this.target.display} not shown: ${(e as Error)?.message ?? String(e)}`);
      shown.end();
      throw e;
    }
  }

  sak(): void {
    this.#active?.sak();
  }

  /** Asked before the first prompt shows anything; refused displays never see a window. */
  isProtected(): Promise<boolean> {
    if (this.#protected === null) {
      const asking = probeDisplay({ path: this.o.grabberPath, display: this.target.display, log: this.o.log,
        ...(this.target.xauthority !== undefined ? { xauthority: this.target.xauthority } : {}) });
      this.#protected = asking;
      asking.catch(() => { if (this.#protected === asking) this.#protected = null; });
    }
    return this.#protected;
  }

  /** The warm host, launched at the first prompt and again after it died. */
  host(): Promise<PromptHost> {
    if (this.#host === null) {
      this.windowKey = randomBytes(16).toString('hex');
      const launching = this.o.launchHost(this.target);
      this.#host = launching;
      launching.then((h) => h.exited.then(() => {
        if (this.#host === launching) this.#host = null;
        this.#protected = null; // the X server may have gone with it: ask again
        this.o.log(`prompt host on ${this.target.display} exited`);
        this.#active?.fail('the prompt host exited');
      }), () => { if (this.#host === launching) this.#host = null; });
    }
    return this.#host;
  }

  async close(): Promise<void> {
    this.#active?.fail('trustpathd is stopping');
    const h = await this.#host?.catch(() => null);
    await h?.close();
  }

  #turn(stopped: AbortSignal): Promise<() => void> {
    const release = (): void => {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#busy = false;
    };
    if (!this.#busy) {
      this.#busy = true;
      return Promise.resolve(once(release));
    }
    if (this.#waiting.length >= (this.o.maxQueue ?? 8)) {
      return Promise.reject(new Error(`too many prompts waiting on ${this.target.display}`));
    }
    return new Promise((resolve, reject) => {
      const go = (): void => {
        stopped.removeEventListener('abort', onStop);
        resolve(once(release));
      };
      const onStop = (): void => {
        const i = this.#waiting.indexOf(go);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(new Error('stopped while waiting for the display'));
      };
      stopped.addEventListener('abort', onStop, { once: true });
      this.#waiting.push(go);
    });
  }
}

function once(f: () => void): () => void {
  let done = false;
  return () => { if (!done) { done = true; f(); } };
}

/** One request on screen: a PromptSession for the authentication manager. */
class ShownPrompt implements PromptSession {
  #view!: PromptViewState;
  #grabber: Grabber | null = null;
  #host: PromptHost | null = null;
  #fd: number | null = null;
  #armed: (() => void) | null = null;
  /** a SAK on this display after this prompt began, before it waited for one: it counts */
  #sakEarly = false;
  #choice: ((uid: number | null) => void) | null = null;
  #rendering: Promise<void> = Promise.resolve();
  #ended = false;
  #onStop: () => void;
  /** the current PIN entry waits for the grabber's PINRESULT or PINHASH */
  #pinWaiter: ((e: GrabberEvent | null) => void) | null = null;
  #usedPin = false;
  readonly #n = ++shownCount;
  readonly #since = performance.now();

  constructor(private readonly display: DisplayPrompt, private readonly request: PromptRequest,
    private readonly controls: PromptControls, private readonly context: PromptContext,
    private readonly o: TrustedPromptOptions, private readonly released: () => void) {
    this.#onStop = () => this.end();
    controls.stopped.addEventListener('abort', this.#onStop, { once: true });
  }

  /** Shows the request; resolves once the user may answer (after the SAK on a protected display). */
  async open(): Promise<void> {
    const req = this.request;
    const selected = Math.max(0, req.identities.findIndex((i) => i.uid === req.requester.uid));
    const refused = (): Error => new Error(`display ${this.display.target.display} is not protected by the trustpath X module; prompts there are refused by configuration`);
    const probed = await this.display.isProtected();
    if (!probed && this.o.unprotectedDisplays === 'refuse') throw refused();
    // the rest in parallel: the user's name, the parent chain (root reader round trips), the host
    // (and the SAK listener, so that a SAK pressed as soon as the prompt shows is heard)
    const [user, parents, host] = await Promise.all([
      this.o.users.userByUid(req.requester.uid).catch(() => undefined), this.#parents(req.requester.pid), this.display.host(),
      probed ? this.o.listenForSak() : undefined,
    ]);
    const prepared = performance.now();
    this.#host = host;
    this.#view = {
      windowKey: this.display.windowKey, lang: this.context.lang,
      phase: probed ? 'sak' : 'password', protectedDisplay: probed,
      action: { id: req.actionId, description: this.context.description, message: req.message, iconName: req.iconName },
      requester: {
        pid: req.requester.pid, exe: req.requester.exe, cmdline: req.requester.cmdline, uid: req.requester.uid,
        user: user?.name ?? '', parents,
      },
      identities: req.identities.map((i) => ({ uid: i.uid, name: i.name, realName: i.realName })),
      selected, details: Object.entries(req.untrustedDetails).filter(([k]) => !k.startsWith('polkit.')),
      secret: null, pam: null, typed: 0, retry: null, locked: null,
      deadlineMs: Date.now() + this.o.timeoutMs, notice: null, finished: null,
    };
    this.#stopIfEnded();
    await this.#render();
    const rendered = performance.now();
    const ready = await this.#startGrabber();
    const grabbed = performance.now();
    this.#stopIfEnded();
    if (!ready.protected && this.o.unprotectedDisplays === 'refuse') throw refused();
    if (ready.protected !== probed) {
      // the server changed under us (restarted with or without the module): believe the grabber, who holds the window
      this.#view = { ...this.#view, protectedDisplay: ready.protected, phase: ready.protected ? 'sak' : 'password' };
    }
    // Rendered before the grabber mapped the window: paint it now that it is visible,
    // so that 'shown' means on screen (not the last prompt's frame, still on screen
    // until Chromium has noticed that it is mapped again).
    await this.#render();
    await this.#host?.painted?.(PAINT_TIMEOUT_MS).catch((e: unknown) => this.#say(`no paint seen: ${String(e)}`));
    const ms = (a: number, b: number): number => Math.round(b - a);
    const now = performance.now();
    this.#say(`shown (${ready.protected ? 'protected' : 'UNPROTECTED display'}) for ${req.actionId} by pid ${req.requester.pid} after ${ms(this.#since, now)} ms` +
      ` (prepare ${ms(this.#since, prepared)}, render ${ms(prepared, rendered)}, grab ${ms(rendered, grabbed)}, paint ${ms(grabbed, now)})`);
    if (!ready.protected) {
      this.o.log(`display ${this.display.target.display} is not protected by the trustpath X module: no SAK, no secret image`);
      this.#grabber!.arm();
      return;
    }
    await this.o.listenForSak();
    await new Promise<void>((resolve, reject) => {
      if (this.#sakEarly) { resolve(); return; }
      this.#armed = resolve;
      this.controls.stopped.addEventListener('abort', () => reject(new Error('stopped before the SAK')), { once: true });
    });
    this.#grabber!.arm();
    this.#say('SAK received; input armed');
    const secret = this.o.secrets.secretOf(this.request.requester.uid);
    this.#view = { ...this.#view, phase: 'password', secret: secretArt(secret) };
    secret.fill(0);
    await this.#render();
  }

  sak(): void {
    const armed = this.#armed;
    this.#armed = null;
    if (armed) armed();
    else this.#sakEarly = true;
  }

  chooseIdentity(identities: readonly OfferedIdentity[]): Promise<number | null> {
    if (identities.length === 1) return Promise.resolve(identities[0]!.uid);
    this.#update({ phase: 'choose' });
    return new Promise((resolve) => { this.#choice = resolve; });
  }

  pamMessage(message: PamMessage, responseFd: number | null, responsePath?: string | null): void {
    if (message.kind !== 'prompt') {
      this.#update({ pam: { kind: message.kind, text: message.text, echo: false } });
      return;
    }
    if (responseFd !== null && responseFd !== this.#fd) {
      this.#closePipe();
      this.#fd = responseFd;
    }
    if (this.#fd === null || !responsePath) throw new Error('a PAM prompt without a response pipe path');
    const st = fstatSync(this.#fd, { bigint: true });
    this.#grabber?.pipe(responsePath, st.dev, st.ino);
    this.#say(`PAM asks ${JSON.stringify(message.text.slice(0, 80))}`);
    this.#update({ phase: 'password', pam: { kind: 'prompt', text: message.text, echo: message.echo }, typed: 0 });
  }

  retry(remaining: number): void {
    this.#closePipe();
    this.#update({ phase: 'password', retry: { remaining }, typed: 0 });
  }

  lockedOut(_uid: number, until: Date): void {
    this.#closePipe();
    this.#update({ phase: 'locked', locked: { untilMs: until.getTime() }, pam: null, typed: 0 });
  }

  finished(result: AuthResult): void {
    if (result.outcome === 'authenticated' && !this.#usedPin) {
      // the password was used: the PIN's failures are forgotten (user-secrets.ts)
      try { this.o.secrets.passwordUsed(result.uid); } catch (e) { this.o.log(`PIN state of uid ${result.uid}: ${String(e)}`); }
    }
    const after = this.context.afterSuccess;
    if (result.outcome === 'authenticated' && after) {
      // the authentication is over (and `stopped` fires): this prompt stays until the flow ends
      this.controls.stopped.removeEventListener('abort', this.#onStop);
      const pin: PinEntry = { choose: (notice) => this.#pinChoose(notice), check: (notice, hash) => this.#pinCheck(notice, hash) };
      // bounded like the authentication was: then the entry in progress ends as given up
      const timer = setTimeout(() => { this.#say('timed out'); this.#pinWaiter?.(null); this.end(); }, this.o.timeoutMs);
      void after(result.uid, pin).catch((e: unknown) => this.o.log(`after authentication: ${String(e)}`))
        .finally(() => { clearTimeout(timer); this.#close('authenticated'); });
      return;
    }
    this.#close(result.outcome);
  }

  #close(outcome: AuthResult['outcome']): void {
    this.#update({ phase: 'finished', finished: { outcome }, pam: null, typed: 0, secret: null });
    this.end();
  }

  /**
   * The user's PIN instead of the password: on a protected display only (elsewhere
   * it could be read and replayed), while it is set and has not failed
   * PIN_MAX_FAILURES times since the password was last used.
   */
  async verifyWithoutPam(uid: number): Promise<boolean> {
    if (uid !== this.request.requester.uid || !this.#view.protectedDisplay) return false;
    let pin;
    try { pin = this.o.secrets.usablePin(uid); } catch (e) { this.o.log(`PIN of uid ${uid}: ${String(e)}`); return false; }
    if (pin === null) return false;
    for (;;) {
      const ok = await this.#pinCheck('pin', pin.hash);
      if (ok === null) return false;
      if (ok) {
        this.#usedPin = true;
        this.#say('PIN accepted');
        return true;
      }
      const failures = this.o.secrets.pinFailed(uid);
      this.#say(`wrong PIN (${failures} of ${PIN_MAX_FAILURES})`);
      if (failures >= PIN_MAX_FAILURES) {
        this.#update({ notice: null, retry: null, pam: null, typed: 0 });
        return false;
      }
      this.#update({ retry: { remaining: PIN_MAX_FAILURES - failures } });
    }
  }

  #pinCheck(notice: PinNotice, hash: string): Promise<boolean | null> {
    return this.#pinEntry(notice, () => this.#grabber?.pinCheck(hash), (e) => (e.kind === 'pin-result' ? e.ok : undefined));
  }

  #pinChoose(notice: PinNotice): Promise<string | null> {
    return this.#pinEntry(notice, () => this.#grabber?.pinSet(), (e) => (e.kind === 'pin-hash' ? e.hash : undefined));
  }

  /** Shows a PIN field, puts the grabber in that mode, and waits for its one answer. */
  #pinEntry<T>(notice: PinNotice, start: () => void, pick: (e: GrabberEvent) => T | undefined): Promise<T | null> {
    if (this.#ended) return Promise.resolve(null);
    this.#update({ phase: 'password', pam: { kind: 'prompt', text: PIN_LABEL, echo: false }, notice, typed: 0 });
    this.#say(`asks for a PIN (${notice})`);
    return new Promise((resolve) => {
      this.#pinWaiter = (e) => {
        if (e === null) { this.#pinWaiter = null; resolve(null); return; }
        const v = pick(e);
        if (v === undefined) return;
        this.#pinWaiter = null;
        resolve(v);
      };
      start();
    });
  }

  /** Something under the prompt broke: dismissed (fail closed), and the prompt goes. */
  fail(why: string): void {
    if (this.#ended) return;
    this.#say(`${why}; dismissing`);
    this.controls.dismiss();
    this.end();
  }

  /**
   * Idempotent: the pipe closed, the window emptied (bounded), the grabber told to quit
   * (it unmaps the window), the display released.
   */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#say('closed');
    this.controls.stopped.removeEventListener('abort', this.#onStop);
    this.#closePipe();
    this.#choice?.(null);
    this.#choice = null;
    this.#pinWaiter?.(null);
    const g = this.#grabber;
    const done = g ? this.#empty().then(() => g.quit()) : Promise.resolve();
    void done.finally(() => this.released());
  }

  /**
   * Renders the 'closed' phase (nothing) and waits for it to be painted, at most
   * EMPTY_TIMEOUT_MS: the host keeps its window for the next prompt, which is shown the
   * moment the grabber maps it, before Chromium paints again — with the last frame
   * this prompt painted, unless that was an empty one.
   */
  #empty(): Promise<void> {
    this.#view = { ...this.#view, phase: 'closed', secret: null, pam: null, typed: 0, notice: null, retry: null };
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, EMPTY_TIMEOUT_MS);
      void this.#render().catch(() => undefined).then(() => { clearTimeout(timer); resolve(); });
    });
  }

  #say(what: string): void {
    this.o.log(`prompt ${this.#n} on ${this.display.target.display}: ${what}`);
  }

  #stopIfEnded(): void {
    if (this.#ended || this.controls.stopped.aborted) throw new Error('the authentication ended while the prompt opened');
  }

  async #startGrabber(): Promise<Extract<GrabberEvent, { kind: 'ready' }>> {
    const g = new Grabber({
      path: this.o.grabberPath, display: this.display.target.display, windowTitle: this.#view.windowKey,
      ...(this.context.composeLocale !== undefined ? { composeLocale: this.context.composeLocale } : {}),
      ...(this.display.target.xauthority !== undefined ? { xauthority: this.display.target.xauthority } : {}),
      log: this.o.log,
    });
    this.#grabber = g;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { g.kill(); reject(new Error('trustpath-input did not take the prompt window in time')); }, READY_TIMEOUT_MS);
      let ready = false;
      g.on('event', (e: GrabberEvent) => {
        if (e.kind === 'ready' && !ready) {
          ready = true;
          clearTimeout(timer);
          resolve(e);
        } else {
          this.#input(e);
        }
      });
      g.on('exit', (code: number | null) => {
        clearTimeout(timer);
        if (!ready) reject(new Error(`trustpath-input exited (${code}) before taking the prompt window`));
        else if (!this.#ended) this.fail(`trustpath-input exited (${code})`);
      });
    });
  }

  #input(e: GrabberEvent): void {
    if (this.#ended) return;
    switch (e.kind) {
      case 'cancel':
        this.#say('cancelled by the user (Escape)');
        this.#pinWaiter?.(null);
        this.controls.dismiss();
        return;
      case 'edit': this.#update({ typed: e.count }); return;
      case 'nav':
        if (this.#view.phase === 'choose') {
          const n = this.#view.identities.length;
          this.#update({ selected: (((this.#view.selected + e.delta) % n) + n) % n });
        }
        return;
      case 'submit':
        if (this.#view.phase === 'choose' && this.#choice) {
          const choose = this.#choice;
          this.#choice = null;
          this.#update({ phase: 'password' });
          choose(this.#view.identities[this.#view.selected]!.uid);
        } else if (e.wrote) {
          this.#say('answer submitted');
          this.controls.answered();
          this.#update({ phase: 'verifying', typed: 0, retry: null });
        }
        return;
      case 'fail': this.o.log(`trustpath-input: ${e.text}`); return;
      case 'pin-result': case 'pin-hash': this.#pinWaiter?.(e); return;
      default: return;
    }
  }

  #update(change: Partial<PromptViewState>): void {
    this.#view = { ...this.#view, ...change };
    void this.#render().catch((e: unknown) => this.fail(`rendering failed: ${String(e)}`));
  }

  /** Renders the current view after the previous render (views never overtake each other). */
  #render(): Promise<void> {
    const host = this.#host;
    if (host === null) return Promise.resolve();
    const view = this.#view;
    this.#rendering = this.#rendering.catch(() => undefined).then(() => host.render(view));
    return this.#rendering;
  }

  #closePipe(): void {
    if (this.#fd !== null) {
      try { closeSync(this.#fd); } catch { /* already closed */ }
      this.#fd = null;
      this.#grabber?.unpipe();
    }
  }

  /** The parent chain from /proc (nearest first); their executables asked of the root reader all at once. */
  async #parents(pid: number): Promise<ProcessView[]> {
    const pids: number[] = [];
    for (let p = parentOf(pid); p !== null && p > 1 && pids.length < MAX_PARENTS; p = parentOf(p)) pids.push(p);
    return Promise.all(pids.map(async (p) => ({
      pid: p, exe: (await this.o.exeOf(p).catch(() => ({ exe: null }))).exe ?? '', cmdline: cmdlineOf(p),
    })));
  }
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

function cmdlineOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '').slice(0, 64).map((a) => a.slice(0, 1024));
  } catch {
    return [];
  }
}

export type { PromptPhase };
