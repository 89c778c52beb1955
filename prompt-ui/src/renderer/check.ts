// A shape check of the view state before anything is drawn: the daemon builds the
// state, but the renderer still refuses what it would draw wrongly (fail closed: an
// invalid state shows only "nothing was approved"). Types say what the daemon must
// send; this says what the renderer accepts.

type CheckedState = import('../state.js').PromptViewState;

const PHASES: readonly string[] = ['sak', 'choose', 'password', 'verifying', 'locked', 'finished', 'closed'];
const NOTICES: readonly string[] = ['sak-required-again', 'caps-lock', 'input-full', 'pin', 'timed-out', 'pin-new', 'pin-again', 'pin-mismatch'];
const OUTCOMES: readonly string[] = ['authenticated', 'dismissed', 'cancelled', 'failed'];
const TEXT_MAX = 65536;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown, max = TEXT_MAX): v is string => typeof v === 'string' && v.length <= max;
const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isStrList = (v: unknown): boolean => Array.isArray(v) && v.length <= 4096 && v.every((a) => isStr(a));
const isProcess = (v: unknown): boolean => isObj(v) && isNat(v['pid']) && isStr(v['exe']) && isStrList(v['cmdline']);

function requesterOk(v: unknown): boolean {
  return isProcess(v) && isObj(v) && isStr(v['user']) && isNat(v['uid']) &&
    Array.isArray(v['parents']) && v['parents'].length <= 256 && v['parents'].every(isProcess);
}

function identitiesOk(v: unknown, selected: unknown): boolean {
  return Array.isArray(v) && v.length >= 1 && v.length <= 4096 && isNat(selected) && selected < v.length &&
    v.every((i) => isObj(i) && isNat(i['uid']) && (i['name'] === null || isStr(i['name'])) && isStr(i['realName']));
}

function optionalPartsOk(s: Record<string, unknown>): boolean {
  const pam = s['pam'];
  const retry = s['retry'];
  const locked = s['locked'];
  const finished = s['finished'];
  const secret = s['secret'];
  return (pam === null || (isObj(pam) && ['prompt', 'info', 'error'].includes(pam['kind'] as string) && isStr(pam['text']) && typeof pam['echo'] === 'boolean')) &&
    (retry === null || (isObj(retry) && isNat(retry['remaining']))) &&
    (locked === null || (isObj(locked) && isNat(locked['untilMs']))) &&
    (finished === null || (isObj(finished) && OUTCOMES.includes(finished['outcome'] as string))) &&
    (secret === null || (isObj(secret) && isStr(secret['phrase'], 256) && isObj(secret['art']))) &&
    (s['notice'] === null || NOTICES.includes(s['notice'] as string)) &&
    (s['deadlineMs'] === null || isNat(s['deadlineMs']));
}

/** The state if it has the expected shape, else null. */
function checkState(x: unknown): CheckedState | null {
  if (!isObj(x)) return null;
  const a = x['action'];
  const ok = isStr(x['windowKey'], 64) && /^[\x20-\x7e]*$/.test(x['windowKey']) && isStr(x['lang'], 64) &&
    PHASES.includes(x['phase'] as string) && typeof x['protectedDisplay'] === 'boolean' &&
    isObj(a) && isStr(a['id']) && isStr(a['description']) && isStr(a['message']) && isStr(a['iconName']) &&
    requesterOk(x['requester']) && identitiesOk(x['identities'], x['selected']) &&
    Array.isArray(x['details']) && x['details'].length <= 256 &&
    x['details'].every((d) => Array.isArray(d) && d.length === 2 && isStr(d[0]) && isStr(d[1])) &&
    isNat(x['typed']) && optionalPartsOk(x);
  return ok ? (x as unknown as CheckedState) : null;
}
