import { ApiException } from '@kubernetes/client-node';
import { CockpitFailure } from '../../shared/result';

/** Where a request went, so an error can say which context and namespace to check. */
export interface ErrorScope {
  context: string;
  namespace?: string;
  /** `patch deployments/scale codesign-api`: what was being done. */
  doing: string;
}

function statusMessage(body: unknown): string | undefined {
  const parse = (value: unknown): unknown => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch {
      return value.trim() ? { message: value.trim() } : undefined;
    }
  };
  const status = parse(body) as { message?: unknown } | undefined;
  return status && typeof status.message === 'string' ? status.message : undefined;
}

/** The HTTP status of a Kubernetes API error, if it is one. */
export function apiStatus(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/**
 * An API error in words a responder can act on: what was refused and what to check or change.
 * 401 / 403 / 404 / 409 / 422 / timeouts and unreachable servers each get their own advice.
 */
export function explainApiError(error: unknown, scope: ErrorScope): CockpitFailure {
  if (error instanceof CockpitFailure) return error;
  const where = `context ${scope.context}${scope.namespace ? `, namespace ${scope.namespace}` : ''}`;
  if (error instanceof ApiException) {
    const message = statusMessage(error.body) ?? `HTTP ${error.code}`;
    switch (error.code) {
      case 401:
        return new CockpitFailure('Unauthorized', `The cluster did not accept the credentials of ${where} (${message}). Log in again or refresh the token, then retry.`);
      case 403:
        return new CockpitFailure('Forbidden', `Not allowed to ${scope.doing} in ${where}: ${message}. Ask for a role that grants it, or run it as someone who has it.`);
      case 404:
        return new CockpitFailure('NotFound', `${message}. Check that ${where} is the right cluster and namespace for ${scope.doing}.`);
      case 409:
        return new CockpitFailure('Conflict', `Someone else changed it while we did (${message}); it was retried once on a fresh read. Look at its current state and run the step again.`);
      case 422:
        return new CockpitFailure('Invalid', `The cluster rejected the values for ${scope.doing}: ${message}. Change the parameters and preview again.`);
      case 400:
        return new CockpitFailure('Invalid', `The cluster refused the request to ${scope.doing}: ${message}.`);
      case 408:
      case 504:
        return new CockpitFailure('Timeout', `The API server timed out while trying to ${scope.doing} (${message}); it may still happen. Check the object's state before retrying.`);
      case 500:
      case 502:
      case 503:
        return new CockpitFailure('Unavailable', `The API server of ${where} is failing (${error.code}: ${message}); retry in a moment.`);
      default:
        return new CockpitFailure('Internal', `The API server answered ${error.code} to ${scope.doing}: ${message}`);
    }
  }
  const text = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|socket hang up/.test(text)) {
    return new CockpitFailure('Unreachable', `Cannot reach the API server of ${where} (${text}). Check the VPN or network, and that the cluster is up.`);
  }
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(text)) {
    return new CockpitFailure('Timeout', `The API server of ${where} did not answer in time while trying to ${scope.doing}. It may still happen: check before retrying.`);
  }
  return new CockpitFailure('Internal', `${scope.doing} failed: ${text}`);
}

/**
 * Runs a read-modify-write; a 409 Conflict (someone wrote in between) retries once on a fresh read,
 * as the issue asks. A second conflict is reported.
 */
export async function withFreshReadOnConflict<T, R>(read: () => Promise<T>, write: (current: T) => Promise<R>): Promise<R> {
  try {
    return await write(await read());
  } catch (error) {
    if (apiStatus(error) !== 409) throw error;
    return write(await read());
  }
}
