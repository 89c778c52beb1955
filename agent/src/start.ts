// `npm start`: trustpathd for real. On the system bus when one runs and
// org.freedesktop.PolicyKit1 is free there; otherwise on a private system-type
// bus started here, whose address is printed for pkcheck, pkaction and gdbus.
// Runs in the foreground; Ctrl+C stops the daemon and the private bus.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SYSTEM_SOCKET = '/run/dbus/system_bus_socket';
const PRIVATE_DIR = '/run/trustpath-dev';
const DAEMON = fileURLToPath(new URL('./trustpathd.js', import.meta.url));

function nameOwned(address: string): boolean | undefined {
  try {
    const out = execFileSync('dbus-send', [`--bus=${address}`, '--print-reply', '--dest=org.freedesktop.DBus',
      '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.PolicyKit1'],
    { encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'] });
    return /boolean true/.test(out);
  } catch {
    return undefined; // no bus there
  }
}

function privateBusConfig(socket: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="org.freedesktop.PolicyKit1"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
  <policy user="trustpath"><allow own="org.freedesktop.PolicyKit1"/></policy>
  <policy user="root"><allow own="org.freedesktop.PolicyKit1"/></policy>
</busconfig>
`;
}

async function startPrivateBus(): Promise<{ address: string; proc: ChildProcess }> {
  mkdirSync(PRIVATE_DIR, { recursive: true, mode: 0o755 });
  const socket = `${PRIVATE_DIR}/system_bus_socket`;
  rmSync(socket, { force: true });
  const conf = `${PRIVATE_DIR}/bus.conf`;
  writeFileSync(conf, privateBusConfig(socket));
  const proc = spawn('dbus-daemon', ['--config-file', conf, '--nofork', '--nopidfile', '--print-address=1'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}`)));
    proc.stdout!.once('data', () => resolve());
  });
  return { address: `unix:path=${socket}`, proc };
}

async function main(): Promise<void> {
  let address = process.env.DBUS_SYSTEM_BUS_ADDRESS || `unix:path=${SYSTEM_SOCKET}`;
  let bus: ChildProcess | undefined;
  const owned = existsSync(SYSTEM_SOCKET) || process.env.DBUS_SYSTEM_BUS_ADDRESS ? nameOwned(address) : undefined;
  if (owned === false) {
    process.stderr.write(`trustpath: serving the system bus at ${address}\n`);
  } else {
    const why = owned === true ? 'org.freedesktop.PolicyKit1 is already owned on the system bus' : 'no system bus is running';
    ({ address, proc: bus } = await startPrivateBus());
    process.stderr.write(`trustpath: ${why}; started a private bus.\n` +
      `trustpath: to use it from another shell:\n\n    export DBUS_SYSTEM_BUS_ADDRESS=${address}\n` +
      '    pkaction --verbose; pkcheck --action-id org.freedesktop.policykit.exec --process $$\n\n');
  }
  const daemon = spawn(process.execPath, [DAEMON, ...process.argv.slice(2)], {
    stdio: 'inherit', env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: address },
  });
  const stop = (): void => { daemon.kill('SIGTERM'); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await new Promise<number>((resolve) => daemon.on('exit', (c, s) => resolve(c ?? (s ? 128 : 1))));
  bus?.kill('SIGTERM');
  process.exit(code);
}

main().catch((e: unknown) => {
  process.stderr.write(`trustpath: ${(e as Error)?.message ?? String(e)}\n`);
  process.exit(1);
});
