// Where trustpathd's actions and rules come from: read directly (when it runs as a
// user who can read them), or through the privileged policy reader process that
// the daemon starts before it drops root (reader-main.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readPolicyTree, type PolicyDirs, type PolicySnapshot } from './tree.js';
import { DirectoryWatcher } from './watch.js';
import { encodeExeRequest, READ_REQUEST, ReaderDecoder, type ExeAnswer } from './reader-protocol.js';
import { exeOf, unknownProcess } from '../identity/proc.js';

export type { PolicyDirs, PolicySnapshot } from './tree.js';

export interface PolicySource {
  read(): Promise<PolicySnapshot>;
  /** The executable of a process and its start time read after it (null when unknown). */
  exeOf(pid: number): Promise<ExeAnswer>;
  /** Called (debounced) when a directory changes. */
  onChange(listener: () => void): void;
  close(): void;
}

export class DirectPolicySource implements PolicySource {
  #listeners: (() => void)[] = [];
  #watcher: DirectoryWatcher;

  constructor(private readonly dirs: PolicyDirs, private readonly log: (msg: string) => void) {
    this.#watcher = new DirectoryWatcher([...dirs.actions, ...dirs.rules], () => this.#listeners.forEach((l) => l()), log);
  }

  async read(): Promise<PolicySnapshot> { return readPolicyTree(this.dirs, this.log); }

  async exeOf(pid: number): Promise<ExeAnswer> { return exeOf(pid); }
  onChange(listener: () => void): void { this.#listeners.push(listener); }
  close(): void { this.#watcher.close(); }
}

const READER = fileURLToPath(new URL('./reader-main.js', import.meta.url));
const READ_TIMEOUT_MS = 30_000;

/** Must be constructed while still root; keeps working after the drop. */
export class PrivilegedPolicySource implements PolicySource {
  #child: ChildProcess;
  #decoder = new ReaderDecoder();
  #waiting: { resolve: (s: PolicySnapshot) => void; reject: (e: Error) => void }[] = [];
  #waitingExe: { pid: number; resolve: (a: ExeAnswer) => void }[] = [];
  #listeners: (() => void)[] = [];
  #dead: Error | undefined;

  constructor(dirs: PolicyDirs, private readonly log: (msg: string) => void) {
    const args = [...dirs.actions.flatMap((d) => ['--actions', d]), ...dirs.rules.flatMap((d) => ['--rules', d])];
    this.#child = spawn(process.execPath, [READER, ...args], { stdio: ['pipe', 'pipe', 'inherit'], env: {} });
    this.#child.stdout!.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#child.on('exit', (code, signal) => this.#fail(new Error(`policy reader exited (${code ?? signal})`)));
    this.#child.on('error', (e) => this.#fail(e));
    this.#child.stdin!.on('error', () => { /* reported through exit */ });
  }

  #onData(chunk: Buffer): void {
    try {
      for (const frame of this.#decoder.push(chunk)) {
        if (frame.type === 'changed') this.#listeners.forEach((l) => l());
        else if (frame.type === 'exe') this.#answerExe(frame.answer);
        else this.#waiting.shift()?.resolve(frame.snapshot);
      }
    } catch (e) {
      this.log(`policy reader sent a malformed frame (${(e as Error).message}); stopping it`);
      this.#child.kill('SIGKILL');
      this.#fail(e as Error);
    }
  }

  #answerExe(a: ExeAnswer): void {
    const w = this.#waitingExe.shift();
    if (!w) return;
    // Answers come in request order; one for another pid means the reader is broken.
    w.resolve(w.pid === a.pid ? a : unknownProcess(w.pid));
  }

  #fail(e: Error): void {
    if (this.#dead) return;
    this.#dead = e;
    for (const w of this.#waiting.splice(0)) w.reject(e);
    for (const w of this.#waitingExe.splice(0)) w.resolve(unknownProcess(w.pid));
  }

  exeOf(pid: number): Promise<ExeAnswer> {
    const unknown = unknownProcess(pid);
    if (this.#dead || !Number.isInteger(pid) || pid <= 0 || pid > 0xffffffff || this.#waitingExe.length >= 256) {
      return Promise.resolve(unknown);
    }
    return new Promise((resolve) => {
      this.#waitingExe.push({ pid, resolve });
      this.#child.stdin!.write(encodeExeRequest(pid));
    });
  }

  read(): Promise<PolicySnapshot> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('policy reader did not answer')), READ_TIMEOUT_MS);
      this.#waiting.push({
        resolve: (s) => { clearTimeout(timer); resolve(s); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.#child.stdin!.write(Buffer.of(READ_REQUEST));
    });
  }

  onChange(listener: () => void): void { this.#listeners.push(listener); }

  close(): void {
    this.#dead ??= new Error('closed');
    this.#child.stdin!.end();
  }
}
