// Inside the demo's private mount namespace (made by `unshare --mount --propagation
// private`, see demo.ts): the demo's own /run/dbus, and a private /etc whose account
// files add the demo user. The mounts exist only for this namespace's processes
// (pkexec, PAM, NSS, trustpathd, the setuid helper); the real files, and a system bus
// that may be running, are never written.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readlinkSync } from 'node:fs';
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

function mount(args: readonly string[]): void {
  execFileSync('mount', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** /run/dbus of the namespace: an empty private directory, so the demo's bus can take the system socket path. */
export function privateRunDbus(scratch: string): void {
  if (existsSync('/run/dbus')) {
    const dir = join(scratch, 'run-dbus');
    mkdirSync(dir, { mode: 0o755 });
    mount(['--bind', dir, '/run/dbus']);
    return;
  }
  // No /run/dbus to mount over, and creating one would change the machine: a private /run instead.
  mount(['-t', 'tmpfs', '-o', 'mode=0755,size=16m', 'tmpfs', '/run']);
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

/**
 * /etc of the namespace: an overlay whose upper layer is private. A file bind-mounted
 * over /etc/passwd would not do: useradd and chpasswd elsewhere (tests running in
 * parallel) rename a new file over it, and the kernel then drops such mounts in every
 * namespace. Nobody renames /etc itself.
 */
export function privateEtc(scratch: string): () => void {
  // The layers on a tmpfs of the namespace: an upper layer must not be on overlayfs,
  // which /tmp is in many containers.
  const layers = join(scratch, 'etc-layers');
  mkdirSync(layers, { mode: 0o755 });
  mount(['-t', 'tmpfs', '-o', 'mode=0755,size=16m', 'tmpfs', layers]);
  mkdirSync(join(layers, 'upper'), { mode: 0o755 });
  mkdirSync(join(layers, 'work'), { mode: 0o700 });
  mount(['-t', 'overlay', 'overlay', '-o', `lowerdir=/etc,upperdir=${layers}/upper,workdir=${layers}/work`, '/etc']);
  // Undone before the scratch directory is removed, whose etc-layers is a mount point here.
  return () => {
    execFileSync('umount', ['--lazy', '/etc']);
    execFileSync('umount', ['--lazy', layers]);
  };
}

/** Appends a line (written into the overlay's upper layer, owner and mode kept by the copy-up). */
function addLine(file: string, line: string): void {
  const text = readFileSync(file, 'utf8');
  appendFileSync(file, `${text.endsWith('\n') || text === '' ? '' : '\n'}${line}\n`);
}

/** Adds `name` with `password` to the namespace's account files (a new uid and user group); after privateEtc. */
export function addDemoUser(name: string, password: string): DemoUser {
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
  for (const file of ACCOUNT_FILES) if (existsSync(file)) addLine(file, lines[file]);
  return { name, uid: id, gid: id, password };
}
