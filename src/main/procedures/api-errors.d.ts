import { CockpitFailure } from '../../shared/result';
/** Where a request went, so an error can say which context and namespace to check. */
export interface ErrorScope {
    context: string;
    namespace?: string;
    /** `patch deployments/scale codesign-api`: what was being done. */
    doing: string;
}
/** The HTTP status of a Kubernetes API error, if it is one. */
export declare function apiStatus(error: unknown): number | undefined;
/**
 * An API error in words a responder can act on: what was refused and what to check or change.
 * 401 / 403 / 404 / 409 / 422 / timeouts and unreachable servers each get their own advice.
 */
export declare function explainApiError(error: unknown, scope: ErrorScope): CockpitFailure;
/**
 * Runs a read-modify-write; a 409 Conflict (someone wrote in between) retries once on a fresh read,
 * as the issue asks. A second conflict is reported.
 */
export declare function withFreshReadOnConflict<T, R>(read: () => Promise<T>, write: (current: T) => Promise<R>): Promise<R>;
