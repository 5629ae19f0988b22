import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** A signed statement that a log held `count` records ending in `headHash` at time `at`. */
export interface Checkpoint {
  logId: string;
  count: number;
  /** Hex SHA-256 of the last sealed frame (the genesis hash for an empty log). */
  headHash: string;
  /** UTC, ISO 8601. */
  at: string;
  reason: string;
}

export interface SignedCheckpoint extends Checkpoint {
  /** Hex SHA-256 of the signer's raw Ed25519 public key. */
  keyFingerprint: string;
  /** SPKI PEM of the signer, so a holder can check it against the key they trust. */
  publicKey: string;
  /** Base64 Ed25519 signature over `checkpointMessage`. */
  signature: string;
}

/** The exact bytes a checkpoint signature covers. */
export function checkpointMessage(c: Checkpoint): Buffer {
  return Buffer.from(JSON.stringify(['incident-cockpit-checkpoint-v1', c.logId, c.count, c.headHash, c.at, c.reason]));
}

/** Hex SHA-256 of the raw 32-byte Ed25519 public key. */
export function publicKeyFingerprint(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der.subarray(der.length - 32)).digest('hex');
}

export function signCheckpoint(c: Checkpoint, privateKey: KeyObject, publicKey: KeyObject): SignedCheckpoint {
  return {
    logId: c.logId,
    count: c.count,
    headHash: c.headHash,
    at: c.at,
    reason: c.reason,
    keyFingerprint: publicKeyFingerprint(publicKey),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    signature: sign(null, checkpointMessage(c), privateKey).toString('base64'),
  };
}

/**
 * Checks a checkpoint's signature. With `trusted`, the signer must be that key; without it, the
 * embedded key is used and the caller must say so (it proves integrity, not origin).
 */
export function checkpointSignatureValid(c: SignedCheckpoint, trusted?: KeyObject): boolean {
  try {
    const key = trusted ?? createPublicKey(c.publicKey);
    if (trusted && publicKeyFingerprint(trusted) !== c.keyFingerprint) return false;
    return verify(null, checkpointMessage(c), key, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

/** What a checkpoints.jsonl file holds, and what is wrong with it. */
export interface CheckpointFile {
  checkpoints: SignedCheckpoint[];
  /** A newline-terminated line that is not a checkpoint: damage, reported as corruption. */
  damagedLine?: number;
  /** A last line without its newline that is not a whole checkpoint: a torn append (bytes from `offset`). */
  tornFragment?: { offset: number; bytes: number };
  /** The last checkpoint is whole but its final newline is missing (kept; the writer adds the newline). */
  missingFinalNewline?: boolean;
}

function asCheckpoint(line: string): SignedCheckpoint | undefined {
  try {
    const c = JSON.parse(line) as SignedCheckpoint;
    const whole =
      typeof c === 'object' && c !== null && typeof c.logId === 'string' && Number.isInteger(c.count) && typeof c.headHash === 'string' &&
      typeof c.at === 'string' && typeof c.reason === 'string' && typeof c.signature === 'string' && typeof c.publicKey === 'string';
    return whole ? c : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a checkpoints.jsonl file. A complete checkpoint is always kept (even without its final
 * newline); a newline-terminated line that is not one is damage; only an unterminated last line
 * that is not a whole checkpoint counts as a torn append.
 */
export async function readCheckpointFile(file: string): Promise<CheckpointFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoints: [] };
    throw err;
  }
  const lines = text.split('\n');
  const last = lines.pop()!; // after the final newline: '' when the file ends with one
  const result: CheckpointFile = { checkpoints: [] };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const c = asCheckpoint(line);
    if (!c) {
      result.damagedLine ??= i + 1;
      continue;
    }
    result.checkpoints.push(c);
  }
  if (last.length > 0) {
    const c = asCheckpoint(last);
    if (c) {
      result.checkpoints.push(c);
      result.missingFinalNewline = true;
    } else {
      const bytes = Buffer.byteLength(last);
      result.tornFragment = { offset: Buffer.byteLength(text) - bytes, bytes };
    }
  }
  return result;
}
