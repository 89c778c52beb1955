// A real Xorg for tests: the dummy video driver, a keyboard that is not XTEST (the
// server's own `inputtest` driver, typed through its socket), cookie authorization,
// and optionally the trustpath module (xserver-ext/out/trustpath.so) with options.
//
//   const x = await startXorg({ module: true });
//   spawn(client, { env: { DISPLAY: x.display, XAUTHORITY: x.cookieFileFor(uid, gid) } });
//   await x.keyboard.type('abc');  await x.keyboard.tap(KEYCODES.Pause, [KEYCODES.Control_L]);
//   await x.stop();
//
// Display numbers are taken under a cross-process lock (same directory convention as
// lock.ts), so test files may run in parallel. The inputtest socket is world-writable
// (test fixture only) and is kept open for the server's lifetime: the 21.1 driver
// accepts no new connection once its client disconnects.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = new URL('../../..', import.meta.url).pathname; // build/test/support -> repo
export const MODULE_DIR = join(ROOT, 'xserver-ext', 'out');
const LOCK_ROOT = '/tmp/trustpath-test-locks';
const FIRST_DISPLAY = 40;
const LAST_DISPLAY = 89;

/** X keycodes of the evdev keymap (us layout; the keyboard is configured with it) that tests type. */
export const KEYCODES = {
  Control_L: 37, Alt_L: 64, Shift_L: 50, Pause: 127, Return: 36, space: 65,
  a: 38, b: 56, c: 54, d: 40, e: 26, f: 41, g: 42, h: 43, i: 31, j: 44, k: 45, l: 46, m: 58,
  n: 57, o: 32, p: 33, q: 24, r: 27, s: 39, t: 28, u: 30, v: 55, w: 25, x: 53, y: 29, z: 52,
} as const;

export interface XorgOptions {
  /** Load xserver-ext/out/trustpath.so. */
  readonly module: boolean;
  /** Options of the module SubSection, e.g. { User: 'trustpath', SAKSocket: '/run/x/sak' }. */
  readonly moduleOptions?: Readonly<Record<string, string>>;
  /** Let the server regenerate when its last client disconnects (default: -noreset). */
  readonly reset?: boolean;
}

export interface InputtestKeyboard {
  press(keycode: number): Promise<void>;
  release(keycode: number): Promise<void>;
  /** Presses the modifiers, taps the key, releases the modifiers; waits until processed. */
  tap(keycode: number, modifiers?: readonly number[]): Promise<void>;
  /** Types lowercase letters and spaces. */
  type(text: string): Promise<void>;
  /** Resolves once the server has processed every event sent so far. */
  sync(): Promise<void>;
}

export interface Xorg {
  readonly display: string;
  readonly displayNumber: number;
  readonly logPath: string;
  readonly keyboard: InputtestKeyboard;
  /** the server's process id */
  readonly pid: number;
  /** A copy of the server's cookie file owned by uid:gid (for XAUTHORITY). */
  cookieFileFor(uid: number, gid: number): string;
  /** The server log so far. */
  log(): string;
  stop(): Promise<void>;
}

function lockDisplay(n: number): string | null {
  mkdirSync(LOCK_ROOT, { recursive: true });
  const dir = `${LOCK_ROOT}/x-display-${n}`;
  try {
    mkdirSync(dir);
  } catch {
    try {
      const pid = Number(readFileSync(`${dir}/pid`, 'utf8'));
      process.kill(pid, 0);
      return null;
    } catch {
      rmSync(dir, { recursive: true, force: true });
      return null;
    }
  }
  writeFileSync(`${dir}/pid`, String(process.pid));
  if (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return dir;
}

function takeDisplay(): { n: number; lock: string } {
  for (let n = FIRST_DISPLAY; n <= LAST_DISPLAY; n++) {
    const lock = lockDisplay(n);
    if (lock) return { n, lock };
  }
  throw new Error('no free X display number');
}

/** An Xauthority file with one FamilyWild MIT-MAGIC-COOKIE-1 entry. */
function authFile(n: number, cookie: Buffer): Buffer {
  const field = (b: Buffer): Buffer => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
  return Buffer.concat([
    Buffer.from([0xff, 0xff]), field(Buffer.alloc(0)), field(Buffer.from(String(n))),
    field(Buffer.from('MIT-MAGIC-COOKIE-1')), field(cookie),
  ]);
}

function moduleSection(opts: XorgOptions): string {
  if (!opts.module) return '';
  const lines = Object.entries(opts.moduleOptions ?? {}).map(([k, v]) => `    Option "${k}" "${v}"`);
  return `Section "Module"\n  SubSection "trustpath"\n${lines.join('\n')}\n  EndSubSection\nEndSection\n`;
}

function config(opts: XorgOptions, kbdSocket: string): string {
  return `Section "ServerFlags"
  Option "AutoAddDevices" "false"
  Option "AutoEnableDevices" "false"
  Option "AutoAddGPU" "false"
  Option "DontVTSwitch" "true"
  Option "AllowMouseOpenFail" "true"
  Option "AllowEmptyInput" "true"
EndSection
Section "Files"
  ModulePath "${MODULE_DIR},/usr/lib/xorg/modules"
EndSection
${moduleSection(opts)}Section "Device"
  Identifier "dummy"
  Driver "dummy"
  VideoRam 65536
EndSection
Section "Monitor"
  Identifier "monitor"
  HorizSync 5.0-1000.0
  VertRefresh 5.0-200.0
EndSection
Section "Screen"
  Identifier "screen"
  Device "dummy"
  Monitor "monitor"
  DefaultDepth 24
  SubSection "Display"
    Depth 24
    Virtual 1024 768
  EndSubSection
EndSection
Section "InputDevice"
  Identifier "inputtest-keyboard"
  Driver "inputtest"
  Option "DeviceType" "Keyboard"
  Option "XkbRules" "evdev"
  Option "XkbModel" "pc105"
  Option "XkbLayout" "us"
  Option "SocketPath" "${kbdSocket}"
EndSection
Section "ServerLayout"
  Identifier "layout"
  Screen "screen"
  InputDevice "inputtest-keyboard" "CoreKeyboard"
EndSection
`;
}

async function waitFor(what: string, cond: () => boolean, proc: ChildProcess, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`Xorg exited before ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

class Keyboard implements InputtestKeyboard {
  private pending = Buffer.alloc(0);

  constructor(private readonly sock: Socket) {
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    const hello = Buffer.alloc(12);
    hello.writeUInt32LE(12, 0); hello.writeUInt32LE(0, 4); // XF86IT_EVENT_CLIENT_VERSION
    hello.writeUInt16LE(1, 8); hello.writeUInt16LE(1, 10);
    sock.write(hello);
  }

  private onData(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 8) {
      const len = this.pending.readUInt32LE(0);
      if (len < 8 || len > 4096) { this.pending = Buffer.alloc(0); return; }
      if (this.pending.length < len) return;
      const type = this.pending.readUInt32LE(4);
      this.pending = this.pending.subarray(len);
      void type; // XF86IT_RESPONSE_SERVER_VERSION / SYNC_FINISHED: nothing to do
    }
  }

  private key(keycode: number, down: boolean): void {
    const ev = Buffer.alloc(16);
    ev.writeUInt32LE(16, 0); ev.writeUInt32LE(5, 4); // XF86IT_EVENT_KEY
    ev.writeInt32LE(keycode, 8); ev.writeUInt32LE(down ? 1 : 0, 12);
    this.sock.write(ev);
  }

  async press(keycode: number): Promise<void> { this.key(keycode, true); await this.sync(); }
  async release(keycode: number): Promise<void> { this.key(keycode, false); await this.sync(); }

  async tap(keycode: number, modifiers: readonly number[] = []): Promise<void> {
    for (const m of modifiers) this.key(m, true);
    this.key(keycode, true);
    this.key(keycode, false);
    for (const m of [...modifiers].reverse()) this.key(m, false);
    await this.sync();
  }

  async type(text: string): Promise<void> {
    for (const ch of text) {
      const code = ch === ' ' ? KEYCODES.space : (KEYCODES as Record<string, number>)[ch];
      if (code === undefined) throw new Error(`cannot type ${JSON.stringify(ch)}`);
      this.key(code, true);
      this.key(code, false);
    }
    await this.sync();
  }

  /** The 21.1 driver's WAIT_FOR_SYNC answer is unreliable here: settle by time instead. */
  async sync(): Promise<void> {
    await sleep(60);
  }

}

async function connectKeyboard(path: string, proc: ChildProcess): Promise<Socket> {
  await waitFor('the inputtest socket', () => existsSync(path), proc);
  for (let i = 0; ; i++) {
    const sock = createConnection(path);
    try {
      await once(sock, 'connect');
      return sock;
    } catch (e) {
      sock.destroy();
      if (i > 100) throw e;
      await sleep(50);
    }
  }
}

/** Starts Xorg on a free display number; throws (with the log) if it does not come up. */
export async function startXorg(opts: XorgOptions): Promise<Xorg> {
  const { n, lock } = takeDisplay();
  const dir = mkdtempSync(join(tmpdir(), 'tp-xorg-'));
  const cookie = randomBytes(16);
  const auth = join(dir, 'server.auth');
  const logPath = join(dir, 'Xorg.log');
  const kbdSocket = join(dir, 'keyboard.sock');
  chmodSync(dir, 0o711); // clients of other uids read their own cookie copies here
  writeFileSync(auth, authFile(n, cookie), { mode: 0o600 });
  writeFileSync(join(dir, 'xorg.conf'), config(opts, kbdSocket));
  // -displayfd: Xorg writes its display number there once it is about to serve
  // clients (its socket file appears long before, while it still initialises).
  const proc = spawn('Xorg', [`:${n}`, '-config', join(dir, 'xorg.conf'), '-displayfd', '3',
    '-auth', auth, ...(opts.reset ? [] : ['-noreset']), '-nolisten', 'tcp', '-novtswitch', '-sharevts', '-logfile', logPath],
  { stdio: ['ignore', 'ignore', 'ignore', 'pipe'], detached: false });
  let announced = '';
  proc.stdio[3]!.on('data', (b: Buffer) => { announced += b.toString('latin1'); });
  proc.stdio[3]!.on('error', () => { /* Xorg exited: waitFor reports it */ });
  const readLog = (): string => { try { return readFileSync(logPath, 'utf8'); } catch { return ''; } };
  let sock: Socket;
  try {
    await waitFor('Xorg to serve clients (-displayfd)', () => announced.includes('\n'), proc);
    if (announced.trim() !== String(n)) throw new Error(`Xorg announced display ${JSON.stringify(announced)}, not ${n}`);
    sock = await connectKeyboard(kbdSocket, proc);
  } catch (e) {
    proc.kill('SIGKILL');
    rmSync(lock, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}\n${readLog().slice(-4000)}`);
  }
  const keyboard = new Keyboard(sock);
  await keyboard.sync();
  let copies = 0;
  return {
    display: `:${n}`,
    displayNumber: n,
    pid: proc.pid!,
    logPath,
    keyboard,
    cookieFileFor(uid: number, gid: number): string {
      const path = join(dir, `cookie-${uid}-${copies++}`);
      writeFileSync(path, authFile(n, cookie), { mode: 0o600 });
      chownSync(path, uid, gid);
      return path;
    },
    log: readLog,
    async stop(): Promise<void> {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = once(proc, 'exit');
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      sock.destroy();
      rmSync(lock, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
