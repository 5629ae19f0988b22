/**
 * The three patch types the API server accepts: JSON patch (RFC 6902, via fast-json-patch),
 * JSON merge patch (RFC 7386) and Kubernetes strategic merge patch, written here for the
 * fields kubectl's `set env`, `set image`, `patch` and `rollout restart` touch.
 */
import jsonPatch, { type Operation } from 'fast-json-patch';

export type PatchType = 'json' | 'merge' | 'strategic';

/** A patch that cannot be applied; the server answers 422 (or 400 for an unparsable body). */
export class PatchError extends Error {
  constructor(
    message: string,
    readonly code: 400 | 422 = 422,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}

const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
};

/** The patch type a `Content-Type` names; undefined for unsupported ones (apply-patch: 415). */
export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const bare = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return PATCH_CONTENT_TYPES[bare];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Applies an RFC 6902 JSON patch to a copy of `target`. */
export function applyJsonPatch<T>(target: T, patch: unknown): T {
  if (!Array.isArray(patch)) throw new PatchError('json patch must be an array of operations', 400);
  const error = jsonPatch.validate(patch as Operation[], structuredClone(target));
  if (error) throw new PatchError(`the server rejected our request due to an error in our request: ${error.message.split('\n')[0]}`);
  try {
    return jsonPatch.applyPatch(structuredClone(target), patch as Operation[], true, true).newDocument;
  } catch (caught) {
    throw new PatchError(caught instanceof Error ? caught.message.split('\n')[0] ?? 'invalid json patch' : 'invalid json patch');
  }
}

/** Applies an RFC 7386 JSON merge patch: objects merge, `null` deletes, everything else replaces. */
export function applyMergePatch<T>(target: T, patch: unknown): T {
  return mergePatchValue(structuredClone(target) as unknown as Json, patch as Json) as unknown as T;
}

function mergePatchValue(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: JsonObject = isObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatchValue(result[key] ?? null, value);
  }
  return result;
}

/**
 * Merge keys of the lists strategic merge patch merges by key, by field name (the Kubernetes
 * types' `patchMergeKey`). `ports` depends on where it sits: containerPort in containers,
 * port in a Service.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  ownerReferences: 'uid',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  readinessGates: 'conditionType',
  ingress: 'ip',
  addresses: 'type',
  containerStatuses: 'name',
  initContainerStatuses: 'name',
};

/** Lists of scalars merged as sets rather than replaced (`patchStrategy: merge`). */
const MERGED_SCALAR_LISTS = new Set(['finalizers']);

function mergeKeyFor(field: string, target: Json[] | undefined, patch: Json[]): string | undefined {
  if (field === 'ports') {
    const sample = [...patch, ...(target ?? [])].find(isObject);
    if (sample && 'containerPort' in sample) return 'containerPort';
    if (sample && 'port' in sample) return 'port';
    return undefined;
  }
  return MERGE_KEYS[field];
}

/** Applies a Kubernetes strategic merge patch to a copy of `target`. */
export function applyStrategicMergePatch<T>(target: T, patch: unknown): T {
  if (!isObject(patch)) throw new PatchError('strategic merge patch must be a JSON object', 400);
  return strategicMergeObject(structuredClone(target) as unknown as JsonObject, patch) as unknown as T;
}

function strategicMergeObject(target: JsonObject, patch: JsonObject): JsonObject {
  const directive = patch.$patch;
  if (directive === 'replace') {
    const { $patch: _directive, ...rest } = patch;
    return stripDirectives(rest) as JsonObject;
  }
  if (directive === 'delete') return {};
  if (directive !== undefined && directive !== 'merge') {
    throw new PatchError(`Unknown patch type: ${String(directive)}`);
  }
  const result: JsonObject = isObject(target) ? target : {};
  const retainKeys = patch.$retainKeys;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        result[field] = current.filter((item) => !value.some((v) => JSON.stringify(v) === JSON.stringify(item)));
      }
      continue;
    }
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      const current = result[key];
      result[key] = strategicMergeList(key, Array.isArray(current) ? current : undefined, value);
    } else if (isObject(value)) {
      const current = result[key];
      result[key] = strategicMergeObject(isObject(current) ? current : {}, value);
    } else {
      result[key] = value;
    }
  }
  if (Array.isArray(retainKeys)) {
    for (const key of Object.keys(result)) {
      if (!retainKeys.includes(key)) delete result[key];
    }
  }
  return result;
}

function strategicMergeList(field: string, target: Json[] | undefined, patch: Json[]): Json[] {
  const replaceDirective = patch.find((item) => isObject(item) && item.$patch === 'replace' && Object.keys(item).length === 1);
  if (replaceDirective !== undefined) {
    return patch.filter((item) => item !== replaceDirective).map(stripDirectives);
  }
  if (MERGED_SCALAR_LISTS.has(field)) {
    const merged = [...(target ?? [])];
    for (const item of patch) if (!merged.includes(item)) merged.push(item);
    return merged;
  }
  const mergeKey = mergeKeyFor(field, target, patch);
  if (!mergeKey) return patch.map(stripDirectives);
  const result = [...(target ?? [])];
  for (const item of patch) {
    if (!isObject(item)) {
      throw new PatchError(`unable to find api field in struct for the field "${field}": list items must be objects`);
    }
    const keyValue = item[mergeKey];
    if (keyValue === undefined) {
      throw new PatchError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
    }
    const index = result.findIndex((existing) => isObject(existing) && existing[mergeKey] === keyValue);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) {
      result[index] = strategicMergeObject(result[index] as JsonObject, item);
    } else {
      result.push(strategicMergeObject({}, item));
    }
  }
  return result;
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  const result: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('$')) continue;
    result[key] = stripDirectives(item);
  }
  return result;
}

/** Applies `patch` of the given type to a copy of `target`. */
export function applyPatch<T>(type: PatchType, target: T, patch: unknown): T {
  switch (type) {
    case 'json':
      return applyJsonPatch(target, patch);
    case 'merge':
      return applyMergePatch(target, patch);
    case 'strategic':
      return applyStrategicMergePatch(target, patch);
  }
}
