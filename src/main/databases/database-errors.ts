/**
 * What a responder is told when a database or cache cannot be read: one specific message per
 * situation they will meet (wrong password, database missing, TLS required, refused, pod not
 * found or not ready, the tunnel dropped mid-query, a statement timeout), with a code the UI acts
 * on. Messages never carry a password (pg and ioredis do not echo them; we add none).
 */
import { CockpitFailure } from '../../shared/result';

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  errno?: unknown;
  statusCode?: unknown;
}

const textOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const codeOf = (error: unknown) => (typeof (error as ErrorLike | null)?.code === 'string' ? ((error as ErrorLike).code as string) : undefined);

export interface PostgresErrorScope {
  address: string;
  user: string;
  database: string;
  target: string;
}

/** A tunnel's or endpoint's failure (pod not found, not ready) keeps its own specific message. */
function tunnelFailure(error: unknown, target: string): CockpitFailure | undefined {
  if (error instanceof CockpitFailure) return error;
  const message = textOf(error);
  const status = (error as ErrorLike | null)?.statusCode;
  if (status === 404 || /not ?found/i.test(message)) {
    return new CockpitFailure('NotFound', `pod ${target} not found: check the pod name and namespace (kubectl get pods)`);
  }
  if (/not (yet )?ready|no ready|pending|ContainerCreating|CrashLoopBackOff/i.test(message)) {
    return new CockpitFailure('Unavailable', `pod ${target} is not ready, so nothing answers on its port yet (${message})`);
  }
  return undefined;
}

/** Network failures shared by PostgreSQL and Redis. */
function networkFailure(error: unknown, what: string, address: string, midQuery: boolean): CockpitFailure | undefined {
  const code = codeOf(error);
  const message = textOf(error);
  if (code === 'ECONNREFUSED') return new CockpitFailure('Unreachable', `connection refused at ${address}: ${what} is not listening there (is the server running, the port right?)`);
  if (code === 'ETIMEDOUT' || /timeout expired|connect ETIMEDOUT|Connection terminated due to connection timeout/i.test(message)) {
    return new CockpitFailure('Timeout', `${what} at ${address} did not answer in time`);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /Connection terminated unexpectedly|Connection is closed|socket hang up|Connection terminated/i.test(message)) {
    return new CockpitFailure(
      'Unreachable',
      midQuery
        ? `the tunnel to ${what} dropped mid-query; results already shown are kept (it reconnects by itself; refresh to read again)`
        : `the connection to ${what} at ${address} closed before it answered (the tunnel dropped, or the server went away)`,
    );
  }
  return undefined;
}

/** A PostgreSQL (pg) error as the responder should read it. */
export function explainPostgresError(error: unknown, scope: PostgresErrorScope, midQuery = false): CockpitFailure {
  const tunnel = tunnelFailure(error, scope.target);
  if (tunnel) return tunnel;
  const code = codeOf(error);
  const message = textOf(error);
  switch (code) {
    case '28P01':
      return new CockpitFailure('Unauthorized', `wrong password for PostgreSQL user "${scope.user}" (check the codesign-secrets postgres-password key, or type the password)`);
    case '28000':
      if (/no encryption|SSL off/i.test(message)) {
        return new CockpitFailure('Unauthorized', `the server requires TLS for user "${scope.user}" (pg_hba.conf allows only hostssl): connect with TLS`);
      }
      return new CockpitFailure('Unauthorized', `PostgreSQL refused user "${scope.user}" on database "${scope.database}": ${message}`);
    case '3D000':
      return new CockpitFailure('NotFound', `database "${scope.database}" does not exist on ${scope.target}`);
    case '57014':
      return new CockpitFailure('Timeout', /statement timeout/i.test(message) ? `statement timeout: the query ran longer than allowed and was cancelled (${message})` : `the query was cancelled: ${message}`);
    case '55P03':
      return new CockpitFailure('Timeout', `a table is locked by another session, so this could not be read (see who blocks whom): ${message}`);
    case '57P03':
      return new CockpitFailure('Unavailable', `PostgreSQL is not accepting connections yet: ${message}`);
    case '57P01':
    case '57P02':
      return new CockpitFailure('Unreachable', `the server ended the session (${message}); results already shown are kept`);
    case '53300':
      return new CockpitFailure('Unavailable', `PostgreSQL has no connection slot left (${message}): terminate idle connections or raise max_connections`);
    case '25006':
      return new CockpitFailure('Forbidden', `the console is read-only: ${message}. Changes go through the runbook's actions (with their confirmation)`);
    case '42501':
      return new CockpitFailure('Forbidden', `permission denied: ${message}`);
    default:
      break;
  }
  if (/does not support SSL|server does not support SSL/i.test(message)) {
    return new CockpitFailure('Unavailable', `the server does not support TLS, and TLS was asked for`);
  }
  const network = networkFailure(error, `PostgreSQL on ${scope.target}`, scope.address, midQuery);
  if (network) return network;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return new CockpitFailure('Invalid', `PostgreSQL error ${code}: ${message}`);
  return new CockpitFailure('Internal', `PostgreSQL on ${scope.target}: ${message}`);
}

/** A Redis (ioredis) error as the responder should read it. */
export function explainRedisError(error: unknown, scope: { address: string; target: string }, midQuery = false): CockpitFailure {
  const tunnel = tunnelFailure(error, scope.target);
  if (tunnel) return tunnel;
  const message = textOf(error);
  if (/WRONGPASS|invalid password|invalid username-password/i.test(message)) {
    return new CockpitFailure('Unauthorized', `wrong password for Redis on ${scope.target} (check the codesign-secrets redis-password key, or type the password)`);
  }
  if (/NOAUTH/i.test(message)) return new CockpitFailure('Unauthorized', `Redis on ${scope.target} requires a password (requirepass) and none was given`);
  if (/NOPERM/i.test(message)) return new CockpitFailure('Forbidden', `the Redis user may not run this command (ACL): ${message}`);
  const network = networkFailure(error, `Redis on ${scope.target}`, scope.address, midQuery);
  if (network) return network;
  return new CockpitFailure('Internal', `Redis on ${scope.target}: ${message}`);
}
