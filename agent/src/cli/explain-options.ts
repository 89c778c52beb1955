// Command-line options of `trustpath explain`: the only place that parses its argv.
// Strict: unknown options, missing values, repeats of single options and oversized
// input are errors (exit 126 with a usage line, like pkcheck's bad options).

import { resolve } from 'node:path';

export type SessionState = 'active' | 'inactive' | 'remote';

export interface ExplainOptions {
  readonly action: string;
  readonly user: string;
  readonly details: ReadonlyMap<string, string>;
  readonly state: SessionState;
  readonly pid: number | undefined;
  readonly seat: string;
  readonly session: string;
  readonly actionsDirs: readonly string[];
  readonly rulesDirs: readonly string[];
  readonly systemDirs: boolean;
  readonly json: boolean;
  readonly allRules: boolean;
  readonly alwaysCheck: boolean;
  readonly runawayMs: number | undefined;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXPLAIN_USAGE =
  'Usage: trustpath explain --action ID --user NAME [--detail K=V]... [--inactive|--remote]\n' +
  '         [--pid PID] [--seat SEAT] [--session ID] [--always-check] [--all-rules]\n' +
  '         [--actions-dir DIR]... [--rules-dir DIR]... [--no-system-dirs] [--runaway-ms MS] [--json]';

export const EXPLAIN_HELP = `${EXPLAIN_USAGE}

Evaluates the installed actions and rules as trustpathd (and polkitd) would for a
process of user NAME, without a bus, and prints every step in polkit's order: the
action and the file it came from, the root shortcut, the implicit authorization
picked by session state, each rule run (file:line of its function and its return),
the result and what decided it, the actions whose 'imply' annotation would
authorize, and for a challenge the identities that would be offered.
The question is asked as a trusted caller (uid 0) would ask it.

Subject:
  --user NAME        user name (or uid) of the subject process; uid and groups come
                     from the user database
  --detail K=V       an action detail (action.lookup(K) in rules); repeatable
  --inactive         a local session that is not active (default: local and active)
  --remote           not local and not active (no session, SSH): polkit's allow_any
  --pid PID          the subject's pid as rules see it (default: this command's pid)
  --seat SEAT, --session ID
                     subject.seat and subject.session (default: empty)
  --always-check     as CheckAuthorization's AlwaysCheck flag: no root shortcut

Policy tree:
  --actions-dir DIR  also read .policy files from DIR (after the system directories)
  --rules-dir DIR    also run .rules files from DIR (sorted in by file name)
  --no-system-dirs   read only the directories given (debug a tree in isolation)
  --runaway-ms MS    the runaway limit per rule evaluation (default 15000, as polkit)
  --all-rules        after the deciding rule, also run the later rules and show
                     their returns (they do not count; polkit does not run them)

Output:
  --json             one JSON object instead of text

Exit status: 0 authorized (yes), 1 not authorized (no), 2 challenge (auth_self*,
auth_admin*) as pkcheck's, 3 unknown action, 4 unknown user, 126 bad options,
127 other errors.`;

const LIMITS = Object.freeze({ args: 1024, text: 4096, details: 256, dirs: 64 });

type Flag = 'inactive' | 'remote' | 'no-system-dirs' | 'json' | 'all-rules' | 'always-check' | 'help';
const FLAGS: ReadonlySet<string> = new Set<Flag>(['inactive', 'remote', 'no-system-dirs', 'json', 'all-rules', 'always-check', 'help']);
const VALUED: ReadonlySet<string> = new Set([
  'action', 'user', 'detail', 'pid', 'seat', 'session', 'actions-dir', 'rules-dir', 'runaway-ms',
]);
const REPEATABLE: ReadonlySet<string> = new Set(['detail', 'actions-dir', 'rules-dir']);

/** @private Splits argv into (name, value) pairs; `--name=value` and `--name value` both work. */
function tokens(argv: readonly string[]): [string, string | undefined][] {
  if (argv.length > LIMITS.args) throw new UsageError(`too many arguments (more than ${LIMITS.args})`);
  const out: [string, string | undefined][] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.length > LIMITS.text) throw new UsageError(`argument longer than ${LIMITS.text} characters`);
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (FLAGS.has(name)) {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      out.push([name, undefined]);
    } else if (VALUED.has(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`option --${name} needs a value`);
      out.push([name, value]);
    } else {
      throw new UsageError(`unknown option '${eq < 0 ? arg : arg.slice(0, eq)}'`);
    }
  }
  return out;
}

/** @private */
function detail(value: string, into: Map<string, string>): void {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new UsageError(`--detail wants KEY=VALUE, got '${value}'`);
  if (into.size >= LIMITS.details) throw new UsageError(`more than ${LIMITS.details} details`);
  into.set(value.slice(0, eq), value.slice(eq + 1));
}

/** @private */
function positiveInt(name: string, value: string, max: number): number {
  if (!/^[0-9]{1,10}$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`--${name} wants a whole number from 1 to ${max}, got '${value}'`);
  }
  return Number(value);
}

/** Returns the options, or 'help'; throws UsageError. */
export function parseExplainArgs(argv: readonly string[]): ExplainOptions | 'help' {
  const seen = new Set<string>();
  const details = new Map<string, string>();
  const dirs: Record<'actions-dir' | 'rules-dir', string[]> = { 'actions-dir': [], 'rules-dir': [] };
  const single = new Map<string, string>();
  for (const [name, value] of tokens(argv)) {
    if (name === 'help') return 'help';
    if (seen.has(name) && !REPEATABLE.has(name)) throw new UsageError(`option --${name} given twice`);
    seen.add(name);
    if (name === 'detail') detail(value as string, details);
    else if (name === 'actions-dir' || name === 'rules-dir') {
      if (value === '') throw new UsageError(`--${name} needs a directory`);
      if (dirs[name].length >= LIMITS.dirs) throw new UsageError(`more than ${LIMITS.dirs} --${name} options`);
      dirs[name].push(resolve(value as string));
    } else if (value !== undefined) single.set(name, value);
  }
  if (seen.has('inactive') && seen.has('remote')) throw new UsageError('--inactive and --remote exclude each other');
  const action = single.get('action');
  const user = single.get('user');
  if (action === undefined || action === '') throw new UsageError('--action ID is required');
  if (user === undefined || user === '') throw new UsageError('--user NAME is required');
  const pid = single.get('pid');
  const runaway = single.get('runaway-ms');
  return {
    action, user, details,
    state: seen.has('remote') ? 'remote' : seen.has('inactive') ? 'inactive' : 'active',
    pid: pid === undefined ? undefined : positiveInt('pid', pid, 0x7fffffff),
    seat: single.get('seat') ?? '', session: single.get('session') ?? '',
    actionsDirs: dirs['actions-dir'], rulesDirs: dirs['rules-dir'], systemDirs: !seen.has('no-system-dirs'),
    json: seen.has('json'), allRules: seen.has('all-rules'), alwaysCheck: seen.has('always-check'),
    runawayMs: runaway === undefined ? undefined : positiveInt('runaway-ms', runaway, 600_000),
  };
}
