// Which X display a subject sits at, for the trusted prompt. logind tells it for a
// local graphical session (Display of an x11 session with a seat); an administrator's
// rules (`--x11-display USER=:N[,xauthority=PATH]`) tell it where there is no logind.
// Remote and text sessions have no display here: they keep using registered agents.
import type { UserDatabase } from '../identity/users.js';
import type { SessionMonitor } from '../session/session-monitor.js';

export interface DisplayTarget {
  /** normalized ':N' */
  readonly display: string;
  /** only for displays without the X module, which grants trustpath's user access itself */
  readonly xauthority?: string;
}

export interface DisplayRule {
  /** user name, numeric uid, or '*' for every user */
  readonly who: string;
  readonly target: DisplayTarget;
}

/** ':0', ':0.0', 'unix:0' → ':0'; a display on another host (tcp) → null. */
export function normalizeDisplay(d: string): string | null {
  const m = /^(?:unix)?:([0-9]{1,5})(?:\.[0-9]{1,3})?$/.exec(d);
  return m ? `:${Number(m[1])}` : null;
}

/** 'USER=:N' or 'USER=:N,xauthority=/path'; throws with a message fit for the usage error. */
export function parseDisplayRule(spec: string): DisplayRule {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new Error(`--x11-display needs USER=:N, not '${spec}'`);
  const who = spec.slice(0, eq);
  if (who !== '*' && !/^[a-z_][a-z0-9_.-]{0,31}\$?$|^[0-9]{1,10}$/i.test(who)) throw new Error(`--x11-display: bad user '${who}'`);
  const [displayPart = '', ...opts] = spec.slice(eq + 1).split(',');
  const display = normalizeDisplay(displayPart);
  if (display === null) throw new Error(`--x11-display: '${displayPart}' is not a local display (:N)`);
  let xauthority: string | undefined;
  for (const o of opts) {
    if (o.startsWith('xauthority=') && o.length > 'xauthority='.length && o.slice(11).startsWith('/')) xauthority = o.slice(11);
    else throw new Error(`--x11-display: unknown setting '${o}' (known: xauthority=/path)`);
  }
  return { who, target: xauthority !== undefined ? { display, xauthority } : { display } };
}

export class DisplayResolver {
  constructor(private readonly rules: readonly DisplayRule[], private readonly sessions: SessionMonitor,
    private readonly users: Pick<UserDatabase, 'userByUid'>) {}

  /** The display of the graphical session `sessionId` (or, without one, of user `uid` by the rules), or null (text, remote, none). */
  async displayFor(sessionId: string | null, uid: number): Promise<DisplayTarget | null> {
    if (sessionId !== null) {
      const s = await this.sessions.session(sessionId).catch(() => null);
      if (s !== null) {
        const display = normalizeDisplay(s.display);
        if (s.remote || s.type !== 'x11' || display === null || s.seat === '') return null;
        const rule = await this.#configured(uid);
        return rule?.display === display ? rule : { display };
      }
    }
    return this.#configured(uid);
  }

  /** The rule for uid: by uid or user name, else '*'; the name is looked up only when a rule names one. */
  async #configured(uid: number): Promise<DisplayTarget | null> {
    if (this.rules.length === 0) return null;
    const byName = this.rules.some((r) => r.who !== '*' && !/^[0-9]+$/.test(r.who));
    const name = byName ? (await this.users.userByUid(uid).catch(() => null))?.name ?? null : null;
    const rule = this.rules.find((r) => r.who === String(uid) || (name !== null && r.who === name)) ??
      this.rules.find((r) => r.who === '*');
    return rule?.target ?? null;
  }
}
