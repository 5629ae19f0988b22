import { type KubeConfig, type V1Pod, type V1Secret } from '@kubernetes/client-node';
import { type DiffLine } from '../../shared/procedures/diff';
import { type CheckLine, type EngineAction, type RevertOffer } from '../../shared/procedures/model';
/** What a run step reports: its output text and, for checks, one line per check. */
export interface ActionResult {
    output: string;
    checks?: CheckLine[];
    /** Set when the action itself judged the result failed (a failing health check). */
    failed?: string;
}
/** A step made ready: what it would change (from a server-side dry run), what it replaces, and how to run it. */
export interface PreparedAction {
    diff: DiffLine[];
    summary: string;
    revert?: RevertOffer;
    execute(progress: (text: string) => void, signal: AbortSignal): Promise<ActionResult>;
}
/** The verb and resource an action needs, for a SelfSubjectAccessReview. */
export interface AccessNeed {
    verb: string;
    group: string;
    resource: string;
    subresource?: string;
    namespace?: string;
    name?: string;
}
export type AccessVerdict = {
    allowed: true;
    checked: boolean;
    note?: string;
} | {
    allowed: false;
    checked: true;
    missing: string;
    reason?: string;
};
/** A secret as it may be shown: keys and sizes, never values. */
export declare function redactSecret(secret: V1Secret | undefined): unknown;
/** READY and STATUS as `kubectl get pods` shows them. */
export declare function podColumns(pod: V1Pod): {
    ready: string;
    status: string;
    restarts: number;
};
/**
 * The engine's hands: each typed action through `@kubernetes/client-node` (never a kubectl
 * child process) against one context's KubeConfig. `prepare` reads what the action would touch
 * and asks the server for a `dryRun=All` of the exact request, so the preview is the server's.
 */
export declare class ClusterActions {
    private readonly kubeConfig;
    private readonly apps;
    private readonly core;
    private readonly custom;
    private readonly authz;
    private readonly autoscaling;
    constructor(kubeConfig: KubeConfig);
    /** What the action needs to be allowed to do. */
    static accessNeeds(action: EngineAction): AccessNeed[];
    /**
     * Asks the API server whether the current user may do what the action needs. A server that
     * does not serve access reviews (404) is answered as "not checked", not as forbidden.
     */
    access(action: EngineAction): Promise<AccessVerdict>;
    prepare(action: EngineAction): Promise<PreparedAction>;
    private read;
    private deployment;
    private prepareScale;
    private patchDeployment;
    private prepareRestart;
    private revisions;
    private prepareUndo;
    private containersOf;
    private prepareEnv;
    private prepareImage;
    private prepareResources;
    private prepareDeletePods;
    private prepareDeleteCustom;
    private prepareDeleteSecret;
    /** Reads the secret, or undefined when it does not exist. */
    private secretOrNone;
    private prepareRotateSecret;
    /** Read-modify-write of a secret; a conflict retries once on a fresh read. */
    rotate(namespace: string, name: string, write: (current: V1Secret | undefined) => Promise<V1Secret>, read?: () => Promise<V1Secret | undefined>): Promise<V1Secret>;
    /** Polls the deployment as `kubectl rollout status` reads it, reporting "3 of 5 updated". */
    rolloutStatus(namespace: string, name: string, timeoutMs: number, progress: (text: string) => void, signal: AbortSignal): Promise<ActionResult>;
    rolloutHistory(namespace: string, name: string): Promise<ActionResult>;
    pods(p: {
        namespace: string;
        labelSelector?: string | undefined;
        fieldSelector?: string | undefined;
        excludeStatus?: string | undefined;
    }): Promise<ActionResult>;
    private podFor;
    exec(p: {
        namespace: string;
        target: {
            kind: string;
            name: string;
        };
        container?: string | undefined;
        command: string[];
        stdin?: string | undefined;
    }, signal: AbortSignal): Promise<ActionResult>;
    getCustom(p: {
        namespace: string;
        group: string;
        version: string;
        plural: string;
        name?: string | undefined;
    }): Promise<ActionResult>;
    describeCustom(p: {
        namespace: string;
        group: string;
        version: string;
        plural: string;
        name: string;
    }): Promise<ActionResult>;
    hpa(p: {
        namespace: string;
        name?: string | undefined;
    }): Promise<ActionResult>;
    pv(): Promise<ActionResult>;
    /**
     * The runbook's `./scripts/health-check.sh` as a composite: one pass / warn / fail line each for
     * pods, deployments, recent warning events and nodes; database, cache and alerts are reported
     * as not checked until those services are configured.
     */
    healthCheck(namespace: string, now?: number): Promise<ActionResult>;
}
