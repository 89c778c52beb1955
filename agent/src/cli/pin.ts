// `trustpath pin set|remove`: asks trustpathd (org.trustpath.Pin1 on the system bus)
// to set the caller's PIN through the trusted prompt, or to forget it. The PIN is
// typed only into the trusted prompt, never here.
import '../bus/dbus-next-hardening.js';
import dbus from 'dbus-next';

export const PIN_USAGE = 'Usage: trustpath pin set | trustpath pin remove';
const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export async function runPin(argv: readonly string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === '--help' || verb === '-h') {
    process.stdout.write(`${PIN_USAGE}

  set      the trusted prompt appears on your display: press the secure attention key,
           type your password, then the new PIN twice (at least 4 characters). The PIN
           may then stand in for your password when you approve your own requests
           (auth_self); never for an administrator's. Five wrong PINs disable it until
           you use your password again.
  remove   forget your PIN
`);
    return EXIT.ok;
  }
  if ((verb !== 'set' && verb !== 'remove') || rest.length > 0) {
    process.stderr.write(`trustpath pin: ${verb === undefined ? 'set or remove?' : `unknown argument '${[verb, ...rest].join(' ')}'`}\n${PIN_USAGE}\n`);
    return EXIT.usage;
  }
  const address = process.env.DBUS_SYSTEM_BUS_ADDRESS || 'unix:path=/run/dbus/system_bus_socket';
  const bus = dbus.sessionBus({ busAddress: address });
  try {
    const reply = await bus.call(new dbus.Message({
      destination: 'org.freedesktop.PolicyKit1', path: '/org/trustpath/Pin1', interface: 'org.trustpath.Pin1',
      member: verb === 'set' ? 'Set' : 'Remove',
    }));
    if (reply && reply.type === dbus.MessageType.ERROR) throw new Error(String(reply.body?.[0] ?? reply.errorName));
    process.stdout.write(verb === 'set' ? 'PIN set.\n' : 'PIN removed.\n');
    return EXIT.ok;
  } catch (e) {
    const text = (e as { text?: string; message?: string }).text ?? (e as Error).message ?? String(e);
    process.stderr.write(`trustpath pin: ${text}\n`);
    return EXIT.failed;
  } finally {
    bus.disconnect();
  }
}
