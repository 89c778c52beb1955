// trustpathd: the polkit authority. Wires the privileged parts together (the
// only module that does): options, directories, the policy reader, privilege
// drop, the bus connection and name, the authority and its signals.
import './bus/dbus-next-hardening.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_HELPER_PATH } from './pam/helper-process.js';
import dbus from 'dbus-next';
import { POLICY_DIRS, RULES_DIRS } from '../../policy/src/index.js';
import { AuditLog } from './audit/audit-log.js';
import { AgentRegistry } from './authority/agents.js';
import { Authority, type AuthorityDeps } from './authority/authority.js';
import { PolicyState } from './authority/policy-state.js';
import { AUTHORITY_IFACE, AUTHORITY_PATH, BUS_NAME, authorityInterface } from './authority/service.js';
import { SubjectResolver } from './authority/subjects.js';
import { TemporaryAuthorizationStore } from './authority/temporary-authorizations.js';
import { BusDaemon } from './bus/bus-daemon.js';
import { ObjectServer } from './bus/object-server.js';
import { SystemUserDatabase } from './identity/users.js';
import { createLog } from './log.js';
import { parseOptions, USAGE, UsageError, type DaemonOptions } from './options.js';
import { DirectPolicySource, PrivilegedPolicySource, type PolicySource } from './policy-source/policy-source.js';
import { dropPrivileges, ensureOwnedDir } from './privileges.js';
import { createSessionMonitor } from './session/session-monitor.js';
import { AuthenticationManager } from './auth/authentication-manager.js';
import { PromptChannel } from './prompt-channel/prompt-channel.js';
import { DisplayResolver } from './prompt/displays.js';
import { hostLauncher, installedHelper } from './prompt/hosts.js';
import { SakListener } from './prompt/sak-listener.js';
import { PIN_PATH, pinInterface } from './prompt/pin-service.js';
import { TrustedPrompts } from './prompt/trusted-prompt.js';
import { UserSecrets } from './prompt/user-secrets.js';
import type { SessionMonitor } from './session/session-monitor.js';

export const VERSION = '0.1.0';
const log = createLog('trustpathd');
const { NameFlag, RequestNameReply } = dbus;

async function prepareAsRoot(opts: DaemonOptions, users: SystemUserDatabase, dirs: { actions: string[]; rules: string[] }): Promise<PolicySource> {
  if (process.getuid?.() !== 0) {
    log(`Not started as root; running as uid ${process.getuid?.()} without dropping privileges`);
    return new DirectPolicySource(dirs, (m) => log(m));
  }
  const user = await users.userByName(opts.user);
  if (!user) {
    throw new Error(`the system user '${opts.user}' does not exist; create it (useradd --system --user-group --no-create-home --shell /usr/sbin/nologin ${opts.user}) or pass --user`);
  }
  ensureOwnedDir(opts.stateDir, user, 0o700);
  ensureOwnedDir(opts.runtimeDir, user, 0o700);
  const source = new PrivilegedPolicySource(dirs, (m) => log(m));
  dropPrivileges(user);
  log(`Successfully changed to user ${user.name}`);
  return source;
}

async function connect(): Promise<dbus.MessageBus> {
  const address = process.env.DBUS_SYSTEM_BUS_ADDRESS || 'unix:path=/run/dbus/system_bus_socket';
  // unix:path= goes through dbus-next's 'usocket' addon, the only transport that
  // negotiates fd passing: subjects may then name their process by a pidfd, as with
  // polkit 124+ (node's own socket, the 'socket' key, passes no fds, and dbus-daemon
  // refuses to deliver fd-carrying calls to it). Each message gets exactly its own
  // fds, and they are closed once it is read (bus/dbus-next-hardening.ts).
  const options = { busAddress: address, negotiateUnixFd: true };
  const bus = dbus.sessionBus(options as Parameters<typeof dbus.sessionBus>[0]);
  // As polkitd: without its bus connection the authority has nothing to serve;
  // it exits (systemd or bus activation starts it again).
  const lost = (why: string): never => {
    log(`Lost the system bus connection: ${why}`);
    process.exit(1);
  };
  bus.on('error', (e: unknown) => lost((e as Error)?.message ?? String(e)));
  const conn = (bus as unknown as { _connection?: { on(ev: string, f: () => void): void } })._connection;
  conn?.on('end', () => lost('the bus closed the connection'));
  return bus;
}

/** Taken last, once the object is served: a client that sees the name can call at once. */
async function takeName(bus: dbus.MessageBus, opts: DaemonOptions): Promise<void> {
  const flags = NameFlag.DO_NOT_QUEUE | NameFlag.ALLOW_REPLACEMENT | (opts.replace ? NameFlag.REPLACE_EXISTING : 0);
  const reply = await bus.requestName(BUS_NAME, flags);
  if (reply !== RequestNameReply.PRIMARY_OWNER && reply !== RequestNameReply.ALREADY_OWNER) {
    throw new Error(`${BUS_NAME} is already owned on the bus (pass --replace to take it over)`);
  }
}

/** trustpathd's own authentication sessions: one manager (one lockout) for every prompt side. */
function authenticationManager(opts: DaemonOptions, users: SystemUserDatabase, audit: AuditLog): AuthenticationManager {
  // the distribution's libexec (the package) first, else /usr/local's (scripts/ensure.sh);
  // never the build tree's, which is not setuid
  const pamHelper = opts.pamHelper ?? ['/usr/libexec/trustpath/trustpath-pam-helper', DEFAULT_HELPER_PATH].find((p) => existsSync(p));
  const helper = {
    ...(pamHelper !== undefined ? { path: pamHelper } : {}),
    // the trusted prompt's grabber opens the response FIFO by path (the daemon is not dumpable)
    ...(opts.trustedPrompt ? { pipeByPath: true } : {}),
  };
  return new AuthenticationManager({
    users, log: (m) => log(m), audit, helper, lockout: opts.lockout, timeoutMs: opts.promptTimeoutSeconds * 1000,
  });
}

/** --prompt-socket: own sessions driven by a prompt client. */
async function ownSessions(opts: DaemonOptions, manager: AuthenticationManager): Promise<AuthorityDeps['own']> {
  if (opts.promptSocket === undefined) return undefined;
  return { manager, prompt: await PromptChannel.listen(opts.promptSocket, (m) => log(m)) };
}

/** The trusted prompt on local X displays (prompt/), unless --no-trusted-prompt. */
function trustedPrompt(opts: DaemonOptions, manager: AuthenticationManager, users: SystemUserDatabase,
  sessions: SessionMonitor, exeOf: AuthorityDeps['exeOf']): { deps: AuthorityDeps['trusted']; secrets?: UserSecrets; close: () => Promise<void> } {
  if (!opts.trustedPrompt) return { deps: undefined, close: async () => undefined };
  const secrets = new UserSecrets(opts.stateDir);
  let prompts: TrustedPrompts | null = null;
  const sak = new SakListener({
    path: opts.sakListener ?? installedHelper('trustpath-sak-listen'), socket: opts.sakSocket ?? join(opts.runtimeDir, 'sak.sock'),
    log: (m) => log(m), onSak: (s) => prompts?.sak(s),
  });
  prompts = new TrustedPrompts({
    launchHost: hostLauncher(opts, (m) => log(m)), grabberPath: opts.inputHelper ?? installedHelper('trustpath-input'),
    secrets, users, exeOf, listenForSak: () => sak.start(), log: (m) => log(m),
    unprotectedDisplays: opts.unprotectedDisplays, timeoutMs: opts.promptTimeoutSeconds * 1000,
  });
  const p = prompts;
  return {
    deps: { manager, prompts: p, displays: new DisplayResolver(opts.x11Displays, sessions, users), allowSessionAgents: opts.allowSessionAgents },
    secrets,
    close: async () => { sak.close(); await p.close(); },
  };
}

async function main(argv: readonly string[]): Promise<void> {
  const opts = parseOptions(argv);
  if (opts.help) { process.stdout.write(USAGE); return; }
  if (opts.version) { process.stdout.write(`trustpathd ${VERSION}\n`); return; }
  const users = new SystemUserDatabase();
  const dirs = {
    actions: [...(opts.systemDirs ? POLICY_DIRS : []), ...opts.actionsDirs],
    rules: [...(opts.systemDirs ? RULES_DIRS : []), ...opts.rulesDirs],
  };
  const source = await prepareAsRoot(opts, users, dirs);
  const bus = await connect();
  const server = new ObjectServer(bus, (m) => log(m));
  const changed = (): void => server.emitSignal(AUTHORITY_PATH, AUTHORITY_IFACE, 'Changed');
  const policy = await PolicyState.load(source, (m) => log(m), changed);
  const busDaemon = await BusDaemon.attach(bus);
  const sessions = await createSessionMonitor(bus, (m) => log(m));
  const resolver = new SubjectResolver(busDaemon, sessions);
  const temporary = new TemporaryAuthorizationStore({ lifetimeMs: opts.expirationSeconds * 1000 }, changed);
  const audit = new AuditLog(opts.auditLog ?? join(opts.stateDir, 'audit.log'), (m) => log(m));
  const manager = authenticationManager(opts, users, audit);
  const own = await ownSessions(opts, manager);
  const exeOf: AuthorityDeps['exeOf'] = (pid) => source.exeOf(pid);
  const trusted = trustedPrompt(opts, manager, users, sessions, exeOf);
  const authority = new Authority({
    busDaemon, resolver, policy, users, temporary, agents: new AgentRegistry(bus, (m) => log(m)),
    log: (m) => log(m), changed, audit, ...(own ? { own } : {}), ...(trusted.deps ? { trusted: trusted.deps } : {}),
    systemLocale: process.env.LANG ?? '',
    exeOf,
  });
  busDaemon.onVanished((name) => authority.nameVanished(name));
  sessions.onChanged(changed);
  server.addObject(AUTHORITY_PATH, [authorityInterface(authority, { name: 'js', version: '122', features: 1 })]);
  if (trusted.deps && trusted.secrets) {
    const { prompts, displays } = trusted.deps;
    server.addObject(PIN_PATH, [pinInterface({ busDaemon, resolver, displays, users, prompts, manager, secrets: trusted.secrets, exeOf, log: (m) => log(m) })]);
  }
  bus.on('message', (msg: { type?: number; member?: string; sender?: string; body?: unknown[] }) => {
    if (msg.type === 4 && msg.sender === 'org.freedesktop.DBus' && msg.member === 'NameLost' && msg.body?.[0] === BUS_NAME) {
      log(`Lost the name ${BUS_NAME}; exiting`);
      process.exit(0);
    }
  });
  process.on('SIGHUP', () => void policy.reload('SIGHUP'));
  const stop = (sig: string): void => {
    log(`Exiting on ${sig}`);
    temporary.close();
    sessions.close();
    void Promise.allSettled([trusted.close(), policy.close()]).finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await takeName(bus, opts);
  log(`Acquired the name ${BUS_NAME} on the system bus`);
}

// One bad request must never end the daemon: a stray exception is logged, the
// request concerned has already been answered (object-server.ts fails closed).
process.on('uncaughtException', (e) => log(`Unexpected error (continuing): ${e?.stack ?? String(e)}`));
process.on('unhandledRejection', (e) => log(`Unhandled rejection (continuing): ${(e as Error)?.stack ?? String(e)}`));

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof UsageError) {
    process.stderr.write(`trustpathd: ${e.message}\n\n${USAGE}`);
    process.exit(2);
  }
  log(`Error: ${(e as Error)?.message ?? String(e)}`);
  process.exit(1);
});
