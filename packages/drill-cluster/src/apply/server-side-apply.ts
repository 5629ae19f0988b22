/**
 * Server-side apply and field ownership as the real API server keeps them in
 * `metadata.managedFields`: an Apply merges the applied configuration into the live object over
 * the schema's list semantics, reports fields whose value another manager owns as conflicts
 * (unless forced, which takes them over), and removes what the same manager applied before but
 * no longer does; every other write (create, update, patch) is recorded as an Update by its
 * manager, which then owns the fields it changed.
 */
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../types';
import {
  childSchema,
  containsPath,
  describePath,
  fieldSetOf,
  isMemberPath,
  isPlainObject,
  itemKey,
  leafPaths,
  listKind,
  removePaths,
  resolve,
  unionSets,
  valueAt,
  type FieldSet,
} from './field-set';
import type { OpenApiSchema } from '../openapi/definitions-generator';

export const APPLY_PATCH_CONTENT_TYPE = 'application/apply-patch+yaml';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldSet;
  subresource?: string;
}

/** One field another manager owns with a different value than the applied one. */
export interface FieldConflict {
  manager: string;
  apiVersion: string;
  field: string;
  /** Set when the owner wrote through a subresource (`kubectl scale`: `scale`). */
  subresource?: string;
}

/** `"kubectl" with subresource "scale" using apps/v1`: how the real server names an owner. */
export function ownerOf(conflict: FieldConflict): string {
  const via = conflict.subresource ? ` with subresource "${conflict.subresource}"` : '';
  return `"${conflict.manager}"${via} using ${conflict.apiVersion}`;
}

/** An apply that would overwrite fields of other managers; the server answers 409 Conflict. */
export class ApplyConflictError extends Error {
  constructor(readonly conflicts: FieldConflict[]) {
    super(conflictMessage(conflicts));
    this.name = 'ApplyConflictError';
  }
}

/** A body that is not a valid apply configuration (400). */
export class ApplyBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApplyBodyError';
  }
}

/** The message a real server gives, which kubectl prints: `Apply failed with 1 conflict: ...`. */
function conflictMessage(conflicts: FieldConflict[]): string {
  const byManager = new Map<string, FieldConflict[]>();
  for (const conflict of conflicts) {
    const key = ownerOf(conflict);
    byManager.set(key, [...(byManager.get(key) ?? []), conflict]);
  }
  const count = `${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}`;
  if (conflicts.length === 1) {
    const [only] = conflicts as [FieldConflict];
    return `Apply failed with ${count}: conflict with ${ownerOf(only)}: ${only.field}`;
  }
  const parts = [...byManager.entries()].map(([who, list]) =>
    list.length === 1 ? `conflict with ${who}: ${(list[0] as FieldConflict).field}` : `conflicts with ${who}:\n${list.map((c) => `- ${c.field}`).join('\n')}`,
  );
  return `Apply failed with ${count}: ${parts.join('\n')}`;
}

/** The manager a request writes as: `?fieldManager=`, else its User-Agent's program name. */
export function fieldManagerOf(query: URLSearchParams, userAgent: string | undefined): string {
  const named = query.get('fieldManager');
  if (named) return named;
  const program = (userAgent ?? '').split('/')[0]?.trim();
  return program || 'unknown';
}

const IGNORED_METADATA = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink'];

/** The part of an object whose fields are owned: no type meta, server-set metadata or (for the main resource) status. */
function ownedPart(object: KubeObject, withStatus: boolean): Record<string, unknown> {
  const { apiVersion: _apiVersion, kind: _kind, status, metadata, ...rest } = object;
  const meta = { ...(metadata ?? {}) } as Record<string, unknown>;
  for (const key of IGNORED_METADATA) delete meta[key];
  const owned: Record<string, unknown> = { ...rest };
  if (Object.keys(meta).length > 0) owned.metadata = meta;
  if (withStatus && status !== undefined) owned.status = status;
  return owned;
}

function timestamp(now: number): string {
  return new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function managedOf(object: KubeObject | undefined): ManagedFieldsEntry[] {
  return ((object?.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? []).map((entry) => structuredClone(entry));
}

function sameIdentity(entry: ManagedFieldsEntry, manager: string, operation: 'Apply' | 'Update', subresource: string | undefined): boolean {
  return entry.manager === manager && entry.operation === operation && (entry.subresource ?? '') === (subresource ?? '');
}

/** Parses an apply body (YAML or JSON) into the configuration object. */
export function parseApplyBody(body: Buffer): KubeObject {
  let parsed: unknown;
  try {
    parsed = parseYaml(body.toString('utf8'));
  } catch (error) {
    throw new ApplyBodyError(`error decoding YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  if (!isPlainObject(parsed)) throw new ApplyBodyError('the object provided is unrecognized or could not be decoded');
  if (parsed.metadata !== undefined && !isPlainObject(parsed.metadata)) throw new ApplyBodyError('metadata must be an object');
  if (isPlainObject(parsed.metadata) && parsed.metadata.managedFields !== undefined) {
    throw new ApplyBodyError('metadata.managedFields must be nil');
  }
  return parsed as unknown as KubeObject;
}

/** Merges `applied` into `live` over `schema`: structs and list-maps by key, sets as unions, the rest replaced. */
export function mergeApplied(live: unknown, applied: unknown, schema: OpenApiSchema): unknown {
  if (isPlainObject(applied)) {
    const result: Record<string, unknown> = isPlainObject(live) ? structuredClone(live) : {};
    for (const [key, value] of Object.entries(applied)) {
      if (value === null) {
        delete result[key];
        continue;
      }
      result[key] = mergeApplied(result[key], value, childSchema(schema, key));
    }
    return result;
  }
  if (Array.isArray(applied)) {
    const kind = listKind(schema);
    const items = resolve(schema.items as OpenApiSchema | undefined);
    if (kind.type === 'map' && Array.isArray(live)) {
      const result = structuredClone(live) as unknown[];
      for (const item of applied) {
        if (!isPlainObject(item)) continue;
        const key = itemKey(item, kind.keys);
        const index = result.findIndex((existing) => isPlainObject(existing) && itemKey(existing, kind.keys) === key);
        if (index >= 0) result[index] = mergeApplied(result[index], item, items);
        else result.push(structuredClone(item));
      }
      return result;
    }
    if (kind.type === 'set' && Array.isArray(live)) {
      const result = structuredClone(live) as unknown[];
      for (const item of applied) if (!result.some((existing) => isDeepStrictEqual(existing, item))) result.push(item);
      return result;
    }
  }
  return structuredClone(applied);
}

function deleteAt(object: unknown, path: string[]): void {
  if (path.length === 0) return;
  const parent = valueAt(object, path.slice(0, -1));
  const last = path[path.length - 1] as string;
  if (last.startsWith('f:') && isPlainObject(parent)) {
    delete parent[last.slice(2)];
  } else if (Array.isArray(parent)) {
    const target = valueAt(object, path);
    const index = parent.indexOf(target);
    if (index >= 0) parent.splice(index, 1);
  }
}

export interface ApplyInput {
  /** The stored object, undefined when the apply creates it. */
  live: KubeObject | undefined;
  applied: KubeObject;
  manager: string;
  force: boolean;
  /** The apiVersion the request used (managedFields record it). */
  apiVersion: string;
  /** The schema of the kind (resolved definition). */
  schema: OpenApiSchema;
  now: number;
  /** 'status' for the status subresource; status is otherwise not owned by main-resource applies. */
  subresource?: string;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The leaf paths of the configuration `kubectl apply` (client-side) last applied, if any. */
function lastAppliedPaths(live: KubeObject | undefined, schema: OpenApiSchema, withStatus: boolean): Set<string> {
  const annotation = live?.metadata.annotations?.[LAST_APPLIED];
  if (!annotation) return new Set();
  try {
    const config = JSON.parse(annotation) as KubeObject;
    if (!isPlainObject(config)) return new Set();
    return new Set(leafPaths(fieldSetOf(ownedPart(config, withStatus), schema)).map((path) => path.join('\u0000')));
  } catch {
    return new Set();
  }
}

/** The object after applying `applied` as `manager`; throws ApplyConflictError on conflicts unless forced. */
export function serverSideApply(input: ApplyInput): KubeObject {
  const { live, applied, manager, force, apiVersion, schema, now, subresource } = input;
  const withStatus = subresource === 'status';
  const appliedSet = fieldSetOf(ownedPart(applied, withStatus), schema);
  const appliedLeaves = leafPaths(appliedSet);
  const managed = managedOf(live);
  const conflicts: FieldConflict[] = [];
  const conflictPaths: string[][] = [];
  const taken = new Map<ManagedFieldsEntry, string[][]>();
  const fieldLeaves = appliedLeaves.filter((path) => path[path.length - 1]?.startsWith('f:') && !isMemberPath(appliedSet, path));
  for (const entry of managed) {
    if (sameIdentity(entry, manager, 'Apply', subresource)) continue;
    const owned = new Set(leafPaths(entry.fieldsV1).map((path) => path.join('\u0000')));
    for (const path of fieldLeaves) {
      if (!owned.has(path.join('\u0000'))) continue;
      if (isDeepStrictEqual(valueAt(live, path), valueAt(applied, path))) continue;
      conflicts.push({ manager: entry.manager, apiVersion: entry.apiVersion, field: describePath(path), ...(entry.subresource ? { subresource: entry.subresource } : {}) });
      conflictPaths.push(path);
      taken.set(entry, [...(taken.get(entry) ?? []), path]);
    }
  }
  if (conflicts.length > 0 && !force) {
    // As the real server's lastAppliedManager: kubectl's own server-side apply may take over
    // what it applied client-side (the fields of its last-applied-configuration) without conflict.
    const allowed = manager === 'kubectl' ? lastAppliedPaths(live, schema, withStatus) : new Set<string>();
    const remaining = conflicts.filter((_, index) => !allowed.has((conflictPaths[index] as string[]).join('\u0000')));
    if (remaining.length > 0) throw new ApplyConflictError(remaining);
  }

  const previous = managed.find((entry) => sameIdentity(entry, manager, 'Apply', subresource));
  const merged = mergeApplied(live ? structuredClone(live) : {}, ownedPart(applied, withStatus), schema) as KubeObject;
  merged.apiVersion = applied.apiVersion ?? live?.apiVersion ?? apiVersion;
  merged.kind = applied.kind ?? live?.kind ?? '';
  merged.metadata = { ...(live?.metadata ?? {}), ...((merged.metadata as object | undefined) ?? {}), name: live?.metadata.name ?? applied.metadata?.name ?? '' } as KubeObject['metadata'];
  if (applied.metadata?.namespace !== undefined || live?.metadata.namespace !== undefined) {
    merged.metadata.namespace = live?.metadata.namespace ?? applied.metadata?.namespace;
  }
  if (live && !withStatus && live.status !== undefined) merged.status = live.status;

  // What this manager applied before and no longer does, and nobody else owns, goes.
  if (previous) {
    const others = managed.filter((entry) => entry !== previous);
    const dropped = leafPaths(previous.fieldsV1)
      .filter((path) => !containsPath(appliedSet, path))
      .filter((path) => !others.some((entry) => containsPath(entry.fieldsV1, path)))
      .sort((a, b) => a.length - b.length);
    for (const path of dropped) deleteAt(merged, path);
  }

  const entries: ManagedFieldsEntry[] = [];
  for (const entry of managed) {
    if (entry === previous) continue;
    const lost = taken.get(entry);
    const fieldsV1 = lost ? removePaths(entry.fieldsV1, lost) : entry.fieldsV1;
    if (Object.keys(fieldsV1).length > 0) entries.push({ ...entry, fieldsV1 });
  }
  entries.push({
    manager,
    operation: 'Apply',
    apiVersion,
    time: timestamp(now),
    fieldsType: 'FieldsV1',
    fieldsV1: appliedSet,
    ...(subresource ? { subresource } : {}),
  });
  merged.metadata.managedFields = entries;
  return merged;
}

/**
 * The ownership a write starts from, as the real server decides it: managedFields the client
 * wrote itself (kubectl's client-side to server-side apply upgrade patches them), `[{}]` to
 * clear them, or, when the client sent none, the stored ones.
 */
function baseManagedFields(current: KubeObject | undefined, next: KubeObject): ManagedFieldsEntry[] {
  const sent = next.metadata.managedFields as ManagedFieldsEntry[] | undefined;
  if (!Array.isArray(sent) || sent.length === 0) return managedOf(current);
  if (sent.length === 1 && Object.keys(sent[0] ?? {}).length === 0) return [];
  const valid = sent.every((entry) => isPlainObject(entry) && typeof entry.manager === 'string' && (entry.operation === 'Apply' || entry.operation === 'Update') && isPlainObject(entry.fieldsV1));
  return valid ? structuredClone(sent) : managedOf(current);
}

/**
 * `next.metadata.managedFields` after a non-apply write by `manager`: it owns the fields it set
 * or changed; other managers lose those and the fields the write removed.
 */
export function recordUpdate(current: KubeObject | undefined, next: KubeObject, manager: string, apiVersion: string, schema: OpenApiSchema, now: number, subresource?: string): ManagedFieldsEntry[] {
  const withStatus = subresource === 'status';
  const managed = baseManagedFields(current, next);
  const nextSet = fieldSetOf(ownedPart(next, withStatus), schema);
  const changed = leafPaths(nextSet).filter((path) => {
    if (!current) return true;
    if (isMemberPath(nextSet, path)) return valueAt(current, path) === undefined;
    return !isDeepStrictEqual(valueAt(current, path), valueAt(next, path));
  });
  const removed = current ? leafPaths(fieldSetOf(ownedPart(current, withStatus), schema)).filter((path) => !containsPath(nextSet, path)) : [];
  if (changed.length === 0 && removed.length === 0) return managed;
  const changedSet = changed.reduce<FieldSet>((set, path) => unionSets(set, pathSet(path)), {});
  const entries: ManagedFieldsEntry[] = [];
  let own: ManagedFieldsEntry | undefined;
  for (const entry of managed) {
    if (sameIdentity(entry, manager, 'Update', subresource)) {
      own = entry;
      continue;
    }
    const fieldsV1 = removePaths(entry.fieldsV1, [...changed, ...removed]);
    if (Object.keys(fieldsV1).length > 0) entries.push({ ...entry, fieldsV1 });
  }
  const ownFields = removePaths(unionSets(own?.fieldsV1 ?? {}, changedSet), removed);
  if (Object.keys(ownFields).length > 0) {
    entries.push({
      manager,
      operation: 'Update',
      apiVersion,
      time: timestamp(now),
      fieldsType: 'FieldsV1',
      fieldsV1: ownFields,
      ...(subresource ? { subresource } : {}),
    });
  }
  return entries;
}

function pathSet(path: string[]): FieldSet {
  let set: FieldSet = {};
  for (const key of [...path].reverse()) set = { [key]: set };
  return set;
}
