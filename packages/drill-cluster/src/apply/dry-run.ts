/** What a dry-run write answers: the object as the store would keep it, without keeping it. */
import { specFingerprint } from '../store';
import type { KubeObject } from '../types';

/**
 * `next` as `MemoryObjectStore.update` would store it over `current`: the server-owned metadata
 * (uid, creationTimestamp, resourceVersion, generation bumped only when the spec changed) comes
 * from the stored object, so `kubectl diff` shows only what the write would change.
 */
export function previewUpdate(current: KubeObject, next: KubeObject): KubeObject {
  const preview = structuredClone(next);
  preview.metadata.uid = current.metadata.uid;
  preview.metadata.creationTimestamp = current.metadata.creationTimestamp;
  preview.metadata.resourceVersion = current.metadata.resourceVersion;
  const generation = current.metadata.generation ?? 1;
  preview.metadata.generation = specFingerprint(preview) === specFingerprint(current) ? generation : generation + 1;
  if (current.metadata.deletionTimestamp) preview.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
  return preview;
}
