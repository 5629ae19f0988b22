/** The kubernetes-models files the drill's OpenAPI definitions are generated from. */
import { RESOURCES } from '../resources';
import { kindFile, metaFile } from './definitions-generator';

/** Served built-in kinds (not metrics, not custom resources) whose schemas come from kubernetes-models. */
export function builtInDescriptors() {
  return RESOURCES.filter((d) => !d.computed && d.group !== 'cert-manager.io');
}

/** Each served kind and its List, Scale, Eviction, and the meta/v1 bodies clients send and read. */
export function definitionRootFiles(): string[] {
  const files = builtInDescriptors().flatMap((d) => [kindFile(d), kindFile({ ...d, kind: `${d.kind}List` })]);
  files.push(kindFile({ group: 'autoscaling', version: 'v1', kind: 'Scale' }));
  files.push(kindFile({ group: 'policy', version: 'v1', kind: 'Eviction' }));
  for (const kind of ['Status', 'DeleteOptions', 'WatchEvent', 'Patch', 'APIResourceList', 'APIGroupList', 'APIVersions']) files.push(metaFile(kind));
  return files;
}
