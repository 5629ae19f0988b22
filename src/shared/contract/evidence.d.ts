import { z } from 'zod';
import type { AttachmentPreview, EvidenceAttachment, EvidenceExport, EvidenceRecord, EvidenceVerification, VaultStatus } from '../evidence';
/** Files cross the contract as base64; bigger captures are written by main-side services. */
export declare const MAX_EVIDENCE_FILE_BYTES: number;
export declare const evidenceRequests: {
    readonly 'evidence:status': import("./define").RequestSpec<z.ZodObject<{}, z.core.$strict>, VaultStatus>;
    readonly 'evidence:initialise': import("./define").RequestSpec<z.ZodObject<{
        passphrase: z.ZodOptional<z.ZodString>;
    }, z.core.$strict>, VaultStatus>;
    readonly 'evidence:unlock': import("./define").RequestSpec<z.ZodObject<{
        passphrase: z.ZodOptional<z.ZodString>;
    }, z.core.$strict>, VaultStatus>;
    readonly 'evidence:lock': import("./define").RequestSpec<z.ZodObject<{}, z.core.$strict>, VaultStatus>;
    readonly 'evidence:timeline': import("./define").RequestSpec<z.ZodObject<{
        incidentId: z.ZodString;
        types: z.ZodOptional<z.ZodArray<z.ZodString>>;
        actor: z.ZodOptional<z.ZodString>;
        text: z.ZodOptional<z.ZodString>;
    }, z.core.$strict>, EvidenceRecord[]>;
    readonly 'evidence:attachments': import("./define").RequestSpec<z.ZodObject<{
        incidentId: z.ZodString;
    }, z.core.$strict>, EvidenceAttachment[]>;
    readonly 'evidence:readAttachment': import("./define").RequestSpec<z.ZodObject<{
        incidentId: z.ZodString;
        sha256: z.ZodString;
    }, z.core.$strict>, AttachmentPreview>;
    readonly 'evidence:addText': import("./define").RequestSpec<z.ZodObject<{
        incidentId: z.ZodString;
        title: z.ZodString;
        text: z.ZodString;
    }, z.core.$strict>, EvidenceRecord>;
    readonly 'evidence:addFile': import("./define").RequestSpec<z.ZodObject<{
        incidentId: z.ZodString;
        name: z.ZodString;
        contentBase64: z.ZodBase64;
    }, z.core.$strict>, EvidenceRecord>;
    readonly 'evidence:verify': import("./define").RequestSpec<z.ZodObject<{
        incidentId: z.ZodString;
    }, z.core.$strict>, EvidenceVerification>;
    readonly 'evidence:export': import("./define").RequestSpec<z.ZodObject<{
        incidentId: z.ZodString;
        passphrase: z.ZodString;
    }, z.core.$strict>, EvidenceExport>;
};
export declare const evidenceStreams: {};
