// trustpathd's command line. Unknown or malformed options are an error with the
// usage text; nothing is guessed.
import { parseDisplayRule, type DisplayRule } from './prompt/displays.js';

export interface DaemonOptions {
  readonly user: string;
  readonly stateDir: string;
  readonly runtimeDir: string;
  readonly actionsDirs: readonly string[];
  readonly rulesDirs: readonly string[];
  readonly systemDirs: boolean;
  readonly expirationSeconds: number;
  readonly replace: boolean;
  readonly auditLog: string | undefined;
  /** trustpathd's own authentication sessions, driven over this socket (prompt-channel/) */
  readonly promptSocket: string | undefined;
  /** the PAM helper those sessions run (default: pam/helper-process.ts DEFAULT_HELPER_PATH) */
  readonly pamHelper: string | undefined;
  /** those sessions' lockout policy where given (auth/lockout.ts has the defaults) */
  readonly lockout: { maxFailures?: number; windowMs?: number; durationMs?: number };
  /** the trusted prompt (prompt/): on unless --no-trusted-prompt */
  readonly trustedPrompt: boolean;
  /** --x11-display rules: where users sit when logind does not say */
  readonly x11Displays: readonly DisplayRule[];
  readonly unprotectedDisplays: 'allow' | 'refuse';
  readonly allowSessionAgents: boolean;
  readonly promptTimeoutSeconds: number;
  readonly promptHost: 'chromium' | 'electron';
  /** default: prompt-ui/src/chromium-host.ts DEFAULT_CHROMIUM */
  readonly chromium: string | undefined;
  readonly electron: string | undefined;
  readonly inputHelper: string | undefined;
  readonly sakListener: string | undefined;
  readonly sakSocket: string | undefined;
  readonly help: boolean;
  readonly version: boolean;
}

export const USAGE = `Usage: trustpathd [OPTION...]

Serves org.freedesktop.PolicyKit1 on the system bus (DBUS_SYSTEM_BUS_ADDRESS if set).
Started as root, it drops to the unprivileged --user.

Options:
  --user NAME              user to run as after start-up (default: trustpath)
  --state-dir DIR          persistent state: secrets, audit log (default: /var/lib/trustpath)
  --runtime-dir DIR        runtime sockets (default: /run/trustpath)
  --actions-dir DIR        read .policy files from DIR too (repeatable)
  --rules-dir DIR          read .rules files from DIR too (repeatable)
  --no-system-dirs         read only the --actions-dir and --rules-dir directories
  --expiration-seconds N   lifetime of temporary authorizations (default: 300)
  --audit-log FILE         audit log (default: STATE-DIR/audit.log)
  --prompt-socket PATH     serve own authentication sessions to a prompt client on
                           this socket (in the runtime dir); without it, challenges
                           go to registered agents only
  --pam-helper PATH        PAM helper for own sessions (default: the first of
                           /usr/libexec/trustpath/trustpath-pam-helper and
                           /usr/local/libexec/trustpath/trustpath-pam-helper)
  --lockout-failures N     failed attempts for one target user within the window
                           that lock it out (default: 5)
  --lockout-window-seconds S
                           that window (default: 900)
  --lockout-seconds S      how long a lockout lasts (default: 600)
Trusted prompt (challenges of subjects at a local X display):
  --x11-display USER=:N[,xauthority=FILE]
                           USER (name, uid or *) sits at display :N; for systems
                           without logind (repeatable). xauthority: only for a
                           display without the trustpath X module
  --no-trusted-prompt      never show the trusted prompt; registered agents only
  --unprotected-displays allow|refuse
                           a display without the trustpath X module gets a prompt
                           that says it is unprotected (allow, default) or none
  --allow-session-agents   accept agents registered for graphical sessions
  --prompt-timeout-seconds N
                           a prompt is dismissed after N seconds (default: 120)
  --prompt-host chromium|electron
                           what draws the prompt (default: chromium)
  --chromium PATH          Chromium for the prompt (default: /usr/lib/chromium/chromium)
  --electron PATH          Electron for the prompt (with --prompt-host electron)
  --input-helper PATH      trustpath-input (default: next to trustpathd's install)
  --sak-listener PATH      trustpath-sak-listen (default: next to trustpathd's install)
  --sak-socket PATH        where the X module sends the SAK (default:
                           RUNTIME-DIR/sak.sock; must match its SAKSocket option)
  --replace                replace an existing owner of org.freedesktop.PolicyKit1
  --version                print the version and exit
  --help                   print this help and exit
`;

export class UsageError extends Error {}

export function parseOptions(argv: readonly string[]): DaemonOptions {
  const o = {
    user: 'trustpath', stateDir: '/var/lib/trustpath', runtimeDir: '/run/trustpath',
    actionsDirs: [] as string[], rulesDirs: [] as string[], systemDirs: true, expirationSeconds: 300,
    replace: false, auditLog: undefined as string | undefined, help: false, version: false,
    promptSocket: undefined as string | undefined, pamHelper: undefined as string | undefined,
    lockout: {} as { maxFailures?: number; windowMs?: number; durationMs?: number },
    trustedPrompt: true, x11Displays: [] as DisplayRule[], unprotectedDisplays: 'allow' as 'allow' | 'refuse',
    allowSessionAgents: false, promptTimeoutSeconds: 120, promptHost: 'chromium' as 'chromium' | 'electron',
    chromium: undefined as string | undefined, electron: undefined as string | undefined, inputHelper: undefined as string | undefined,
    sakListener: undefined as string | undefined, sakSocket: undefined as string | undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`option ${name} needs a value`);
      return v;
    };
    const positive = (): number => {
      const v = value();
      if (!/^[0-9]{1,9}$/.test(v) || Number(v) < 1) throw new UsageError(`${name} needs a positive whole number, not '${v}'`);
      return Number(v);
    };
    const dir = (): string => {
      const v = value();
      if (!v.startsWith('/')) throw new UsageError(`option ${name} needs an absolute path, not '${v}'`);
      return v;
    };
    switch (name) {
      case '--user': o.user = value(); break;
      case '--state-dir': o.stateDir = dir(); break;
      case '--runtime-dir': o.runtimeDir = dir(); break;
      case '--actions-dir': o.actionsDirs.push(dir()); break;
      case '--rules-dir': o.rulesDirs.push(dir()); break;
      case '--audit-log': o.auditLog = dir(); break;
      case '--prompt-socket': o.promptSocket = dir(); break;
      case '--pam-helper': o.pamHelper = dir(); break;
      case '--no-system-dirs': o.systemDirs = false; break;
      case '--replace': o.replace = true; break;
      case '--help': case '-h': o.help = true; break;
      case '--version': o.version = true; break;
      case '--expiration-seconds': o.expirationSeconds = positive(); break;
      case '--lockout-failures': o.lockout.maxFailures = positive(); break;
      case '--lockout-window-seconds': o.lockout.windowMs = positive() * 1000; break;
      case '--lockout-seconds': o.lockout.durationMs = positive() * 1000; break;
      case '--x11-display':
        try { o.x11Displays.push(parseDisplayRule(value())); } catch (e) { throw new UsageError((e as Error).message); }
        break;
      case '--no-trusted-prompt': o.trustedPrompt = false; break;
      case '--unprotected-displays': o.unprotectedDisplays = oneOf(name, value(), ['allow', 'refuse'] as const); break;
      case '--allow-session-agents': o.allowSessionAgents = true; break;
      case '--prompt-timeout-seconds': o.promptTimeoutSeconds = positive(); break;
      case '--prompt-host': o.promptHost = oneOf(name, value(), ['chromium', 'electron'] as const); break;
      case '--chromium': o.chromium = dir(); break;
      case '--electron': o.electron = dir(); break;
      case '--input-helper': o.inputHelper = dir(); break;
      case '--sak-listener': o.sakListener = dir(); break;
      case '--sak-socket': o.sakSocket = dir(); break;
      default: throw new UsageError(`unknown option '${arg}'`);
    }
  }
  if (o.promptHost === 'electron' && o.electron === undefined) throw new UsageError('--prompt-host electron needs --electron PATH');
  return o;
}

function oneOf<T extends string>(name: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${name} must be one of ${allowed.join(', ')}, not '${v}'`);
  return v as T;
}
