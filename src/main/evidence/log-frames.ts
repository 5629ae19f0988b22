import { crc32 } from 'node:zlib';
import { createHash, hash as oneShotHash } from 'node:crypto';

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
export const FRAME_VERSION = 1;
export const FRAME_PREFIX_BYTES = 8;
/** version + keyVersion + seq + prevHash: the part bound into the AES-GCM associated data. */
export const FRAME_HEADER_BYTES = 1 + 4 + 6 + 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
const MIN_PAYLOAD = FRAME_HEADER_BYTES + NONCE_BYTES + TAG_BYTES;
export const MAX_PAYLOAD = 64 * 1024 * 1024;

export interface FrameHeader {
  keyVersion: number;
  seq: number;
  prevHash: Buffer;
}

export interface ScannedFrame extends FrameHeader {
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
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUInt8(FRAME_VERSION, 0);
  header.writeUInt32BE(h.keyVersion, 1);
  header.writeUIntBE(h.seq, 5, 6);
  h.prevHash.copy(header, 11);
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
  if (offset + FRAME_PREFIX_BYTES + MIN_PAYLOAD > buf.length) return undefined;
  const payloadLength = buf.readUInt32BE(offset);
  if (payloadLength < MIN_PAYLOAD || payloadLength > MAX_PAYLOAD) return undefined;
  if (offset + FRAME_PREFIX_BYTES + payloadLength > buf.length) return undefined;
  if (buf[offset + 8] !== FRAME_VERSION) return undefined;
  if (buf.readUInt32BE(offset + 4) !== frameCrc(buf, offset, payloadLength)) return undefined;
  const length = FRAME_PREFIX_BYTES + payloadLength;
  const p = offset + 8;
  return {
    offset,
    length,
    keyVersion: buf.readUInt32BE(p + 1),
    seq: buf.readUIntBE(p + 5, 6),
    prevHash: buf.subarray(p + 11, p + 43),
    header: buf.subarray(p, p + FRAME_HEADER_BYTES),
    nonce: buf.subarray(p + FRAME_HEADER_BYTES, p + FRAME_HEADER_BYTES + NONCE_BYTES),
    sealed: buf.subarray(p + FRAME_HEADER_BYTES + NONCE_BYTES, offset + length),
    hash: sha256(buf.subarray(offset, offset + length)),
  };
}

function validFrameAfter(buf: Buffer, from: number): boolean {
  for (let p = from; p + FRAME_PREFIX_BYTES + MIN_PAYLOAD <= buf.length; p++) {
    const payloadLength = buf.readUInt32BE(p);
    if (payloadLength < MIN_PAYLOAD || p + FRAME_PREFIX_BYTES + payloadLength > buf.length) continue;
    if (buf[p + 8] !== FRAME_VERSION) continue;
    if (frameAt(buf, p)) return true;
  }
  return false;
}

/**
 * Walks a log file's bytes: framing, CRC, seq order and the hash chain. Stops at the first
 * problem; an invalid frame with nothing valid after it is a torn tail, anything else corrupt.
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
    const frame = frameAt(buf, pos);
    if (!frame) {
      const corrupt = validFrameAfter(buf, pos + 1);
      return {
        frames,
        validEnd: pos,
        problem: {
          kind: corrupt ? 'corrupt' : 'torn',
          offset: pos,
          seq: expected,
          reason: corrupt
            ? `record ${expected} fails its length/CRC check and valid records follow it`
            : `${buf.length - pos} bytes after record ${expected - 1} do not form a whole record`,
        },
      };
    }
    if (frame.seq !== expected || !frame.prevHash.equals(prev)) {
      return {
        frames,
        validEnd: pos,
        problem: {
          kind: 'corrupt',
          offset: pos,
          seq: expected,
          reason:
            frame.seq !== expected
              ? `found record ${frame.seq} where record ${expected} belongs (records deleted or reordered)`
              : `record ${expected} does not chain to the record before it`,
        },
      };
    }
    frames.push(frame);
    prev = frame.hash;
    pos += frame.length;
    expected++;
  }
  return { frames, validEnd: pos };
}
