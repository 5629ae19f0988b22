import { z } from 'zod';
import { type ContextList, type DrillStatus } from '../contexts';
export declare const contextRequests: {
    readonly 'contexts:list': import("./define").RequestSpec<z.ZodObject<{}, z.core.$strict>, ContextList>;
    readonly 'contexts:select': import("./define").RequestSpec<z.ZodObject<{
        name: z.ZodString;
    }, z.core.$strict>, ContextList>;
    readonly 'drill:status': import("./define").RequestSpec<z.ZodObject<{}, z.core.$strict>, DrillStatus>;
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
    }, z.core.$strict>, DrillStatus>;
};
export declare const contextStreams: {};
