// The Chrome DevTools Protocol over Chromium's --remote-debugging-pipe: we write
// commands to its fd 3 and read replies and events from its fd 4, each message one
// JSON object followed by a NUL byte. No TCP port is opened, so no other local user
// can reach the browser. Bounded: a message above MAX_MESSAGE, more than MAX_PENDING
// calls in flight or a reply later than the call's timeout fails (the first two end
// the connection: the host is then killed).
//
//   const cdp = new CdpPipe(toChromium, fromChromium, onFatal);
//   await cdp.call('Target.getTargets', {});                 // browser-level
//   await cdp.call('Runtime.evaluate', { ... }, sessionId);  // a page's session
import type { Readable, Writable } from 'node:stream';

export const MAX_MESSAGE = 8 * 1024 * 1024;
export const MAX_PENDING = 64;
const DEFAULT_TIMEOUT_MS = 10_000;

interface Pending {
  readonly method: string;
  readonly resolve: (v: Record<string, unknown>) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class CdpPipe {
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #chunks: Buffer[] = [];
  #held = 0;
  #closed: Error | null = null;

  constructor(private readonly out: Writable, input: Readable, private readonly onFatal: (e: Error) => void) {
    input.on('data', (chunk: Buffer) => this.#onData(chunk));
    input.on('error', (e: Error) => this.close(new Error(`CDP pipe: ${e.message}`)));
    input.on('end', () => this.close(new Error('CDP pipe closed by Chromium')));
    out.on('error', (e: Error) => this.close(new Error(`CDP pipe: ${e.message}`)));
  }

  /** Sends a command and resolves with its result (rejects with the protocol's error). */
  call(method: string, params: Record<string, unknown>, sessionId?: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Record<string, unknown>> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (this.#pending.size >= MAX_PENDING) return Promise.reject(new Error(`CDP: more than ${MAX_PENDING} calls in flight`));
    const id = this.#nextId++;
    const message = JSON.stringify(sessionId === undefined ? { id, method, params } : { id, method, params, sessionId });
    if (Buffer.byteLength(message) > MAX_MESSAGE) return Promise.reject(new Error(`CDP: ${method} above ${MAX_MESSAGE} bytes`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`CDP: ${method} got no reply in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { method, resolve, reject, timer });
      this.out.write(`${message}\0`);
    });
  }

  /** Fails every call in flight and every later one with `why`. */
  close(why: Error): void {
    if (this.#closed) return;
    this.#closed = why;
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(why);
    }
    this.#pending.clear();
    this.#chunks = [];
    this.out.destroy();
  }

  #onData(chunk: Buffer): void {
    let start = 0;
    for (let nul = chunk.indexOf(0); nul !== -1; nul = chunk.indexOf(0, start)) {
      this.#chunks.push(chunk.subarray(start, nul));
      const message = Buffer.concat(this.#chunks);
      this.#chunks = [];
      this.#held = 0;
      start = nul + 1;
      if (message.length > MAX_MESSAGE) return this.#fatal(`CDP message of ${message.length} bytes above ${MAX_MESSAGE}`);
      this.#dispatch(message);
    }
    const rest = chunk.subarray(start);
    this.#held += rest.length;
    if (this.#held > MAX_MESSAGE) return this.#fatal(`CDP message above ${MAX_MESSAGE} bytes`);
    if (rest.length > 0) this.#chunks.push(Buffer.from(rest));
  }

  #dispatch(message: Buffer): void {
    let m: { id?: unknown; result?: unknown; error?: { message?: unknown } };
    try {
      m = JSON.parse(message.toString('utf8')) as typeof m;
    } catch {
      return this.#fatal('CDP message is not JSON');
    }
    if (typeof m.id !== 'number') return; // an event: the host subscribes to none it needs
    const p = this.#pending.get(m.id);
    if (p === undefined) return; // a reply after its call timed out
    this.#pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.error !== undefined) p.reject(new Error(`CDP ${p.method}: ${String(m.error.message ?? 'error')}`));
    else p.resolve(typeof m.result === 'object' && m.result !== null ? (m.result as Record<string, unknown>) : {});
  }

  #fatal(why: string): void {
    const e = new Error(why);
    this.close(e);
    this.onFatal(e);
  }
}
