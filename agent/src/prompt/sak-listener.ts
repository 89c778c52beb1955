// The secure attention key, as the X module reports it (xserver-ext/PROTOCOL.md):
// trustpath-sak-listen binds the datagram socket, keeps only datagrams sent by root
// with the exact 48-byte layout, and writes one frame per SAK with the sender's pid.
// Here each SAK is attributed to a display by that sender: the X server's own
// command line names its display (`Xorg :N ...`; none means :0).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { FrameDecoder } from '../wire/frame.js';

const LISTENING = 0x90;
const SAK = 0x91;
const CAPS: Record<number, number> = { [LISTENING]: 0, [SAK]: 12 };

export interface Sak { readonly display: string; readonly senderPid: number; readonly deviceId: number }

/** The display an X server serves, from its command line; null if pid is not an X server we can read. */
export function displayOfServer(pid: number): string | null {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    return null;
  }
  if (argv.length === 0) return null;
  const display = argv.slice(1).find((a) => /^:[0-9]{1,5}$/.test(a));
  return display ?? ':0';
}

export class SakListener {
  #child: ChildProcess | null = null;
  #ready: Promise<void> | null = null;

  constructor(private readonly o: { path: string; socket: string; log: (m: string) => void; onSak: (s: Sak) => void }) {}

  /** Starts the listener once; resolves when its socket is bound. Restarts after it dies. */
  start(): Promise<void> {
    if (this.#ready !== null) return this.#ready;
    this.#ready = new Promise((resolve, reject) => {
      const child = spawn(this.o.path, [this.o.socket], { stdio: ['pipe', 'pipe', 'pipe'], env: {} });
      this.#child = child;
      const decoder = new FrameDecoder(CAPS);
      let said = 0;
      child.stderr?.on('data', (b: Buffer) => { if (said++ < 50) this.o.log(`trustpath-sak-listen: ${b.toString('utf8').trim().slice(0, 300)}`); });
      child.on('error', (e) => reject(new Error(`trustpath-sak-listen: ${e.message}`)));
      child.on('close', (code) => {
        this.o.log(`trustpath-sak-listen exited (${code}); the SAK is not received until the next prompt starts it`);
        this.#child = null;
        this.#ready = null;
        reject(new Error(`trustpath-sak-listen exited (${code}) before listening`));
      });
      child.stdout?.on('data', (chunk: Buffer) => {
        const { frames, error } = decoder.push(chunk);
        for (const f of frames) {
          if (f.type === LISTENING) resolve();
          else if (f.type === SAK && f.payload.length === 12) this.#sak(f.payload.readUInt32BE(0), f.payload.readUInt32BE(8));
        }
        if (error !== undefined) {
          this.o.log(`trustpath-sak-listen: protocol error (${error}); restarting it`);
          child.kill('SIGKILL');
        }
      });
    });
    this.#ready.catch(() => undefined);
    return this.#ready;
  }

  #sak(senderPid: number, deviceId: number): void {
    const display = displayOfServer(senderPid);
    if (display === null) {
      this.o.log(`SAK from pid ${senderPid}, which is gone or not readable; ignored`);
      return;
    }
    this.o.onSak({ display, senderPid, deviceId });
  }

  close(): void {
    this.#child?.stdin?.end();
    this.#child?.kill();
  }
}
