// Frames between trustpathd and its policy reader (see reader-main.ts). This module
// is the only parser of the reader's output.
import type { SourceFile } from '../../../policy/src/index.js';
import { TREE_LIMITS, type PolicySnapshot } from './tree.js';
import { encodeFrame, FrameDecoder } from '../wire/frame.js';

export const READ_REQUEST = 0x52;
/** 'E' + u32 BE pid: the executable of a process (root can read any /proc/PID/exe) */
export const EXE_REQUEST = 0x45;
export enum ReaderFrame { Snapshot = 1, Changed = 2, Exe = 3 }
const MAX_EXE_PAYLOAD = 8192;

export type { ExeFacts as ExeAnswer } from '../identity/proc.js';
import type { ExeFacts as ExeAnswer } from '../identity/proc.js';

export function encodeExeRequest(pid: number): Buffer {
  const b = Buffer.alloc(5);
  b.writeUInt8(EXE_REQUEST, 0);
  b.writeUInt32BE(pid, 1);
  return b;
}

export type ReaderRequest = { type: 'read' } | { type: 'exe'; pid: number };

/** The reader's side: requests from the daemon; throws on anything else. */
export class RequestDecoder {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): ReaderRequest[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: ReaderRequest[] = [];
    while (this.#buf.length > 0) {
      const t = this.#buf.readUInt8(0);
      if (t === READ_REQUEST) { out.push({ type: 'read' }); this.#buf = this.#buf.subarray(1); continue; }
      if (t !== EXE_REQUEST) throw new Error(`unexpected request byte ${t}`);
      if (this.#buf.length < 5) break;
      out.push({ type: 'exe', pid: this.#buf.readUInt32BE(1) });
      this.#buf = this.#buf.subarray(5);
    }
    return out;
  }
}
const MAX_PAYLOAD = TREE_LIMITS.totalBytes * 2 + 1024 * 1024; // JSON escaping can double the text
const READER_CAPS: Readonly<Record<number, number>> = Object.freeze({
  [ReaderFrame.Snapshot]: MAX_PAYLOAD,
  [ReaderFrame.Changed]: 0,
  [ReaderFrame.Exe]: MAX_EXE_PAYLOAD,
});

export function encodeReaderFrame(type: ReaderFrame, payload: Buffer): Buffer {
  return encodeFrame(type, payload, READER_CAPS);
}

export type DecodedReaderFrame =
  | { type: 'snapshot'; snapshot: PolicySnapshot }
  | { type: 'changed' }
  | { type: 'exe'; answer: ExeAnswer };

function exeAnswer(payload: Buffer): ExeAnswer {
  const o = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
  const pid = o.pid;
  const exe = o.exe;
  const st = o.startTime;
  const locale = o.locale ?? null;
  const ctype = o.ctype ?? null;
  if (locale !== null && (typeof locale !== 'string' || locale.length > 64)) throw new Error('EXE frame: bad locale');
  if (ctype !== null && (typeof ctype !== 'string' || ctype.length > 64)) throw new Error('EXE frame: bad ctype');
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 0 || pid > 0xffffffff) throw new Error('EXE frame: bad pid');
  if (exe !== null && typeof exe !== 'string') throw new Error('EXE frame: bad exe');
  if (st !== null && (typeof st !== 'string' || !/^[0-9]{1,20}$/.test(st))) throw new Error('EXE frame: bad start time');
  return { pid, exe, startTime: st === null ? null : BigInt(st), locale, ctype };
}

function sourceFiles(v: unknown): SourceFile[] {
  if (!Array.isArray(v)) throw new Error('snapshot list is not an array');
  return v.map((f: unknown) => {
    const o = f as Record<string, unknown> | null;
    if (o === null || typeof o !== 'object' || typeof o.path !== 'string' || typeof o.content !== 'string') {
      throw new Error('snapshot entry is not {path, content}');
    }
    return { path: o.path, content: o.content };
  });
}

/** Incremental decoder; throws on anything malformed (the caller kills the reader). */
export class ReaderDecoder {
  readonly #frames = new FrameDecoder(READER_CAPS);

  push(chunk: Buffer): DecodedReaderFrame[] {
    const { frames, error } = this.#frames.push(chunk);
    if (error !== undefined) throw new Error(error);
    return frames.map(({ type, payload }): DecodedReaderFrame => {
      if (type === ReaderFrame.Changed) return { type: 'changed' };
      if (type === ReaderFrame.Exe) return { type: 'exe', answer: exeAnswer(payload) };
      const o = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      return { type: 'snapshot', snapshot: { policy: sourceFiles(o.policy), rules: sourceFiles(o.rules) } };
    });
  }
}
