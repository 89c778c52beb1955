// The policy reader: a small process that keeps root's right to read polkit's rules
// directories (mode 0700, owned by polkitd on Debian) after trustpathd has dropped
// to its own user. Its directories are fixed by its command line when the daemon
// starts it as root; its input afterwards is "read now" or "which executable is
// process PID" (root may read any /proc/PID/exe; the daemon's user may not, and the
// audit log and the prompt name the verified executable), so a compromised daemon
// can make it read nothing else.
//
//   stdin  (daemon → reader): 0x52 'R' = send a snapshot; 0x45 'E' + u32 BE pid =
//                             executable of pid; end of file = exit
//   stdout (reader → daemon): frames  u8 type | u32 BE length | payload
//       type 1 SNAPSHOT  payload = JSON PolicySnapshot
//       type 2 CHANGED   payload empty (a directory changed; ask again)
//       type 3 EXE       payload = JSON {pid, exe|null, startTime|null} (start time
//                        read after the link, so the daemon can tell a reused pid)
import { readPolicyTree, type PolicyDirs } from './tree.js';
import { DirectoryWatcher } from './watch.js';
import { encodeReaderFrame, ReaderFrame, RequestDecoder } from './reader-protocol.js';
import { exeOf } from '../identity/proc.js';


function parseArgs(argv: readonly string[]): PolicyDirs {
  const actions: string[] = [];
  const rules: string[] = [];
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const dir = argv[i + 1];
    if (dir === undefined || !dir.startsWith('/')) throw new Error(`bad argument ${flag ?? ''}`);
    if (flag === '--actions') actions.push(dir);
    else if (flag === '--rules') rules.push(dir);
    else throw new Error(`unknown argument ${flag ?? ''}`);
  }
  return { actions, rules };
}

function main(): void {
  const dirs = parseArgs(process.argv.slice(2));
  const log = (msg: string): void => { process.stderr.write(`trustpathd policy reader: ${msg}\n`); };
  const send = (type: ReaderFrame, payload: Buffer): void => { process.stdout.write(encodeReaderFrame(type, payload)); };
  const watcher = new DirectoryWatcher([...dirs.actions, ...dirs.rules], () => send(ReaderFrame.Changed, Buffer.alloc(0)), log);
  const requests = new RequestDecoder();
  process.stdin.on('data', (chunk: Buffer) => {
    let list;
    try {
      list = requests.push(chunk);
    } catch (e) {
      log(`${(e as Error).message}; exiting`);
      process.exit(2);
    }
    for (const r of list) {
      if (r.type === 'read') send(ReaderFrame.Snapshot, Buffer.from(JSON.stringify(readPolicyTree(dirs, log))));
      else send(ReaderFrame.Exe, Buffer.from(JSON.stringify(exeOf(r.pid), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))));
    }
  });
  process.stdin.on('end', () => { watcher.close(); process.exit(0); });
}

main();
