// Shared scene for the xserver tests: one Xorg per test file, the trusted test prompt
// (run as the `trustpath` user, holding a keyboard grab), attack clients of another uid
// (a `tpt` test user), and a table of attacks, each of which reports whether it was
// blocked and whether the prompt came through unharmed.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureTestUser } from '../support/users.js';
import { KEYCODES, MODULE_DIR, startXorg, type Xorg, type XorgOptions } from '../support/xorg.js';

export const PROMPT_PIXEL = 'PIXEL 12ab34';
const BIN = MODULE_DIR;

export interface Ids { readonly uid: number; readonly gid: number }

export function trustedIds(): Ids {
  const uid = Number(execFileSync('id', ['-u', 'trustpath'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'trustpath'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** A child process whose stdout is collected line by line. */
export class Client {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly proc: ChildProcess;

  constructor(bin: string, args: readonly string[], ids: Ids, env: NodeJS.ProcessEnv) {
    this.proc = spawn(join(BIN, bin), args, { uid: ids.uid, gid: ids.gid, env, stdio: ['pipe', 'pipe', 'ignore'] });
    let buf = '';
    this.proc.stdout!.setEncoding('utf8');
    this.proc.stdout!.on('data', (chunk: string) => {
      buf += chunk;
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
  }

  get alive(): boolean { return this.proc.exitCode === null && this.proc.signalCode === null; }

  has(re: RegExp): boolean { return this.lines.some((l) => re.test(l)); }

  async waitLine(re: RegExp, ms = 8000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.lines.find((l) => re.test(l));
      if (hit !== undefined) return hit;
      if (Date.now() > deadline) throw new Error(`no line matching ${re} (got ${JSON.stringify(this.lines)})`);
      await sleep(20);
    }
  }

  send(line: string): void { this.proc.stdin!.write(`${line}\n`); }

  async done(ms = 10_000): Promise<string[]> {
    const t = setTimeout(() => this.proc.kill('SIGKILL'), ms);
    await this.exited;
    clearTimeout(t);
    await sleep(10);
    return this.lines;
  }

  async stop(): Promise<void> {
    if (this.alive) this.proc.kill('SIGKILL');
    await this.exited;
  }
}

export interface Prompt { readonly client: Client; readonly window: string }

export class Scene {
  readonly trusted = trustedIds();
  readonly attacker = ensureTestUser('tptxattack', 'tptxattack-pw');
  private constructor(readonly x: Xorg, readonly withModule: boolean, private readonly cookies: Map<number, string>) {}

  static async start(opts: XorgOptions): Promise<Scene> {
    const x = await startXorg(opts);
    return new Scene(x, opts.module, new Map());
  }

  private env(ids: Ids, cookie: boolean): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { DISPLAY: this.x.display, PATH: '/usr/bin:/bin', HOME: '/tmp' };
    if (cookie) {
      let file = this.cookies.get(ids.uid);
      if (!file) { file = this.x.cookieFileFor(ids.uid, ids.gid); this.cookies.set(ids.uid, file); }
      env.XAUTHORITY = file;
    }
    return env;
  }

  /** The trusted client connects without a cookie when the module grants its uid access. */
  trustedClient(bin: string, args: readonly string[] = []): Client {
    return new Client(bin, args, this.trusted, this.env(this.trusted, !this.withModule));
  }

  attackerClient(bin: string, args: readonly string[] = []): Client {
    return new Client(bin, args, this.attacker, this.env(this.attacker, true));
  }

  /** Runs a program (e.g. openbox) as the attacker uid. */
  attackerProgram(cmd: string, args: readonly string[]): ChildProcess {
    return spawn(cmd, args, { uid: this.attacker.uid, gid: this.attacker.gid,
      env: this.env(this.attacker, true), stdio: 'ignore' });
  }

  async attack(mode: string, args: readonly string[] = []): Promise<string[]> {
    return this.attackerClient('tp-attack', [mode, ...args]).done();
  }

  /** overlay: the prompt lives in the Composite overlay window (see tp-prompt.c). */
  async startPrompt(overlay = false): Promise<Prompt> {
    const client = this.trustedClient('tp-prompt', overlay ? ['--overlay'] : []);
    const ready = await client.waitLine(/^READY /);
    return { client, window: ready.split(' ')[1] ?? '0' };
  }

  /** Runs one attack with the prompt up: its own prompt if it starts one, else a fresh one. */
  async runAttack(attack: Attack): Promise<{ prompt: Prompt; outcome: Outcome }> {
    if (attack.ownPrompt) return attack.ownPrompt(this);
    const prompt = await this.startPrompt();
    return { prompt, outcome: await attack.run(this, prompt) };
  }

  /** Types letters on the real (inputtest) keyboard, holding each key for a while. */
  async typeSlowly(text: string): Promise<void> {
    for (const ch of text) {
      const code = (KEYCODES as Record<string, number>)[ch];
      if (code === undefined) throw new Error(`cannot type ${ch}`);
      await this.x.keyboard.press(code);
      await sleep(25);
      await this.x.keyboard.release(code);
    }
  }

  /** The prompt is alive, mapped, and still receives the real keyboard. */
  async promptHealthy(p: Prompt): Promise<boolean> {
    if (!p.client.alive || p.client.has(/^UNMAPPED/)) return false;
    const before = p.client.lines.length;
    await this.x.keyboard.type('ok');
    try {
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline) {
        const got = p.client.lines.slice(before);
        if (got.includes('KEY o') && got.includes('KEY k')) return p.client.alive;
        await sleep(20);
      }
    } catch { /* fall through */ }
    return false;
  }

  async stop(): Promise<void> { await this.x.stop(); }
}

export interface Outcome { readonly blocked: boolean; readonly detail: string }

export interface Attack {
  readonly name: string;
  /** Runs with the prompt up (unless it manages the prompt itself). */
  run(s: Scene, p: Prompt): Promise<Outcome>;
  /** Starts the prompt itself (to prepare something before it maps). */
  readonly ownPrompt?: (s: Scene) => Promise<{ prompt: Prompt; outcome: Outcome }>;
}

async function listenWhileTyping(s: Scene, mode: string, shifted = false): Promise<Outcome> {
  const a = s.attackerClient('tp-attack', [mode, '0', '1500']);
  await a.waitLine(/^(LISTENING|EVENTS)/);
  if (shifted) await s.x.keyboard.press(KEYCODES.Shift_L);
  await s.typeSlowly('secret');
  if (shifted) await s.x.keyboard.release(KEYCODES.Shift_L);
  const lines = await a.done();
  const ev = lines.find((l) => l.startsWith('EVENTS ')) ?? 'EVENTS ?';
  const n = Number(ev.split(' ')[1]);
  return { blocked: !(n > 0), detail: ev };
}

async function pixelAttack(s: Scene, mode: string, p: Prompt): Promise<Outcome> {
  const lines = await s.attack(mode, [p.window]);
  const px = lines.find((l) => /^(PIXEL|NOIMAGE)/.test(l)) ?? 'none';
  return { blocked: px !== PROMPT_PIXEL, detail: px };
}

async function promptReaction(s: Scene, p: Prompt, mode: string, re: RegExp): Promise<Outcome> {
  const before = p.client.lines.length;
  const lines = await s.attack(mode, [p.window]);
  await sleep(400);
  const reacted = p.client.lines.slice(before).some((l) => re.test(l)) || !p.client.alive;
  return { blocked: !reacted, detail: `${lines.join(' | ')}; prompt ${reacted ? 'affected' : 'untouched'}` };
}

/** Holds an input-device attack while checking whether the prompt still gets keys. */
async function stealDevice(s: Scene, p: Prompt, mode: string): Promise<Outcome> {
  const a = s.attackerClient('tp-attack', [mode]);
  const said = await a.waitLine(/^(STOLEN|REFUSED)/);
  const healthy = await s.promptHealthy(p);
  a.send('undo');
  await a.done();
  return { blocked: healthy, detail: `${said}; prompt ${healthy ? 'kept' : 'lost'} the keyboard` };
}

export const ATTACKS: readonly Attack[] = [
  { name: 'XI2 raw key events on the root window', run: (s) => listenWhileTyping(s, 'xi2raw') },
  { name: 'XI2 key events selected for all devices', run: (s) => listenWhileTyping(s, 'xi2keys') },
  { name: 'XI1 DeviceKeyPress selected on the physical keyboard', run: (s) => listenWhileTyping(s, 'xi1keys') },
  { name: 'XKB StateNotify events while typing with Shift', run: (s) => listenWhileTyping(s, 'xkbevents', true) },
  { name: 'polling XQueryKeymap', run: (s) => listenWhileTyping(s, 'keymap') },
  { name: 'RECORD of device key events', run: (s) => listenWhileTyping(s, 'record') },
  {
    name: 'XkbGetState (modifier state)',
    run: async (s) => {
      const lines = await s.attack('xkbstate');
      return { blocked: !lines.includes('ERRORS 0'), detail: lines.join(' | ') };
    },
  },
  { name: 'XTEST key injection into the prompt', run: (s, p) => promptReaction(s, p, 'xtest', /^KEY q$/) },
  { name: 'SendEvent of a key press to the prompt', run: (s, p) => promptReaction(s, p, 'sendevent', /^KEY x$/) },
  { name: 'GetImage of the root window', run: (s, p) => pixelAttack(s, 'getimage-root', p) },
  { name: 'GetImage of the prompt window', run: (s, p) => pixelAttack(s, 'getimage-win', p) },
  { name: 'MIT-SHM GetImage of the root window', run: (s, p) => pixelAttack(s, 'shm', p) },
  { name: 'CopyArea from the root window', run: (s, p) => pixelAttack(s, 'copyarea', p) },
  { name: 'Render Composite from a root picture', run: (s, p) => pixelAttack(s, 'render', p) },
  {
    name: 'Render Composite from a root picture made before the prompt',
    run: async () => ({ blocked: false, detail: 'unused' }),
    ownPrompt: async (s) => {
      const a = s.attackerClient('tp-attack', ['render-late']);
      await a.waitLine(/^MAPPED/);
      const prompt = await s.startPrompt();
      a.send('go');
      const px = (await a.done()).find((l) => /^(PIXEL|NOIMAGE)/.test(l)) ?? 'none';
      return { prompt, outcome: { blocked: px !== PROMPT_PIXEL, detail: px } };
    },
  },
  { name: 'Composite redirect and NameWindowPixmap of the prompt', run: (s, p) => pixelAttack(s, 'composite-pixmap', p) },
  {
    name: 'override-redirect window mapped over the prompt',
    run: async (s, p) => {
      const lines = await s.attack('cover', [p.window]);
      return { blocked: !lines.includes('ABOVE'), detail: lines.join(' | ') };
    },
  },
  {
    name: 'raising an existing window above the prompt',
    run: async () => ({ blocked: false, detail: 'unused' }),
    ownPrompt: async (s) => {
      const a = s.attackerClient('tp-attack', ['restack']);
      await a.waitLine(/^MAPPED/);
      const prompt = await s.startPrompt();
      a.send(prompt.window);
      const lines = await a.done();
      return { prompt, outcome: { blocked: !lines.includes('ABOVE'), detail: lines.join(' | ') } };
    },
  },
  {
    name: 'CirculateWindow on the root raising a window above the prompt',
    run: async () => ({ blocked: false, detail: 'unused' }),
    ownPrompt: async (s) => {
      const a = s.attackerClient('tp-attack', ['circulate']);
      await a.waitLine(/^MAPPED/);
      const prompt = await s.startPrompt();
      a.send(prompt.window);
      const lines = await a.done();
      return { prompt, outcome: { blocked: !lines.includes('ABOVE'), detail: lines.join(' | ') } };
    },
  },
  { name: 'UnmapWindow on the prompt', run: (s, p) => promptReaction(s, p, 'unmap', /^UNMAPPED/) },
  { name: 'DestroyWindow on the prompt', run: (s, p) => promptReaction(s, p, 'destroy', /^UNMAPPED/) },
  { name: 'ReparentWindow of the prompt', run: (s, p) => promptReaction(s, p, 'reparent', /^UNMAPPED/) },
  { name: 'KillClient on the prompt', run: (s, p) => promptReaction(s, p, 'kill', /^IOERROR/) },
  { name: 'XIGrabDevice on the physical keyboard', run: (s, p) => stealDevice(s, p, 'xigrab-device') },
  { name: 'floating the physical keyboard off its master', run: (s, p) => stealDevice(s, p, 'float-keyboard') },
  {
    name: 'XGrabServer freezing the prompt',
    run: async (s) => {
      const g = s.attackerClient('tp-attack', ['grabserver', '0', '2500']);
      await g.waitLine(/^(GRABBED|ERRORS)/);
      const t0 = Date.now();
      await s.trustedClient('tp-attack', ['ping']).done();
      const ms = Date.now() - t0;
      await g.done();
      return { blocked: ms < 1500, detail: `trusted round trip took ${ms} ms` };
    },
  },
];
