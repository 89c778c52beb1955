// Child of callAs(): makes one raw call to the authority under the uid it was started
// with and prints the outcome as JSON. argv[2] = {"address": …, "call": RawCall}.
import { callRaw, connect, decodeWire, plain, type Outcome, type RawCall } from './dbus-client.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as { address: string; call: RawCall };
const conn = await connect(spec.address);
const call = { ...spec.call, body: decodeWire(spec.call.body) as unknown[] };
const outcome: Outcome = await callRaw(conn, call);
const shown = outcome.ok ? { ...outcome, body: plain(outcome.body) as unknown[] } : outcome;
process.stdout.write(JSON.stringify(shown));
conn.disconnect();
