// A requesting process's locales (POSIX names from its environment, read by root) as
// the trusted prompt uses them: the page's language and the keyboard's Compose table.
import { LOCALE_NAME } from '../identity/proc.js';

/**
 * The locale whose Compose table the keyboard uses, from a process's LC_CTYPE: its
 * language, territory and modifier with the UTF-8 codeset, the only one xkbcommon's
 * Compose reads (and PAM gets the text as UTF-8): 'pt_BR' → 'pt_BR.UTF-8',
 * 'sr_RS.utf8@latin' → 'sr_RS.UTF-8@latin'; C, POSIX or nothing → 'C.UTF-8'.
 */
export function composeLocale(ctype: string | null | undefined): string {
  const m = LOCALE_NAME.exec(ctype ?? '');
  return m && m[1] !== 'POSIX' ? `${m[1]}.UTF-8${m[3] !== undefined ? `@${m[3]}` : ''}` : 'C.UTF-8';
}

/** 'de_DE.UTF-8' → 'de-DE'; C, POSIX or nothing → 'en'. */
export function bcp47(locale: string | null | undefined): string {
  const m = /^([a-z]{2,3})(?:_([A-Z]{2}|[0-9]{3}))?/.exec(locale ?? '');
  return m ? (m[2] ? `${m[1]}-${m[2]}` : m[1]!) : 'en';
}
