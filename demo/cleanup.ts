// Undo steps of the demo, run last-in first-out once, on success, failure or
// interruption. A component still starting when the demo is interrupted is waited
// for and then undone too: an Xorg killed later by the namespace sweep would leave
// its lock file, and that display number would stay taken.
export class Cleanup {
  readonly #steps: (() => unknown)[] = [];
  readonly #pending = new Set<Promise<unknown>>();
  #running = false;

  add(step: () => unknown): void {
    if (this.#running) void Promise.resolve().then(step).catch(() => undefined);
    else this.#steps.push(step);
  }

  /** `start`'s result, whose `undo` is added as soon as it exists, even if nobody awaits it any more. */
  track<T>(start: Promise<T>, undo: (value: T) => unknown): Promise<T> {
    const settled = start.then((value) => { this.add(() => undo(value)); }, () => undefined);
    this.#pending.add(settled);
    void settled.finally(() => this.#pending.delete(settled));
    return start;
  }

  /** Waits for what is still starting, then runs every step; returns the messages of those that failed. */
  async run(): Promise<string[]> {
    await Promise.allSettled([...this.#pending]);
    this.#running = true;
    const failures: string[] = [];
    for (let step = this.#steps.pop(); step; step = this.#steps.pop()) {
      try {
        await step();
      } catch (e) {
        failures.push((e as Error)?.message ?? String(e));
      }
    }
    return failures;
  }
}
