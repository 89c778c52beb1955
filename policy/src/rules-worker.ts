// Entry of a rules worker thread: one QuickJS (WebAssembly) interpreter with a memory
// limit and an interrupt deadline, holding every .rules file. Answers one request at
// a time; the daemon thread terminates this thread if it overruns.

import { parentPort, workerData } from 'node:worker_threads';
import { getQuickJS, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime } from 'quickjs-emscripten';
import { ENTRY, PRELUDE } from './rules-prelude.js';
import type { FromWorker, ToWorker, WorkerInit } from './rules-protocol.js';
import { polkitSpawn, userIsInNetGroup } from './rules-worker-spawn.js';
import type { TraceFromWorker, TraceToWorker } from './rules-trace-protocol.js';
import { installTrace, type TraceHost } from './rules-worker-trace.js';

const port = parentPort;
const init = workerData as WorkerInit;
let deadline = Infinity;
let logEnabled = init.logLoad;

function send(m: FromWorker | TraceFromWorker): void { port?.postMessage(m); }
function log(msg: string): void { if (logEnabled) send({ type: 'log', msg }); }

/** @private Message of a thrown QuickJS value, like String(e). */
function errorText(vm: QuickJSContext, h: QuickJSHandle): string {
  try {
    const v = vm.dump(h) as unknown;
    if (typeof v === 'object' && v !== null && 'message' in v) {
      const e = v as { name?: unknown; message: unknown };
      return `${typeof e.name === 'string' ? e.name : 'Error'}: ${String(e.message)}`;
    }
    return String(v);
  } catch {
    return 'unknown error';
  }
}

function installHost(vm: QuickJSContext): void {
  const polkit = vm.newObject();
  vm.newFunction('log', (msg) => { log(vm.getString(msg).slice(0, 64 * 1024)); }).consume((f) => vm.setProp(polkit, 'log', f));
  vm.newFunction('spawn', (argvHandle) => {
    const argv = vm.dump(argvHandle) as unknown;
    if (!Array.isArray(argv) || argv.length === 0) return { error: vm.newError('Error spawning helper: argv must be a non-empty array (g-exec-error-quark, 19)') };
    try {
      return vm.newString(polkitSpawn(argv.map((a) => String(a)), init.spawnTimeoutMs));
    } catch (e) {
      return { error: vm.newError(e instanceof Error ? e.message : String(e)) };
    }
  }).consume((f) => vm.setProp(polkit, 'spawn', f));
  vm.newFunction('_userIsInNetGroup', (u, g) => {
    return userIsInNetGroup(vm.getString(u), vm.getString(g), log) ? vm.true : vm.false;
  }).consume((f) => vm.setProp(polkit, '_userIsInNetGroup', f));
  vm.setProp(vm.global, 'polkit', polkit);
  polkit.dispose();
}

function withDeadline<T>(fn: () => T): T {
  deadline = Date.now() + init.runawayMs;
  try { return fn(); } finally { deadline = Infinity; }
}

function loadFiles(vm: QuickJSContext, trace: TraceHost | undefined): number {
  let loaded = 0;
  for (const file of init.files) {
    const started = Date.now();
    const r = withDeadline(() => vm.evalCode(file.content, file.path));
    if (r.error) {
      const text = errorText(vm, r.error);
      log(`Error compiling script ${file.path}: ${text}`);
      r.error.dispose();
      trace?.fileDone(file.path, text, Date.now() - started >= init.runawayMs);
      continue;
    }
    r.value.dispose();
    trace?.fileDone(file.path, undefined, false);
    loaded++;
  }
  return loaded;
}

async function main(): Promise<void> {
  const QuickJS = await getQuickJS();
  const rt: QuickJSRuntime = QuickJS.newRuntime();
  rt.setMemoryLimit(init.memoryLimitBytes);
  rt.setMaxStackSize(512 * 1024);
  rt.setInterruptHandler(() => Date.now() > deadline);
  const vm = rt.newContext();
  installHost(vm);
  vm.unwrapResult(vm.evalCode(PRELUDE, '<trustpath-prelude>')).dispose();
  const entry = vm.unwrapResult(vm.evalCode(ENTRY, '<trustpath-entry>'));
  const trace = init.trace === true ? installTrace(vm, entry, { send, withDeadline, errorText, runawayMs: init.runawayMs }) : undefined;
  const loaded = loadFiles(vm, trace);
  trace?.sendLoads();
  send({ type: 'ready', loaded });
  logEnabled = true;
  port?.on('message', (m: ToWorker | TraceToWorker) => {
    if (m?.type === 'trace') trace?.answer(m);
    else answer(vm, entry, m);
  });
}

function answer(vm: QuickJSContext, entry: QuickJSHandle, m: ToWorker): void {
  if (m?.type !== 'run') return;
  const args = [vm.newString(m.kind), vm.newString(JSON.stringify(m.action)), vm.newString(JSON.stringify(m.subject))];
  const started = Date.now();
  const r = withDeadline(() => vm.callFunction(entry, vm.undefined, ...args));
  for (const a of args) a.dispose();
  if (r.error) {
    const text = errorText(vm, r.error);
    r.error.dispose();
    const what = m.kind === 'admin' ? 'admin rules' : 'authorization rules';
    if (Date.now() - started >= init.runawayMs) log(`Terminating runaway script after ${init.runawayMs} ms (${what} for ${m.action.id})`);
    else log(`Error evaluating ${what}: ${text}`);
    send({ type: 'result', id: m.id, value: null, ok: false, retire: /out of memory/i.test(text) });
    return;
  }
  const value = vm.typeof(r.value) === 'string' ? vm.getString(r.value) : null;
  r.value.dispose();
  send({ type: 'result', id: m.id, value, ok: true, retire: false });
}

main().catch((e: unknown) => {
  send({ type: 'log', msg: `Rules worker failed to start: ${e instanceof Error ? e.message : String(e)}` });
  process.exit(1);
});
