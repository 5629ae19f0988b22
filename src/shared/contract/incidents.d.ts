import { z } from 'zod';
import type { Incident, IncidentList } from '../incidents/model';
export declare const IncidentStatusSchema: z.ZodEnum<{
    investigating: "investigating";
    mitigated: "mitigated";
    resolved: "resolved";
}>;
export declare const DeclareIncidentInput: z.ZodObject<{
    title: z.ZodString;
    severity: z.ZodEnum<{
        SEV2: "SEV2";
        SEV1: "SEV1";
        SEV3: "SEV3";
        SEV4: "SEV4";
    }>;
    summary: z.ZodOptional<z.ZodString>;
}, z.core.$strict>;
export declare const incidentRequests: {
    readonly 'incidents:list': import("./define").RequestSpec<z.ZodObject<{}, z.core.$strict>, IncidentList>;
    readonly 'incidents:get': import("./define").RequestSpec<z.ZodObject<{
        id: z.ZodString;
    }, z.core.$strict>, Incident>;
    readonly 'incidents:declare': import("./define").RequestSpec<z.ZodObject<{
        title: z.ZodString;
        severity: z.ZodEnum<{
            SEV2: "SEV2";
            SEV1: "SEV1";
            SEV3: "SEV3";
            SEV4: "SEV4";
        }>;
        summary: z.ZodOptional<z.ZodString>;
    }, z.core.$strict>, Incident>;
    readonly 'incidents:setSeverity': import("./define").RequestSpec<z.ZodObject<{
        id: z.ZodString;
        severity: z.ZodEnum<{
            SEV2: "SEV2";
            SEV1: "SEV1";
            SEV3: "SEV3";
            SEV4: "SEV4";
        }>;
    }, z.core.$strict>, Incident>;
    readonly 'incidents:setStatus': import("./define").RequestSpec<z.ZodObject<{
        id: z.ZodString;
        status: z.ZodEnum<{
            investigating: "investigating";
            mitigated: "mitigated";
            resolved: "resolved";
        }>;
        confirmedOpenItems: z.ZodOptional<z.ZodArray<z.ZodString>>;
    }, z.core.$strict>, Incident>;
    readonly 'incidents:checkItem': import("./define").RequestSpec<z.ZodObject<{
        id: z.ZodString;
        itemId: z.ZodString;
        done: z.ZodBoolean;
    }, z.core.$strict>, Incident>;
    readonly 'incidents:saveNote': import("./define").RequestSpec<z.ZodObject<{
        id: z.ZodString;
        noteId: z.ZodOptional<z.ZodType<`note-${string}`, `note-${string}`, z.core.$ZodTypeInternals<`note-${string}`, `note-${string}`>>>;
        text: z.ZodString;
    }, z.core.$strict>, Incident>;
    /** Seals a draft (`new` note, or an edit of `note-…`); empty text discards it. */
    readonly 'incidents:saveDraft': import("./define").RequestSpec<z.ZodObject<{
        id: z.ZodString;
        key: z.ZodUnion<readonly [z.ZodLiteral<"new">, z.ZodType<`note-${string}`, `note-${string}`, z.core.$ZodTypeInternals<`note-${string}`, `note-${string}`>>]>;
        text: z.ZodString;
    }, z.core.$strict>, Incident>;
};
export declare const incidentStreams: {
    /** An incident changed (declared, ticked, noted, ...): carries its new state. */
    readonly 'incidents:changed': import("./define").StreamSpec<z.ZodObject<{}, z.core.$strict>, Incident>;
};
