/**
 * The one contract between the renderer and the main process. Every request (invoke → result)
 * and every stream (subscribe → events) is declared in its domain's file beside this one and
 * merged here into one table; the Electron host and the web host both carry exactly this,
 * through one generic bridge. Channel names carry their domain: `app:`, `runbook:`,
 * `incidents:`, `contexts:`, `drill:`, `evidence:`.
 */
import type { CockpitError, Result } from '../result';
import type { z } from 'zod';
export type { AppInfo } from './app';
export { DeclareIncidentInput, IncidentStatusSchema } from './incidents';
export { MAX_EVIDENCE_FILE_BYTES } from './evidence';
export declare const requests: {
    readonly 'procedures:preview': import("./define").RequestSpec<z.ZodObject<{
        stepId: z.ZodString;
        values: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodString>>;
        context: z.ZodOptional<z.ZodString>;
        namespace: z.ZodOptional<z.ZodString>;
    }, z.core.$strict>, import("./procedures").StepPreviewView>;
    readonly 'procedures:run': import("./define").RequestSpec<z.ZodObject<{
        stepId: z.ZodOptional<z.ZodString>;
        procedureId: z.ZodOptional<z.ZodString>;
        revertOf: z.ZodOptional<z.ZodObject<{
            logId: z.ZodUnion<readonly [z.ZodString, z.ZodLiteral<"session">]>;
            seq: z.ZodInt;
            step: z.ZodInt;
        }, z.core.$strict>>;
        values: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodString>>;
        context: z.ZodOptional<z.ZodString>;
        namespace: z.ZodOptional<z.ZodString>;
        incidentId: z.ZodOptional<z.ZodString>;
    }, z.core.$strict>, import("../procedures/model").ProcedureRun>;
    readonly 'procedures:confirm': import("./define").RequestSpec<z.ZodObject<{
        runId: z.ZodString;
        typedName: z.ZodOptional<z.ZodString>;
    }, z.core.$strict>, import("../procedures/model").ProcedureRun>;
    readonly 'procedures:abort': import("./define").RequestSpec<z.ZodObject<{
        runId: z.ZodString;
    }, z.core.$strict>, import("../procedures/model").ProcedureRun>;
    readonly 'procedures:resume': import("./define").RequestSpec<z.ZodObject<{
        runId: z.ZodString;
    }, z.core.$strict>, import("../procedures/model").ProcedureRun>;
    readonly 'evidence:status': import("./define").RequestSpec<z.ZodObject<{}, z.core.$strict>, import("../evidence").VaultStatus>;
    readonly 'evidence:initialise': import("./define").RequestSpec<z.ZodObject<{
        passphrase: z.ZodOptional<z.ZodString>;
    }, z.core.$strict>, import("../evidence").VaultStatus>;
    readonly 'evidence:unlock': import("./define").RequestSpec<z.ZodObject<{
        passphrase: z.ZodOptional<z.ZodString>;
    }, z.core.$strict>, import("../evidence").VaultStatus>;
    readonly 'evidence:lock': import("./define").RequestSpec<z.ZodObject<{}, z.core.$strict>, import("../evidence").VaultStatus>;
    readonly 'evidence:timeline': import("./define").RequestSpec<z.ZodObject<{
        incidentId: z.ZodString;
        types: z.ZodOptional<z.ZodArray<z.ZodString>>;
        actor: z.ZodOptional<z.ZodString>;
        text: z.ZodOptional<z.ZodString>;
    }, z.core.$strict>, import("../evidence").EvidenceRecord[]>;
    readonly 'evidence:attachments': import("./define").RequestSpec<z.ZodObject<{
        incidentId: z.ZodString;
    }, z.core.$strict>, import("../evidence").EvidenceAttachment[]>;
    readonly 'evidence:readAttachment': import("./define").RequestSpec<z.ZodObject<{
        incidentId: z.ZodString;
        sha256: z.ZodString;
    }, z.core.$strict>, import("../evidence").AttachmentPreview>;
    readonly 'evidence:addText': import("./define").RequestSpec<z.ZodObject<{
        incidentId: z.ZodString;
        title: z.ZodString;
        text: z.ZodString;
    }, z.core.$strict>, import("../evidence").EvidenceRecord>;
    readonly 'evidence:addFile': import("./define").RequestSpec<z.ZodObject<{
        incidentId: z.ZodString;
        name: z.ZodString;
        contentBase64: z.ZodBase64;
    }, z.core.$strict>, import("../evidence").EvidenceRecord>;
    readonly 'evidence:verify': import("./define").RequestSpec<z.ZodObject<{
        incidentId: z.ZodString;
    }, z.core.$strict>, import("../evidence").EvidenceVerification>;
    readonly 'evidence:export': import("./define").RequestSpec<z.ZodObject<{
        incidentId: z.ZodString;
        passphrase: z.ZodString;
    }, z.core.$strict>, import("../evidence").EvidenceExport>;
    readonly 'contexts:list': import("./define").RequestSpec<z.ZodObject<{}, z.core.$strict>, import("../contexts").ContextList>;
    readonly 'contexts:select': import("./define").RequestSpec<z.ZodObject<{
        name: z.ZodString;
    }, z.core.$strict>, import("../contexts").ContextList>;
    readonly 'drill:status': import("./define").RequestSpec<z.ZodObject<{}, z.core.$strict>, import("../contexts").DrillStatus>;
    readonly 'drill:setScenario': import("./define").RequestSpec<z.ZodObject<{
        name: z.ZodEnum<{
            "high-latency": "high-latency";
            "error-spike": "error-spike";
            "memory-leak": "memory-leak";
            "db-connection-exhaustion": "db-connection-exhaustion";
            "bad-deploy": "bad-deploy";
            "expiring-certificate": "expiring-certificate";
            "auth-failure-burst": "auth-failure-burst";
        }>;
        active: z.ZodBoolean;
    }, z.core.$strict>, import("../contexts").DrillStatus>;
    readonly 'incidents:list': import("./define").RequestSpec<z.ZodObject<{}, z.core.$strict>, import("../incidents/model").IncidentList>;
    readonly 'incidents:get': import("./define").RequestSpec<z.ZodObject<{
        id: z.ZodString;
    }, z.core.$strict>, import("../incidents/model").Incident>;
    readonly 'incidents:declare': import("./define").RequestSpec<z.ZodObject<{
        title: z.ZodString;
        severity: z.ZodEnum<{
            SEV2: "SEV2";
            SEV1: "SEV1";
            SEV3: "SEV3";
            SEV4: "SEV4";
        }>;
        summary: z.ZodOptional<z.ZodString>;
    }, z.core.$strict>, import("../incidents/model").Incident>;
    readonly 'incidents:setSeverity': import("./define").RequestSpec<z.ZodObject<{
        id: z.ZodString;
        severity: z.ZodEnum<{
            SEV2: "SEV2";
            SEV1: "SEV1";
            SEV3: "SEV3";
            SEV4: "SEV4";
        }>;
    }, z.core.$strict>, import("../incidents/model").Incident>;
    readonly 'incidents:setStatus': import("./define").RequestSpec<z.ZodObject<{
        id: z.ZodString;
        status: z.ZodEnum<{
            investigating: "investigating";
            mitigated: "mitigated";
            resolved: "resolved";
        }>;
        confirmedOpenItems: z.ZodOptional<z.ZodArray<z.ZodString>>;
    }, z.core.$strict>, import("../incidents/model").Incident>;
    readonly 'incidents:checkItem': import("./define").RequestSpec<z.ZodObject<{
        id: z.ZodString;
        itemId: z.ZodString;
        done: z.ZodBoolean;
    }, z.core.$strict>, import("../incidents/model").Incident>;
    readonly 'incidents:saveNote': import("./define").RequestSpec<z.ZodObject<{
        id: z.ZodString;
        noteId: z.ZodOptional<z.ZodType<`note-${string}`, `note-${string}`, z.core.$ZodTypeInternals<`note-${string}`, `note-${string}`>>>;
        text: z.ZodString;
    }, z.core.$strict>, import("../incidents/model").Incident>;
    readonly 'incidents:saveDraft': import("./define").RequestSpec<z.ZodObject<{
        id: z.ZodString;
        key: z.ZodUnion<readonly [z.ZodLiteral<"new">, z.ZodType<`note-${string}`, `note-${string}`, z.core.$ZodTypeInternals<`note-${string}`, `note-${string}`>>]>;
        text: z.ZodString;
    }, z.core.$strict>, import("../incidents/model").Incident>;
    readonly 'app:diagnostics': import("./define").RequestSpec<z.ZodObject<{}, z.core.$strict>, import("./app").AppDiagnostics>;
    readonly 'app:info': import("./define").RequestSpec<z.ZodObject<{}, z.core.$strict>, import("./app").AppInfo>;
    readonly 'runbook:get': import("./define").RequestSpec<z.ZodObject<{}, z.core.$strict>, {
        schemaVersion: 1;
        id: string;
        title: string;
        version: string;
        updated: string;
        owner: string;
        overview: string;
        service: {
            name: string;
            namespace: string;
            architecture: string;
            components: {
                name: string;
                role: string;
            }[];
            dependencies: {
                name: string;
                detail: string;
            }[];
        };
        contacts: {
            id: string;
            role: string;
            group: "key" | "emergency";
            email?: string | undefined;
            phone?: string | undefined;
        }[];
        links: {
            id: string;
            label: string;
            url: string;
            kind: "status" | "logs" | "monitoring" | "other";
        }[];
        alertChannels: {
            id: string;
            alertClass: "critical" | "warning" | "security" | "compliance";
            route: string;
        }[];
        keyMetrics: {
            group: "application" | "infrastructure" | "business";
            name: string;
            description: string;
        }[];
        severities: {
            id: "SEV2" | "SEV1" | "SEV3" | "SEV4";
            name: string;
            definition: string;
            responseTime: {
                kind: "minutes";
                minutes: number;
            } | {
                kind: "next-business-day";
            };
            responseTimeText: string;
            escalation: {
                id: string;
                label: string;
                channel?: string | undefined;
                withinMinutes?: number | undefined;
            }[];
            escalationText: string;
        }[];
        thresholds: {
            id: string;
            metric: string;
            unit: "seconds" | "percent" | "count";
            warning: number;
            critical: number;
            comparison: "gt";
            warningText: string;
            criticalText: string;
            action: string;
            promql: string;
            procedureIds: string[];
        }[];
        checks: {
            daily: {
                id: string;
                title: string;
                command: string;
                risk: "read" | "change" | "destructive";
                action: import("../runbook/actions").Action;
                target?: string | undefined;
                verify?: string | undefined;
                notes?: string | undefined;
                inputs?: {
                    name: string;
                    label: string;
                    pattern?: string | undefined;
                    secret?: boolean | undefined;
                }[] | undefined;
            }[];
            weekly: {
                id: string;
                title: string;
                command: string;
                risk: "read" | "change" | "destructive";
                action: import("../runbook/actions").Action;
                target?: string | undefined;
                verify?: string | undefined;
                notes?: string | undefined;
                inputs?: {
                    name: string;
                    label: string;
                    pattern?: string | undefined;
                    secret?: boolean | undefined;
                }[] | undefined;
            }[];
            monthly: {
                id: string;
                label: string;
            }[];
        };
        incidentProcess: {
            id: string;
            order: number;
            title: string;
            steps: {
                id: string;
                title: string;
                command: string;
                risk: "read" | "change" | "destructive";
                action: import("../runbook/actions").Action;
                target?: string | undefined;
                verify?: string | undefined;
                notes?: string | undefined;
                inputs?: {
                    name: string;
                    label: string;
                    pattern?: string | undefined;
                    secret?: boolean | undefined;
                }[] | undefined;
            }[];
            tasks: {
                id: string;
                label: string;
            }[];
        }[];
        procedures: {
            id: string;
            title: string;
            category: "emergency" | "security" | "compliance" | "troubleshooting" | "maintenance" | "performance";
            sections: {
                id: string;
                kind: "steps" | "diagnosis" | "resolution";
                title: string;
                steps: {
                    id: string;
                    title: string;
                    command: string;
                    risk: "read" | "change" | "destructive";
                    action: import("../runbook/actions").Action;
                    target?: string | undefined;
                    verify?: string | undefined;
                    notes?: string | undefined;
                    inputs?: {
                        name: string;
                        label: string;
                        pattern?: string | undefined;
                        secret?: boolean | undefined;
                    }[] | undefined;
                }[];
            }[];
            group?: string | undefined;
            summary?: string | undefined;
            symptoms?: string[] | undefined;
            thresholdIds?: string[] | undefined;
        }[];
        aliases: {
            id: string;
            name: string;
            command: string;
            steps: {
                id: string;
                title: string;
                command: string;
                risk: "read" | "change" | "destructive";
                action: import("../runbook/actions").Action;
                target?: string | undefined;
                verify?: string | undefined;
                notes?: string | undefined;
                inputs?: {
                    name: string;
                    label: string;
                    pattern?: string | undefined;
                    secret?: boolean | undefined;
                }[] | undefined;
            }[];
        }[];
        externalDependencies: {
            name: string;
            provider: string;
        }[];
    }>;
};
export declare const streams: {
    readonly 'procedures:runs': import("./define").StreamSpec<z.ZodObject<{}, z.core.$strict>, import("../procedures/model").ProcedureRun>;
    readonly 'incidents:changed': import("./define").StreamSpec<z.ZodObject<{}, z.core.$strict>, import("../incidents/model").Incident>;
};
export type Requests = typeof requests;
export type Streams = typeof streams;
export type RequestName = keyof Requests;
export type StreamName = keyof Streams;
export type RequestInput<K extends RequestName> = z.input<Requests[K]['input']>;
export type RequestOutput<K extends RequestName> = NonNullable<Requests[K]['output']>;
export type StreamInput<K extends StreamName> = z.input<Streams[K]['input']>;
export type StreamEvent<K extends StreamName> = NonNullable<Streams[K]['event']>;
export declare const isRequestName: (name: unknown) => name is RequestName;
export declare const isStreamName: (name: unknown) => name is StreamName;
/**
 * What a subscriber is told: event batches in order, then exactly one `error` or `end`. A
 * subscription that is refused (unknown stream, bad input, nothing to stream) ends in `error`.
 */
export interface StreamHandlers<E> {
    /**
     * A batch of events, in order. The batch is acknowledged (flow-control credit back to main)
     * when this returns, or, with `manualAck`, when the handler calls `ack` (e.g. from xterm's
     * write callback, once the bytes are on screen).
     */
    events(events: E[], ack: () => void): void;
    error?(error: CockpitError): void;
    end?(reason: string): void;
    manualAck?: boolean;
}
/** What the renderer sees as `window.cockpit`, in both hosts. */
export interface CockpitApi {
    invoke<K extends RequestName>(name: K, input: RequestInput<K>): Promise<Result<RequestOutput<K>>>;
    /** Returns the function that unsubscribes (after which no handler is called). */
    subscribe<K extends StreamName>(name: K, input: StreamInput<K>, handlers: StreamHandlers<StreamEvent<K>>): () => void;
}
