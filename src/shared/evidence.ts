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

export interface EvidenceVerification {
  status: 'ok' | 'repaired' | 'corrupt';
  records: number;
  headHash: string;
  corruptAtSeq?: number;
  notice?: string;
}

export interface EvidenceExport {
  path: string;
  sha256: string;
  bytes: number;
  records: number;
  headHash: string;
  custodySeq: number;
}
