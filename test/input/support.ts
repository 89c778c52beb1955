// Support for the trustpath-input / trustpath-sak-listen tests: builds them, runs
// them as the `trustpath` user the way trustpathd will (stdin/stdout pipes), and
// reads their frames (native/input/PROTOCOL.md) with a small codec of its own.
import { spawn, execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withLock } from '../support/lock.js';
import { randomBytes } from 'node:crypto';
import { Client, type Ids, type Scene } from '../xserver/harness.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
export const OUT = join(ROOT, 'native/out');
export const INPUT_BIN = join(OUT, 'trustpath-input');
export const SAK_BIN = join(OUT, 'trustpath-sak-listen');

export const IN = { ARM: 0x01, PIPE: 0x02, UNPIPE: 0x03, QUIT: 0x04, PINCHECK: 0x05, PINSET: 0x06 } as const;
export const OUTT = {
  READY: 0x81, EDIT: 0x82, SUBMIT: 0x83, CANCEL: 0x84, NAV: 0x85, FAIL: 0x86,
  PINRESULT: 0x87, PINHASH: 0x88, LISTENING: 0x90, SAK: 0x91,
} as const;

/** evdev keycodes (beyond test/support/xorg.ts's letters) that the grabber acts on. */
export const KEYS = {
  Escape: 9, BackSpace: 22, Tab: 23, Return: 36, KP_Enter: 104, Up: 111, Down: 116,
  Control_L: 37, Shift_L: 50,
} as const;

/** Builds the production binaries (and the test builds when asked), once at a time. */
export async function build(testBuilds = false): Promise<void> {
  await withLock('native-input-build', async () => {
    execFileSync('make', ['-s', '-C', join(ROOT, 'native/input'), ...(testBuilds ? ['test-builds'] : [])], { stdio: 'inherit' });
    execFileSync('make', ['-s', '-C', join(ROOT, 'xserver-ext')], { stdio: 'inherit' });
  });
}

export interface Frame { readonly type: number; readonly payload: Buffer }

export function frame(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const hdr = Buffer.alloc(5);
  hdr[0] = type;
  hdr.writeUInt32BE(payload.length, 1);
  return Buffer.concat([hdr, payload]);
}

/** A child speaking frames on stdout; its stderr is kept for assertions on diagnostics. */
export class FrameProcess {
  readonly frames: Frame[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private pending = Buffer.alloc(0);

  constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (s: string) => { this.stderr += s; });
    proc.stdin!.on('error', () => { /* the child may exit first */ });
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  }

  private onData(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 5) {
      const len = this.pending.readUInt32BE(1);
      if (this.pending.length < 5 + len) return;
      this.frames.push({ type: this.pending[0]!, payload: this.pending.subarray(5, 5 + len) });
      this.pending = this.pending.subarray(5 + len);
    }
  }

  get alive(): boolean { return this.proc.exitCode === null && this.proc.signalCode === null; }

  of(type: number): Frame[] { return this.frames.filter((f) => f.type === type); }

  /** The first frame of this type after index `from` (default: any). */
  async waitFrame(type: number, from = 0, ms = 8000): Promise<Frame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.frames.slice(from).find((f) => f.type === type);
      if (hit) return hit;
      if (Date.now() > deadline) {
        throw new Error(`no frame 0x${type.toString(16)} (got ${this.describe()}; stderr ${JSON.stringify(this.stderr)}; ${this.where()})`);
      }
      await sleep(20);
    }
  }

  /** READY: generous, since a loaded CI machine slows the X round trips of the start. */
  async ready(): Promise<Frame> { return this.waitFrame(OUTT.READY, 0, 20_000); }

  /** Where a child that says nothing is waiting (for a timeout's message). */
  where(): string {
    const pid = this.proc.pid;
    if (!this.alive || pid === undefined) return `exited ${this.proc.exitCode ?? this.proc.signalCode}`;
    try {
      return `waiting in ${readFileSync(`/proc/${pid}/wchan`, 'utf8')}, syscall ${readFileSync(`/proc/${pid}/syscall`, 'utf8').trim()}`;
    } catch { return 'state unknown'; }
  }

  /** Until `n` EDIT frames have arrived; returns their counts. */
  async edits(n: number, ms = 8000): Promise<number[]> {
    const deadline = Date.now() + ms;
    while (editCounts(this).length < n && Date.now() < deadline) await sleep(20);
    return editCounts(this);
  }

  describe(): string {
    return this.frames.map((f) => `0x${f.type.toString(16)}:${f.payload.toString('hex')}`).join(' ');
  }

  send(type: number, payload?: Buffer): void { this.proc.stdin!.write(frame(type, payload)); }
  sendRaw(bytes: Buffer): void { this.proc.stdin!.write(bytes); }
  closeStdin(): void { this.proc.stdin!.end(); }

  async done(ms = 10_000): Promise<number | null> {
    const t = setTimeout(() => this.proc.kill('SIGKILL'), ms);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }

  async stop(): Promise<void> {
    if (this.alive) this.proc.kill('SIGKILL');
    await this.exited;
  }
}

/** extraFds: pipes passed as fds 3.. (a careless parent's leak, for the tests of closing them). */
export function spawnAs(bin: string, args: readonly string[], ids: Ids, env: NodeJS.ProcessEnv, extraFds = 0): FrameProcess {
  const stdio = Array<'pipe'>(3 + extraFds).fill('pipe');
  return new FrameProcess(spawn(bin, args, { uid: ids.uid, gid: ids.gid, env, stdio }));
}

export function editCounts(p: FrameProcess, from = 0): number[] {
  return p.frames.slice(from).filter((f) => f.type === OUTT.EDIT).map((f) => f.payload.readUInt32BE(0));
}

/** A fresh title nonce, as trustpathd makes one per prompt. */
export function newKey(): string { return `tp-${randomBytes(12).toString('hex')}`; }

function envFor(s: Scene, ids: Ids, cookie: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { DISPLAY: s.x.display, PATH: '/usr/bin:/bin', HOME: '/tmp' };
  if (cookie) env.XAUTHORITY = s.x.cookieFileFor(ids.uid, ids.gid);
  return env;
}

/** trustpath-input as the trustpath user; a cookie only where no module grants access. */
export function startGrabber(s: Scene, key: string, extra: readonly string[] = []): FrameProcess {
  return spawnAs(INPUT_BIN, ['--window-title', key, ...extra], s.trusted, envFor(s, s.trusted, !s.withModule));
}

export type Owner = 'trusted' | 'attacker' | 'root';

/** The stand-in prompt host: tp-prompt --title KEY, owned by the given user. */
export async function startHost(s: Scene, key: string, owner: Owner = 'trusted'): Promise<Client> {
  const ids = owner === 'trusted' ? s.trusted : owner === 'root' ? { uid: 0, gid: 0 } : s.attacker;
  const client = new Client('tp-prompt', ['--title', key], ids, envFor(s, ids, owner !== 'trusted' || !s.withModule));
  try {
    await client.waitLine(/^READY /);
  } catch (e) {
    await client.stop(); // a host left behind would confuse every later test
    throw e;
  }
  return client;
}

/** A host and a grabber that has taken its window (READY). */
export async function grab(s: Scene, key = newKey(), extra: readonly string[] = []): Promise<{ host: Client; input: FrameProcess; ready: Frame }> {
  const host = await startHost(s, key);
  const input = startGrabber(s, key, extra);
  const ready = await input.ready();
  return { host, input, ready };
}

/** Runs an X program as root (an untrusted client, with root's cookie) or as the trusted user. */
export function runX(s: Scene, who: 'root' | 'trusted', cmd: string, args: readonly string[]): string {
  const ids = who === 'root' ? { uid: 0, gid: 0 } : s.trusted;
  return execFileSync(cmd, args, { ...ids, env: envFor(s, ids, who === 'root' || !s.withModule), encoding: 'utf8' });
}

/** A SAK datagram as the module sends it (host byte order; this machine is little-endian). */
export function datagram(over: { magic?: string; version?: number; size?: number; length?: number } = {}): Buffer {
  const b = Buffer.alloc(over.length ?? 48);
  b.write(over.magic ?? 'TPSK', 0, 'latin1');
  b.writeUInt16LE(over.version ?? 1, 4);
  b.writeUInt16LE(over.size ?? 48, 6);
  b.writeUInt32LE(1234, 8);
  b.writeUInt32LE(7, 12);
  return b;
}

const SEND = 'import socket,sys; s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); s.sendto(bytes.fromhex(sys.argv[2]),sys.argv[1])';

/** Sends one datagram to a unix socket as the given user (node has no unix datagram sockets). */
export function sendDatagram(path: string, payload: Buffer, who: Ids): void {
  const r = spawnSync('/usr/bin/python3', ['-c', SEND, path, payload.toString('hex')], { uid: who.uid, gid: who.gid, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sending a datagram: ${r.stderr}`);
}
