/** The Status a real API server answers for server-side apply conflicts. */
import type { ResourceDescriptor } from '../resources';
import { ApiError, failureStatus } from '../status';
import { ApplyConflictError, ownerOf } from './server-side-apply';

/**
 * Runs `apply`, turning its ApplyConflictError into the 409 `Conflict` Status kubectl reads:
 * the message it prints, and one `FieldManagerConflict` cause per field with its owner.
 */
export function applyAnswering409<T>(descriptor: Pick<ResourceDescriptor, 'group' | 'plural'>, name: string, apply: () => T): T {
  try {
    return apply();
  } catch (error) {
    if (!(error instanceof ApplyConflictError)) throw error;
    const owner = descriptor.group ? { name, group: descriptor.group, kind: descriptor.plural } : { name, kind: descriptor.plural };
    throw new ApiError(
      failureStatus(409, 'Conflict', error.message, {
        ...owner,
        causes: error.conflicts.map((conflict) => ({ reason: 'FieldManagerConflict', message: `conflict with ${ownerOf(conflict)}`, field: conflict.field })),
      }),
    );
  }
}
