// The trusted prompt's renderer (classic script, after strings.js, art.js, check.js).
// It only displays: window.trustpathPrompt.render(state) replaces the whole view with
// the state; it has no input handling and nothing on the page can take focus (keys
// go to trustpath-input, never here). Every text is set with textContent; untrusted
// texts (paths, command lines, details, PAM text) have control and bidi-override
// characters made visible, so they cannot reorder or hide what is shown.

type ViewState = import('../state.js').PromptViewState;
type ProcessInfo = import('../state.js').ProcessView;

interface Window {
  trustpathPrompt?: { render(state: unknown): void };
  /** the Electron preload's bridge (absent in Chromium) */
  trustpathHost?: { onState(cb: (state: unknown) => void): void };
}

// Display caps: the daemon's own cuts are larger than a screen can show.
const CAP = { exe: 600, cmdline: 1200, parents: 6, details: 16, detail: 300, dots: 128, choices: 7, pam: 400 } as const;
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/gu;

let countdownTimer: number | undefined;

function el(tag: string, cls?: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** An element for text in a language other than the page's (PAM, names, the phrase). */
function foreign(tag: string, cls: string, text: string): HTMLElement {
  const e = el(tag, cls, text);
  e.dir = 'auto';
  return e;
}

/** Control and bidi format characters shown as ⟨U+XXXX⟩; cut to max characters. */
function visible(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(INVISIBLE, (c) => `⟨U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

function quoteArg(a: string): string {
  return a !== '' && /^[\w@%+=:,./-]+$/u.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

function commandLine(argv: readonly string[]): string {
  return visible(argv.map(quoteArg).join(' '), CAP.cmdline);
}

function fill(template: string, value: string): string {
  return template.replace(/\{[nt]\}/g, value);
}

/** h:mm:ss or m:ss, never negative. */
function duration(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const two = (n: number): string => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  return h > 0 ? `${h}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : `${Math.floor(s / 60)}:${two(s % 60)}`;
}

/** A label/value row whose value is left-to-right machine text (paths, command lines). */
function factRow(list: HTMLElement, label: string, value: string, cls = ''): void {
  list.append(el('dt', undefined, label));
  const dd = el('dd', `fact ${cls}`.trim(), value);
  dd.dir = 'ltr';
  list.append(dd);
}

function identityText(i: ViewState['identities'][number]): string {
  const name = i.name === null ? `#${i.uid}` : visible(i.name, 64);
  return i.realName ? `${visible(i.realName, 128)} (${name})` : name;
}

function headerSection(s: ViewState, t: PromptStrings): HTMLElement {
  const h = el('header', 'head');
  h.append(el('p', 'title', t.title), el('h1', 'message', s.action.message || s.action.id));
  if (s.action.description && s.action.description !== s.action.message) h.append(el('p', 'description shrink', s.action.description));
  return h;
}

function sakSection(t: PromptStrings): HTMLElement {
  const sec = el('section', 'sak');
  sec.append(el('p', 'sak-key', t.pressSak), el('p', 'sak-why', t.sakWhy));
  return sec;
}

function secretSection(secret: NonNullable<ViewState['secret']>, t: PromptStrings): HTMLElement {
  const sec = el('section', 'secret');
  const art = drawSecretArt(secret.art);
  if (art) sec.append(art);
  const words = el('div', 'secret-words');
  words.append(el('p', 'secret-intro', t.secretIntro), foreign('p', 'secret-phrase', visible(secret.phrase, 256)));
  sec.append(words);
  return sec;
}

function parentsText(parents: readonly ProcessInfo[]): HTMLElement {
  const ol = el('ol', 'parents');
  for (const p of parents.slice(0, CAP.parents)) {
    const line = `${visible(p.exe || '?', CAP.exe)} [${p.pid}]  ${commandLine(p.cmdline.slice(1))}`;
    ol.append(el('li', undefined, line));
  }
  if (parents.length > CAP.parents) ol.append(el('li', undefined, `… +${parents.length - CAP.parents}`));
  ol.dir = 'ltr';
  return ol;
}

function requesterSection(s: ViewState, t: PromptStrings): HTMLElement {
  const sec = el('section', 'requester shrink');
  const dl = el('dl', 'facts');
  const r = s.requester;
  factRow(dl, t.program, `${visible(r.exe || '?', CAP.exe)} [${r.pid}]`, 'exe');
  factRow(dl, t.commandLine, commandLine(r.cmdline), 'cmdline');
  factRow(dl, t.user, `${r.user ? visible(r.user, 64) : '?'} (${r.uid})`);
  if (r.parents.length > 0) {
    dl.append(el('dt', undefined, t.startedBy));
    const dd = el('dd', 'fact');
    dd.append(parentsText(r.parents));
    dl.append(dd);
  }
  factRow(dl, t.action, s.action.id, 'action-id');
  sec.append(dl);
  return sec;
}

function detailsSection(s: ViewState, t: PromptStrings): HTMLElement {
  const sec = el('section', 'details shrink');
  sec.append(el('h2', undefined, t.details));
  const dl = el('dl', 'facts');
  for (const [k, v] of s.details.slice(0, CAP.details)) factRow(dl, visible(k, 64), visible(v, CAP.detail));
  sec.append(dl);
  return sec;
}

function identitySection(s: ViewState, t: PromptStrings): HTMLElement {
  const sec = el('section', 'identity');
  sec.append(el('h2', undefined, t.authenticateAs));
  if (s.phase !== 'choose') {
    sec.append(foreign('p', 'chosen', identityText(s.identities[s.selected] ?? s.identities[0]!)));
    return sec;
  }
  // A window of choices around the highlighted one: the list may be long.
  const first = Math.max(0, Math.min(s.selected - Math.floor(CAP.choices / 2), s.identities.length - CAP.choices));
  const ul = el('ul', 'choices');
  s.identities.slice(first, first + CAP.choices).forEach((i, k) => {
    const li = foreign('li', first + k === s.selected ? 'choice selected' : 'choice', identityText(i));
    if (first + k === s.selected) li.setAttribute('aria-current', 'true');
    ul.append(li);
  });
  sec.append(ul, el('p', 'hint', t.chooseHint));
  return sec;
}

function pamSection(s: ViewState, t: PromptStrings): HTMLElement {
  const sec = el('section', `pam pam-${s.pam?.kind ?? 'none'}`);
  if (s.pam) sec.append(foreign('p', 'pam-text', visible(s.pam.text, CAP.pam)));
  if (s.pam?.kind === 'prompt' || s.typed > 0) {
    const shown = Math.min(s.typed, CAP.dots);
    const box = el('div', 'dots', '•'.repeat(shown) + (s.typed > shown ? ` +${s.typed - shown}` : ''));
    box.dataset['count'] = String(s.typed);
    box.dir = 'ltr';
    sec.append(box);
    if (s.pam?.echo) sec.append(el('p', 'hint', t.echoNote));
  }
  return sec;
}

const NOTICE_TEXT: Readonly<Record<string, keyof PromptStrings>> = {
  'sak-required-again': 'noticeSakAgain', 'caps-lock': 'noticeCapsLock', 'input-full': 'noticeInputFull',
  pin: 'noticePin', 'timed-out': 'noticeTimedOut',
  'pin-new': 'noticePinNew', 'pin-again': 'noticePinAgain', 'pin-mismatch': 'noticePinMismatch',
};

function statusSection(s: ViewState, t: PromptStrings): HTMLElement {
  const sec = el('section', 'status');
  sec.setAttribute('role', 'status');
  if (s.notice) sec.append(el('p', 'notice', t[NOTICE_TEXT[s.notice] ?? 'invalidState']));
  if (s.phase === 'verifying') sec.append(el('p', 'verifying', t.verifying));
  if (s.retry && s.phase !== 'finished') sec.append(el('p', 'retry', fill(t.retry, String(s.retry.remaining))));
  if (s.locked) {
    const p = el('p', 'locked', fill(t.locked, duration(s.locked.untilMs - Date.now())));
    p.dataset['template'] = t.locked;
    p.dataset['until'] = String(s.locked.untilMs);
    sec.append(p);
  }
  if (s.finished) {
    const o = s.finished.outcome;
    const text = o === 'authenticated' ? t.finishedAuthenticated : o === 'failed' ? t.finishedFailed : t.finishedDismissed;
    sec.append(el('p', `finished finished-${o}`, text));
  }
  return sec;
}

function footerSection(s: ViewState, t: PromptStrings): HTMLElement {
  const f = el('footer', 'foot');
  if (s.phase === 'password') f.append(el('p', 'hint', t.answerHint));
  if (s.deadlineMs !== null && s.phase !== 'finished') {
    const c = el('p', 'countdown', fill(t.countdown, duration(s.deadlineMs - Date.now())));
    c.dataset['template'] = t.countdown;
    c.dataset['until'] = String(s.deadlineMs);
    f.append(c);
  }
  return f;
}

function sectionsOf(s: ViewState, t: PromptStrings): HTMLElement[] {
  const out = [headerSection(s, t)];
  if (!s.protectedDisplay) out.push(el('p', 'unprotected', t.unprotected));
  if (s.phase === 'finished') return [...out, statusSection(s, t)];
  if (s.phase === 'sak') out.push(sakSection(t));
  // The secret is drawn only on a protected display, whatever the state says.
  if (s.secret && s.protectedDisplay && s.phase !== 'sak') out.push(secretSection(s.secret, t));
  out.push(identitySection(s, t));
  if (s.phase !== 'sak' && s.phase !== 'choose') out.push(pamSection(s, t));
  out.push(statusSection(s, t), requesterSection(s, t));
  if (s.details.length > 0) out.push(detailsSection(s, t));
  out.push(footerSection(s, t));
  return out;
}

/** Re-fills every element that counts down (data-template, data-until). */
function tick(): void {
  for (const e of document.querySelectorAll<HTMLElement>('[data-until]')) {
    e.textContent = fill(e.dataset['template'] ?? '', duration(Number(e.dataset['until']) - Date.now()));
  }
}

function show(card: HTMLElement, lang: string): void {
  const root = document.getElementById('root') ?? document.body;
  document.documentElement.lang = lang;
  document.documentElement.dir = isRtl(lang) ? 'rtl' : 'ltr';
  const backdrop = el('div', 'backdrop');
  backdrop.append(card);
  root.replaceChildren(backdrop);
}

function render(input: unknown): void {
  if (countdownTimer !== undefined) window.clearInterval(countdownTimer);
  countdownTimer = undefined;
  const s = checkState(input);
  if (s === null) {
    document.title = 'trustpath-invalid';
    const card = el('main', 'card invalid');
    card.append(el('p', 'message', stringsFor(navigator.language).invalidState));
    show(card, navigator.language);
    return;
  }
  document.title = s.windowKey;
  if (s.phase === 'closed') {
    (document.getElementById('root') ?? document.body).replaceChildren(el('div', 'backdrop'));
    return;
  }
  const t = stringsFor(s.lang);
  const card = el('main', `card phase-${s.phase}`);
  card.append(...sectionsOf(s, t));
  show(card, s.lang);
  if (document.querySelector('[data-until]')) countdownTimer = window.setInterval(tick, 1000);
}

window.trustpathPrompt = Object.freeze({ render });
window.trustpathHost?.onState((state) => render(state));
