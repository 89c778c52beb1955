// Parses polkit identity strings ("unix-user:NAME|UID", "unix-group:…", "unix-netgroup:…").
// No name lookup happens here.

export type ParsedIdentity =
  | { readonly kind: 'unix-user' | 'unix-group'; readonly id: number; readonly name?: undefined }
  | { readonly kind: 'unix-user' | 'unix-group' | 'unix-netgroup'; readonly name: string; readonly id?: undefined };

export class MalformedIdentityError extends Error {
  constructor(readonly identity: string) {
    super(`Malformed identity string '${identity}'`);
    this.name = 'MalformedIdentityError';
  }
}

const MAX_ID = 0xffffffff;

/** Decimal uid/gid as unsigned 32-bit, or undefined if `s` is not one. */
export function parseUnsigned32(s: string): number | undefined {
  if (!/^[0-9]{1,10}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= MAX_ID ? n : undefined;
}

export function parseIdentityString(s: string): ParsedIdentity {
  if (typeof s !== 'string' || s.length > 4096) throw new MalformedIdentityError(String(s).slice(0, 64));
  const colon = s.indexOf(':');
  if (colon < 0) throw new MalformedIdentityError(s);
  const kind = s.slice(0, colon);
  const rest = s.slice(colon + 1);
  if (rest === '' || /[\0\n]/.test(rest)) throw new MalformedIdentityError(s);
  if (kind === 'unix-netgroup') return { kind, name: rest };
  if (kind !== 'unix-user' && kind !== 'unix-group') throw new MalformedIdentityError(s);
  const id = parseUnsigned32(rest);
  if (id !== undefined) return { kind, id };
  if (/^[0-9]+$/.test(rest)) throw new MalformedIdentityError(s); // out of range
  return { kind, name: rest };
}

export function formatIdentity(id: ParsedIdentity): string {
  return `${id.kind}:${id.name ?? String(id.id)}`;
}
