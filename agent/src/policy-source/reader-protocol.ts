// Frames between trustpathd and its policy reader (see reader-main.ts). This module
// is the only parser of the reader's output.
import type { SourceFile } from '../../../policy/src/index.js';
import { TREE_LIMITS, type PolicySnapshot } from './tree.js';

export const READ_REQUEST = 0x52;
export enum ReaderFrame { Snapshot = 1, Changed = 2 }
const HEADER = 5;
const MAX_PAYLOAD = TREE_LIMITS.totalBytes * 2 + 1024 * 1024; // JSON escaping can double the text

export function encodeReaderFrame(type: ReaderFrame, payload: Buffer): Buffer {
  const head = Buffer.alloc(HEADER);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

export type DecodedReaderFrame = { type: 'snapshot'; snapshot: PolicySnapshot } | { type: 'changed' };

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
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): DecodedReaderFrame[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: DecodedReaderFrame[] = [];
    while (this.#buf.length >= HEADER) {
      const type = this.#buf.readUInt8(0);
      const len = this.#buf.readUInt32BE(1);
      if (type === ReaderFrame.Changed && len !== 0) throw new Error('CHANGED frame with a payload');
      if (type !== ReaderFrame.Changed && type !== ReaderFrame.Snapshot) throw new Error(`unknown frame type ${type}`);
      if (len > MAX_PAYLOAD) throw new Error(`frame of ${len} bytes is over the limit`);
      if (this.#buf.length < HEADER + len) break;
      const payload = this.#buf.subarray(HEADER, HEADER + len);
      this.#buf = this.#buf.subarray(HEADER + len);
      if (type === ReaderFrame.Changed) { out.push({ type: 'changed' }); continue; }
      const o = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      out.push({ type: 'snapshot', snapshot: { policy: sourceFiles(o.policy), rules: sourceFiles(o.rules) } });
    }
    return out;
  }
}
