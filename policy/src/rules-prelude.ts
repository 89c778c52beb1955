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
