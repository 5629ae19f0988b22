import { encodeFrame, encodeFrameHeader, type ScannedFrame } from './log-frames';
import { openBytes, sealBytes } from './sealing';

/** The label a log's data key is wrapped under: binds it to its log id and key version. */
export const dataKeyLabel = (logId: string, keyVersion: number): string => `incident-cockpit data key\0${logId}\0${keyVersion}`;

const aadPrefixes = new Map<string, Buffer>();

/** Associated data of a record: the log id and the frame header (key version, seq, prevHash). */
function recordAad(logId: string, header: Buffer): Buffer {
  let prefix = aadPrefixes.get(logId);
  if (!prefix) {
    prefix = Buffer.from(`incident-cockpit record\0${logId}\0`);
    if (aadPrefixes.size > 1000) aadPrefixes.clear();
    aadPrefixes.set(logId, prefix);
  }
  return Buffer.concat([prefix, header], prefix.length + header.length);
}

/** Seals one record's plaintext into a complete frame (fresh random nonce). */
export function sealRecordFrame(
  logId: string,
  dataKey: Buffer,
  frame: { keyVersion: number; seq: number; prevHash: Buffer },
  plaintext: Buffer,
): Buffer {
  const header = encodeFrameHeader(frame);
  const { nonce, sealed } = sealBytes(dataKey, recordAad(logId, header), plaintext);
  return encodeFrame(header, nonce, sealed);
}

/** Opens a scanned frame's plaintext; throws when key, log id or header do not match. */
export function openRecordFrame(logId: string, dataKey: Buffer, frame: ScannedFrame): Buffer {
  return openBytes(dataKey, recordAad(logId, frame.header), frame.nonce, frame.sealed);
}
