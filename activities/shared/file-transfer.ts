import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TransferProgress, TransferResult } from '../../contracts/database';

const CHUNK = 4 * 1024 * 1024;

export interface TransferOptions {
  /** Resume here: the destination already holds this many good bytes of the source. */
  resumeOffset?: number;
  onProgress?: (progress: TransferProgress) => void;
  progressIntervalMs?: number;
  /** Bytes per second; 0 or undefined for unlimited (a WAN link shared with production). */
  bandwidthLimit?: number;
  signal?: AbortSignal;
}

/**
 * Copies `source` to `destination` in one pass, hashing what it copies (SHA-256). With a resume
 * offset it keeps the destination's first `offset` bytes, re-hashes them locally (Node cannot
 * serialize a hash state) and reads only the rest from the source.
 */
export async function copyWithSha256(
  source: string,
  destination: string,
  options: TransferOptions = {},
): Promise<TransferResult> {
  const total = fs.statSync(source).size;
  const hash = createHash('sha256');
  const offset = usableOffset(destination, options.resumeOffset ?? 0, total);
  const rehashedBytes = offset > 0 ? await hashPrefix(destination, offset, hash) : 0;
  if (offset > 0) fs.truncateSync(destination, offset);
  let sourceBytesRead = 0;
  const output = fs.createWriteStream(destination, {
    flags: offset > 0 ? 'r+' : 'w',
    start: offset,
    highWaterMark: CHUNK,
  });
  const report = () => options.onProgress?.({ offset: offset + output.bytesWritten, total });
  const ticker = setInterval(report, options.progressIntervalMs ?? 1000);
  const started = Date.now();
  try {
    await pipeline(
      fs.createReadStream(source, { start: offset, highWaterMark: CHUNK }),
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          sourceBytesRead += chunk.length;
          const wait = throttleDelay(sourceBytesRead, started, options.bandwidthLimit);
          if (wait > 0) setTimeout(() => callback(null, chunk), wait);
          else callback(null, chunk);
        },
      }),
      output,
      { signal: options.signal },
    );
  } finally {
    clearInterval(ticker);
  }
  report();
  return { sha256: hash.digest('hex'), bytes: total, sourceBytesRead, rehashedBytes, resumedFromOffset: offset };
}

/** SHA-256 of a whole file, reporting bytes hashed. */
export async function sha256OfFile(file: string, onProgress?: (done: number, total: number) => void): Promise<string> {
  const total = fs.statSync(file).size;
  const hash = createHash('sha256');
  let done = 0;
  const ticker = setInterval(() => onProgress?.(done, total), 1000);
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK })) {
      hash.update(chunk as Buffer);
      done += (chunk as Buffer).length;
    }
  } finally {
    clearInterval(ticker);
  }
  return hash.digest('hex');
}

/** A heartbeat can be ahead of what reached the file (or the file may be gone): trust only both. */
function usableOffset(destination: string, offset: number, total: number): number {
  if (offset <= 0 || !fs.existsSync(destination)) return 0;
  return Math.min(offset, fs.statSync(destination).size, total);
}

async function hashPrefix(file: string, length: number, hash: Hash): Promise<number> {
  for await (const chunk of fs.createReadStream(file, { start: 0, end: length - 1, highWaterMark: CHUNK }))
    hash.update(chunk as Buffer);
  return length;
}

function throttleDelay(bytes: number, started: number, limit: number | undefined): number {
  if (!limit) return 0;
  return Math.max(0, (bytes / limit) * 1000 - (Date.now() - started));
}
