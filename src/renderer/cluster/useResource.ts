import { useEffect } from 'react';
import type { ResourceName } from '../../shared/k8s/resources';
import { useCockpit } from '../state/store';
import { resourceKey, selectionKey, type ResourceView } from './clusterSlice';

/** The live list of `resource` for the current context and namespace, watched while the caller is mounted. */
export function useResource(resource: ResourceName): ResourceView | undefined {
  const key = useCockpit((s) => resourceKey(s.contexts, resource));
  const watchResource = useCockpit((s) => s.watchResource);
  useEffect(() => (key ? watchResource(resource) : undefined), [key, resource, watchResource]);
  return useCockpit((s) => (key ? s.resources[key] : undefined));
}

/** `context|namespace`, to reset view state (selection, drawer) when the selection changes. */
export function useSelectionKey(): string | undefined {
  return useCockpit((s) => selectionKey(s.contexts));
}
