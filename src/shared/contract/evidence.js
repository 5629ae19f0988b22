import { z } from 'zod';
import { IncidentId, NoInput, request } from './define';
const Passphrase = z.string().min(1, 'is empty').max(1024);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'is not a SHA-256');
/** Files cross the contract as base64; bigger captures are written by main-side services. */
export const MAX_EVIDENCE_FILE_BYTES = 8 * 1024 * 1024;
export const evidenceRequests = {
    'evidence:status': request(NoInput).returns(),
    'evidence:initialise': request(z.strictObject({ passphrase: Passphrase.min(8, 'needs at least 8 characters').optional() })).returns(),
    'evidence:unlock': request(z.strictObject({ passphrase: Passphrase.optional() })).returns(),
    'evidence:lock': request(NoInput).returns(),
    'evidence:timeline': request(z.strictObject({
        incidentId: IncidentId,
        types: z.array(z.string().min(1).max(100)).max(50).optional(),
        actor: z.string().max(200).optional(),
        text: z.string().max(500).optional(),
    })).returns(),
    'evidence:attachments': request(z.strictObject({ incidentId: IncidentId })).returns(),
    'evidence:readAttachment': request(z.strictObject({ incidentId: IncidentId, sha256: Sha256 })).returns(),
    'evidence:addText': request(z.strictObject({ incidentId: IncidentId, title: z.string().trim().min(1, 'is empty').max(200), text: z.string().min(1, 'is empty').max(10_000_000) })).returns(),
    'evidence:addFile': request(z.strictObject({
        incidentId: IncidentId,
        name: z.string().trim().min(1).max(255),
        contentBase64: z.base64().max(Math.ceil(MAX_EVIDENCE_FILE_BYTES / 3) * 4, 'is larger than 8 MiB'),
    })).returns(),
    'evidence:verify': request(z.strictObject({ incidentId: IncidentId })).returns(),
    'evidence:export': request(z.strictObject({ incidentId: IncidentId, passphrase: Passphrase.min(8, 'needs at least 8 characters') })).returns(),
};
export const evidenceStreams = {};
