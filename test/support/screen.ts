// The screen as a person sees it: a screenshot of a whole display taken as a given
// user (under a prompt, the trustpath module lets only the trusted user read the
// screen), and the text tesseract reads in it, on a grey copy at twice the size. On
// the PNG as taken, tesseract misses light text on coloured boxes and drops the last
// letters of words in the secret phrase (a CI run read 'quail' as 'quai').
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const BIG = 256 << 20;

/** The whole screen of `display`, read by uid/gid with the cookie file `xauthority`, saved as `png`; returns `png`. */
export function screenshot(display: string, as: { readonly uid: number; readonly gid: number }, xauthority: string, png: string): string {
  const xwd = spawnSync('xwd', ['-root', '-silent', '-display', display], { uid: as.uid, gid: as.gid, env: { XAUTHORITY: xauthority }, maxBuffer: BIG });
  if (xwd.status !== 0) throw new Error(`xwd as uid ${as.uid} failed: ${xwd.stderr.toString().trim()}`);
  const pnm = execFileSync('xwdtopnm', { input: xwd.stdout, maxBuffer: BIG, stdio: ['pipe', 'pipe', 'ignore'] });
  writeFileSync(png, execFileSync('pnmtopng', { input: pnm, maxBuffer: BIG, stdio: ['pipe', 'pipe', 'ignore'] }));
  return png;
}

/**
 * Whether `word` is in `read`, text from ocr(), with the letters tesseract confuses in
 * sans-serif type taken as one: capital I, small l, one and bar are the same single
 * stroke there (a CI run read 'llama' as 'Ilama'), and capital O and zero the same ring.
 * Case is ignored.
 */
function reads(read: string, word: string): boolean {
  return fold(read).includes(fold(word));
}

/**
 * The secret phrase checks of a prompt scene: `before` (OCR of the screen before the
 * SAK) must not show its first word, `after` (after the SAK) must show every word.
 */
export function assertPhraseOnlyAfterSak(before: string, after: string, phrase: string): void {
  const words = phrase.split(/\s+/);
  assert.ok(!reads(before, words[0]!), `no secret before the SAK; OCR read: ${before}`);
  for (const word of words) assert.ok(reads(after, word), `secret word '${word}' shown; OCR read: ${after}`);
}

function fold(text: string): string {
  return text.replace(/[Il1|]/g, 'l').replace(/[O0]/g, 'o').toLowerCase();
}

/** The text tesseract reads in `png`, whitespace collapsed. */
export function ocr(png: string): string {
  const colour = execFileSync('pngtopnm', [png], { maxBuffer: BIG, stdio: ['ignore', 'pipe', 'ignore'] });
  const grey = execFileSync('ppmtopgm', { input: colour, maxBuffer: BIG, stdio: ['pipe', 'pipe', 'ignore'] });
  const big = execFileSync('pnmscale', ['2'], { input: grey, maxBuffer: BIG, stdio: ['pipe', 'pipe', 'ignore'] });
  return execFileSync('tesseract', ['stdin', 'stdout', '--psm', '3'], { input: big, encoding: 'utf8', maxBuffer: BIG, stdio: ['pipe', 'pipe', 'ignore'] })
    .replace(/\s+/g, ' ').trim();
}
