// The renderer in Debian's Chromium (headless): layout across locales, sizes, pixel
// densities and font sizes with long machine texts; what is shown in each phase; that
// nothing can take focus; that the CSP stops injected inline script; the countdown.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { PromptViewState } from '../../prompt-ui/src/state.js';
import { launchBrowser, layoutProblems, openPrompt, render, textOf, type PageOptions } from './page.js';
import { baseState, longState } from './states.js';

let browser: Browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser.close(); });

async function withPrompt(o: PageOptions, fn: (page: Page) => Promise<void>): Promise<void> {
  const page = await openPrompt(browser, o);
  try {
    await fn(page);
  } finally {
    await page.context().close();
  }
}

const SIZES: readonly (PageOptions & { name: string })[] = [
  { name: '800x600', width: 800, height: 600 },
  { name: '1920x1080', width: 1920, height: 1080 },
  { name: '3840x2160@2x', width: 1920, height: 1080, scale: 2 },
  { name: '800x600 font 24px', width: 800, height: 600, fontSize: 24 },
  { name: '1920x1080 font 32px', width: 1920, height: 1080, fontSize: 32 },
];
const LANGS = ['en-US', 'de-DE', 'ja-JP', 'ar-EG'] as const;
const PHASES: readonly Partial<PromptViewState>[] = [
  { phase: 'sak', secret: null, pam: null },
  { phase: 'password', typed: 12, retry: { remaining: 2 }, notice: 'caps-lock' },
  { phase: 'locked', locked: { untilMs: Date.now() + 300_000 }, pam: null },
  { phase: 'password', typed: 4, pam: { kind: 'prompt', text: 'PIN:', echo: false }, notice: 'pin-mismatch' },
];
const NOTICES: readonly NonNullable<PromptViewState['notice']>[] = ['sak-required-again', 'caps-lock', 'input-full', 'pin', 'timed-out',
  'pin-new', 'pin-again', 'pin-mismatch'];

test('layout: every part of the card inside the viewport, no scrolling, for long texts in every size and locale', async () => {
  for (const size of SIZES) {
    await withPrompt(size, async (page) => {
      for (const lang of LANGS) {
        for (const phase of PHASES) {
          for (const make of [baseState, longState]) {
            const state = make({ lang, ...phase });
            await render(page, state);
            assert.deepEqual(await layoutProblems(page), [], `${size.name} ${lang} ${state.phase} ${make.name}`);
          }
        }
      }
    });
  }
});

test('notices: each has its own text in every UI language', async () => {
  await withPrompt({ width: 1024, height: 768 }, async (page) => {
    for (const lang of ['en', 'de', 'fr', 'es', 'ja', 'ar']) {
      const texts = new Set<string>();
      for (const notice of NOTICES) {
        await render(page, baseState({ lang, phase: 'password', notice }));
        assert.equal(await page.evaluate('document.title'), baseState().windowKey, `${lang} ${notice}: a valid state`);
        const text = await textOf(page, '.notice');
        assert.ok(text.length > 0 && !texts.has(text), `${lang} ${notice}: a text of its own (${text})`);
        texts.add(text);
      }
    }
  });
});

test("'closed': nothing of the prompt stays in the page (its window is shown again for the next prompt)", async () => {
  await withPrompt({ width: 1024, height: 768 }, async (page) => {
    await render(page, longState({ typed: 5 }));
    assert.ok((await page.evaluate('document.body.innerText') as string).length > 100, 'control: the prompt had text');
    await render(page, longState({ typed: 5, phase: 'closed' }));
    assert.equal(await page.evaluate('document.body.innerText.trim()'), '');
    assert.equal(await page.evaluate("document.querySelectorAll('.card, canvas, svg, img').length"), 0);
    assert.equal(await page.evaluate('document.title'), longState().windowKey, 'still the window the grabber knows');
  });
});

test('the essentials stay on screen when space is short: secret, answer, countdown', async () => {
  await withPrompt({ width: 800, height: 600, fontSize: 24 }, async (page) => {
    await render(page, longState({ typed: 9 }));
    const boxes = await page.evaluate(`['.secret-art', '.secret-phrase', '.pam-text', '.dots', '.countdown'].map((s) => {
      const r = document.querySelector(s)?.getBoundingClientRect();
      return r ? [s, r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth] : [s, false];
    })`) as [string, boolean][];
    for (const [s, ok] of boxes) assert.ok(ok, `${s} fully visible`);
  });
});

test('locale: language, direction and the renderer\'s own texts', async () => {
  await withPrompt({ width: 1024, height: 768 }, async (page) => {
    const expect = { 'en-US': ['ltr', 'Authentication required'], 'de-DE': ['ltr', 'Authentifizierung erforderlich'],
      'ja-JP': ['ltr', '認証が必要です'], 'ar-EG': ['rtl', 'المصادقة مطلوبة'], 'fr-FR': ['ltr', 'Authentification requise'],
      'es-ES': ['ltr', 'Se requiere autenticación'], 'xx-YY': ['ltr', 'Authentication required'] } as const;
    for (const [lang, [dir, title]] of Object.entries(expect)) {
      await render(page, baseState({ lang }));
      assert.equal(await page.evaluate('document.documentElement.dir'), dir, lang);
      assert.equal(await page.evaluate('document.documentElement.lang'), lang);
      assert.equal(await textOf(page, '.title'), title, lang);
    }
    // machine text stays left to right inside a right-to-left page
    await render(page, baseState({ lang: 'ar-EG' }));
    assert.equal(await page.evaluate("getComputedStyle(document.querySelector('.fact.exe')).direction"), 'ltr');
  });
});

test('one dot per typed character; the title is the windowKey', async () => {
  await withPrompt({ width: 1024, height: 768 }, async (page) => {
    for (const typed of [0, 1, 7, 40]) {
      await render(page, baseState({ typed, windowKey: `key-${typed}` }));
      assert.equal([...await textOf(page, '.dots')].length, typed);
      assert.equal(await page.evaluate('document.title'), `key-${typed}`);
    }
  });
});

test('the secret: drawn only when set and only on a protected display, never before the SAK', async () => {
  await withPrompt({ width: 1024, height: 768 }, async (page) => {
    const count = (): Promise<unknown> => page.evaluate("document.querySelectorAll('.secret, svg.secret-art').length");
    const s = baseState();
    await render(page, s);
    assert.equal(await count(), 2);
    assert.equal(await textOf(page, '.secret-phrase'), s.secret?.phrase);
    assert.equal(await page.evaluate("document.querySelectorAll('svg.secret-art rect').length > 10"), true);
    await render(page, baseState({ secret: null }));
    assert.equal(await count(), 0);
    assert.equal(await page.evaluate("document.querySelector('.unprotected')"), null);
    await render(page, baseState({ protectedDisplay: false }));
    assert.equal(await count(), 0, 'no secret on an unprotected display, whatever the state says');
    assert.match(await textOf(page, '.unprotected'), /does not protect what you type/);
    await render(page, baseState({ phase: 'sak' }));
    assert.equal(await count(), 0);
    assert.equal(await textOf(page, '.sak-key'), 'Press Ctrl+Alt+Pause to continue');
    assert.equal(await page.evaluate("document.querySelector('.dots')"), null);
  });
});

test('nothing can take focus, and keys change nothing', async () => {
  await withPrompt({ width: 1024, height: 768 }, async (page) => {
    await render(page, baseState({ phase: 'choose', pam: null, identities: [
      { uid: 0, name: 'root', realName: '' }, { uid: 1000, name: 'alice', realName: 'Alice' }], selected: 1 }));
    const focusable = "document.querySelectorAll('a[href], area, button, input, select, textarea, iframe, object, embed, summary, [tabindex], [contenteditable], [autofocus]').length";
    assert.equal(await page.evaluate(focusable), 0);
    assert.equal(await page.evaluate('document.activeElement === document.body'), true);
    const before = await page.evaluate('document.body.innerHTML');
    for (const key of ['Tab', 'Tab', 'Enter', 'ArrowDown', 'Escape', 'a']) await page.keyboard.press(key);
    assert.equal(await page.evaluate('document.activeElement === document.body'), true);
    assert.equal(await page.evaluate('document.body.innerHTML'), before);
    assert.equal(await textOf(page, '.choice.selected'), 'Alice (alice)');
  });
});

test('the CSP stops an injected inline script and inline style', async () => {
  await withPrompt({ width: 1024, height: 768 }, async (page) => {
    await render(page, baseState());
    const result = await page.evaluate(`new Promise((resolve) => {
      const seen = [];
      document.addEventListener('securitypolicyviolation', (e) => seen.push(e.violatedDirective));
      const s = document.createElement('script');
      s.textContent = 'window.__injected = 1';
      document.body.append(s);
      const st = document.createElement('style');
      st.textContent = 'body { display: none }';
      document.head.append(st);
      setTimeout(() => resolve({ seen, injected: window.__injected ?? null, display: getComputedStyle(document.body).display }), 300);
    })`) as { seen: string[]; injected: unknown; display: string };
    assert.equal(result.injected, null);
    assert.notEqual(result.display, 'none');
    assert.ok(result.seen.some((d) => d.startsWith('script-src')), JSON.stringify(result.seen));
    assert.ok(result.seen.some((d) => d.startsWith('style-src')), JSON.stringify(result.seen));
  });
});

test('the countdown ticks every second; the lockout counts down too', async () => {
  await withPrompt({ width: 1024, height: 768 }, async (page) => {
    await render(page, baseState({ deadlineMs: Date.now() + 65_500, locked: { untilMs: Date.now() + 125_500 }, phase: 'locked' }));
    const first = [await textOf(page, '.countdown'), await textOf(page, '.locked')];
    assert.match(first[0]!, /This prompt closes in 1:0[56]/);
    assert.match(first[1]!, /Try again in 2:0[56]/);
    await new Promise((r) => setTimeout(r, 2100));
    const later = [await textOf(page, '.countdown'), await textOf(page, '.locked')];
    assert.notEqual(later[0], first[0]);
    assert.notEqual(later[1], first[1]);
    await render(page, baseState({ deadlineMs: null }));
    assert.equal(await page.evaluate("document.querySelector('.countdown')"), null);
  });
});

test('untrusted text cannot reorder or hide what is shown; malformed states show only a refusal', async () => {
  await withPrompt({ width: 1024, height: 768 }, async (page) => {
    const b = baseState();
    await render(page, { ...b, requester: { ...b.requester, cmdline: ['sh', '-c', 'echo \u202eevil\u202c', '<b>x</b>'] } });
    const cmd = await textOf(page, '.fact.cmdline');
    assert.equal(cmd, "sh -c 'echo ⟨U+202E⟩evil⟨U+202C⟩' '<b>x</b>'");
    assert.equal(await page.evaluate("document.querySelectorAll('.fact.cmdline b').length"), 0);
    for (const bad of [null, 'x', { ...b, phase: 'approve' }, { ...b, typed: -1 }, { ...b, selected: 5 }, { ...b, windowKey: 'a\nb' }]) {
      await render(page, bad);
      assert.equal(await page.evaluate('document.title'), 'trustpath-invalid');
      assert.match(await textOf(page, '.invalid'), /Nothing was approved/);
      assert.equal(await page.evaluate("document.querySelector('.secret, .dots')"), null);
    }
  });
});

test('phases: choose highlights the selection in a window of the list; finished shows the outcome only', async () => {
  await withPrompt({ width: 1024, height: 768 }, async (page) => {
    const identities = Array.from({ length: 30 }, (_, i) => ({ uid: 1000 + i, name: `admin${i}`, realName: '' }));
    await render(page, baseState({ phase: 'choose', pam: null, identities, selected: 20 }));
    const items = await page.evaluate("[...document.querySelectorAll('.choice')].map((e) => e.textContent)") as string[];
    assert.equal(items.length, 7);
    assert.ok(items.includes('admin20'));
    assert.equal(await textOf(page, '.choice.selected'), 'admin20');
    await render(page, baseState({ phase: 'finished', finished: { outcome: 'authenticated' } }));
    assert.equal(await textOf(page, '.finished'), 'Authenticated');
    assert.equal(await page.evaluate("document.querySelector('.dots, .secret, .requester')"), null);
  });
});
