// A bus client that sends fds to the authority, for pidfd.test.ts. It is started by
// python3, which opens the pidfd (os.pidfd_open) and hands it over by inheritance;
// dbus-next negotiates fd passing (usocket) and attaches each 'h' value's fd.
//
//   check ADDRESS FD UID|- COUNT INFLIGHT
//       COUNT CheckAuthorization calls of org.freedesktop.policykit.exec for the
//       subject unix-process {pidfd: FD, uid: UID} (no uid with '-'), at most INFLIGHT
//       at a time, each carrying FD; FD 'file' sends an fd of /etc/hostname instead.
//       Prints one JSON object: each distinct outcome and how often it came.
//   stray ADDRESS FD COUNT
//       COUNT EnumerateActions('') calls whose messages carry FD in their unix-fd
//       list although the signature has no 'h'; then prints the reply count.
import { openSync } from 'node:fs';
import { createRequire } from 'node:module';
import dbus from 'dbus-next';
import { AUTHORITY_IFACE, AUTHORITY_NAME, AUTHORITY_PATH, callRaw, ping, type Outcome } from '../support/dbus-client.js';

const { Variant } = dbus;
const require = createRequire(import.meta.url);
const { marshall } = require('dbus-next/lib/message.js') as { marshall(m: object): [Buffer, number[]] };

/**
 * Calls that carry fds must wait until the connection is up (ping): dbus-next
 * flushes calls queued during the handshake through usocket, whose fd-carrying
 * writes can overtake the handshake's last line, and dbus-daemon then drops the
 * connection (seen as a client that printed nothing, about 1 run in 30 under load).
 */
function connectWithFds(address: string): dbus.MessageBus {
  return dbus.sessionBus({ busAddress: address, negotiateUnixFd: true } as Parameters<typeof dbus.sessionBus>[0]);
}

function key(o: Outcome): string {
  return o.ok ? JSON.stringify(o.body[0]) : `${o.error}: ${o.message}`;
}

async function check(bus: dbus.MessageBus, fd: number, uid: string, count: number, inflight: number): Promise<Record<string, number>> {
  const dict: Record<string, InstanceType<typeof Variant>> = { pidfd: new Variant('h', fd) };
  if (uid !== '-') dict.uid = new Variant('i', Number(uid));
  const seen: Record<string, number> = {};
  let left = count;
  const worker = async (): Promise<void> => {
    while (left > 0) {
      left--;
      const o = await callRaw(bus, {
        member: 'CheckAuthorization', signature: '(sa{sv})sa{ss}us',
        body: [['unix-process', dict], 'org.freedesktop.policykit.exec', {}, 0, ''],
      });
      seen[key(o)] = (seen[key(o)] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  return seen;
}

/** A method call marshalled by hand: UNIX_FDS says 1, the body ('s') names no fd. */
function strayMessage(serial: number): Buffer {
  const msg = {
    type: 1, serial, destination: AUTHORITY_NAME, path: AUTHORITY_PATH, interface: AUTHORITY_IFACE,
    member: 'EnumerateActions', signature: 's', body: [''],
  };
  // marshall() sets unixFd to the number of 'h' values (0); keep it at 1.
  Object.defineProperty(msg, 'unixFd', { get: () => 1, set: () => undefined, enumerable: true });
  return marshall(msg)[0];
}

async function stray(bus: dbus.MessageBus, fd: number, count: number): Promise<number> {
  await ping(bus); // raw writes only after the handshake
  const stream = (bus as unknown as { _connection: { stream: { write(c: { data: Buffer; fds: number[] }): void } } })._connection.stream;
  for (let i = 0; i < count; i++) stream.write({ data: strayMessage(0x70000000 + i), fds: [fd] });
  // The bus and the daemon keep order: once this is answered, every stray one was read.
  const last = await callRaw(bus, { member: 'EnumerateActions', signature: 's', body: [''] });
  if (!last.ok) throw new Error(key(last));
  return count;
}

async function main(argv: string[]): Promise<void> {
  const [mode, address, fdArg] = argv;
  if (address === undefined || fdArg === undefined) throw new Error('usage: check|stray ADDRESS FD ...');
  const fd = fdArg === 'file' ? openSync('/etc/hostname', 'r') : Number(fdArg);
  const bus = connectWithFds(address);
  if (mode === 'check') {
    const [uid = '-', count = '1', inflight = '1'] = argv.slice(3);
    await ping(bus); // no fd-carrying call before the handshake is done (see connectWithFds)
    process.stdout.write(`${JSON.stringify(await check(bus, fd, uid, Number(count), Number(inflight)))}\n`);
  } else if (mode === 'stray') {
    process.stdout.write(`${await stray(bus, fd, Number(argv[3] ?? '1'))}\n`);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  bus.disconnect();
}

main(process.argv.slice(2)).then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`pidfd-client: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
