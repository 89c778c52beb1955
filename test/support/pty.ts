// Terminal programs driven as a user would: node-pty gives the program a real
// controlling terminal (pkexec's text agent and polkit-agent-helper-1 insist on one),
// the test waits for text on the screen and types answers.
import pty from 'node-pty';

export interface PtySession {
  /** Everything the program wrote so far (CR LF turned into LF). */
  transcript(): string;
  /** Waits until `pattern` matches the transcript after `from` (default: anywhere). */
  expect(pattern: RegExp, opts?: { from?: number; timeoutMs?: number }): Promise<RegExpExecArray>;
  /** Types text (no newline added). */
  write(text: string): void;
  /** Resolves when the program has exited. */
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  kill(): void;
}

export interface PtyOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/**
 * The program runs under a shell that keeps the terminal open for LINGER after it
 * exits and then exits with its status. node-pty destroys the terminal's stream 200 ms
 * after it sees the exit if the stream has not ended by then: output still on its way
 * through the kernel's pty buffer (a loaded machine is slow to pass it on) was lost,
 * and a CI run missed the "rc=126" a shell had printed as its last line.
 */
const LINGER = ['/bin/sh', '-c', '"$@"; rc=$?; sleep 0.5; exit $rc', 'sh'] as const;

/** Starts argv[0] with its arguments on a fresh 120x40 pty. */
export function spawnPty(argv: readonly string[], opts: PtyOptions = {}): PtySession {
  if (argv.length === 0) throw new Error('spawnPty: empty argv');
  const [file, ...args] = [...LINGER, ...argv];
  const term = pty.spawn(file, args, {
    name: 'xterm', cols: 120, rows: 40, cwd: opts.cwd ?? '/',
    env: { TERM: 'xterm', PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', ...opts.env },
  });
  let out = '';
  let listeners: (() => void)[] = [];
  term.onData((d) => {
    out += d.replace(/\r\n/g, '\n');
    const l = listeners;
    listeners = [];
    for (const f of l) f();
  });
  const exited = new Promise<{ exitCode: number; signal?: number }>((resolve) => {
    term.onExit((e) => resolve(e.signal ? { exitCode: e.exitCode, signal: e.signal } : { exitCode: e.exitCode }));
  });
  let done = false;
  void exited.then(() => { done = true; });
  return {
    transcript: () => out,
    async expect(pattern, o = {}) {
      const deadline = Date.now() + (o.timeoutMs ?? 20_000);
      for (;;) {
        const m = pattern.exec(out.slice(o.from ?? 0));
        if (m) return m;
        if (Date.now() > deadline || done) {
          throw new Error(`pty: ${String(pattern)} did not appear${done ? ' (program exited)' : ''}; transcript:\n${out}`);
        }
        await new Promise<void>((resolve) => {
          listeners.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    write: (text) => term.write(text),
    exited,
    kill: () => { if (!done) term.kill('SIGKILL'); },
  };
}
