/**
 * `Status` objects: the body of every error the API server answers, with the `code` and
 * `reason` clients branch on and the message kubectl prints (`pods "nope" not found`).
 */
import type { ResourceDescriptor } from './resources';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'UnsupportedMediaType'
  | 'Invalid'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  | 'InternalError';

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** A failure the server answers with its Status (thrown inside handlers, caught at the edge). */
export class ApiError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
    this.name = 'ApiError';
  }

  get code(): number {
    return this.status.code;
  }
}

/**
 * A failure Status with the given code, reason and message. Like a real API server it always
 * carries `details` (`{}` when there is nothing to say) except for 401: clients dereference it
 * (kubectl debug reads `details.name` of a NotFound and panics on a Status without it).
 */
export function failureStatus(code: number, reason: StatusReason | undefined, message: string, details?: StatusDetails): KubeStatus {
  const status: KubeStatus = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code };
  if (reason) status.reason = reason;
  if (details && Object.keys(details).length > 0) status.details = details;
  else if (reason !== 'Unauthorized') status.details = {};
  return status;
}

/** The Success Status some deletes answer. */
export function successStatus(details?: StatusDetails): KubeStatus {
  const status: KubeStatus = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', message: '', code: 200 };
  delete (status as Partial<KubeStatus>).message;
  if (details) status.details = details;
  return status;
}

/** `pods` or `deployments.apps`: how messages name a resource. */
export function qualifiedName(descriptor: Pick<ResourceDescriptor, 'group' | 'plural'>): string {
  return descriptor.group ? `${descriptor.plural}.${descriptor.group}` : descriptor.plural;
}

function resourceDetails(descriptor: Pick<ResourceDescriptor, 'group' | 'plural'>, name: string): StatusDetails {
  return descriptor.group ? { name, group: descriptor.group, kind: descriptor.plural } : { name, kind: descriptor.plural };
}

export const statusErrors = {
  badRequest: (message: string) => new ApiError(failureStatus(400, 'BadRequest', message)),
  unauthorized: () => new ApiError(failureStatus(401, 'Unauthorized', 'Unauthorized')),
  forbidden: (message: string) => new ApiError(failureStatus(403, 'Forbidden', message)),
  /** 404 for a path the server does not serve at all. */
  noRoute: () => new ApiError(failureStatus(404, 'NotFound', 'the server could not find the requested resource')),
  notFound: (descriptor: Pick<ResourceDescriptor, 'group' | 'plural'>, name: string) =>
    new ApiError(failureStatus(404, 'NotFound', `${qualifiedName(descriptor)} "${name}" not found`, resourceDetails(descriptor, name))),
  methodNotAllowed: () =>
    new ApiError(failureStatus(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')),
  alreadyExists: (descriptor: Pick<ResourceDescriptor, 'group' | 'plural'>, name: string) =>
    new ApiError(failureStatus(409, 'AlreadyExists', `${qualifiedName(descriptor)} "${name}" already exists`, resourceDetails(descriptor, name))),
  conflict: (descriptor: Pick<ResourceDescriptor, 'group' | 'plural'>, name: string, message: string) =>
    new ApiError(failureStatus(409, 'Conflict', message, resourceDetails(descriptor, name))),
  expired: (message: string) => new ApiError(failureStatus(410, 'Expired', message)),
  unsupportedMediaType: (contentType: string, accepted: string[]) =>
    new ApiError(
      failureStatus(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`, {
        ...(contentType ? { causes: [{ reason: 'UnexpectedServerResponse', message: contentType }] } : {}),
      }),
    ),
  /** 422: `Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: ...`. */
  invalid: (descriptor: Pick<ResourceDescriptor, 'group' | 'kind'>, name: string, causes: StatusCause[]) => {
    const qualifiedKind = descriptor.group ? `${descriptor.kind}.${descriptor.group}` : descriptor.kind;
    const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    const listed = summary.length === 1 ? summary[0] : `[${summary.join(', ')}]`;
    const details: StatusDetails = { name, kind: descriptor.kind, causes };
    if (descriptor.group) details.group = descriptor.group;
    return new ApiError(failureStatus(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${listed}`, details));
  },
  serviceUnavailable: (message: string) => new ApiError(failureStatus(503, 'ServiceUnavailable', message)),
  internal: (message: string) => new ApiError(failureStatus(500, 'InternalError', `Internal error occurred: ${message}`)),
};
