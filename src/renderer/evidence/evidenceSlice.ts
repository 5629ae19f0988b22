import { MAX_EVIDENCE_FILE_BYTES } from '../../shared/contract/evidence';
import { RequestError } from '../cockpit';
import type { AttachmentPreview, EvidenceAttachment, EvidenceExport, EvidenceRecord, EvidenceVerification, VaultStatus } from '../../shared/evidence';
import { asError, attempt, type CockpitSlice } from '../state/slice';

export interface EvidenceFilter {
  types?: string[];
  actor?: string;
  text?: string;
}

export interface IncidentEvidence {
  records?: EvidenceRecord[];
  attachments?: EvidenceAttachment[];
  verification?: EvidenceVerification;
  lastExport?: EvidenceExport;
  /** The record the last add sealed (its body says what was redacted). */
  lastAdded?: EvidenceRecord;
}

export interface EvidenceSlice {
  vault?: VaultStatus;
  /** Reads whether the evidence store is open; opens what needs it when it is. */
  loadVault(): Promise<void>;
  /** Initialises or unlocks the vault; answers the error message, or undefined on success. */
  openVault(passphrase?: string): Promise<string | undefined>;
  evidence: Record<string, IncidentEvidence>;
  loadEvidence(incidentId: string, filter?: EvidenceFilter): Promise<void>;
  addEvidenceText(incidentId: string, title: string, text: string): Promise<boolean>;
  addEvidenceFile(incidentId: string, file: File): Promise<boolean>;
  /** An attachment's text preview, or why it cannot be shown. */
  readAttachment(incidentId: string, sha256: string): Promise<AttachmentPreview | { error: string }>;
  verifyEvidence(incidentId: string): Promise<void>;
  exportEvidence(incidentId: string, passphrase: string): Promise<void>;
}

export const createEvidenceSlice: CockpitSlice<EvidenceSlice> = (bridge) => (set, get) => {
  const patchEvidence = (incidentId: string, patch: IncidentEvidence) =>
    set((state) => ({ evidence: { ...state.evidence, [incidentId]: { ...state.evidence[incidentId], ...patch } } }));

  return {
    evidence: {},
    async loadVault() {
      const vault = await attempt(set, () => bridge.call('evidence:status', {}));
      set({ vault });
      if (vault?.state === 'unlocked') await get().afterUnlock();
    },
    async openVault(passphrase) {
      const state = get().vault?.state;
      const input = passphrase === undefined ? {} : { passphrase };
      try {
        const vault = await bridge.call(state === 'uninitialised' ? 'evidence:initialise' : 'evidence:unlock', input);
        set({ vault });
        await get().afterUnlock();
        return undefined;
      } catch (error) {
        return asError(error).message;
      }
    },
    async loadEvidence(incidentId, filter = {}) {
      await attempt(set, async () => {
        const [records, attachments] = await Promise.all([
          bridge.call('evidence:timeline', { incidentId, ...filter }),
          bridge.call('evidence:attachments', { incidentId }),
        ]);
        patchEvidence(incidentId, { records, attachments });
      });
    },
    async addEvidenceText(incidentId, title, text) {
      const added = await attempt(set, () => bridge.call('evidence:addText', { incidentId, title, text }));
      if (added) patchEvidence(incidentId, { lastAdded: added });
      if (added) await get().loadEvidence(incidentId);
      return added !== undefined;
    },
    async addEvidenceFile(incidentId, file) {
      const added = await attempt(set, async () => {
        // Said before reading a byte, with the limit named: never a dropped connection.
        if (file.size > MAX_EVIDENCE_FILE_BYTES) {
          throw new RequestError({ code: 'Invalid', message: `${file.name} is ${mebibytes(file.size)}; files up to ${mebibytes(MAX_EVIDENCE_FILE_BYTES)} can be attached here` });
        }
        const contentBase64 = await fileToBase64(file);
        return bridge.call('evidence:addFile', { incidentId, name: file.name, contentBase64 });
      });
      if (added) patchEvidence(incidentId, { lastAdded: added });
      if (added) await get().loadEvidence(incidentId);
      return added !== undefined;
    },
    async readAttachment(incidentId, sha256) {
      try {
        return await bridge.call('evidence:readAttachment', { incidentId, sha256 });
      } catch (error) {
        return { error: asError(error).message };
      }
    },
    async verifyEvidence(incidentId) {
      const verification = await attempt(set, () => bridge.call('evidence:verify', { incidentId }));
      if (verification) patchEvidence(incidentId, { verification });
    },
    async exportEvidence(incidentId, passphrase) {
      const lastExport = await attempt(set, () => bridge.call('evidence:export', { incidentId, passphrase }));
      if (lastExport) {
        patchEvidence(incidentId, { lastExport });
        await get().loadEvidence(incidentId);
      }
    },
  };
};

function mebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
}

async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
