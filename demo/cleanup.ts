// Undo steps of the demo, run last-in first-out once, on success, failure or
// interruption. A step added after the run began (a component that finished starting
// while the demo was being interrupted) is undone at once.
export class Cleanup {
  readonly #steps: (() => unknown)[] = [];
  #running = false;

  add(step: () => unknown): void {
    if (this.#running) void Promise.resolve().then(step).catch(() => undefined);
    else this.#steps.push(step);
  }

  /** Runs every step; returns the messages of those that failed. */
  async run(): Promise<string[]> {
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
