// A real dbus-daemon for tests: a private bus at a socket path of the test's choosing
// (or the well-known system bus path, under a lock, for clients such as pkexec that
// only ever use /run/dbus/system_bus_socket).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { once } from 'node:events';

export const SYSTEM_BUS_SOCKET = '/run/dbus/system_bus_socket';

export interface TestBus {
  readonly address: string;
  readonly socketPath: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** A system-type bus whose policy lets every local user own and call anything. */
export function busConfig(socketPath: string, extra = ''): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socketPath}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
  <limit name="max_replies_per_connection">50000</limit>
  ${extra}
</busconfig>
`;
}

/** Starts dbus-daemon on socketPath (default: a fresh temporary path). */
export async function startBus(socketPath?: string, extraConfig = ''): Promise<TestBus> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bus-'));
  const sock = socketPath ?? join(dir, 'bus.sock');
  mkdirSync(join(sock, '..'), { recursive: true });
  rmSync(sock, { force: true });
  const conf = join(dir, 'bus.conf');
  writeFileSync(conf, busConfig(sock, extraConfig));
  const proc = spawn('dbus-daemon', ['--config-file', conf, '--nofork', '--nopidfile', '--print-address=1'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout!.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}`)));
    proc.stdout!.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve();
    });
  });
  proc.removeAllListeners('exit');
  return {
    address: `unix:path=${sock}`,
    socketPath: sock,
    process: proc,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await once(proc, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
      if (socketPath) rmSync(sock, { force: true });
    },
  };
}
