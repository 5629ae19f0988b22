/**
 * Field sets in the `FieldsV1` form managedFields carry (`{"f:spec":{"f:replicas":{}}}`), built
 * over the OpenAPI schema's list semantics as structured-merge-diff does: list-map items are
 * `k:{"name":"x"}`, set items `v:"x"`, atomic lists and scalars are leaves, and `.` marks a map
 * or list item that is itself a member. No structured-merge library exists for JavaScript, so
 * this is the part of it server-side apply needs, written for the drill.
 */
import definitionsJson from '../openapi/kubernetes-definitions.json' with { type: 'json' };
import type { OpenApiSchema } from '../openapi/definitions-generator';

const DEFINITIONS = definitionsJson as Record<string, OpenApiSchema>;

/** A FieldsV1 tree: every key is `f:`, `k:`, `v:` or `.`, every value another tree. */
export type FieldSet = { [key: string]: FieldSet };

/** A schema node with its `$ref` (or `allOf: [{$ref}]`) resolved; `{}` when unknown. */
export function resolve(schema: OpenApiSchema | undefined): OpenApiSchema {
  let current = schema ?? {};
  for (let depth = 0; depth < 8; depth++) {
    const ref = typeof current.$ref === 'string' ? current.$ref : undefined;
    if (!ref) break;
    current = { ...(DEFINITIONS[ref.replace('#/definitions/', '')] ?? {}), ...Object.fromEntries(Object.entries(current).filter(([k]) => k !== '$ref')) };
  }
  return current;
}

/** The schema of a definition by name (`io.k8s.api.apps.v1.Deployment`), or `{}`. */
export function definitionSchema(name: string): OpenApiSchema {
  return DEFINITIONS[name] ?? {};
}

/** The schema of property `key` inside `schema` (a struct's property or a map's values). */
export function childSchema(schema: OpenApiSchema, key: string): OpenApiSchema {
  const properties = schema.properties as Record<string, OpenApiSchema> | undefined;
  if (properties?.[key]) return resolve(properties[key]);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') return resolve(schema.additionalProperties as OpenApiSchema);
  return {};
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `map` with keys, `set`, or `atomic` (the default for lists Kubernetes does not annotate). */
export function listKind(schema: OpenApiSchema): { type: 'map'; keys: string[] } | { type: 'set' } | { type: 'atomic' } {
  const listType = schema['x-kubernetes-list-type'];
  const keys = schema['x-kubernetes-list-map-keys'] as string[] | undefined;
  if (listType === 'map' && keys && keys.length > 0) return { type: 'map', keys };
  if (listType === 'set') return { type: 'set' };
  return { type: 'atomic' };
}

/** The `k:{...}` key of a list-map item: its key fields, sorted by name, as JSON. */
export function itemKey(item: Record<string, unknown>, keys: string[]): string {
  const present = [...keys].sort().filter((key) => item[key] !== undefined);
  return `k:${JSON.stringify(Object.fromEntries(present.map((key) => [key, item[key]])))}`;
}

/** The field set of `value` under `schema`. */
export function fieldSetOf(value: unknown, schema: OpenApiSchema): FieldSet {
  if (isPlainObject(value)) {
    const set: FieldSet = {};
    const isMap = schema.properties === undefined && schema.additionalProperties !== undefined;
    for (const key of Object.keys(value).sort()) {
      set[`f:${key}`] = memberSet(value[key], childSchema(schema, key), isMap);
    }
    return set;
  }
  if (Array.isArray(value)) {
    const kind = listKind(schema);
    const items = resolve(schema.items as OpenApiSchema | undefined);
    const set: FieldSet = {};
    if (kind.type === 'map') {
      for (const item of value) if (isPlainObject(item)) set[itemKey(item, kind.keys)] = { '.': {}, ...fieldSetOf(item, items) };
    } else if (kind.type === 'set') {
      for (const item of value) set[`v:${JSON.stringify(item)}`] = {};
    }
    return set;
  }
  return {};
}

function memberSet(value: unknown, schema: OpenApiSchema, inMap: boolean): FieldSet {
  const children = fieldSetOf(value, schema);
  if (Object.keys(children).length === 0) return {};
  const isMap = isPlainObject(value) && schema.properties === undefined && schema.additionalProperties !== undefined;
  return isMap || inMap ? { '.': {}, ...children } : children;
}

/** Every leaf path of a set, as key lists (`['f:spec', 'f:replicas']`). */
export function leafPaths(set: FieldSet, prefix: string[] = []): string[][] {
  const paths: string[][] = [];
  for (const [key, child] of Object.entries(set)) {
    if (key === '.') {
      paths.push(prefix);
      continue;
    }
    const path = [...prefix, key];
    if (Object.keys(child).length === 0) paths.push(path);
    else paths.push(...leafPaths(child, path));
  }
  return paths;
}

/**
 * True when `path` is in `set` as a member with children of its own (a map or list item marked
 * `.`): its ownership is of its presence, so it is compared by presence, not by value.
 */
export function isMemberPath(set: FieldSet, path: string[]): boolean {
  let node: FieldSet | undefined = set;
  for (const key of path) {
    node = node[key];
    if (node === undefined) return false;
  }
  return '.' in node;
}

/** True when `path` (or a prefix of it that is a leaf) is in `set`. */
export function containsPath(set: FieldSet, path: string[]): boolean {
  let node: FieldSet | undefined = set;
  for (const key of path) {
    node = node[key];
    if (node === undefined) return false;
  }
  return true;
}

/** `set` without the given leaf paths (emptied parents go too). */
export function removePaths(set: FieldSet, paths: string[][]): FieldSet {
  const copy = structuredClone(set);
  for (const path of paths) {
    if (path.length === 0) continue;
    const trail: FieldSet[] = [copy];
    let node: FieldSet | undefined = copy;
    for (const key of path.slice(0, -1)) {
      node = node?.[key];
      if (!node) break;
      trail.push(node);
    }
    if (!node) continue;
    if (Object.keys(node[path[path.length - 1] as string] ?? {}).length > 0 && path.length > 0) {
      const target = node[path[path.length - 1] as string] as FieldSet;
      delete target['.'];
      if (Object.keys(target).length > 0) continue;
    }
    delete node[path[path.length - 1] as string];
    // An emptied struct goes; an emptied map or list item that is itself owned (`.`) stays a leaf.
    for (let i = trail.length - 1; i > 0; i--) {
      const parent = trail[i - 1] as FieldSet;
      const key = path[i - 1] as string;
      const child = parent[key] as FieldSet;
      if (Object.keys(child).length === 0) delete parent[key];
      else if (Object.keys(child).length === 1 && '.' in child) parent[key] = {};
      else break;
    }
  }
  return copy;
}

/** The union of two sets. */
export function unionSets(a: FieldSet, b: FieldSet): FieldSet {
  const out = structuredClone(a);
  for (const [key, child] of Object.entries(b)) out[key] = out[key] ? unionSets(out[key] as FieldSet, child) : structuredClone(child);
  return out;
}

/** The value at a set path in `object` (undefined when absent). */
export function valueAt(object: unknown, path: string[]): unknown {
  let node: unknown = object;
  for (const key of path) {
    if (node === undefined) return undefined;
    if (key.startsWith('f:')) {
      node = isPlainObject(node) ? node[key.slice(2)] : undefined;
    } else if (key.startsWith('k:')) {
      const wanted = JSON.parse(key.slice(2)) as Record<string, unknown>;
      node = Array.isArray(node) ? node.find((item) => isPlainObject(item) && Object.entries(wanted).every(([k, v]) => item[k] === v)) : undefined;
    } else if (key.startsWith('v:')) {
      const wanted = JSON.stringify(JSON.parse(key.slice(2)));
      node = Array.isArray(node) ? node.find((item) => JSON.stringify(item) === wanted) : undefined;
    }
  }
  return node;
}

/** How a conflict names a field: `.spec.template.spec.containers[name="api"].image`. */
export function describePath(path: string[]): string {
  return path
    .map((key) => {
      if (key.startsWith('f:')) return `.${key.slice(2)}`;
      if (key.startsWith('k:')) {
        const fields = JSON.parse(key.slice(2)) as Record<string, unknown>;
        return `[${Object.entries(fields).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      }
      if (key.startsWith('v:')) return `[${key.slice(2)}]`;
      return '';
    })
    .join('');
}
