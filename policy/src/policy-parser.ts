// Parses one polkit `.policy` file (policyconfig-1.dtd) into action definitions.
// Bounded: file size, element depth, counts and text length are capped; a DTD
// internal subset (the only place entities could be declared) is refused, and saxes
// never fetches or expands external entities.

import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { isImplicitAuthorization, type ActionDefinition, type ImplicitAuthorization, type SourceFile } from './actions.js';

export class PolicyParseError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'PolicyParseError';
  }
}

export const POLICY_LIMITS = Object.freeze({
  maxBytes: 4 * 1024 * 1024, maxDepth: 32, maxActions: 4096, maxAnnotations: 256, maxText: 64 * 1024,
});

/** HEAD's rule, widened to allow leading digits and '_' inside components (real files use them). */
const ACTION_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9][A-Za-z0-9_-]*)*$/;

export function isValidActionId(id: string): boolean {
  return id.length > 0 && id.length <= 255 && ACTION_ID_RE.test(id);
}

/** Like polkit's _validate_icon_name: a plain themed-icon name, not a path or a file name. */
export function isValidIconName(name: string): boolean {
  if (name.length === 0 || name.length > 255) return false;
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) return false;
  return !/\.(png|xpm|svg)$/i.test(name);
}

/** @private */
interface TextAcc { untranslated: string; translations: Map<string, string>; gettextDomain?: string }
/** @private */
interface ActionAcc {
  id: string; description: TextAcc; message: TextAcc; vendor?: string; vendorUrl?: string; iconName?: string;
  any: ImplicitAuthorization; inactive: ImplicitAuthorization; active: ImplicitAuthorization;
  annotations: Map<string, string>;
}
type Frame =
  | { kind: 'policyconfig' | 'action' | 'defaults' | 'unknown' }
  | { kind: 'text'; name: string; attrs: Record<string, string> };

const TEXT_IN_CONFIG = new Set(['vendor', 'vendor_url', 'icon_name']);
const TEXT_IN_ACTION = new Set(['vendor', 'vendor_url', 'icon_name', 'description', 'message', 'annotate']);
const TEXT_IN_DEFAULTS = new Set(['allow_any', 'allow_inactive', 'allow_active']);

function newText(): TextAcc { return { untranslated: '', translations: new Map() }; }

/** Parses `file`; throws PolicyParseError naming the file and the problem. */
export function parsePolicyFile(file: SourceFile): ActionDefinition[] {
  const fail: (detail: string) => never = (detail) => { throw new PolicyParseError(file.path, detail); };
  if (typeof file.content !== 'string') fail('content is not text');
  if (file.content.length > POLICY_LIMITS.maxBytes) fail(`file larger than ${POLICY_LIMITS.maxBytes} bytes`);

  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: Frame[] = [];
  const global: { vendor?: string; vendorUrl?: string; iconName?: string } = {};
  const parsed: ActionAcc[] = [];
  let action: ActionAcc | undefined;
  let text = '';
  let sawRoot = false;
  let error: string | undefined;
  const where = (): string => `line ${parser.line}`;

  const openText = (tag: SaxesTagPlain): Frame => {
    text = '';
    return { kind: 'text', name: tag.name, attrs: { ...tag.attributes } };
  };

  const open = (tag: SaxesTagPlain): Frame => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (sawRoot) fail(`second root element <${tag.name}> at ${where()}`);
      sawRoot = true;
      if (tag.name !== 'policyconfig') fail(`root element is <${tag.name}>, expected <policyconfig>`);
      return { kind: 'policyconfig' };
    }
    if (top.kind === 'unknown' || top.kind === 'text') return { kind: 'unknown' };
    if (top.kind === 'policyconfig') {
      if (tag.name === 'action') return openAction(tag);
      if (TEXT_IN_CONFIG.has(tag.name)) return openText(tag);
    } else if (top.kind === 'action') {
      if (tag.name === 'defaults') return { kind: 'defaults' };
      if (TEXT_IN_ACTION.has(tag.name)) return openText(tag);
    } else if (top.kind === 'defaults') {
      if (TEXT_IN_DEFAULTS.has(tag.name)) return openText(tag);
    }
    return { kind: 'unknown' }; // polkit skips unknown tags
  };

  const openAction = (tag: SaxesTagPlain): Frame => {
    const names = Object.keys(tag.attributes);
    if (names.length !== 1 || names[0] !== 'id') fail(`<action> must have exactly one attribute, id (${where()})`);
    const id = String(tag.attributes['id']);
    if (!isValidActionId(id)) fail(`invalid action id '${id}' (${where()})`);
    if (parsed.length >= POLICY_LIMITS.maxActions) fail(`more than ${POLICY_LIMITS.maxActions} actions`);
    action = {
      id, description: newText(), message: newText(), any: 'no', inactive: 'no', active: 'no', annotations: new Map(),
    };
    return { kind: 'action' };
  };

  const closeText = (frame: { name: string; attrs: Record<string, string> }, parent: Frame | undefined): void => {
    const value = text.trim();
    if (parent?.kind === 'policyconfig') {
      if (frame.name === 'vendor') global.vendor = value;
      else if (frame.name === 'vendor_url') global.vendorUrl = value;
      else if (frame.name === 'icon_name') {
        if (!isValidIconName(value)) fail(`Icon name '${value}' is invalid`);
        global.iconName = value;
      }
      return;
    }
    if (action === undefined) return;
    if (parent?.kind === 'defaults') {
      if (!isImplicitAuthorization(value)) fail(`invalid value '${value}' for <${frame.name}> in action ${action.id}`);
      if (frame.name === 'allow_any') action.any = value;
      else if (frame.name === 'allow_inactive') action.inactive = value;
      else action.active = value;
      return;
    }
    switch (frame.name) {
      case 'vendor': action.vendor = value; return;
      case 'vendor_url': action.vendorUrl = value; return;
      case 'icon_name':
        if (!isValidIconName(value)) fail(`Icon name '${value}' is invalid`);
        action.iconName = value; return;
      // polkit keeps message and description text byte for byte (a translation may
      // end in a space, and clients see it), so these are not trimmed.
      case 'description': addText(action.description, frame.attrs, text); return;
      case 'message': addText(action.message, frame.attrs, text); return;
      case 'annotate': {
        const key = frame.attrs['key'];
        if (key === undefined || key === '') fail(`<annotate> without key in action ${action.id}`);
        if (action.annotations.size >= POLICY_LIMITS.maxAnnotations && !action.annotations.has(key as string)) {
          fail(`more than ${POLICY_LIMITS.maxAnnotations} annotations in action ${action.id}`);
        }
        action.annotations.set(key as string, value);
      }
    }
  };

  parser.on('error', (e) => { error ??= e.message; });
  parser.on('doctype', (doctype) => {
    if (doctype.includes('[')) fail('DTD internal subset (entity declarations) not allowed');
  });
  parser.on('opentag', (tag) => {
    if (stack.length >= POLICY_LIMITS.maxDepth) fail(`elements nested deeper than ${POLICY_LIMITS.maxDepth} (${where()})`);
    stack.push(open(tag as SaxesTagPlain));
  });
  parser.on('text', (t) => {
    if (stack[stack.length - 1]?.kind !== 'text') return;
    if (text.length + t.length > POLICY_LIMITS.maxText) fail(`text longer than ${POLICY_LIMITS.maxText} characters (${where()})`);
    text += t;
  });
  parser.on('cdata', (t) => {
    if (stack[stack.length - 1]?.kind !== 'text') return;
    if (text.length + t.length > POLICY_LIMITS.maxText) fail(`text longer than ${POLICY_LIMITS.maxText} characters`);
    text += t;
  });
  parser.on('closetag', () => {
    const frame = stack.pop();
    if (frame?.kind === 'text') closeText(frame, stack[stack.length - 1]);
    else if (frame?.kind === 'action' && action !== undefined) { parsed.push(action); action = undefined; }
  });

  parser.write(file.content);
  if (error === undefined) parser.close();
  if (error !== undefined) fail(`XML error: ${error}`);
  if (!sawRoot) fail('no <policyconfig> element');
  return parsed.map((a) => finish(a, global, file.path));
}

function addText(acc: TextAcc, attrs: Record<string, string>, value: string): void {
  const lang = attrs['xml:lang'];
  const domain = attrs['gettext-domain'];
  if (domain !== undefined && domain !== '') acc.gettextDomain = domain;
  if (lang !== undefined && lang !== '') acc.translations.set(lang, value);
  else acc.untranslated = value;
}

function finish(a: ActionAcc, g: { vendor?: string; vendorUrl?: string; iconName?: string }, path: string): ActionDefinition {
  const text = (t: TextAcc) => Object.freeze({
    untranslated: t.untranslated, translations: t.translations,
    ...(t.gettextDomain !== undefined ? { gettextDomain: t.gettextDomain } : {}),
  });
  return Object.freeze({
    id: a.id, description: text(a.description), message: text(a.message),
    vendor: a.vendor ?? g.vendor ?? '', vendorUrl: a.vendorUrl ?? g.vendorUrl ?? '', iconName: a.iconName ?? g.iconName ?? '',
    implicitAny: a.any, implicitInactive: a.inactive, implicitActive: a.active,
    annotations: a.annotations, file: path,
  });
}
