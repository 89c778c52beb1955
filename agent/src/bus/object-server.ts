// Serves objects on a dbus-next connection through its low-level method handler:
// method dispatch with exact signature checks, org.freedesktop.DBus.Introspectable,
// .Properties and .Peer, and the one place that turns a handler's outcome into a
// reply (CallError → its D-Bus error; anything else → logged, Failed; never success).
// Error texts follow GDBus, which is what polkitd's clients have always seen.
import { readFileSync } from 'node:fs';
import dbus from 'dbus-next';
import { CallError, DBUS_ERROR, POLKIT_ERROR } from './errors.js';

const { Message, MessageType, Variant } = dbus;
type Msg = InstanceType<typeof Message>;

export interface CallContext {
  /** The sender's unique name, as the bus daemon stamped it (never from the payload). */
  readonly sender: string;
}

export interface MethodDef {
  readonly in: readonly (readonly [name: string, signature: string])[];
  readonly out: readonly (readonly [name: string, signature: string])[];
  readonly handler: (ctx: CallContext, args: unknown[]) => Promise<unknown[]> | unknown[];
}

export interface PropertyDef { readonly signature: string; readonly get: () => unknown }

export interface InterfaceDef {
  readonly name: string;
  readonly methods: Readonly<Record<string, MethodDef>>;
  readonly properties: Readonly<Record<string, PropertyDef>>;
  readonly signals: Readonly<Record<string, readonly (readonly [string, string])[]>>;
}

export interface ObjectServerOptions {
  /** Calls in progress per sender; more are refused with LimitsExceeded. */
  readonly maxPendingPerSender?: number;
  readonly maxPendingTotal?: number;
}

const PEER = 'org.freedesktop.DBus.Peer';
const INTROSPECTABLE = 'org.freedesktop.DBus.Introspectable';
const PROPERTIES = 'org.freedesktop.DBus.Properties';

function sig(args: MethodDef['in']): string {
  return args.map(([, s]) => s).join('');
}

function machineId(): string {
  for (const p of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try { return readFileSync(p, 'utf8').trim(); } catch { /* next */ }
  }
  return '';
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function introspectInterface(def: InterfaceDef): string {
  const lines = [`  <interface name="${def.name}">`];
  for (const [name, m] of Object.entries(def.methods)) {
    lines.push(`    <method name="${name}">`);
    for (const [n, s] of m.in) lines.push(`      <arg type="${escapeXml(s)}" name="${n}" direction="in"/>`);
    for (const [n, s] of m.out) lines.push(`      <arg type="${escapeXml(s)}" name="${n}" direction="out"/>`);
    lines.push('    </method>');
  }
  for (const [name, args] of Object.entries(def.signals)) {
    if (args.length === 0) { lines.push(`    <signal name="${name}"/>`); continue; }
    lines.push(`    <signal name="${name}">`);
    for (const [n, s] of args) lines.push(`      <arg type="${escapeXml(s)}" name="${n}"/>`);
    lines.push('    </signal>');
  }
  for (const [name, p] of Object.entries(def.properties)) {
    lines.push(`    <property type="${escapeXml(p.signature)}" name="${name}" access="read"/>`);
  }
  lines.push('  </interface>');
  return lines.join('\n');
}

const STANDARD_XML = `  <interface name="${PEER}">
    <method name="Ping"/>
    <method name="GetMachineId">
      <arg type="s" name="machine_uuid" direction="out"/>
    </method>
  </interface>
  <interface name="${INTROSPECTABLE}">
    <method name="Introspect">
      <arg type="s" name="xml_data" direction="out"/>
    </method>
  </interface>
  <interface name="${PROPERTIES}">
    <method name="Get">
      <arg type="s" name="interface_name" direction="in"/>
      <arg type="s" name="property_name" direction="in"/>
      <arg type="v" name="value" direction="out"/>
    </method>
    <method name="GetAll">
      <arg type="s" name="interface_name" direction="in"/>
      <arg type="a{sv}" name="properties" direction="out"/>
    </method>
    <method name="Set">
      <arg type="s" name="interface_name" direction="in"/>
      <arg type="s" name="property_name" direction="in"/>
      <arg type="v" name="value" direction="in"/>
    </method>
    <signal name="PropertiesChanged">
      <arg type="s" name="interface_name"/>
      <arg type="a{sv}" name="changed_properties"/>
      <arg type="as" name="invalidated_properties"/>
    </signal>
  </interface>`;

const DOCTYPE = '<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"\n"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">';

type Outcome = { signature: string; body: unknown[] } | CallError;

export class ObjectServer {
  readonly #objects = new Map<string, InterfaceDef[]>();
  readonly #pending = new Map<string, number>();
  #pendingTotal = 0;
  readonly #maxPerSender: number;
  readonly #maxTotal: number;

  constructor(private readonly bus: dbus.MessageBus, private readonly log: (msg: string) => void,
    opts: ObjectServerOptions = {}) {
    this.#maxPerSender = opts.maxPendingPerSender ?? 256;
    this.#maxTotal = opts.maxPendingTotal ?? 8192;
    bus.addMethodHandler((msg: Msg) => this.#onMessage(msg));
  }

  addObject(path: string, interfaces: InterfaceDef[]): void {
    this.#objects.set(path, interfaces);
  }

  emitSignal(path: string, iface: string, name: string, signature = '', body: unknown[] = []): void {
    this.bus.send(Message.newSignal(path, iface, name, signature, body));
  }

  #onMessage(msg: Msg): boolean {
    if (msg.type !== MessageType.METHOD_CALL) return false;
    const sender = msg.sender;
    if (typeof sender !== 'string' || sender === '') return true; // not from the bus daemon's routing: ignore
    const count = this.#pending.get(sender) ?? 0;
    if (count >= this.#maxPerSender || this.#pendingTotal >= this.#maxTotal) {
      this.#reply(msg, new CallError(DBUS_ERROR.LimitsExceeded, 'Too many requests in progress'));
      return true;
    }
    this.#pending.set(sender, count + 1);
    this.#pendingTotal++;
    void this.#dispatch(msg, { sender }).then((outcome) => {
      const left = (this.#pending.get(sender) ?? 1) - 1;
      if (left <= 0) this.#pending.delete(sender); else this.#pending.set(sender, left);
      this.#pendingTotal--;
      this.#reply(msg, outcome);
    });
    return true;
  }

  #reply(msg: Msg, outcome: Outcome): void {
    if ((msg.flags & 0x1) !== 0) return; // NO_REPLY_EXPECTED
    try {
      if (outcome instanceof CallError) this.bus.send(Message.newError(msg as unknown as string, outcome.errorName, outcome.message));
      else this.bus.send(Message.newMethodReturn(msg, outcome.signature, outcome.body));
    } catch (e) {
      // A reply that cannot be marshalled is our bug; the caller still gets an answer.
      this.log(`Error sending reply to ${msg.sender}: ${(e as Error).message}`);
      try {
        this.bus.send(Message.newError(msg as unknown as string, POLKIT_ERROR.Failed, 'Internal error'));
      } catch { /* the connection is gone */ }
    }
  }

  async #dispatch(msg: Msg, ctx: CallContext): Promise<Outcome> {
    try {
      return await this.#route(msg, ctx);
    } catch (e) {
      if (e instanceof CallError) return e;
      this.log(`Internal error handling ${msg.interface ?? ''}.${msg.member} from ${ctx.sender}: ${(e as Error)?.stack ?? String(e)}`);
      return new CallError(POLKIT_ERROR.Failed, 'Internal error');
    }
  }

  async #route(msg: Msg, ctx: CallContext): Promise<Outcome> {
    const path = msg.path;
    const iface = msg.interface;
    const member = msg.member;
    const signature = msg.signature ?? '';
    const body: unknown[] = msg.body ?? [];
    if (iface === PEER) return this.#peer(member, signature);
    const interfaces = this.#objects.get(path);
    if (iface === INTROSPECTABLE && member === 'Introspect') {
      this.#expect(signature, '');
      return { signature: 's', body: [this.#introspect(path, interfaces)] };
    }
    if (!interfaces) {
      throw new CallError(DBUS_ERROR.UnknownMethod, `No such interface “${iface ?? ''}” on object at path ${path}`);
    }
    if (iface === PROPERTIES) return this.#properties(interfaces, member, signature, body);
    const def = iface ? interfaces.find((i) => i.name === iface) : interfaces.find((i) => Object.hasOwn(i.methods, member));
    if (!def) throw new CallError(DBUS_ERROR.UnknownMethod, `No such interface “${iface ?? ''}” on object at path ${path}`);
    if (!Object.hasOwn(def.methods, member)) throw new CallError(DBUS_ERROR.UnknownMethod, `No such method “${member}”`);
    const method = def.methods[member]!;
    this.#expect(signature, sig(method.in));
    const out = await method.handler(ctx, body);
    return { signature: sig(method.out), body: out };
  }

  #expect(actual: string, expected: string): void {
    if (actual !== expected) {
      throw new CallError(DBUS_ERROR.InvalidArgs, `Type of message, “(${actual})”, does not match expected type “(${expected})”`);
    }
  }

  #peer(member: string, signature: string): Outcome {
    if (member === 'Ping') { this.#expect(signature, ''); return { signature: '', body: [] }; }
    if (member === 'GetMachineId') { this.#expect(signature, ''); return { signature: 's', body: [machineId()] }; }
    throw new CallError(DBUS_ERROR.UnknownMethod, `No such method “${member}”`);
  }

  #introspect(path: string, interfaces: InterfaceDef[] | undefined): string {
    const parts = [DOCTYPE, '<node>'];
    if (interfaces) {
      for (const def of interfaces) parts.push(introspectInterface(def));
      parts.push(STANDARD_XML);
    }
    const prefix = path === '/' ? '/' : `${path}/`;
    const children = new Set<string>();
    for (const p of this.#objects.keys()) {
      if (p.startsWith(prefix) && p !== path) children.add(p.slice(prefix.length).split('/')[0]!);
    }
    for (const c of [...children].sort()) parts.push(`  <node name="${c}"/>`);
    parts.push('</node>');
    return parts.join('\n');
  }

  #properties(interfaces: InterfaceDef[], member: string, signature: string, body: unknown[]): Outcome {
    const find = (name: unknown): InterfaceDef => {
      const def = interfaces.find((i) => i.name === name);
      if (!def) throw new CallError(DBUS_ERROR.InvalidArgs, `No such interface “${String(name)}”`);
      return def;
    };
    if (member === 'Get') {
      this.#expect(signature, 'ss');
      const def = find(body[0]);
      const name = String(body[1]);
      if (!Object.hasOwn(def.properties, name)) throw new CallError(DBUS_ERROR.InvalidArgs, `No such property “${name}”`);
      const p = def.properties[name]!;
      return { signature: 'v', body: [new Variant(p.signature, p.get())] };
    }
    if (member === 'GetAll') {
      this.#expect(signature, 's');
      const def = find(body[0]);
      const all: Record<string, InstanceType<typeof Variant>> = {};
      for (const [name, p] of Object.entries(def.properties)) all[name] = new Variant(p.signature, p.get());
      return { signature: 'a{sv}', body: [all] };
    }
    if (member === 'Set') {
      this.#expect(signature, 'ssv');
      const def = find(body[0]);
      const name = String(body[1]);
      if (!Object.hasOwn(def.properties, name)) throw new CallError(DBUS_ERROR.InvalidArgs, `No such property “${name}”`);
      throw new CallError(DBUS_ERROR.InvalidArgs, `Property “${name}” is not writable`);
    }
    throw new CallError(DBUS_ERROR.UnknownMethod, `No such method “${member}”`);
  }
}
