// trustpathd's log: one line per event on stderr (the journal when run by
// systemd), "trustpathd[PID]: message", with optional key=value fields. Never
// throws; a broken stderr does not stop the daemon.

export type Log = (msg: string, fields?: Readonly<Record<string, string | number | boolean>>) => void;

function field(v: string | number | boolean): string {
  const s = String(v);
  return /^[A-Za-z0-9_.:/@+-]*$/.test(s) ? s : JSON.stringify(s);
}

export function createLog(name: string): Log {
  return (msg, fields) => {
    const extra = fields ? Object.entries(fields).map(([k, v]) => ` ${k}=${field(v)}`).join('') : '';
    try {
      process.stderr.write(`${name}[${process.pid}]: ${msg.replace(/\n+$/, '')}${extra}\n`);
    } catch { /* nowhere left to report it */ }
  };
}
