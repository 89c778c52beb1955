// Reading a screenshot back as text, as a person would read the screen: tesseract on
// a grey copy at twice the size. On the PNG as taken, tesseract misses light text on
// coloured boxes and drops the last letters of words in the secret phrase (a CI run
// read 'quail' as 'quai').
import { execFileSync } from 'node:child_process';

const BIG = 256 << 20;

/** The text tesseract reads in `png`, whitespace collapsed. */
export function ocr(png: string): string {
  const colour = execFileSync('pngtopnm', [png], { maxBuffer: BIG, stdio: ['ignore', 'pipe', 'ignore'] });
  const grey = execFileSync('ppmtopgm', { input: colour, maxBuffer: BIG, stdio: ['pipe', 'pipe', 'ignore'] });
  const big = execFileSync('pnmscale', ['2'], { input: grey, maxBuffer: BIG, stdio: ['pipe', 'pipe', 'ignore'] });
  return execFileSync('tesseract', ['stdin', 'stdout', '--psm', '3'], { input: big, encoding: 'utf8', maxBuffer: BIG, stdio: ['pipe', 'pipe', 'ignore'] })
    .replace(/\s+/g, ' ').trim();
}
