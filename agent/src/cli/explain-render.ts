// Text and JSON output of `trustpath explain`. The last lines of the text form are
// stable for scripts: "Result: VALUE", "Decided by: …" and, for a challenge,
// "Identities offered: …".

import type { RuleStep, RulesTrace } from '../../../policy/src/index.js';
import type { Decider, Evaluation, Explanation, Identities } from './explain.js';

const STATE_TEXT = { active: 'local and active session', inactive: 'local, inactive session', remote: 'not local, not active (no session or remote)' };

export function renderJson(e: Explanation): string {
  const tree = {
    actionDirs: e.tree.actionDirs, rulesDirs: e.tree.rulesDirs, policyFiles: e.tree.policyFiles.map((f) => f.path),
    rulesFiles: e.tree.rulesFiles.map((f) => f.path), shadowed: e.tree.shadowed, readErrors: e.tree.readErrors,
  };
  return JSON.stringify({
    ...e, tree, authorized: e.result === 'yes', challenge: e.result !== 'yes' && e.result !== 'no',
    decidedBy: { ...e.decidedBy, text: deciderText(e.decidedBy) },
  }, null, 2);
}

export function renderText(e: Explanation): string {
  const out: string[] = [];
  const r = e.request;
  out.push(`trustpath explain: ${r.action} for ${r.user} (uid ${r.uid}), ${STATE_TEXT[r.state]}`);
  out.push('', ...sources(e), '', ...actionLines(e), '', ...subjectLines(e), '');
  out.push(e.rootShortcut ? '1. Root shortcut: taken, uid 0 is authorized without running rules (--always-check disables it)'
    : `1. Root shortcut: ${r.uid === 0 ? 'disabled by --always-check' : `not taken (uid ${r.uid})`}`);
  if (e.main !== undefined) {
    out.push(...evaluationLines(e.main, e, '2.', '3.'));
    out.push('4. Temporary authorizations: not consulted (they live in the running daemon)');
    out.push(...impliedLines(e));
    if (e.identities !== undefined) out.push(...identityLines(e.identities, e));
  }
  if (unread(e)) out.push('', `Warning: ${unread(e)}`);
  out.push('', `Result: ${e.result}`, `Decided by: ${deciderText(e.decidedBy)}`);
  if (e.identities !== undefined) out.push(`Identities offered: ${offeredText(e.identities)}`);
  return out.join('\n');
}

/** A sentence when part of the tree could not be read (the daemon, as root, may see more). */
export function unread(e: Explanation): string {
  const dirErrors = [...e.tree.actionDirs, ...e.tree.rulesDirs].some((d) => d.state === 'error');
  if (!dirErrors && e.tree.readErrors.length === 0) return '';
  return 'part of the policy tree could not be read (see above); trustpathd, which reads it as root, may decide otherwise';
}

/** @private */
function sources(e: Explanation): string[] {
  const dir = (d: { dir: string; state: string; error?: string }) => `${d.dir}${d.state === 'read' ? '' : ` (${d.error ?? d.state})`}`;
  const out = [
    `Actions from: ${e.tree.actionDirs.map(dir).join(', ') || '(no directories)'}`,
    `Rules from:   ${e.tree.rulesDirs.map(dir).join(', ') || '(no directories)'}`,
  ];
  for (const err of e.tree.readErrors) out.push(`  ${err}`);
  for (const err of e.policyErrors) out.push(`  skipped: ${err}`);
  return out;
}

/** @private */
function actionLines(e: Explanation): string[] {
  const a = e.action;
  const out = [`Action ${a.id}${a.description === '' ? '' : `: "${a.description}"`}`, `  defined in  ${a.file}`];
  for (const s of a.shadowed) out.push(`  shadowed    ${s.path} also defines it but is not read (${s.by} has the same file name and comes first)`);
  for (const o of a.overrides) out.push(`  overrides   ${o} (also defines ${a.id}; the later file wins)`);
  out.push(`  defaults    allow_any=${a.defaults.any} allow_inactive=${a.defaults.inactive} allow_active=${a.defaults.active}`);
  for (const [k, v] of a.annotations) out.push(`  annotation  ${k} -> ${v}`);
  return out;
}

/** @private */
function subjectLines(e: Explanation): string[] {
  const s = e.subject;
  const details = Object.entries(e.request.details).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
  return [
    `Subject unix-process pid ${s.pid}: user ${s.user} uid ${s.uid}, groups ${s.groups.join(',') || '(none)'}`,
    `  seat ${JSON.stringify(s.seat)}, session ${JSON.stringify(s.session)}, local=${s.local} active=${s.active}`,
    `  details ${details || '(none)'}`,
  ];
}

/** @private Steps 2 and 3 for one action. */
function evaluationLines(ev: Evaluation, e: Explanation, implicitNo: string, rulesNo: string, indent = ''): string[] {
  const files = e.rulesLoads.filter((l) => l.ok).length;
  const total = e.rulesLoads.reduce((n, l) => n + l.rules, 0);
  const out = [`${indent}${implicitNo} Implicit authorization: ${ev.implicit.key} = ${ev.implicit.value}`,
    `${indent}${rulesNo} Rules (as user ${e.rulesUser}; ${files} files, ${total} addRule functions; runaway limit ${e.runawayMs} ms):`];
  out.push(...traceLines(ev.rules, total, `${indent}     `));
  if (indent === '') {
    for (const l of e.rulesLoads.filter((x) => !x.ok)) out.push(`   skipped file ${l.path}: ${l.runaway ? 'ran away while loading: ' : ''}${l.error ?? ''}`);
    for (const l of e.rulesLoadLog.filter((x) => !x.startsWith('Error compiling script '))) out.push(`   log while loading: ${l}`);
  }
  out.push(`${indent}   → ${ev.result} (${deciderText(ev.decidedBy)})`);
  return out;
}

/** @private One line per rule that ran, its logs beneath it. */
function traceLines(t: RulesTrace, total: number, indent: string): string[] {
  const out: string[] = [];
  t.steps.forEach((step, i) => {
    const mark = i === t.decidedBy ? '   <- decides' : step.extra ? '   (after the decision: does not count)' : '';
    out.push(`${indent}${step.file || '?'}:${step.line}  ${stepText(step)}${mark}`);
    for (const l of step.logs) out.push(`${indent}  log: ${l}`);
  });
  for (const l of t.logs) out.push(`${indent}log: ${l}`);
  const ran = t.steps.filter((s) => !s.extra).length;
  if (t.steps.length === 0 && t.ok) out.push(`${indent}(no rule functions)`);
  if (!t.ok && t.decidedBy === undefined) {
    out.push(t.kind === 'admin' && t.error?.startsWith('TypeError') === true
      ? `${indent}no admin rule returned a value (polkit's _runAdminRules then fails: ${t.error}); fallback unix-user:0`
      : `${indent}could not run: ${t.error ?? 'unknown error'}`);
  }
  if (total > ran && t.steps.length === ran) out.push(`${indent}${total - ran} later rule functions not run (as in polkit; --all-rules shows them)`);
  return out;
}

/** @private */
function stepText(step: RuleStep): string {
  if (step.outcome === 'threw') return `threw ${step.error ?? ''}`;
  if (step.outcome === 'runaway') return `ran away: ${step.error ?? ''}`;
  if (step.outcome === 'terminated') return `terminated: ${step.error ?? ''}`;
  const r = step.returned;
  if (r === undefined) return 'did not return';
  if (r.type === 'string') return `returned ${JSON.stringify(r.text)}`;
  if (r.type === 'null' || r.type === 'undefined') return `returned ${r.type}`;
  return `returned ${r.type} ${r.text}`;
}

/** @private */
function impliedLines(e: Explanation): string[] {
  if (e.implied.length === 0) {
    return [`5. Implied by other actions: ${e.main?.result === 'yes' ? 'not checked (already authorized)' : 'no action implies this one'}`];
  }
  const out = ['5. Implied by other actions (org.freedesktop.policykit.imply, one level deep):'];
  for (const ev of e.implied) {
    out.push(`   ${ev.action}:`);
    out.push(...evaluationLines(ev, e, 'a.', 'b.', '     '));
  }
  return out;
}

/** @private */
function identityLines(ids: Identities, e: Explanation): string[] {
  const out = [`6. Identities for the challenge (${ids.kind === 'auth_self' ? 'auth_self: the subject itself' : 'auth_admin: admin rules, expanded to users'}):`];
  if (ids.admin !== undefined) {
    const total = e.rulesLoads.reduce((n, l) => n + l.adminRules, 0);
    out.push(...traceLines(ids.admin, total, '     '));
    out.push(`     admin identities: ${ids.admin.identities.join(' ')}`);
  }
  for (const l of ids.log) out.push(`     log: ${l}`);
  return out;
}

/** @private */
function offeredText(ids: Identities): string {
  return ids.offered.map((o) => `unix-user:${o.name ?? o.uid} (uid ${o.uid})`).join(', ');
}

export function deciderText(d: Decider): string {
  switch (d.kind) {
    case 'root': return 'root shortcut (uid 0)';
    case 'implicit': return `implicit authorization ${d.key} in ${d.file} (no rule returned a value)`;
    case 'rule': return `rule ${d.file}:${d.line} returned ${JSON.stringify(d.value)}`;
    case 'rule-invalid': return `rule ${d.file}:${d.line} returned ${JSON.stringify(d.value)}, not a valid result (denies)`;
    case 'rule-error': return `rule ${d.file}:${d.line} threw ${d.error} (a throwing rule denies)`;
    case 'rule-runaway': return `rule ${d.file}:${d.line} ran into the runaway limit (denies)`;
    case 'rules-failed': return `rules could not run: ${d.error} (denies)`;
    case 'implied': return `implied by ${d.action}: ${deciderText(d.by)}`;
  }
}
