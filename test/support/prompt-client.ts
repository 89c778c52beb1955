// A prompt client for tests: connects to trustpathd's --prompt-socket, records every
// message, chooses identities and plays the keyboard as the native input grabber
// will: it opens the response pipe through /proc/PID/fd/N (it runs as root), checks
// that what it opened is that pipe (FIFO, same dev and inode), writes the answer
// framed as the PAM helper reads it (encodeResponse) and closes it. Unlike the real
// grabber, the answers pass through this process: test use only.
import { closeSync, constants, fstatSync, openSync, writeSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { once } from 'node:events';
import { encodeResponse } from '../../agent/src/pam/frame.js';
import { DAEMON_CAPS, FrameDecoder } from '../../agent/src/prompt-channel/frame.js';
import {
  decodeDaemonFrame, encodeClientMessage, type ClientMessage, type DaemonMessage, type PipeRef,
} from '../../agent/src/prompt-channel/messages.js';

export type Msg<T extends DaemonMessage['type']> = Extract<DaemonMessage, { type: T }>;
type Chooser = (m: Msg<'choose'>) => number | null;

export interface AutoOptions {
  /** identity to pick (default: the first offered); null = dismiss via CHOSEN null */
  readonly choose?: Chooser;
  /** answers for prompts in order; when they run out, prompts wait for answer() */
  readonly answers?: readonly string[];
}

export class PromptClient {
  readonly messages: DaemonMessage[] = [];
  readonly closed: Promise<void>;
  /** a protocol error seen in what the daemon sent */
  error: string | undefined;
  readonly #decoder = new FrameDecoder(DAEMON_CAPS);
  readonly #waiters: { pred: (m: DaemonMessage) => boolean; resolve: (m: DaemonMessage) => void }[] = [];
  #auto: { choose: Chooser | undefined; answers: string[] } | null = null;

  private constructor(private readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
  }

  static async connect(path: string): Promise<PromptClient> {
    const socket = createConnection(path);
    await Promise.race([once(socket, 'connect'), once(socket, 'error').then(([e]) => { throw e; })]);
    return new PromptClient(socket);
  }

  /** From now on: choose and answer by itself. */
  auto(opts: AutoOptions = {}): this {
    this.#auto = { choose: opts.choose, answers: [...(opts.answers ?? [])] };
    return this;
  }

  choose(id: number, uid: number | null): void {
    this.send({ type: 'chosen', id, uid });
  }

  dismiss(id: number): void {
    this.send({ type: 'dismiss', id });
  }

  send(m: ClientMessage): void {
    this.sendRaw(encodeClientMessage(m));
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Types `text` into the response pipe of a prompt, as the grabber does on Enter. */
  answer(prompt: Msg<'pam'>, text: string): void {
    if (prompt.pipe === null) throw new Error('not a prompt');
    const fd = openPipe(prompt.pipe);
    try {
      writeSync(fd, encodeResponse(text));
    } finally {
      closeSync(fd);
    }
    this.send({ type: 'answered', id: prompt.id }); // as trustpath-input reports a submit
  }

  /** The first message (past or future) of this type matching pred. */
  waitFor<T extends DaemonMessage['type']>(type: T, pred: (m: Msg<T>) => boolean = () => true): Promise<Msg<T>> {
    const match = (m: DaemonMessage): boolean => m.type === type && pred(m as Msg<T>);
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen as Msg<T>);
    return new Promise((resolve) => this.#waiters.push({ pred: match, resolve: resolve as (m: DaemonMessage) => void }));
  }

  /** Message types of one authentication, in order. */
  typesOf(id: number): string[] {
    return this.messages.filter((m) => m.id === id).map((m) => m.type);
  }

  /** Stops reading what the daemon sends (a stuck client). */
  stopReading(): void {
    this.socket.pause();
  }

  /** Ends the connection; resolves once the daemon has closed its side (it has dropped us). */
  close(): Promise<void> {
    this.socket.resume();
    this.socket.end();
    return this.closed;
  }

  #onData(chunk: Buffer): void {
    const { frames, error } = this.#decoder.push(chunk);
    if (error !== undefined) this.error ??= error;
    for (const f of frames) {
      const m = decodeDaemonFrame(f);
      if (typeof m === 'string') {
        this.error ??= m;
        continue;
      }
      this.#record(m);
    }
  }

  #record(m: DaemonMessage): void {
    this.messages.push(m);
    for (const w of this.#waiters.filter((x) => x.pred(m))) {
      this.#waiters.splice(this.#waiters.indexOf(w), 1);
      w.resolve(m);
    }
    this.#react(m);
  }

  #react(m: DaemonMessage): void {
    const a = this.#auto;
    if (a === null) return;
    if (m.type === 'choose') this.choose(m.id, a.choose ? a.choose(m) : m.identities[0]?.uid ?? null);
    if (m.type === 'pam' && m.kind === 'prompt') {
      const next = a.answers.shift();
      if (next !== undefined) this.answer(m, next);
    }
  }
}

/** Opens /proc/PID/fd/N for writing and checks it is the pipe the daemon described. */
export function openPipe(ref: PipeRef): number {
  const fd = openSync(`/proc/${ref.pid}/fd/${ref.fd}`, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  const st = fstatSync(fd, { bigint: true });
  if (!st.isFIFO() || String(st.dev) !== ref.dev || String(st.ino) !== ref.ino) {
    closeSync(fd);
    throw new Error(`/proc/${ref.pid}/fd/${ref.fd} is not the response pipe the daemon named`);
  }
  return fd;
}
