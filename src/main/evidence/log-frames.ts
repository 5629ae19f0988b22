import { crc32 } from 'node:zlib';
import { createHash, hash as oneShotHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/**
 * The on-disk framing of a sealed record log. Everything here works without a key, so an
 * auditor can check framing, order and the hash chain of a log they cannot decrypt.
 *
 * File: `ICEVLOG1` then frames. Frame:
 *   u32be payloadLength | u32be CRC32(length bytes ‖ payload) | payload
 * payload:
 *   u8 version | u32be keyVersion | u48be seq | prevHash[32] | nonce[12] | ciphertext | tag[16]
 * `prevHash` is the SHA-256 of the previous whole frame (genesis: SHA-256 of a label and the log
 * id), so the chain and checkpoints can be verified from sealed bytes alone.
 */
export const LOG_MAGIC = Buffer.from('ICEVLOG1', 'latin1');
/** Frames written now: the header also carries the SHA-256 of the sealed plaintext. */
export const FRAME_VERSION = 2;
export const FRAME_PREFIX_BYTES = 8;
/** v1 header: version + keyVersion + seq + prevHash (bound into the AES-GCM associated data). */
export const FRAME_HEADER_BYTES_V1 = 1 + 4 + 6 + 32;
/** v2 header: the v1 fields + plainDigest[32]. */
export const FRAME_HEADER_BYTES = FRAME_HEADER_BYTES_V1 + 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
const headerBytesOf = (version: number): number | undefined =>
  version === 2 ? FRAME_HEADER_BYTES : version === 1 ? FRAME_HEADER_BYTES_V1 : undefined;
const MIN_PAYLOAD_ANY = FRAME_HEADER_BYTES_V1 + NONCE_BYTES + TAG_BYTES;
export const MAX_PAYLOAD = 64 * 1024 * 1024;

export interface FrameHeader {
  keyVersion: number;
  seq: number;
  prevHash: Buffer;
  /**
   * SHA-256 of the record's sealed plaintext (v2 frames): lets anyone holding the plaintext
   * (an export's recipient) check it against the chain without the key.
   */
  plainDigest?: Buffer;
}

export interface ScannedFrame extends FrameHeader {
  version: number;
  offset: number;
  /** Whole frame length in bytes, prefix included. */
  length: number;
  /** SHA-256 of the whole frame: the next frame's prevHash. */
  hash: Buffer;
  nonce: Buffer;
  /** ciphertext ‖ tag */
  sealed: Buffer;
  /** The header bytes that go into the associated data. */
  header: Buffer;
}

export interface LogProblem {
  kind: 'torn' | 'corrupt';
  /** Byte offset of the first invalid byte. */
  offset: number;
  /** The seq the invalid position should have held. */
  seq: number;
  reason: string;
}

export interface LogScan {
  frames: ScannedFrame[];
  /** Bytes covered by valid frames (and the magic): where a repair would cut. */
  validEnd: number;
  problem?: LogProblem;
}

/** The prevHash of seq 1: binds the chain to its log id. */
export function genesisHash(logId: string): Buffer {
  return createHash('sha256').update(`incident-cockpit evidence genesis\0${logId}`).digest();
}

/** SHA-256 of a buffer (one-shot `crypto.hash` where Node has it: no hash object per frame). */
export function sha256(data: Buffer): Buffer {
  if (typeof oneShotHash === 'function') return oneShotHash('sha256', data, 'buffer') as unknown as Buffer;
  return createHash('sha256').update(data).digest();
}

/** The header bytes of a frame (also its associated data, together with the log id). */
export function encodeFrameHeader(h: FrameHeader): Buffer {
  const header = Buffer.alloc(h.plainDigest ? FRAME_HEADER_BYTES : FRAME_HEADER_BYTES_V1);
  header.writeUInt8(h.plainDigest ? 2 : 1, 0);
  header.writeUInt32BE(h.keyVersion, 1);
  header.writeUIntBE(h.seq, 5, 6);
  h.prevHash.copy(header, 11);
  h.plainDigest?.copy(header, 43);
  return header;
}

/** Assembles a complete frame from its header, nonce and ciphertext ‖ tag. */
export function encodeFrame(header: Buffer, nonce: Buffer, sealed: Buffer): Buffer {
  const payloadLength = header.length + nonce.length + sealed.length;
  const frame = Buffer.allocUnsafe(FRAME_PREFIX_BYTES + payloadLength);
  frame.writeUInt32BE(payloadLength, 0);
  header.copy(frame, 8);
  nonce.copy(frame, 8 + header.length);
  sealed.copy(frame, 8 + header.length + nonce.length);
  frame.writeUInt32BE(frameCrc(frame, 0, payloadLength), 4);
  return frame;
}

function frameCrc(buf: Buffer, offset: number, payloadLength: number): number {
  const withLength = crc32(buf.subarray(offset, offset + 4));
  return crc32(buf.subarray(offset + 8, offset + 8 + payloadLength), withLength);
}

/** Decodes the frame at `offset` when it is structurally whole and its CRC matches. */
export function frameAt(buf: Buffer, offset: number): ScannedFrame | undefined {
  return classifyFrameAt(buf, offset, buf.length).frame;
}

type FrameVerdict = { frame: ScannedFrame; problem?: undefined } | { frame?: undefined; problem: 'short' | 'damaged' | 'zeros' };

/**
 * Decodes the frame at `offset` of `buf` (whose bytes end the file at `end`), or says why not:
 * `short` (the file ends inside a frame whose length field is plausible: a torn write), `zeros`
 * (only zero bytes remain: a torn extension), or `damaged` (a frame whose length fits and whose
 * CRC, version or length fails: corruption, never cut as a torn tail).
 */
export function classifyFrameAt(buf: Buffer, offset: number, end: number): FrameVerdict {
  const remaining = end - offset;
  if (remaining < FRAME_PREFIX_BYTES + 1) return { problem: 'short' };
  const payloadLength = buf.readUInt32BE(offset);
  const version = buf[offset + 8]!;
  const headerBytes = headerBytesOf(version);
  const plausible = payloadLength >= MIN_PAYLOAD_ANY && payloadLength <= MAX_PAYLOAD;
  if (plausible && offset + FRAME_PREFIX_BYTES + payloadLength > end) return { problem: 'short' };
  if (!plausible || headerBytes === undefined || payloadLength < headerBytes + NONCE_BYTES + TAG_BYTES) {
    let zeros = true;
    for (let p = offset; p < Math.min(end, buf.length) && zeros; p++) zeros = buf[p] === 0;
    return { problem: zeros ? 'zeros' : 'damaged' };
  }
  if (buf.readUInt32BE(offset + 4) !== frameCrc(buf, offset, payloadLength)) return { problem: 'damaged' };
  const length = FRAME_PREFIX_BYTES + payloadLength;
  const p = offset + 8;
  return {
    frame: {
      version,
      offset,
      length,
      keyVersion: buf.readUInt32BE(p + 1),
      seq: buf.readUIntBE(p + 5, 6),
      prevHash: buf.subarray(p + 11, p + 43),
      ...(version === 2 ? { plainDigest: buf.subarray(p + 43, p + 75) } : {}),
      header: buf.subarray(p, p + headerBytes),
      nonce: buf.subarray(p + headerBytes, p + headerBytes + NONCE_BYTES),
      sealed: buf.subarray(p + headerBytes + NONCE_BYTES, offset + length),
      hash: sha256(buf.subarray(offset, offset + length)),
    },
  };
}

/** Whether a whole valid frame starts anywhere in (from, end): then what came before it is damage, not a torn write. */
function validFrameAfter(buf: Buffer, from: number, end: number): boolean {
  for (let p = from; p + FRAME_PREFIX_BYTES + MIN_PAYLOAD_ANY <= end; p++) {
    const payloadLength = buf.readUInt32BE(p);
    if (payloadLength < MIN_PAYLOAD_ANY || p + FRAME_PREFIX_BYTES + payloadLength > end) continue;
    if (headerBytesOf(buf[p + 8]!) === undefined) continue;
    if (classifyFrameAt(buf, p, end).frame) return true;
  }
  return false;
}

const REASONS = {
  short: (expected: number, bytes: number) => `${bytes} bytes after record ${expected - 1} do not form a whole record`,
  zeros: (expected: number, bytes: number) => `${bytes} zero bytes after record ${expected - 1} (an extension that was never written)`,
  damaged: (expected: number) => `record ${expected} is whole but fails its length/CRC check (damaged, not a torn write)`,
  followed: (expected: number) => `record ${expected} fails its length/CRC check and valid records follow it`,
} as const;

/** Checks one frame against the chain position it should hold; undefined when it fits. */
function chainProblem(frame: ScannedFrame, expected: number, prev: Buffer): string | undefined {
  if (frame.seq !== expected) return `found record ${frame.seq} where record ${expected} belongs (records deleted or reordered)`;
  if (!frame.prevHash.equals(prev)) return `record ${expected} does not chain to the record before it`;
  return undefined;
}

/**
 * Walks a log file's bytes held in memory: framing, CRC, seq order and the hash chain. Stops at
 * the first problem. A frame cut short by the end of the file is a torn tail; a whole frame that
 * fails its CRC is corruption, wherever it is.
 */
export function scanLog(buf: Buffer, logId: string): LogScan {
  const frames: ScannedFrame[] = [];
  if (buf.length < LOG_MAGIC.length || !buf.subarray(0, LOG_MAGIC.length).equals(LOG_MAGIC)) {
    return {
      frames,
      validEnd: 0,
      problem: { kind: 'corrupt', offset: 0, seq: 1, reason: 'the file does not start with the evidence log magic' },
    };
  }
  let pos = LOG_MAGIC.length;
  let prev = genesisHash(logId);
  let expected = 1;
  while (pos < buf.length) {
    const verdict = classifyFrameAt(buf, pos, buf.length);
    if (!verdict.frame) {
      const problem = verdict.problem !== 'damaged' && validFrameAfter(buf, pos + 1, buf.length) ? 'followed' : verdict.problem;
      const kind = problem === 'damaged' || problem === 'followed' ? 'corrupt' : 'torn';
      return { frames, validEnd: pos, problem: { kind, offset: pos, seq: expected, reason: REASONS[problem](expected, buf.length - pos) } };
    }
    const frame = verdict.frame;
    const chain = chainProblem(frame, expected, prev);
    if (chain) return { frames, validEnd: pos, problem: { kind: 'corrupt', offset: pos, seq: expected, reason: chain } };
    frames.push(frame);
    prev = frame.hash;
    pos += frame.length;
    expected++;
  }
  return { frames, validEnd: pos };
}

/** What a streamed scan of a log file found; frames went to the callback, none are kept. */
export interface FileScan {
  /** Valid frames. */
  count: number;
  validEnd: number;
  /** Hash of the last valid frame (genesis for none). */
  headHash: Buffer;
  /** Bytes scanned (the file size, or the limit). */
  end: number;
  /** Frame hashes at the counts asked for in `hashesAt`. */
  hashesAt: Map<number, Buffer>;
  problem?: LogProblem;
}

const WINDOW = 4 * 1024 * 1024;

/**
 * Streams a log file in windows of a few MiB: the same checks as `scanLog` with memory bounded by
 * the largest frame, whatever the file's size. Each valid frame goes to `onFrame` (its buffers are
 * only valid during the call). `limit` stops at that byte (a reader in the writer's process reads
 * up to what the writer acknowledged).
 */
export async function scanLogFile(
  handle: FileHandle,
  logId: string,
  options: { onFrame?: (frame: ScannedFrame) => void; limit?: number; hashesAt?: Iterable<number> } = {},
): Promise<FileScan> {
  const { size } = await handle.stat();
  const end = options.limit === undefined ? size : Math.min(size, options.limit);
  const wanted = new Set(options.hashesAt ?? []);
  const hashesAt = new Map<number, Buffer>();
  const genesis = genesisHash(logId);
  if (wanted.has(0)) hashesAt.set(0, genesis);
  let window = Buffer.allocUnsafe(Math.min(WINDOW, Math.max(end, LOG_MAGIC.length)));
  let windowStart = 0;
  let windowLength = 0;
  /** Makes [pos, pos + n) (clipped to the end) readable in the window; returns its start index. */
  const ensure = async (pos: number, n: number): Promise<number> => {
    const want = Math.min(n, end - pos);
    if (pos >= windowStart && pos + want <= windowStart + windowLength) return pos - windowStart;
    const capacity = Math.max(WINDOW, want);
    const target = window.length < capacity ? Buffer.allocUnsafe(capacity) : window;
    // Keep what is already read from pos on, then fill the rest.
    let kept = 0;
    if (pos >= windowStart && pos < windowStart + windowLength) {
      kept = windowStart + windowLength - pos;
      window.copy(target, 0, pos - windowStart, windowLength);
    }
    window = target;
    windowStart = pos;
    windowLength = kept;
    const fill = Math.min(window.length, end - pos);
    while (windowLength < fill) {
      const { bytesRead } = await handle.read(window, windowLength, fill - windowLength, pos + windowLength);
      if (bytesRead === 0) break;
      windowLength += bytesRead;
    }
    return 0;
  };
  const result = (count: number, validEnd: number, headHash: Buffer, problem?: LogProblem): FileScan => ({
    count,
    validEnd,
    headHash: Buffer.from(headHash),
    end,
    hashesAt,
    ...(problem ? { problem } : {}),
  });
  let at = await ensure(0, LOG_MAGIC.length);
  if (end < LOG_MAGIC.length || !window.subarray(at, at + LOG_MAGIC.length).equals(LOG_MAGIC)) {
    return result(0, 0, genesis, { kind: 'corrupt', offset: 0, seq: 1, reason: 'the file does not start with the evidence log magic' });
  }
  let pos = LOG_MAGIC.length;
  let prev = genesis;
  let expected = 1;
  while (pos < end) {
    at = await ensure(pos, FRAME_PREFIX_BYTES + 1);
    if (end - pos >= FRAME_PREFIX_BYTES) {
      const payloadLength = window.readUInt32BE(at);
      at = await ensure(pos, payloadLength <= MAX_PAYLOAD ? FRAME_PREFIX_BYTES + payloadLength : WINDOW);
    }
    // The window is a view of the file from windowStart; it reaches the file's end or holds the whole frame.
    const reachesEnd = windowStart + windowLength >= end;
    const viewEnd = reachesEnd ? at + (end - pos) : windowLength;
    const verdict = classifyFrameAt(window, at, viewEnd);
    if (!verdict.frame) {
      let problem: keyof typeof REASONS = verdict.problem === 'zeros' && !reachesEnd ? 'damaged' : verdict.problem;
      if (problem === 'short' && validFrameAfter(window, at + 1, viewEnd)) problem = 'followed';
      const kind = problem === 'damaged' || problem === 'followed' ? 'corrupt' : 'torn';
      return result(expected - 1, pos, prev, { kind, offset: pos, seq: expected, reason: REASONS[problem](expected, end - pos) });
    }
    const frame = verdict.frame;
    frame.offset = pos; // classified inside the window: the file offset is pos
    const chain = chainProblem(frame, expected, prev);
    if (chain) return result(expected - 1, pos, prev, { kind: 'corrupt', offset: pos, seq: expected, reason: chain });
    options.onFrame?.(frame);
    prev = frame.hash;
    if (wanted.has(expected)) hashesAt.set(expected, frame.hash);
    pos += frame.length;
    expected++;
  }
  return result(expected - 1, pos, prev);
}
