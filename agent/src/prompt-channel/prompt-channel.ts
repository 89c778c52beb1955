// A PromptSide (auth/prompt-side.ts) served on a unix stream socket, so that a
// process outside the daemon drives trustpathd's own authentication sessions until
// the trusted prompt (issue 5) exists. Protocol: PROTOCOL.md beside this file.
//
//   const channel = await PromptChannel.listen('/run/trustpath/prompt.sock', log);
//   new AuthenticationManager(...).authenticate(request, channel);
//   channel.close();
//
// The socket must lie in a directory of the daemon's own uid that nobody else may
// enter (trustpathd's runtime dir, 0700 trustpath), so only root and the daemon's
// user can connect; the socket itself is 0600. One client at a time: a second is
// refused (closed at once). With no client, show() rejects at once and the
// authentication fails closed ('failed', detail 'no prompt connected'). The client
// never receives a response fd nor a response: for a prompt it is told the daemon's
// pid and the pipe's fd number (with dev and inode) and, being root, opens
// /proc/PID/fd/N for writing.
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { PromptControls, PromptRequest, PromptSession, PromptSide } from '../auth/prompt-side.js';
import { ChannelSession } from './channel-session.js';
import { Connection } from './connection.js';
import { encodeShow } from './messages.js';

/** authentications one client serves at once (the manager's session bound is 256) */
export const MAX_LIVE = 256;
const MAX_ID = 0xffffffff;

export class PromptChannel implements PromptSide {
  #client: Connection | null = null;
  #nextId = 1;

  private constructor(private readonly server: Server, private readonly log: (msg: string) => void) {
    server.on('connection', (socket: Socket) => this.#accept(socket));
    server.on('error', (e) => log(`Prompt socket error: ${e.message}`));
  }

  /** Listens on `path` (replacing a stale socket there); rejects if the directory is not private. */
  static async listen(path: string, log: (msg: string) => void): Promise<PromptChannel> {
    checkPrivateDir(dirname(path));
    removeStaleSocket(path);
    const server = createServer({ allowHalfOpen: false });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(path, 0o600);
    log(`Listening for a prompt client on ${path}`);
    return new PromptChannel(server, log);
  }

  get connected(): boolean {
    return this.#client !== null && !this.#client.closed;
  }

  async show(request: PromptRequest, controls: PromptControls): Promise<PromptSession> {
    const c = this.#client;
    if (c === null || c.closed) throw new Error('no prompt connected');
    if (c.liveCount >= MAX_LIVE) throw new Error('too many authentications on the prompt channel');
    if (this.#nextId > MAX_ID) throw new Error('authentication ids exhausted');
    const id = this.#nextId++;
    const frame = encodeShow(id, request);
    const session = new ChannelSession(id, c, controls, (s) => c.remove(s));
    c.add(session);
    c.send(frame);
    return session;
  }

  /** Stops listening and drops the client (its authentications are dismissed). */
  close(): Promise<void> {
    this.#client?.drop('the daemon stops');
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    if (this.connected) {
      this.log('Prompt client refused: one is already connected');
      socket.destroy();
      return;
    }
    this.log('Prompt client connected');
    this.#client = new Connection(socket, (id) => id >= 1 && id < this.#nextId, this.log);
  }
}

/** @internal the socket's directory: ours, and no access for group or others */
function checkPrivateDir(dir: string): void {
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`prompt socket directory ${dir} is not a directory`);
  if (st.uid !== process.getuid?.()) throw new Error(`prompt socket directory ${dir} is not owned by uid ${process.getuid?.()}`);
  if ((st.mode & 0o077) !== 0) throw new Error(`prompt socket directory ${dir} is open to others (mode ${(st.mode & 0o777).toString(8)})`);
}

/** @internal removes an old socket at path; refuses to remove anything else */
function removeStaleSocket(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new Error(`${path} exists and is not a socket`);
  unlinkSync(path);
}
