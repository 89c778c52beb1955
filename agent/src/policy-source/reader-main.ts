// The policy reader: a small process that keeps root's right to read polkit's rules
// directories (mode 0700, owned by polkitd on Debian) after trustpathd has dropped
// to its own user. Its directories are fixed by its command line when the daemon
// starts it as root; its only input afterwards is a one-byte "read now" request,
// so a compromised daemon can make it read nothing else.
//
//   stdin  (daemon → reader): 0x52 'R' = send a snapshot; end of file = exit
//   stdout (reader → daemon): frames  u8 type | u32 BE length | payload
//       type 1 SNAPSHOT  payload = JSON PolicySnapshot
//       type 2 CHANGED   payload empty (a directory changed; ask again)
import { readPolicyTree, type PolicyDirs } from './tree.js';
import { DirectoryWatcher } from './watch.js';
import { encodeReaderFrame, READ_REQUEST, ReaderFrame } from './reader-protocol.js';

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
  process.stdin.on('data', (chunk: Buffer) => {
    for (const byte of chunk) {
      if (byte !== READ_REQUEST) { log('unexpected request byte; exiting'); process.exit(2); }
      send(ReaderFrame.Snapshot, Buffer.from(JSON.stringify(readPolicyTree(dirs, log))));
    }
  });
  process.stdin.on('end', () => { watcher.close(); process.exit(0); });
}

main();
