// trustpathd's log: one line per event on stderr (the journal when run by
// systemd), "trustpathd[PID]: message", with optional key=value fields. Never
// throws; a broken stderr does not stop the daemon.

export type Log = (msg: string, fields?: Readonly<Record<string, string | number | boolean>>) => void;

function field(v: string | number | boolean): string {
  const s = String(v);
  return /^[A-Za-z0-9_.:/@+-]*$/.test(s) ? s : JSON.stringify(s);
}

// A pipe's reader that went away (the daemon's parent died) reports EPIPE as an
// 'error' event, not a throw: unhandled, it became an uncaught exception whose log line
// failed the same way, for ever (a daemon seen spinning at half a core). From then on
// the log is dropped.
let stderrBroken = false;
process.stderr.on('error', () => { stderrBroken = true; });

export function createLog(name: string): Log {
  return (msg, fields) => {
    if (stderrBroken) return;
    const extra = fields ? Object.entries(fields).map(([k, v]) => ` ${k}=${field(v)}`).join('') : '';
    try {
      process.stderr.write(`${name}[${process.pid}]: ${msg.replace(/\n+$/, '')}${extra}\n`);
    } catch { /* nowhere left to report it */ }
  };
}
