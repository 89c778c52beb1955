// Types and small helpers for polkit actions (.policy files): the implicit
// authorization values, localized text and the search directories.

export type ImplicitAuthorization =
  | 'no' | 'yes' | 'auth_self' | 'auth_admin' | 'auth_self_keep' | 'auth_admin_keep';

/** polkit's numeric codes (PolkitImplicitAuthorization). */
export const IMPLICIT_CODES: Readonly<Record<ImplicitAuthorization, number>> = Object.freeze({
  no: 0, auth_self: 1, auth_admin: 2, auth_self_keep: 3, auth_admin_keep: 4, yes: 5,
});

export function isImplicitAuthorization(value: unknown): value is ImplicitAuthorization {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(IMPLICIT_CODES, value);
}

export interface LocalizedText {
  readonly untranslated: string;
  /** xml:lang → text, e.g. 'da_DK' → '…'. */
  readonly translations: ReadonlyMap<string, string>;
  readonly gettextDomain?: string;
}

export interface ActionDefinition {
  readonly id: string;
  readonly description: LocalizedText;
  readonly message: LocalizedText;
  readonly vendor: string;
  readonly vendorUrl: string;
  readonly iconName: string;
  readonly implicitAny: ImplicitAuthorization;
  readonly implicitInactive: ImplicitAuthorization;
  readonly implicitActive: ImplicitAuthorization;
  /** Insertion order as in the file. */
  readonly annotations: ReadonlyMap<string, string>;
  readonly file: string;
}

/** polkit 126+ action directories, in search order. */
export const POLICY_DIRS: readonly string[] = Object.freeze([
  '/etc/polkit-1/actions',
  '/run/polkit-1/actions',
  '/usr/local/share/polkit-1/actions',
  '/usr/share/polkit-1/actions',
]);

/** polkit 126+ rules directories, in tie-break order for equal basenames. */
export const RULES_DIRS: readonly string[] = Object.freeze([
  '/etc/polkit-1/rules.d',
  '/run/polkit-1/rules.d',
  '/usr/local/share/polkit-1/rules.d',
  '/usr/share/polkit-1/rules.d',
]);

export interface SourceFile { readonly path: string; readonly content: string }

/**
 * Picks the text for `locale` the way polkit does (after gettext, which is the
 * caller's business): exact xml:lang match, then the locale's variants
 * (`da_DK.UTF-8@euro` → `da_DK.UTF-8` → `da_DK` → `da`), then the untranslated text.
 * '' and 'C' (and 'POSIX') give the untranslated text.
 */
export function localize(text: LocalizedText, locale: string): string {
  if (locale === '' || locale === 'C' || locale === 'POSIX' || locale.startsWith('C.')) return text.untranslated;
  for (const candidate of localeVariants(locale)) {
    const found = text.translations.get(candidate);
    if (found !== undefined) return found;
  }
  return text.untranslated;
}

/** @private Variants of a locale name, most specific first (like g_get_locale_variants). */
export function localeVariants(locale: string): string[] {
  const m = /^([^_.@]*)(_[^.@]*)?(\.[^@]*)?(@.*)?$/.exec(locale);
  if (!m) return [locale];
  const lang = m[1] ?? '';
  const terr = m[2] ?? '';
  const codeset = m[3] ?? '';
  const modifier = m[4] ?? '';
  const out: string[] = [];
  const add = (s: string): void => { if (s !== '' && !out.includes(s)) out.push(s); };
  add(locale);
  add(lang + terr + codeset + modifier);
  add(lang + terr + modifier);
  add(lang + codeset + modifier);
  add(lang + modifier);
  add(lang + terr + codeset);
  add(lang + terr);
  add(lang + codeset);
  add(lang);
  return out;
}
