// The tracing side of a rules worker (WorkerInit.trace): records what each .rules
// file did at load time and answers 'trace' requests, reporting every rule function's
// start and return to the parent as it happens, so that even a worker that has to be
// terminated leaves a record of the rule it was in.

import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten';
import { TRACE_FACTORY } from './rules-prelude.js';
import type { FileLoad, TraceFromWorker, TraceToWorker } from './rules-trace-protocol.js';

export interface TraceDeps {
  readonly send: (m: TraceFromWorker) => void;
  readonly withDeadline: <T>(fn: () => T) => T;
  readonly errorText: (vm: QuickJSContext, h: QuickJSHandle) => string;
  readonly runawayMs: number;
}

export interface TraceHost {
  /** Call after each file's evaluation; `error` when it failed. */
  fileDone(path: string, error: string | undefined, runaway: boolean): void;
  sendLoads(): void;
  answer(m: TraceToWorker): void;
}

const MAX_STEP = 16 * 1024;

/** Installs the tracing wrappers; must run after the prelude and before the .rules files. */
export function installTrace(vm: QuickJSContext, entry: QuickJSHandle, deps: TraceDeps): TraceHost {
  const factory = vm.unwrapResult(vm.evalCode(TRACE_FACTORY, '<trustpath-trace>'));
  const api = vm.unwrapResult(vm.callFunction(factory, vm.undefined, entry));
  factory.dispose();
  const run = vm.getProp(api, 'run');
  const counts = vm.getProp(api, 'counts');
  let currentId = 0;
  const step = vm.newFunction('step', (json) => {
    deps.send({ type: 'step', id: currentId, step: vm.getString(json).slice(0, MAX_STEP) });
  });
  const loads: FileLoad[] = [];
  let seen = { rules: 0, admin: 0 };

  const countNow = (): { rules: number; admin: number } => {
    const h = vm.unwrapResult(vm.callFunction(counts, vm.undefined));
    const [r, a] = vm.getString(h).split(',');
    h.dispose();
    return { rules: Number(r), admin: Number(a) };
  };

  return {
    fileDone(path, error, runaway) {
      const now = countNow();
      loads.push({ path, ok: error === undefined, runaway, rules: now.rules - seen.rules, adminRules: now.admin - seen.admin,
        ...(error === undefined ? {} : { error: error.slice(0, 4096) }) });
      seen = now;
    },
    sendLoads() { deps.send({ type: 'loads', files: loads }); },
    answer(m) {
      currentId = m.id;
      const args = [vm.newString(m.kind), vm.newString(JSON.stringify(m.action)), vm.newString(JSON.stringify(m.subject)),
        m.all ? vm.true : vm.false, step];
      const started = Date.now();
      const r = deps.withDeadline(() => vm.callFunction(run, vm.undefined, ...args));
      for (const a of args.slice(0, 3)) a.dispose();
      if (r.error) {
        const error = deps.errorText(vm, r.error).slice(0, 4096);
        r.error.dispose();
        deps.send({ type: 'trace-result', id: m.id, value: null, ok: false, error, runaway: Date.now() - started >= deps.runawayMs });
        return;
      }
      const value = vm.typeof(r.value) === 'string' ? vm.getString(r.value) : null;
      r.value.dispose();
      deps.send({ type: 'trace-result', id: m.id, value, ok: true, error: '', runaway: false });
    },
  };
}
