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

/**
 * Reads a checkpoints.jsonl file. A last line that does not parse is a torn append and is skipped;
 * an unparsable line before the last is reported.
 */
export async function readCheckpointFile(file: string): Promise<{ checkpoints: SignedCheckpoint[]; damagedLine?: number }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoints: [] };
    throw err;
  }
  const lines = text.split('\n');
  const checkpoints: SignedCheckpoint[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === undefined || line.trim() === '') continue;
    try {
      checkpoints.push(JSON.parse(line) as SignedCheckpoint);
    } catch {
      const isLast = lines.slice(i + 1).every((l) => l.trim() === '');
      if (!isLast) return { checkpoints, damagedLine: i + 1 };
    }
  }
  return { checkpoints };
}
