// Public API of the policy library.
export * from './actions.js';
export { selectPolicyFiles, selectRulesFiles, shadowedPolicyFiles } from './policy-dirs.js';
export { parsePolicyFile, PolicyParseError, POLICY_LIMITS, isValidActionId, isValidIconName } from './policy-parser.js';
export { buildActionPool } from './action-pool.js';
export * from './identity-string.js';
export { RulesEngine, DEFAULT_RUNAWAY_MS, DEFAULT_MEMORY_LIMIT, ADMIN_FALLBACK } from './rules-engine.js';
export type { RulesEngineOptions, RulesAction, RulesSubject } from './rules-engine.js';
export { RulesTracer } from './rules-tracer.js';
export type { RulesTracerOptions, RuleStep, RulesTrace, TracedRules, TracedAdmin, FileLoad } from './rules-tracer.js';
export { rulesResult, adminResult } from './rules-results.js';
