// trustpath-input, seen from trustpathd: one grabber process per shown prompt
// (native/input/PROTOCOL.md). It finds the host window by its title, takes it full
// screen, grabs keyboard and pointer, and reports only what the user did: how many
// characters are typed, submit, cancel, chooser moves. The daemon arms it after the
// SAK and tells it where the current answer goes (the PAM response FIFO, by path) or
// which PIN hash to check; the text itself never leaves the grabber.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { encodeFrame, FrameDecoder } from '../wire/frame.js';

export const enum ToInput { Arm = 0x01, Pipe = 0x02, Unpipe = 0x03, Quit = 0x04, PinCheck = 0x05, PinSet = 0x06 }
export const enum FromInput { Ready = 0x81, Edit = 0x82, Submit = 0x83, Cancel = 0x84, Nav = 0x85, Fail = 0x86, PinResult = 0x87, PinHash = 0x88 }

const TO_CAPS: Record<number, number> = { 0x01: 0, 0x02: 16 + 255, 0x03: 0, 0x04: 0, 0x05: 256, 0x06: 0 };
const FROM_CAPS: Record<number, number> = { 0x81: 5, 0x82: 4, 0x83: 1, 0x84: 0, 0x85: 1, 0x86: 256, 0x87: 1, 0x88: 256 };

export type GrabberEvent =
  | { kind: 'ready'; protected: boolean; overlay: boolean; window: number }
  | { kind: 'edit'; count: number }
  | { kind: 'submit'; wrote: boolean }
  | { kind: 'cancel' }
  | { kind: 'nav'; delta: number }
  | { kind: 'fail'; text: string }
  | { kind: 'pin-result'; ok: boolean }
  | { kind: 'pin-hash'; hash: string | null };

export interface GrabberOptions {
  readonly path: string;
  readonly display: string;
  readonly xauthority?: string;
  readonly windowTitle: string;
  readonly findTimeoutMs?: number;
  /** the locale of the Compose table for dead keys (default C.UTF-8) */
  readonly composeLocale?: string;
  readonly log: (msg: string) => void;
}

/** Parses one frame from the grabber; throws on a malformed payload. */
export function grabberEvent(type: number, p: Buffer): GrabberEvent {
  const size = (n: number): void => { if (p.length !== n) throw new Error(`frame 0x${type.toString(16)}: ${p.length} bytes, expected ${n}`); };
  switch (type) {
    case FromInput.Ready: size(5); return { kind: 'ready', protected: (p[0]! & 1) !== 0, overlay: (p[0]! & 2) !== 0, window: p.readUInt32BE(1) };
    case FromInput.Edit: size(4); return { kind: 'edit', count: p.readUInt32BE(0) };
    case FromInput.Submit: size(1); return { kind: 'submit', wrote: p[0] === 1 };
    case FromInput.Cancel: size(0); return { kind: 'cancel' };
    case FromInput.Nav: size(1); return { kind: 'nav', delta: p.readInt8(0) };
    case FromInput.Fail: return { kind: 'fail', text: p.toString('utf8') };
    case FromInput.PinResult: size(1); return { kind: 'pin-result', ok: p[0] === 1 };
    case FromInput.PinHash: return { kind: 'pin-hash', hash: p.length === 0 ? null : p.toString('latin1') };
    default: throw new Error(`unknown frame type 0x${type.toString(16)}`);
  }
}

/** trustpath-input's environment: the display and, where needed, its cookie. */
function inputEnv(o: { display: string; xauthority?: string }): Record<string, string> {
  const env: Record<string, string> = { DISPLAY: o.display, PATH: '/usr/bin:/bin' };
  if (o.xauthority !== undefined) env.XAUTHORITY = o.xauthority;
  return env;
}

/**
 * Whether the display runs trustpath's X module in enforce mode (`trustpath-input
 * --probe`, as this process or `as` another user), asked before anything is shown
 * there. Rejects when it cannot tell.
 */
export function probeDisplay(o: Omit<GrabberOptions, 'windowTitle' | 'findTimeoutMs'> & { readonly as?: { uid: number; gid: number } },
  timeoutMs = 8000): Promise<boolean> {
  const child = spawn(o.path, ['--probe'], { stdio: ['ignore', 'pipe', 'pipe'], env: inputEnv(o), ...(o.as ?? {}) });
  const decoder = new FrameDecoder(FROM_CAPS);
  let answer: boolean | null = null;
  let why = '';
  let broken: string | null = null;
  child.stdout?.on('data', (chunk: Buffer) => {
    if (broken !== null) return;
    try {
      const { frames } = decoder.push(chunk);
      for (const f of frames) {
        const e = grabberEvent(f.type, f.payload);
        if (e.kind === 'ready') answer = e.protected;
      }
    } catch (e) {
      broken = (e as Error).message;
      child.kill('SIGKILL');
    }
  });
  child.stderr?.on('data', (b: Buffer) => { why = (why + b.toString('utf8')).slice(-300); });
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', (e) => reject(new Error(`trustpath-input --probe: ${e.message}`)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // READY is the answer; a probe stuck after it (in its closing round trip) and
      // killed here still gave it
      if (broken === null && answer !== null && (code === 0 || timedOut)) return resolve(answer);
      const how = broken !== null ? `protocol error: ${broken}` : timedOut ? `no answer within ${timeoutMs} ms`
        : signal !== null ? `killed by ${signal}` : `exit status ${code}`;
      const said = why.trim();
      reject(new Error(`trustpath-input --probe on ${o.display} failed (${how})${said === '' ? '' : `: ${said}`}`));
    });
  });
}

/**
 * One running trustpath-input. 'event' (GrabberEvent), 'exit' (code | null). Any
 * protocol problem kills it: its owner treats the exit as the prompt failing.
 */
export class Grabber extends EventEmitter {
  readonly #child: ChildProcess;
  readonly #decoder = new FrameDecoder(FROM_CAPS);
  #exited = false;
  readonly exited: Promise<number | null>;

  constructor(o: GrabberOptions) {
    super();
    const args = ['--window-title', o.windowTitle, '--find-timeout-ms', String(o.findTimeoutMs ?? 5000)];
    if (o.composeLocale !== undefined) args.push('--compose-locale', o.composeLocale);
    this.#child = spawn(o.path, args, {
      stdio: ['pipe', 'pipe', 'pipe'], env: inputEnv(o),
    });
    this.exited = new Promise((resolve) => {
      this.#child.on('close', (code) => { this.#exited = true; resolve(code); this.emit('exit', code); });
    });
    this.#child.on('error', (e) => o.log(`trustpath-input: ${e.message}`));
    this.#child.stdin?.on('error', () => undefined); // EPIPE once it is gone
    let said = 0;
    this.#child.stderr?.on('data', (b: Buffer) => {
      if (said++ < 50) o.log(`trustpath-input: ${b.toString('utf8').trim().slice(0, 300)}`);
    });
    this.#child.stdout?.on('data', (chunk: Buffer) => {
      const { frames, error } = this.#decoder.push(chunk);
      try {
        for (const f of frames) this.emit('event', grabberEvent(f.type, f.payload));
        if (error !== undefined) throw new Error(error);
      } catch (e) {
        o.log(`trustpath-input: protocol error (${(e as Error).message}); stopping it`);
        this.kill();
      }
    });
  }

  get pid(): number | undefined { return this.#child.pid; }

  arm(): void { this.#send(ToInput.Arm, Buffer.alloc(0)); }

  /** The current answer goes to the FIFO at `path`, which must have this dev and ino. */
  pipe(path: string, dev: bigint, ino: bigint): void {
    const p = Buffer.alloc(16);
    p.writeBigUInt64BE(dev, 0);
    p.writeBigUInt64BE(ino, 8);
    this.#send(ToInput.Pipe, Buffer.concat([p, Buffer.from(path, 'utf8')]));
  }

  unpipe(): void { this.#send(ToInput.Unpipe, Buffer.alloc(0)); }
  pinCheck(hash: string): void { this.#send(ToInput.PinCheck, Buffer.from(hash, 'latin1')); }
  pinSet(): void { this.#send(ToInput.PinSet, Buffer.alloc(0)); }

  /** QUIT: it ungrabs, unmaps the host window and exits; killed if it lingers. */
  async quit(graceMs = 1000): Promise<void> {
    if (this.#exited) return;
    this.#send(ToInput.Quit, Buffer.alloc(0));
    this.#child.stdin?.end();
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.#exited) this.#child.kill('SIGKILL');
  }

  #send(type: ToInput, payload: Buffer): void {
    if (this.#exited || this.#child.stdin?.writable !== true) return;
    this.#child.stdin.write(encodeFrame(type, payload, TO_CAPS));
  }
}
