// The user and group database as polkit sees it (getpwnam, getpwuid, getgrnam,
// getgrgid, getgrouplist). /etc/passwd and /etc/group are read directly and cached
// by modification time; a name or id they do not hold is asked of NSS through
// `getent`, so LDAP or sssd users resolve as they do for polkitd. Ids are unsigned
// 32-bit values everywhere (CVE-2018-19788).
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';

export interface UserRecord {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly gecos: string;
  readonly home: string;
  readonly shell: string;
}

export interface GroupRecord {
  readonly name: string;
  readonly gid: number;
  /** gr_mem in file order */
  readonly members: readonly string[];
}

export interface UserDatabase {
  userByUid(uid: number): Promise<UserRecord | null>;
  userByName(name: string): Promise<UserRecord | null>;
  groupByGid(gid: number): Promise<GroupRecord | null>;
  groupByName(name: string): Promise<GroupRecord | null>;
  /** getgrouplist(name, primaryGid): primary first, then supplementary, no repeats */
  groupsOfUser(name: string, primaryGid: number): Promise<number[]>;
}

const MAX_ID = 0xffffffff;
const GETENT_TIMEOUT_MS = 5_000;
const MISS_CACHE_MS = 10_000;
const MISS_CACHE_MAX = 4096;
const REVALIDATE_MS = 1000;

/** @internal a decimal id in 0..2^32-1, or undefined */
export function parseId(s: string): number | undefined {
  if (!/^[0-9]{1,10}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= MAX_ID ? n : undefined;
}

/** @internal one passwd(5) line */
export function parsePasswdLine(line: string): UserRecord | undefined {
  const f = line.split(':');
  if (f.length < 7 || f[0] === '' || f[0]!.startsWith('+') || f[0]!.startsWith('-')) return undefined;
  const uid = parseId(f[2]!);
  const gid = parseId(f[3]!);
  if (uid === undefined || gid === undefined) return undefined;
  return { name: f[0]!, uid, gid, gecos: f[4]!, home: f[5]!, shell: f[6]! };
}

/** @internal one group(5) line */
export function parseGroupLine(line: string): GroupRecord | undefined {
  const f = line.split(':');
  if (f.length < 4 || f[0] === '' || f[0]!.startsWith('+') || f[0]!.startsWith('-')) return undefined;
  const gid = parseId(f[2]!);
  if (gid === undefined) return undefined;
  return { name: f[0]!, gid, members: f[3]!.split(',').filter((m) => m !== '') };
}

interface Table<T> { mtimeMs: number; size: number; byName: Map<string, T>; byId: Map<number, T>; list: T[] }

function loadTable<T extends { name: string }>(path: string, parse: (l: string) => T | undefined, id: (r: T) => number,
  previous: Table<T> | undefined): Table<T> {
  let st;
  try {
    st = statSync(path);
  } catch {
    return { mtimeMs: -1, size: -1, byName: new Map(), byId: new Map(), list: [] };
  }
  if (previous && previous.mtimeMs === st.mtimeMs && previous.size === st.size) return previous;
  const t: Table<T> = { mtimeMs: st.mtimeMs, size: st.size, byName: new Map(), byId: new Map(), list: [] };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const r = parse(line);
    if (!r) continue;
    t.list.push(r);
    // The first entry wins, as with getpwnam over files.
    if (!t.byName.has(r.name)) t.byName.set(r.name, r);
    if (!t.byId.has(id(r))) t.byId.set(id(r), r);
  }
  return t;
}

/**
 * One file's table, re-checked (one stat) at most every `revalidateMs`: a user
 * added with useradd is seen within that time, and a busy daemon does not stat on
 * every call.
 */
class FileTable<T extends { name: string }> {
  #table: Table<T> | undefined;
  #checkedAt = -Infinity;

  constructor(private readonly path: string, private readonly parse: (l: string) => T | undefined,
    private readonly id: (r: T) => number, private readonly revalidateMs: number) {}

  get(): Table<T> {
    const now = performance.now();
    if (this.#table === undefined || now - this.#checkedAt >= this.revalidateMs) {
      this.#table = loadTable(this.path, this.parse, this.id, this.#table);
      this.#checkedAt = now;
    }
    return this.#table;
  }
}

function getent(db: 'passwd' | 'group', key: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('getent', [db, key], { timeout: GETENT_TIMEOUT_MS, maxBuffer: 64 * 1024 }, (err, stdout) => {
      if (err) return resolve(null);
      const line = stdout.split('\n')[0];
      resolve(line ? line : null);
    });
  });
}

/** Files first, then NSS. */
export class SystemUserDatabase implements UserDatabase {
  private readonly passwd: FileTable<UserRecord>;
  private readonly group: FileTable<GroupRecord>;
  private readonly misses = new Map<string, number>();

  constructor(passwdPath = '/etc/passwd', groupPath = '/etc/group', private readonly useNss = true,
    revalidateMs = REVALIDATE_MS) {
    this.passwd = new FileTable(passwdPath, parsePasswdLine, (r) => r.uid, revalidateMs);
    this.group = new FileTable(groupPath, parseGroupLine, (r) => r.gid, revalidateMs);
  }

  private users(): Table<UserRecord> { return this.passwd.get(); }

  private groups(): Table<GroupRecord> { return this.group.get(); }

  private async nss<T>(db: 'passwd' | 'group', key: string, parse: (l: string) => T | undefined): Promise<T | null> {
    if (!this.useNss) return null;
    const k = `${db}:${key}`;
    const missedAt = this.misses.get(k);
    if (missedAt !== undefined && performance.now() - missedAt < MISS_CACHE_MS) return null;
    const line = await getent(db, key);
    const r = line === null ? undefined : parse(line);
    if (r === undefined) {
      if (this.misses.size >= MISS_CACHE_MAX) this.misses.clear();
      this.misses.set(k, performance.now());
      return null;
    }
    return r;
  }

  async userByUid(uid: number): Promise<UserRecord | null> {
    return this.users().byId.get(uid) ?? await this.nss('passwd', String(uid), parsePasswdLine);
  }

  async userByName(name: string): Promise<UserRecord | null> {
    if (name === '' || name.includes(':') || name.includes('\n')) return null;
    if (/^[0-9]+$/.test(name)) return this.users().byName.get(name) ?? null; // getent would treat it as a uid
    return this.users().byName.get(name) ?? await this.nss('passwd', name, parsePasswdLine);
  }

  async groupByGid(gid: number): Promise<GroupRecord | null> {
    return this.groups().byId.get(gid) ?? await this.nss('group', String(gid), parseGroupLine);
  }

  async groupByName(name: string): Promise<GroupRecord | null> {
    if (name === '' || name.includes(':') || name.includes('\n')) return null;
    if (/^[0-9]+$/.test(name)) return this.groups().byName.get(name) ?? null;
    return this.groups().byName.get(name) ?? await this.nss('group', name, parseGroupLine);
  }

  async groupsOfUser(name: string, primaryGid: number): Promise<number[]> {
    const out = [primaryGid];
    for (const g of this.groups().list) {
      if (g.members.includes(name) && !out.includes(g.gid)) out.push(g.gid);
    }
    return out;
  }
}
