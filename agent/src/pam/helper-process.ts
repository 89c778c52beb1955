// Runs one PAM conversation through trustpath-pam-helper (native/pam-helper).
//
//   const conv = await startPamConversation({ user: 'alice', onMessage });
//   onMessage({ kind: 'prompt', echo: false, text: 'Password: ' })   // show it
//   const fd = conv.takeResponseFd();  // hand to trustpath-input (tests: write to it)
//   conv.cancel();                     // user dismissed: helper ends with failure
//   const outcome = await conv.outcome; // { ok: true } | { ok: false, reason, detail? }
//
// The helper's stdin/stdout carry frames (frame.ts is their only parser); answers
// travel on a separate pipe whose write end the daemon passes on and never writes,
// so no secret enters this process. The pipe is a FIFO created in a fresh 0700
// directory and unlinked at once (node has no pipe(2)); with `pipeByPath` it stays
// linked until the conversation ends, so that trustpath-input (same uid, a separate
// process: the daemon is not dumpable, so /proc/PID/fd is closed to it) can open it
// by path. Only root and the daemon's uid can enter that directory.
// Success requires a SUCCESS frame AND exit status 0; anything else is a failure.
// startPamConversation never rejects: every problem ends up in `outcome`.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  ControlType, decodeHelperFrames, encodeControl, newDecoderState,
  type HelperFailureReason, type HelperFrame,
} from './frame.js';

export const DEFAULT_HELPER_PATH = '/usr/local/libexec/trustpath/trustpath-pam-helper';

export type PamMessage = Exclude<HelperFrame, { kind: 'success' } | { kind: 'failure' }>;

/** Reasons the helper reports, plus what the transport itself can detect. */
export type PamFailureReason = HelperFailureReason | 'helper-protocol' | 'helper-exited' | 'spawn-failed';

export type PamOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: PamFailureReason; readonly detail?: string };

export interface PamConversationOptions {
  readonly user: string;
  /** Called for each prompt, info and error message, in order. */
  readonly onMessage: (message: PamMessage) => void;
  readonly helperPath?: string;
  /** Tests only (caller is root): run the helper as this uid/gid, e.g. `trustpath`. */
  readonly spawnAs?: { readonly uid: number; readonly gid: number };
  /** Tests only: environment for sanitizer/fault-injection builds. Default: empty. */
  readonly env?: Readonly<Record<string, string>>;
  /** How long cancel() waits for a clean exit before SIGKILL (ms, default 500). */
  readonly killGraceMs?: number;
  /** Keep the FIFO linked (in its private directory) until the conversation ends. */
  readonly pipeByPath?: boolean;
}

export interface PamConversation {
  readonly pid: number | undefined;
  /** Hands over the write end of the response pipe (once); the caller must close it. */
  takeResponseFd(): number;
  /** The FIFO's path while the conversation runs, with `pipeByPath`; else null. */
  readonly responsePath: string | null;
  /** Ends the conversation with failure 'cancelled'; idempotent. */
  cancel(): void;
  readonly outcome: Promise<PamOutcome>;
}

const execFileP = promisify(execFile);

interface ResponsePipe { readFd: number; writeFd: number; path: string | null; dir: string | null }

/** @internal a FIFO in a private directory; both ends, unlinked unless `keep` */
async function makeResponsePipe(keep: boolean): Promise<ResponsePipe> {
  const dir = mkdtempSync(join(tmpdir(), 'trustpath-pam-'));
  let ok = false;
  try {
    const path = join(dir, 'response');
    await execFileP('mkfifo', ['-m', '600', path]);
    // A non-blocking reader first lets the writer open without waiting; then a
    // blocking read end for the helper (a writer exists), and the first one goes.
    const probe = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    try {
      const writeFd = openSync(path, constants.O_WRONLY | constants.O_NOFOLLOW);
      try {
        const readFd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
        ok = true;
        return keep ? { readFd, writeFd, path, dir } : { readFd, writeFd, path: null, dir: null };
      } catch (e) {
        closeSync(writeFd);
        throw e;
      }
    } finally {
      closeSync(probe);
    }
  } finally {
    if (!ok || !keep) rmSync(dir, { recursive: true, force: true });
  }
}

export async function startPamConversation(opts: PamConversationOptions): Promise<PamConversation> {
  let pipe: ResponsePipe;
  try {
    pipe = await makeResponsePipe(opts.pipeByPath === true);
  } catch (e) {
    return failedConversation(`response pipe: ${String(e)}`);
  }
  const { readFd, writeFd } = pipe;
  const removePipe = (): void => { if (pipe.dir !== null) rmSync(pipe.dir, { recursive: true, force: true }); };
  let child: ChildProcess;
  try {
    child = spawn(opts.helperPath ?? DEFAULT_HELPER_PATH, [opts.user], {
      stdio: ['pipe', 'pipe', 'ignore', readFd],
      env: { ...(opts.env ?? {}) },
      ...(opts.spawnAs ? { uid: opts.spawnAs.uid, gid: opts.spawnAs.gid } : {}),
    });
  } catch (e) {
    closeSync(writeFd);
    removePipe();
    return failedConversation(`spawn: ${String(e)}`);
  } finally {
    closeSync(readFd);
  }
  return new HelperConversation(child, writeFd, pipe.path, removePipe, opts);
}

function failedConversation(detail: string): PamConversation {
  return {
    pid: undefined,
    takeResponseFd: () => { throw new Error('no response pipe: the helper did not start'); },
    responsePath: null,
    cancel: () => undefined,
    outcome: Promise.resolve({ ok: false, reason: 'spawn-failed', detail }),
  };
}

/** @internal */
class HelperConversation implements PamConversation {
  readonly outcome: Promise<PamOutcome>;
  #writeFd: number | null;
  #final: HelperFrame | null = null;
  #override: PamOutcome | null = null;
  #settle!: (o: PamOutcome) => void;

  constructor(private readonly child: ChildProcess, writeFd: number, readonly responsePath: string | null,
    private readonly removePipe: () => void, private readonly opts: PamConversationOptions) {
    this.#writeFd = writeFd;
    this.outcome = new Promise((resolve) => { this.#settle = resolve; });
    const state = newDecoderState();
    child.stdout?.on('data', (chunk: Buffer) => this.#onData(state, chunk));
    child.stdin?.on('error', () => undefined); // EPIPE once the helper is gone
    child.on('error', (e) => this.#end({ ok: false, reason: 'spawn-failed', detail: e.message }));
    child.on('close', (code, signal) => this.#onExit(code, signal));
    child.on('exit', () => this.#onProcessGone());
    child.stdin?.write(encodeControl(ControlType.Begin));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  takeResponseFd(): number {
    const fd = this.#writeFd;
    if (fd === null) throw new Error('response pipe already taken or closed');
    this.#writeFd = null;
    return fd;
  }

  cancel(): void {
    if (this.#override !== null || this.#final !== null) return;
    this.#override = { ok: false, reason: 'cancelled' };
    this.#stop();
  }

  #stop(): void {
    this.child.stdin?.end(encodeControl(ControlType.Cancel));
    this.#closeWriteFd();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), this.opts.killGraceMs ?? 500);
    this.child.once('close', () => clearTimeout(timer));
  }

  #onData(state: ReturnType<typeof newDecoderState>, chunk: Buffer): void {
    const { frames, error } = decodeHelperFrames(state, chunk);
    for (const f of frames) {
      if (f.kind === 'success' || f.kind === 'failure') this.#final = f;
      else if (this.#override === null) this.#deliver(f);
    }
    if (error !== undefined && this.#override === null) {
      this.#override = { ok: false, reason: 'helper-protocol', detail: error };
      this.child.kill('SIGKILL');
    }
  }

  /** A throwing listener must not take the daemon down: it ends this conversation. */
  #deliver(m: PamMessage): void {
    try {
      this.opts.onMessage(m);
    } catch (e) {
      this.#override = { ok: false, reason: 'cancelled', detail: `onMessage threw: ${String(e)}` };
      this.#stop();
    }
  }

  /** A killed or exited helper whose stdout is held open (e.g. by a forked child)
   *  must not hold up the outcome: settle now if decided, else stop waiting soon. */
  #onProcessGone(): void {
    if (this.#override !== null) return this.#end(this.#override);
    setTimeout(() => this.child.stdout?.destroy(), 1000).unref();
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const f = this.#final;
    if (this.#override !== null) return this.#end(this.#override);
    if (f?.kind === 'success' && code === 0) return this.#end({ ok: true });
    if (f?.kind === 'failure' && code === 1) return this.#end({ ok: false, reason: f.reason });
    this.#end({ ok: false, reason: 'helper-exited', detail: signal !== null ? `signal ${signal}` : `exit ${code}` });
  }

  #closeWriteFd(): void {
    if (this.#writeFd !== null) closeSync(this.#writeFd);
    this.#writeFd = null;
  }

  #end(o: PamOutcome): void {
    this.#closeWriteFd();
    this.removePipe();
    this.child.stdout?.destroy();
    this.child.stdin?.destroy();
    this.#settle(o);
  }
}
