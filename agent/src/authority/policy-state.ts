// The loaded policy: actions (.policy) and the rules engine (.rules), reloaded
// together from a PolicySource when directories change or on SIGHUP. A reload
// that fails keeps the previous state (fail safe, and logged).
import { buildActionPool, RulesEngine, type ActionDefinition } from '../../../policy/src/index.js';
import type { PolicySource } from '../policy-source/policy-source.js';

export interface PolicyStateOptions {
  readonly runawayMs?: number;
  readonly workers?: number;
}

export class PolicyState {
  #actions = new Map<string, ActionDefinition>();
  #impliedBy = new Map<string, string[]>();
  #reloading: Promise<void> | undefined;
  #again = false;

  private constructor(private readonly source: PolicySource, readonly rules: RulesEngine,
    private readonly log: (msg: string) => void, private readonly onChanged: () => void) {}

  static async load(source: PolicySource, log: (msg: string) => void, onChanged: () => void,
    opts: PolicyStateOptions = {}): Promise<PolicyState> {
    const snapshot = await source.read();
    const rules = await RulesEngine.start({ files: snapshot.rules, log, runawayMs: opts.runawayMs, workers: opts.workers });
    log(`Finished loading, compiling and executing ${rules.loadedCount} rules`);
    const state = new PolicyState(source, rules, log, onChanged);
    state.#setActions(buildActionPool(snapshot.policy, log));
    source.onChange(() => void state.reload('directory changed'));
    return state;
  }

  get actions(): ReadonlyMap<string, ActionDefinition> { return this.#actions; }

  action(id: string): ActionDefinition | undefined { return this.#actions.get(id); }

  /** Actions whose org.freedesktop.policykit.imply annotation names `id`. */
  impliedBy(id: string): readonly string[] { return this.#impliedBy.get(id) ?? []; }

  #setActions(pool: Map<string, ActionDefinition>): void {
    const implied = new Map<string, string[]>();
    for (const a of pool.values()) {
      const imply = a.annotations.get('org.freedesktop.policykit.imply');
      if (imply === undefined) continue;
      for (const target of imply.split(' ')) {
        if (target === '') continue;
        const list = implied.get(target) ?? [];
        list.push(a.id);
        implied.set(target, list);
      }
    }
    this.#actions = pool;
    this.#impliedBy = implied;
  }

  /** Reloads actions and rules; concurrent requests coalesce into one more run. */
  reload(why: string): Promise<void> {
    if (this.#reloading) { this.#again = true; return this.#reloading; }
    this.#reloading = (async () => {
      do {
        this.#again = false;
        this.log(`Reloading rules and actions (${why})`);
        try {
          const snapshot = await this.source.read();
          this.#setActions(buildActionPool(snapshot.policy, this.log));
          await this.rules.reload(snapshot.rules);
          this.log(`Finished loading, compiling and executing ${this.rules.loadedCount} rules`);
          this.onChanged();
        } catch (e) {
          this.log(`Error reloading rules and actions, keeping the previous ones: ${(e as Error).message}`);
        }
      } while (this.#again);
    })().finally(() => { this.#reloading = undefined; });
    return this.#reloading;
  }

  async close(): Promise<void> {
    this.source.close();
    await this.rules.close();
  }
}
