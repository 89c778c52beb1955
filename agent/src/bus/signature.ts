// D-Bus names and paths, validated as the specification defines them. The
// messages mirror GDBus's, which polkitd's clients see.

const OBJECT_PATH = /^\/$|^(\/[A-Za-z0-9_]+)+$/;

export function isObjectPath(s: string): boolean {
  return s.length <= 65535 && OBJECT_PATH.test(s);
}

/** A unique connection name such as ':1.42'. */
export function isUniqueName(s: string): boolean {
  if (s.length > 255 || !s.startsWith(':')) return false;
  const elements = s.slice(1).split('.');
  return elements.length >= 2 && elements.every((e) => /^[A-Za-z0-9_-]+$/.test(e));
}
