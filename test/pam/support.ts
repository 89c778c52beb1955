// Support for the PAM helper scenarios: builds the test variants, installs the
// helpers setuid root (mode 4750 root:trustpath) in a test dir, installs the PAM
// services, and plays the keyboard side of a conversation.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withLock } from '../support/lock.js';
import { encodeResponse, decodeHelperFrames, newDecoderState, type HelperFrame } from '../../agent/src/pam/frame.js';
import { startPamConversation, type PamConversationOptions, type PamMessage, type PamOutcome } from '../../agent/src/pam/helper-process.js';

export const ROOT = new URL('../../../', import.meta.url).pathname;
export const OUT = join(ROOT, 'native/out');
export const TEST_OUT = join(OUT, 'test');
export const INSTALL_DIR = '/usr/local/libexec/trustpath-test';
export const HELPER = join(INSTALL_DIR, 'trustpath-pam-helper');
export const HELPER_ECHO = join(INSTALL_DIR, 'trustpath-pam-helper-echo');

function ids(name: string): { uid: number; gid: number } {
  const f = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim().split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}
export const DAEMON = ids('trustpath');

function install(src: string, dst: string, mode: number, gid: number): void {
  const tmp = `${dst}.new`;
  copyFileSync(src, tmp);
  chownSync(tmp, 0, gid);
  chmodSync(tmp, mode); // after chown, which clears the setuid bit
  renameSync(tmp, dst);
}

/** Builds and installs everything once per process (under a cross-process lock). */
export async function prepare(): Promise<void> {
  await withLock('pam-helper-install', async () => {
    execFileSync('make', ['-s', '-C', join(ROOT, 'native', 'pam-helper'), 'test-builds'], { stdio: 'inherit' });
    mkdirSync(INSTALL_DIR, { recursive: true, mode: 0o755 });
    chmodSync(INSTALL_DIR, 0o755);
    install(join(OUT, 'trustpath-pam-helper'), HELPER, 0o4750, DAEMON.gid);
    install(join(TEST_OUT, 'helper-echo'), HELPER_ECHO, 0o4750, DAEMON.gid);
    install(join(TEST_OUT, 'pam_tp_test.so'), join(INSTALL_DIR, 'pam_tp_test.so'), 0o644, 0);
    const svc = join(ROOT, 'native/pam-helper');
    writeFileSync('/etc/pam.d/trustpath', readFileSync(join(svc, 'trustpath.pam')));
    const echo = readFileSync(join(svc, 'trustpath-test-echo.pam'), 'utf8').replaceAll('@TESTDIR@', INSTALL_DIR);
    writeFileSync('/etc/pam.d/trustpath-test-echo', echo);
  });
}

export type Answer = string | { readonly raw: Buffer } | { readonly close: true };

export interface Run {
  readonly outcome: PamOutcome;
  readonly messages: PamMessage[];
  readonly ms: number;
}

/** Runs one conversation through the TS API, answering prompts in order as the keyboard. */
export async function converse(user: string, answers: Answer[], opts: Partial<PamConversationOptions> = {}): Promise<Run> {
  const messages: PamMessage[] = [];
  const queue = [...answers];
  let fd = -1;
  const t0 = Date.now();
  const conv = await startPamConversation({
    user, helperPath: HELPER, spawnAs: DAEMON, ...opts,
    onMessage: (m) => {
      messages.push(m);
      if (m.kind !== 'prompt' || fd < 0) return;
      const a = queue.shift();
      if (a === undefined || typeof a === 'object' && 'close' in a) {
        closeSync(fd);
        fd = -1;
      } else {
        writeSync(fd, typeof a === 'string' ? encodeResponse(a) : a.raw);
      }
    },
  });
  fd = conv.takeResponseFd();
  const outcome = await conv.outcome;
  if (fd >= 0) closeSync(fd);
  return { outcome, messages, ms: Date.now() - t0 };
}

export interface RawResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly frames: HelperFrame[];
  readonly error: string | undefined;
}

/** Runs a helper with hand-made control bytes and response bytes (no TS API). */
export async function rawRun(opts: {
  helper?: string; args?: string[]; asUid?: { uid: number; gid: number };
  control: Buffer; closeControl?: boolean; response?: Buffer; fd3?: 'fifo' | 'file' | 'none'; ttyStdin?: boolean;
}): Promise<RawResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tpt-raw-'));
  const fifo = join(dir, 'r');
  execFileSync('mkfifo', ['-m', '600', fifo]);
  const rfd = opts.fd3 === 'file' ? openSync('/etc/hostname', 'r') : openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const wfd = openSync(fifo, constants.O_RDWR);
  const tty = opts.ttyStdin ? openSync('/dev/ptmx', constants.O_RDWR | constants.O_NOCTTY) : -1;
  rmSync(dir, { recursive: true, force: true });
  const stdio: (number | 'pipe' | 'ignore')[] = [tty >= 0 ? tty : 'pipe', 'pipe', 'ignore'];
  if (opts.fd3 !== 'none') stdio.push(rfd);
  const child = spawn(opts.helper ?? HELPER, opts.args ?? ['root'], {
    stdio, env: {}, ...(opts.asUid ? { uid: opts.asUid.uid, gid: opts.asUid.gid } : { uid: DAEMON.uid, gid: DAEMON.gid }),
  });
  closeSync(rfd);
  if (tty >= 0) closeSync(tty);
  if (opts.response) writeSync(wfd, opts.response);
  closeSync(wfd); // the keyboard side goes away after writing
  child.stdin?.on('error', () => undefined);
  child.stdin?.write(opts.control);
  if (opts.closeControl !== false) child.stdin?.end();
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => chunks.push(c));
  const [code, signal] = await new Promise<[number | null, string | null]>((res) => child.on('close', (c, s) => res([c, s])));
  const d = decodeHelperFrames(newDecoderState(), Buffer.concat(chunks));
  return { code, signal, frames: d.frames, error: d.error };
}
