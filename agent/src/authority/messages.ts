// polkit's expand_properties: "$(key)" in an agent message is replaced by the
// detail's value; an unknown key stays as written and is reported.

export function expandProperties(message: string, details: Readonly<Record<string, string>>,
  onUnknown: (key: string) => void): string {
  let out = '';
  let variable = '';
  let inVar = false;
  for (let i = 0; i < message.length; i++) {
    const c = message[i]!;
    if (c === '$' && message[i + 1] === '(') { inVar = true; i++; continue; }
    if (!inVar) { out += c; continue; }
    if (c !== ')') { variable += c; continue; }
    if (Object.hasOwn(details, variable)) out += details[variable];
    else { onUnknown(variable); out += `$(${variable})`; }
    variable = '';
    inVar = false;
  }
  return out;
}
