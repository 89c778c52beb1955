// The one connected prompt client: frames in (frame.ts, messages.ts), each checked
// against the state of the authentication it names (channel-session.ts ALLOWED);
// frames out with a bound on what the client has not read yet. Any violation, an
// unread backlog or the client going away drops the connection and dismisses every
// authentication it was serving.
import type { Socket } from 'node:net';
import { CLIENT_CAPS, FrameDecoder } from './frame.js';
import { decodeClientFrame, type ClientMessage } from './messages.js';
import { ALLOWED, type ChannelSession, type Outbox } from './channel-session.js';

/** bytes written but not yet taken by the client before it is dropped */
export const MAX_UNREAD = 1024 * 1024;

export class Connection implements Outbox {
  readonly #live = new Map<number, ChannelSession>();
  readonly #decoder = new FrameDecoder(CLIENT_CAPS);
  #closed = false;

  /** `issued(id)`: whether the channel ever gave out this authentication id */
  constructor(private readonly socket: Socket, private readonly issued: (id: number) => boolean,
    private readonly log: (msg: string) => void) {
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (e) => this.drop(`socket error: ${e.message}`));
    // on 'end' already: a client that ends its side sees the close only once it is dropped
    const gone = (): void => this.drop(this.#decoder.pending > 0 ? 'disconnected in the middle of a frame' : 'disconnected');
    socket.on('end', gone);
    socket.on('close', gone);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get liveCount(): number {
    return this.#live.size;
  }

  add(session: ChannelSession): void {
    this.#live.set(session.id, session);
  }

  remove(session: ChannelSession): void {
    this.#live.delete(session.id);
  }

  send(frame: Buffer): void {
    if (this.#closed) return;
    if (this.socket.writableLength + frame.length > MAX_UNREAD) return this.drop('the client does not read its messages');
    this.socket.write(frame);
  }

  /** Ends the connection (idempotent); the authentications it served are dismissed. */
  drop(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.log(`Prompt client dropped: ${reason}`);
    this.socket.destroy();
    const live = [...this.#live.values()];
    this.#live.clear();
    for (const s of live) s.dismiss();
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    const { frames, error } = this.#decoder.push(chunk);
    if (error !== undefined) return this.drop(error); // nothing of a bad chunk is acted on
    for (const f of frames) {
      const m = decodeClientFrame(f);
      if (typeof m === 'string') return this.drop(m);
      const problem = this.#handle(m);
      if (problem !== undefined) return this.drop(problem);
    }
  }

  /** @internal acts on one message; returns what is wrong with it, if anything */
  #handle(m: ClientMessage): string | undefined {
    const s = this.#live.get(m.id);
    if (s === undefined) {
      // finished already (a race with FINISHED): nothing to do; never issued: a lie
      return this.issued(m.id) ? undefined : `${m.type} for authentication ${m.id}, which does not exist`;
    }
    if (!ALLOWED[s.state].has(m.type)) return `${m.type} not allowed while authentication ${m.id} is ${s.state}`;
    if (m.type === 'dismiss') {
      s.dismiss();
      return undefined;
    }
    if (m.type === 'answered') {
      s.answered();
      return undefined;
    }
    return s.chosen(m.uid);
  }
}
