// The JavaScript that every rules interpreter runs before the .rules files: polkit's
// public API (polkit.addRule, addAdminRule, Result, Action, Subject), written in ES5
// with the same semantics as polkit's init.js, plus a private entry point that the
// worker keeps as a handle (it is not reachable from rules).
//
// Host functions set on `polkit` before this runs: log, spawn, _userIsInNetGroup.

export const PRELUDE = String.raw`
function Action() {
  this.lookup = function (key) { return this['_detail_' + key]; };
  this.toString = function () {
    var s = "[Action id='" + this.id + "'";
    for (var k in this) {
      if (k.indexOf('_detail_') === 0) s += ' ' + k.substr(8) + "='" + this[k] + "'";
    }
    return s + ']';
  };
}
function Subject() {
  this.isInGroup = function (group) {
    for (var i = 0; i < this.groups.length; i++) { if (this.groups[i] == group) return true; }
    return false;
  };
  this.isInNetGroup = function (netGroup) { return polkit._userIsInNetGroup(this.user, netGroup); };
  this.toString = function () {
    var s = '[Subject';
    for (var k in this) {
      var v = this[k];
      if (typeof v == 'function') continue;
      s += typeof v == 'string' ? ' ' + k + "='" + v + "'" : ' ' + k + '=' + v;
    }
    return s + ']';
  };
}
polkit.Result = { NO: 'no', YES: 'yes', AUTH_SELF: 'auth_self', AUTH_SELF_KEEP: 'auth_self_keep',
  AUTH_ADMIN: 'auth_admin', AUTH_ADMIN_KEEP: 'auth_admin_keep', NOT_HANDLED: null };
polkit._ruleFuncs = [];
polkit._adminRuleFuncs = [];
polkit.addRule = function (fn) { this._ruleFuncs.push(fn); };
polkit.addAdminRule = function (fn) { this._adminRuleFuncs.push(fn); };
polkit._firstTruthy = function (funcs, action, subject) {
  for (var i = 0; i < funcs.length; i++) {
    var r = funcs[i](action, subject);
    if (r) return r;
  }
  return null;
};
polkit._runRules = function (action, subject) { return this._firstTruthy(this._ruleFuncs, action, subject); };
polkit._runAdminRules = function (action, subject) {
  var r = this._firstTruthy(this._adminRuleFuncs, action, subject);
  return r.join(',');
};
polkit._deleteRules = function () { this._ruleFuncs = []; this._adminRuleFuncs = []; };
`;

/** Evaluates to a function(kind, actionJson, subjectJson) kept by the worker only. */
export const ENTRY = String.raw`(function (polkit, Action, Subject, parse) {
  return function (kind, actionJson, subjectJson) {
    var a = parse(actionJson), s = parse(subjectJson);
    var action = new Action();
    action.id = a.id;
    for (var k in a.details) action['_detail_' + k] = a.details[k];
    var subject = new Subject();
    var order = ['pid', 'user', 'groups', 'seat', 'session', 'system_unit', 'no_new_privileges', 'local', 'active', 'uid'];
    for (var i = 0; i < order.length; i++) { if (order[i] in s) subject[order[i]] = s[order[i]]; }
    if (kind === 'admin') return '' + polkit._runAdminRules(action, subject);
    var r = polkit._runRules(action, subject);
    return r === null || r === undefined ? null : '' + r;
  };
})(polkit, Action, Subject, JSON.parse)`;

/**
 * For `trustpath explain` only (workers started with `trace`): evaluated after the
 * prelude and before any .rules file. Wraps addRule/addAdminRule to remember where each
 * function was defined (QuickJS's Function.prototype fileName/lineNumber, taken before
 * rules can touch them), and evaluates to function(entry) → { counts, run } where
 * `run(kind, actionJson, subjectJson, all, step)` calls the normal entry with every rule
 * function wrapped so that `step(json)` hears each start and return. The decision is
 * still made by polkit._runRules / _runAdminRules, so it is the daemon's decision.
 * With `all`, the rules after the deciding (or throwing) one run too (errors caught), marked extra.
 */
export const TRACE_FACTORY = String.raw`(function (polkit, stringify) {
  var P = Function.prototype, d = Object.getOwnPropertyDescriptor;
  var fileOf = P.call.bind(d(P, 'fileName').get), lineOf = P.call.bind(d(P, 'lineNumber').get);
  var sites = { rules: [], admin: [] };
  function site(fn) {
    try { return { file: '' + fileOf(fn), line: lineOf(fn) | 0 }; } catch (e) { return { file: '', line: 0 }; }
  }
  function text(v) {
    try {
      var t = typeof v === 'string' ? v : typeof v === 'object' && v !== null ? stringify(v) : String(v);
      return (typeof t === 'string' ? t : String(v)).slice(0, 512);
    } catch (e) { return '[unprintable]'; }
  }
  var addRule = P.call.bind(polkit.addRule), addAdminRule = P.call.bind(polkit.addAdminRule);
  var deleteRules = P.call.bind(polkit._deleteRules);
  polkit.addRule = function (fn) { sites.rules.push(site(fn)); return addRule(this, fn); };
  polkit.addAdminRule = function (fn) { sites.admin.push(site(fn)); return addAdminRule(this, fn); };
  polkit._deleteRules = function () { sites.rules = []; sites.admin = []; return deleteRules(this); };
  return function (entry) {
    // An interrupted (runaway) call skips finally blocks: the next run restores first.
    var saved = null;
    function restore() { if (saved !== null) { polkit[saved[0]] = saved[1]; saved = null; } }
    function run(kind, actionJson, subjectJson, all, step) {
      restore();
      var key = kind === 'admin' ? '_adminRuleFuncs' : '_ruleFuncs';
      var funcs = polkit[key], at = kind === 'admin' ? sites.admin : sites.rules;
      var args = null, decided = -1, current = -1, traced = [];
      function start(i, extra) {
        var s = at[i] || { file: '', line: 0 };
        step(stringify({ ev: 'start', i: i, file: s.file, line: s.line, extra: extra }));
      }
      function done(i, r) {
        step(stringify({ ev: 'return', i: i, type: r === null ? 'null' : typeof r, text: text(r), truthy: !!r }));
      }
      function wrap(i) {
        return function (action, subject) {
          args = [action, subject];
          current = i;
          start(i, false);
          var r = funcs[i](action, subject);
          done(i, r);
          if (r && decided < 0) decided = i;
          return r;
        };
      }
      for (var i = 0; i < funcs.length; i++) traced.push(wrap(i));
      saved = [key, funcs];
      polkit[key] = traced;
      var out, failed = null;
      try { out = entry(kind, actionJson, subjectJson); } catch (e) { failed = { e: e }; } finally { restore(); }
      var last = failed !== null ? current : decided;
      for (var j = last + 1; all && last >= 0 && j < funcs.length; j++) {
        start(j, true);
        try { done(j, funcs[j](args[0], args[1])); } catch (e) { step(stringify({ ev: 'threw', i: j, text: text(e) })); }
      }
      if (failed !== null) throw failed.e;
      return out;
    }
    return { run: run, counts: function () { return sites.rules.length + ',' + sites.admin.length; } };
  };
})(polkit, JSON.stringify)`;
