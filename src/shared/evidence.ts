/**
 * The evidence store as the renderer sees it. Bodies are already redacted; keys and
 * passphrases never come back across the contract.
 */
import type { StoredRecord } from './records';

export type VaultState = 'uninitialised' | 'locked' | 'unlocked';
export type VaultMethod = 'safeStorage' | 'passphrase';

export interface VaultStatus {
  state: VaultState;
  method: VaultMethod;
  /** Why a passphrase is asked for instead of safeStorage. */
  reason?: string;
  /** Hex SHA-256 fingerprint of this installation's checkpoint-signing key. */
  installationKey?: string;
}

export interface EvidenceRecord extends StoredRecord {
  /** Hex SHA-256 of the sealed frame: the chain link. */
  hash?: string;
}

export interface EvidenceAttachment {
  sha256: string;
  name: string;
  size: number;
  mediaType: string;
  redacted: boolean;
  seq: number;
  at: string;
  actor: string;
}

export interface AttachmentPreview {
  sha256: string;
  size: number;
  /** UTF-8 text of the first bytes (text attachments), already redacted before sealing. */
  text?: string;
  truncated: boolean;
}

/** A torn tail cut off the log and kept in its quarantine folder. */
export interface CutTail {
  /** Relative to the incident's log folder, e.g. `quarantine/2026-…-after-seq-41.bin`. */
  file: string;
  afterSeq: number;
  bytes: number;
  at: string;
}

export interface EvidenceVerification {
  /** `torn`: a torn tail found and left alone (another process holds the log, or a read-only check). */
  status: 'ok' | 'repaired' | 'torn' | 'corrupt';
  records: number;
  headHash: string;
  corruptAtSeq?: number;
  notice?: string;
  /** Signed checkpoints checked. */
  checkpoints?: number;
  /** Attachments read back and checked against their hashes. */
  attachments?: number;
  /** Every tail ever cut from this log, oldest first. */
  cutTails?: CutTail[];
  /** Hex SHA-256 fingerprint of the installation key the checkpoints are pinned to. */
  installationKey?: string;
}

export interface EvidenceExport {
  path: string;
  sha256: string;
  bytes: number;
  records: number;
  headHash: string;
  custodySeq: number;
  /** Fingerprint of the installation key that signed the export. */
  installationKey: string;
  /** The shell command that verifies this export here (the passphrase is typed on its standard input). */
  verifyCommand: string;
}

/** "2 secrets redacted (bearer-jwt, postgres-url-password)", or that none were found: what sealing tells the responder. */
export function redactionSummary(tally: Record<string, number> | undefined): string {
  const entries = Object.entries(tally ?? {}).filter(([, n]) => n > 0);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return 'No secrets found; sealed as is.';
  const rules = entries.map(([rule, n]) => (n > 1 ? `${rule} ×${n}` : rule)).join(', ');
  return `${total} secret${total === 1 ? '' : 's'} redacted (${rules})`;
}

/** Why a passphrase cannot be used yet, or undefined when it can (the rule the contract enforces). */
export function passphraseProblem(passphrase: string, minimum = 8): string | undefined {
  if (passphrase.length >= minimum) return undefined;
  const missing = minimum - passphrase.length;
  return `A passphrase needs at least ${minimum} characters: ${missing} more.`;
}
