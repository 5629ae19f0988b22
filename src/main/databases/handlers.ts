import type { databaseRequests } from '../../shared/contract/databases';
import type { HandlersOf } from '../host/dispatcher';
import type { DatabaseService } from './database-service';

/** `databases:` requests: the PostgreSQL and Redis overviews, the read-only console, typed credentials, capture. */
export function databaseHandlers(databases: DatabaseService): HandlersOf<keyof typeof databaseRequests> {
  return {
    'databases:postgres': (input) => databases.postgresOverview(input),
    'databases:redis': (input) => databases.redisOverview(input),
    'databases:query': (input) => databases.query(input),
    'databases:setCredentials': (input) => databases.setCredentials(input),
    'databases:capture': (input) => databases.capture(input),
  };
}
