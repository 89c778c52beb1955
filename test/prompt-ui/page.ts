// Opens the built prompt page (prompt-ui/out/app/page) in Debian's Chromium through
// playwright-core, headless, for the renderer tests.
import { chromium, type Browser, type Page } from 'playwright-core';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PromptViewState } from '../../prompt-ui/src/state.js';

const ROOT = new URL('../../..', import.meta.url).pathname; // build/test/prompt-ui -> repo
export const PAGE_URL = pathToFileURL(join(ROOT, 'prompt-ui', 'out', 'app', 'page', 'prompt.html')).href;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
  });
}

export interface PageOptions {
  readonly width: number;
  readonly height: number;
  readonly scale?: number;
  /** the user's default font size in CSS px (Chromium's is 16) */
  readonly fontSize?: number;
}

export async function openPrompt(browser: Browser, o: PageOptions): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: o.width, height: o.height }, deviceScaleFactor: o.scale ?? 1 });
  const page = await context.newPage();
  if (o.fontSize !== undefined) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Page.setFontSizes', { fontSizes: { standard: o.fontSize, fixed: o.fontSize } });
  }
  await page.goto(PAGE_URL);
  await page.waitForFunction('window.trustpathPrompt !== undefined');
  return page;
}

export async function render(page: Page, state: PromptViewState | unknown): Promise<void> {
  await page.evaluate((s) => (globalThis as unknown as PromptWindow).trustpathPrompt.render(s), state);
}

// Page-side checks are strings: the root tsconfig has no DOM lib (Node code only).
const LAYOUT_CHECK = `(() => {
  const out = [];
  const root = document.documentElement;
  const w = root.clientWidth, h = root.clientHeight;
  if (root.scrollWidth > w) out.push('page scrolls sideways: ' + root.scrollWidth + ' > ' + w);
  if (root.scrollHeight > h) out.push('page scrolls down: ' + root.scrollHeight + ' > ' + h);
  for (const e of document.querySelectorAll('.card, .card > *')) {
    const r = e.getBoundingClientRect();
    if (r.left < -0.5 || r.top < -0.5 || r.right > w + 0.5 || r.bottom > h + 0.5) {
      out.push(e.className + ': ' + [r.left, r.top, r.right, r.bottom].map(Math.round) + ' outside ' + w + 'x' + h);
    }
  }
  // Nothing is wider than its box unless it ends in an ellipsis (clipped text must say so).
  for (const e of document.querySelectorAll('.card *')) {
    if (e instanceof SVGElement) continue;
    if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).textOverflow !== 'ellipsis') {
      out.push(e.tagName + '.' + e.className + ': ' + e.scrollWidth + ' wider than ' + e.clientWidth);
    }
  }
  return out;
})()`;

/** Parts of the card that lie (partly) outside the viewport, and whether the page scrolls. */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(LAYOUT_CHECK) as Promise<string[]>;
}

/** The text of the first element matching a selector ('' when there is none). */
export async function textOf(page: Page, selector: string): Promise<string> {
  return page.evaluate(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? ''`) as Promise<string>;
}

interface PromptWindow {
  readonly trustpathPrompt: { render(state: unknown): void };
}
