// Inside the demo's private mount namespace (made by `unshare --mount --propagation
// private`, see demo.ts): the demo's own /run/dbus, and private copies of the account
// files that add the demo user. The bind mounts exist only for this namespace's
// processes (pkexec, PAM, NSS, trustpathd, the setuid helper); the files underneath,
// and a system bus that may be running, are never written.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DemoUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly password: string;
}

/** The namespace demo.ts runs in; set for the inner process so it can prove it is elsewhere. */
export const HOST_NS_ENV = 'TRUSTPATH_DEMO_HOST_MNT_NS';
const ACCOUNT_FILES = ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow'] as const;
const FIRST_UID = 1000;
const LAST_UID = 59999;

export function mountNamespace(pid: number | 'self' = 'self'): string {
  return readlinkSync(`/proc/${pid}/ns/mnt`);
}

/** Refuses to mount anything unless this process sits in a namespace of its own. */
export function assertPrivateNamespace(): void {
  const host = process.env[HOST_NS_ENV];
  if (!host || host === mountNamespace()) {
    throw new Error('not in a private mount namespace (start the demo with `npm run demo`, not the inner entry)');
  }
}

function bind(source: string, target: string): void {
  execFileSync('mount', ['--bind', source, target], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** /run/dbus of the namespace: an empty private directory, so the demo's bus can take the system socket path. */
export function privateRunDbus(scratch: string): void {
  if (existsSync('/run/dbus')) {
    const dir = join(scratch, 'run-dbus');
    mkdirSync(dir, { mode: 0o755 });
    bind(dir, '/run/dbus');
    return;
  }
  // No /run/dbus to mount over, and creating one would change the machine: a private /run instead.
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=0755,size=16m', 'tmpfs', '/run']);
  mkdirSync('/run/dbus', { mode: 0o755 });
}

function usedIds(text: string, field: number): Set<number> {
  return new Set(text.split('\n').map((line) => Number(line.split(':')[field])).filter(Number.isInteger));
}

function freeId(passwd: string, group: string): number {
  const uids = usedIds(passwd, 2);
  const gids = usedIds(group, 2);
  for (let id = FIRST_UID; id <= LAST_UID; id++) if (!uids.has(id) && !gids.has(id)) return id;
  throw new Error(`no uid/gid between ${FIRST_UID} and ${LAST_UID} is free for the demo user`);
}

function sha512Crypt(password: string): string {
  return execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: `${password}\n`, encoding: 'utf8' }).trim();
}

/** A private copy of `file` with `line` added, same owner and mode, mounted over it. */
function overlayWithLine(scratch: string, file: string, line: string): void {
  const st = statSync(file);
  const text = readFileSync(file, 'utf8');
  const copy = join(scratch, 'etc', file.replace(/^\/etc\//, ''));
  writeFileSync(copy, `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}${line}\n`, { mode: 0o600 });
  chownSync(copy, st.uid, st.gid);
  chmodSync(copy, st.mode & 0o7777);
  bind(copy, file);
}

/** Adds `name` with `password` to the namespace's account files (a new uid and user group). */
export function addDemoUser(scratch: string, name: string, password: string): DemoUser {
  const passwd = readFileSync('/etc/passwd', 'utf8');
  if (passwd.split('\n').some((l) => l.startsWith(`${name}:`))) {
    throw new Error(`a user named '${name}' exists on this machine; the demo adds its own and will not shadow it`);
  }
  const id = freeId(passwd, readFileSync('/etc/group', 'utf8'));
  const days = Math.floor(Date.now() / 86_400_000);
  const lines: Record<(typeof ACCOUNT_FILES)[number], string> = {
    '/etc/passwd': `${name}:x:${id}:${id}:trustpath demo user:/nonexistent:/bin/bash`,
    '/etc/shadow': `${name}:${sha512Crypt(password)}:${days}:0:99999:7:::`,
    '/etc/group': `${name}:x:${id}:`,
    '/etc/gshadow': `${name}:!::`,
  };
  mkdirSync(join(scratch, 'etc'), { mode: 0o755 });
  for (const file of ACCOUNT_FILES) if (existsSync(file)) overlayWithLine(scratch, file, lines[file]);
  return { name, uid: id, gid: id, password };
}
