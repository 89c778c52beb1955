// polkit's error names, and the one type every handler throws to answer a call
// with an error. Anything else thrown by a handler is a bug: it is logged and
// answered with a generic Failed error (fail closed), never with success.

export const POLKIT_ERROR = {
  Failed: 'org.freedesktop.PolicyKit1.Error.Failed',
  Cancelled: 'org.freedesktop.PolicyKit1.Error.Cancelled',
  NotSupported: 'org.freedesktop.PolicyKit1.Error.NotSupported',
  NotAuthorized: 'org.freedesktop.PolicyKit1.Error.NotAuthorized',
  CancellationIdNotUnique: 'org.freedesktop.PolicyKit1.Error.CancellationIdNotUnique',
} as const;

export const DBUS_ERROR = {
  UnknownMethod: 'org.freedesktop.DBus.Error.UnknownMethod',
  UnknownInterface: 'org.freedesktop.DBus.Error.UnknownInterface',
  UnknownObject: 'org.freedesktop.DBus.Error.UnknownObject',
  UnknownProperty: 'org.freedesktop.DBus.Error.UnknownProperty',
  PropertyReadOnly: 'org.freedesktop.DBus.Error.PropertyReadOnly',
  InvalidArgs: 'org.freedesktop.DBus.Error.InvalidArgs',
  LimitsExceeded: 'org.freedesktop.DBus.Error.LimitsExceeded',
} as const;

export type ErrorName = (typeof POLKIT_ERROR)[keyof typeof POLKIT_ERROR] | (typeof DBUS_ERROR)[keyof typeof DBUS_ERROR];

/** An error that answers a D-Bus call with `name` and `message`. */
export class CallError extends Error {
  constructor(readonly errorName: ErrorName | string, message: string) {
    super(message);
    this.name = 'CallError';
  }
}

export function failed(message: string): CallError {
  return new CallError(POLKIT_ERROR.Failed, message);
}

export function notAuthorized(message: string): CallError {
  return new CallError(POLKIT_ERROR.NotAuthorized, message);
}
