/**
 * The one result shape every request in the contract answers with (after Signal Desktop):
 * the renderer branches on `ok` and acts on `error.code`, never on message text.
 */
export type ErrorCode =
  | 'Invalid'
  | 'NotFound'
  | 'Unauthorized'
  | 'Forbidden'
  | 'Conflict'
  | 'Unreachable'
  | 'Unavailable'
  | 'Corrupt'
  | 'Locked'
  | 'WrongPassphrase'
  | 'Timeout'
  | 'Internal';

export interface CockpitError {
  code: ErrorCode;
  message: string;
  /** Where the problem is, when it has a place: a file, a path inside it, a field. */
  where?: string;
  /** The Kubernetes context the error came from (cluster errors). */
  context?: string;
  /** The namespace asked for, when it matters (`""` for all namespaces). */
  namespace?: string;
  /** The resource (`pods`, `deployments`) the error is about. */
  resource?: string;
}

/** Where a Kubernetes error happened, carried by `CockpitFailure` into the error the UI shows. */
export type KubeErrorScope = Pick<CockpitError, 'context' | 'namespace' | 'resource'>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: CockpitError };

/**
 * Thrown by services to answer a request with a specific error code. The dispatcher turns it
 * into `{ ok: false, error }`; anything else thrown becomes `Internal`.
 */
export class CockpitFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly where?: string,
    readonly scope: KubeErrorScope = {},
  ) {
    super(message);
    this.name = 'CockpitFailure';
  }

  toError(): CockpitError {
    const error: CockpitError = { code: this.code, message: this.message };
    if (this.where !== undefined) error.where = this.where;
    if (this.scope.context !== undefined) error.context = this.scope.context;
    if (this.scope.namespace !== undefined) error.namespace = this.scope.namespace;
    if (this.scope.resource !== undefined) error.resource = this.scope.resource;
    return error;
  }
}

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, where?: string): Result<never> => ({
  ok: false,
  error: where === undefined ? { code, message } : { code, message, where },
});
