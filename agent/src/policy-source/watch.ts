// Calls back (debounced) when anything changes in the watched directories. A
// directory that does not exist yet is watched through its nearest existing parent,
// so that creating /etc/polkit-1/rules.d later is noticed too.
import { watch, existsSync, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';

const DEBOUNCE_MS = 200;

export class DirectoryWatcher {
  #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly dirs: readonly string[], private readonly onChange: () => void,
    private readonly log: (msg: string) => void) {
    this.#arm();
  }

  #arm(): void {
    for (const w of this.#watchers) w.close();
    this.#watchers = [];
    const targets = new Set<string>();
    for (let dir of this.dirs) {
      while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
      targets.add(dir);
    }
    for (const dir of targets) {
      try {
        const w = watch(dir, { persistent: false }, () => this.#changed());
        w.on('error', (e) => this.log(`Error watching ${dir}: ${e.message}`));
        this.#watchers.push(w);
      } catch (e) {
        this.log(`Error watching ${dir}: ${(e as Error).message}`);
      }
    }
  }

  #changed(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#closed) return;
      this.#arm(); // directories may have appeared or been replaced
      this.onChange();
    }, DEBOUNCE_MS);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const w of this.#watchers) w.close();
    this.#watchers = [];
  }
}
