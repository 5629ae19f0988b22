export interface AppInfo {
    name: string;
    version: string;
    host: 'electron' | 'web';
    /** The OS user every record is attributed to. */
    actor: string;
    runbookId: string;
    platform: string;
}
/** What is running in main right now: for the About box, leak checks and support. */
export interface AppDiagnostics {
    /** Streams running for pages, across every session. */
    liveStreams: number;
    heapUsedBytes: number;
    uptimeSeconds: number;
}
export declare const appRequests: {
    readonly 'app:diagnostics': import("./define").RequestSpec<import("zod").ZodObject<{}, import("zod/v4/core").$strict>, AppDiagnostics>;
    readonly 'app:info': import("./define").RequestSpec<import("zod").ZodObject<{}, import("zod/v4/core").$strict>, AppInfo>;
    readonly 'runbook:get': import("./define").RequestSpec<import("zod").ZodObject<{}, import("zod/v4/core").$strict>, {
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
export declare const appStreams: {};
