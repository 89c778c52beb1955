// Questions to org.freedesktop.DBus about other connections, and the stream of
// NameOwnerChanged. The only source of caller identity: a unique name's uid and
// pid as the bus daemon recorded them when it connected. Unique names are never
// reused, so answers are cached per name until the name vanishes.
import dbus from 'dbus-next';
import { CallError } from './errors.js';

const { Message, MessageType } = dbus;

export interface Credentials { readonly uid: number; readonly pid: number }

const CACHE_MAX = 8192;

/**
 * The bus daemon's error, passed on as polkitd passes it: GDBus keeps the remote
 * error's name and puts "GDBus.Error:NAME: " before its text.
 */
function busErrorToCallError(e: unknown): CallError {
  const err = e as { type?: unknown; text?: unknown; message?: unknown };
  if (typeof err?.type === 'string') {
    return new CallError(err.type, `GDBus.Error:${err.type}: ${typeof err.text === 'string' ? err.text : ''}`);
  }
  return new CallError('org.freedesktop.DBus.Error.Failed', String(err?.message ?? e));
}

export class BusDaemon {
  readonly #uids = new Map<string, number>();
  readonly #pids = new Map<string, number>();
  readonly #vanished: ((name: string) => void)[] = [];

  private constructor(private readonly bus: dbus.MessageBus) {}

  static async attach(bus: dbus.MessageBus): Promise<BusDaemon> {
    const d = new BusDaemon(bus);
    bus.on('message', (msg: InstanceType<typeof Message>) => d.#onMessage(msg));
    await d.#call('AddMatch', 's', ["type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',path='/org/freedesktop/DBus'"]);
    return d;
  }

  /** Called with each unique name that leaves the bus. */
  onVanished(listener: (name: string) => void): void { this.#vanished.push(listener); }

  #onMessage(msg: InstanceType<typeof Message>): void {
    if (msg.type !== MessageType.SIGNAL || msg.sender !== 'org.freedesktop.DBus' || msg.member !== 'NameOwnerChanged') return;
    const [name, , newOwner] = (msg.body ?? []) as unknown[];
    if (typeof name !== 'string' || !name.startsWith(':') || newOwner !== '') return;
    this.#uids.delete(name);
    this.#pids.delete(name);
    for (const l of this.#vanished) {
      try { l(name); } catch { /* listeners handle their own errors */ }
    }
  }

  async #call(member: string, signature: string, body: unknown[]): Promise<unknown[]> {
    try {
      const reply = await this.bus.call(new Message({
        destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus',
        member, signature, body,
      }));
      return reply?.body ?? [];
    } catch (e) {
      throw busErrorToCallError(e);
    }
  }

  async #u32(cache: Map<string, number>, member: string, name: string): Promise<number> {
    const hit = cache.get(name);
    if (hit !== undefined) return hit;
    const [v] = await this.#call(member, 's', [name]);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new CallError('org.freedesktop.DBus.Error.Failed', `${member} gave no usable answer for ${name}`);
    }
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(name, v);
    return v;
  }

  /** GetConnectionUnixUser; throws the bus daemon's own error (e.g. NameHasNoOwner). */
  uidOf(name: string): Promise<number> { return this.#u32(this.#uids, 'GetConnectionUnixUser', name); }

  /** GetConnectionUnixProcessID */
  pidOf(name: string): Promise<number> { return this.#u32(this.#pids, 'GetConnectionUnixProcessID', name); }

  async credentials(name: string): Promise<Credentials> {
    return { uid: await this.uidOf(name), pid: await this.pidOf(name) };
  }

  async nameHasOwner(name: string): Promise<boolean> {
    const [v] = await this.#call('NameHasOwner', 's', [name]);
    return v === true;
  }
}
