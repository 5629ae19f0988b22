/**
 * Builds the OpenAPI definitions of the kinds the drill cluster serves from the Kubernetes
 * OpenAPI schemas as the `kubernetes-models` package ships them (its `.d.ts` files are generated
 * from the upstream swagger: one interface per definition, the upstream descriptions as TSDoc,
 * enums as literal unions, required fields without `?`). The result has the upstream names
 * (`io.k8s.api.apps.v1.Deployment`) and shape (`x-kubernetes-group-version-kind`, `$ref`s), and
 * is written to `kubernetes-definitions.json` by `npm run generate:openapi`; a unit test checks
 * that the committed file matches a fresh generation.
 *
 * What the package does not carry, the list semantics server-side apply and strategic merge need
 * (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`, `x-kubernetes-patch-merge-key`), is
 * added from {@link LIST_SEMANTICS}: the same merge keys the drill's strategic merge patch uses.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

export type OpenApiSchema = Record<string, unknown>;

/** A root kind to generate (its definition and all it references). */
export interface RootKind {
  group: string;
  version: string;
  kind: string;
}

const require = createRequire(import.meta.url);
const MODELS_ROOT = path.dirname(require.resolve('kubernetes-models/package.json'));
const APIMACHINERY_ROOT = path.dirname(require.resolve('@kubernetes-models/apimachinery/package.json'));

/** Upstream definitions that are not objects: kubernetes-models declares them as type aliases. */
const SCALAR_DEFINITIONS: Record<string, OpenApiSchema> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': { type: 'object' },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': { type: 'object' },
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON': {},
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray': {},
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool': {},
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray': {},
};

interface ListSemantics {
  listType: 'map' | 'set' | 'atomic';
  mapKeys?: string[];
  mergeKey?: string;
  strategy?: string;
}

/**
 * List semantics by `<definition>.<property>` or, failing that, by property name: the merge keys
 * of the drill's strategic merge patch (src/patch.ts), as Kubernetes declares them.
 */
export const LIST_SEMANTICS: Record<string, ListSemantics> = {
  'io.k8s.api.core.v1.Container.ports': { listType: 'map', mapKeys: ['containerPort', 'protocol'], mergeKey: 'containerPort', strategy: 'merge' },
  'io.k8s.api.core.v1.ServiceSpec.ports': { listType: 'map', mapKeys: ['port', 'protocol'], mergeKey: 'port', strategy: 'merge' },
  containers: { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge' },
  initContainers: { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge' },
  ephemeralContainers: { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge' },
  env: { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge' },
  volumes: { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge,retainKeys' },
  volumeMounts: { listType: 'map', mapKeys: ['mountPath'], mergeKey: 'mountPath', strategy: 'merge' },
  volumeDevices: { listType: 'map', mapKeys: ['devicePath'], mergeKey: 'devicePath', strategy: 'merge' },
  imagePullSecrets: { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge' },
  hostAliases: { listType: 'map', mapKeys: ['ip'], mergeKey: 'ip', strategy: 'merge' },
  conditions: { listType: 'map', mapKeys: ['type'], mergeKey: 'type', strategy: 'merge' },
  ownerReferences: { listType: 'map', mapKeys: ['uid'], mergeKey: 'uid', strategy: 'merge' },
  topologySpreadConstraints: { listType: 'map', mapKeys: ['topologyKey', 'whenUnsatisfiable'], mergeKey: 'topologyKey', strategy: 'merge' },
  resourceClaims: { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge,retainKeys' },
  readinessGates: { listType: 'atomic' },
  containerStatuses: { listType: 'atomic' },
  initContainerStatuses: { listType: 'atomic' },
  finalizers: { listType: 'set', strategy: 'merge' },
};

/** The definition name (`io.k8s.api.apps.v1.DeploymentSpec`) of a kubernetes-models `.d.ts` file. */
export function definitionNameOf(file: string): string {
  const name = path.basename(file, '.d.ts');
  if (file.startsWith(APIMACHINERY_ROOT)) {
    const dir = path.relative(APIMACHINERY_ROOT, path.dirname(file)).split(path.sep).join('.');
    return `io.k8s.apimachinery.pkg.${dir}.${name}`;
  }
  const [group = '', version = ''] = path.relative(MODELS_ROOT, path.dirname(file)).split(path.sep);
  if (/^v\d/.test(group)) return `io.k8s.api.core.${group}.${name}`;
  if (group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}.${name}`;
  if (group === 'apiregistration.k8s.io') return `io.k8s.kube-aggregator.pkg.apis.apiregistration.${version}.${name}`;
  return `io.k8s.api.${group.replace(/\.k8s\.io$/, '')}.${version}.${name}`;
}

/** The `.d.ts` file of a root kind, e.g. `kubernetes-models/apps/v1/Deployment.d.ts`. */
export function kindFile(root: RootKind): string {
  return root.group === ''
    ? path.join(MODELS_ROOT, root.version, `${root.kind}.d.ts`)
    : path.join(MODELS_ROOT, root.group, root.version, `${root.kind}.d.ts`);
}

/** A file of the meta/v1 group of apimachinery (`Status`, `DeleteOptions`, `APIResourceList`). */
export function metaFile(kind: string): string {
  return path.join(APIMACHINERY_ROOT, 'apis', 'meta', 'v1', `${kind}.d.ts`);
}

function docOf(node: ts.Node, source: ts.SourceFile): string | undefined {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc;
  if (!docs || docs.length === 0) return undefined;
  const comment = docs[docs.length - 1]?.comment;
  if (comment === undefined) return undefined;
  const text = typeof comment === 'string' ? comment : comment.map((part) => part.getText(source)).join('');
  return text.trim() || undefined;
}

interface ParsedFile {
  imports: Map<string, string>;
  source: ts.SourceFile;
  main?: ts.InterfaceDeclaration;
  alias?: ts.TypeAliasDeclaration;
}

function parseFile(file: string): ParsedFile {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const imports = new Map<string, string>();
  const parsed: ParsedFile = { imports, source };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const specifier = statement.moduleSpecifier.text;
      if (specifier === '@kubernetes-models/base') continue;
      const resolved = specifier.startsWith('.')
        ? path.resolve(path.dirname(file), `${specifier}.d.ts`)
        : path.join(APIMACHINERY_ROOT, `${specifier.replace(/^@kubernetes-models\/apimachinery\//, '')}.d.ts`);
      const bindings = statement.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) imports.set(element.name.text, resolved);
    } else if (ts.isInterfaceDeclaration(statement) && !parsed.main) {
      parsed.main = statement;
    } else if (ts.isTypeAliasDeclaration(statement) && !parsed.alias) {
      parsed.alias = statement;
    }
  }
  return parsed;
}

/** Generates the definitions for `roots` and everything they reference, keyed by upstream name. */
export function generateDefinitions(rootFiles: readonly string[]): Record<string, OpenApiSchema> {
  const definitions: Record<string, OpenApiSchema> = {};
  const queue = [...rootFiles];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const name = definitionNameOf(file);
    const scalar = SCALAR_DEFINITIONS[name];
    const parsed = parseFile(file);
    if (scalar) {
      const description = parsed.alias ? docOf(parsed.alias, parsed.source) : parsed.main ? docOf(parsed.main, parsed.source) : undefined;
      definitions[name] = { ...(description ? { description } : {}), ...scalar };
      continue;
    }
    if (!parsed.main) throw new Error(`${file}: no interface to generate a definition from`);
    definitions[name] = objectSchema(name, parsed, (dependency) => queue.push(dependency));
  }
  return Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b)));
}

function objectSchema(name: string, parsed: ParsedFile, visit: (file: string) => void): OpenApiSchema {
  const main = parsed.main as ts.InterfaceDeclaration;
  const schema: OpenApiSchema = {};
  const description = docOf(main, parsed.source);
  if (description) schema.description = description;
  const properties: Record<string, OpenApiSchema> = {};
  const required: string[] = [];
  let apiVersion: string | undefined;
  let kind: string | undefined;
  for (const member of main.members) {
    if (!ts.isPropertySignature(member) || !member.type) continue;
    const property = ts.isStringLiteral(member.name) || ts.isIdentifier(member.name) ? member.name.text : member.name.getText(parsed.source);
    const literal = ts.isLiteralTypeNode(member.type) && ts.isStringLiteral(member.type.literal) ? member.type.literal.text : undefined;
    if (property === 'apiVersion' && literal !== undefined) apiVersion = literal;
    if (property === 'kind' && literal !== undefined) kind = literal;
    const propertySchema: OpenApiSchema =
      (property === 'apiVersion' || property === 'kind') && literal !== undefined ? { type: 'string' } : typeSchema(member.type, parsed, visit);
    const propertyDescription = docOf(member, parsed.source);
    if (propertyDescription) propertySchema.description = propertyDescription;
    const semantics = LIST_SEMANTICS[`${name}.${property}`] ?? LIST_SEMANTICS[property];
    if (propertySchema.type === 'array' && semantics) {
      propertySchema['x-kubernetes-list-type'] = semantics.listType;
      if (semantics.mapKeys) propertySchema['x-kubernetes-list-map-keys'] = semantics.mapKeys;
      if (semantics.mergeKey) propertySchema['x-kubernetes-patch-merge-key'] = semantics.mergeKey;
      if (semantics.strategy) propertySchema['x-kubernetes-patch-strategy'] = semantics.strategy;
    }
    properties[property] = orderKeys(propertySchema);
    if (!member.questionToken && property !== 'apiVersion' && property !== 'kind') required.push(property);
  }
  if (required.length > 0) schema.required = required;
  schema.type = 'object';
  if (Object.keys(properties).length > 0) schema.properties = properties;
  if (kind !== undefined && apiVersion !== undefined) {
    const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
    schema['x-kubernetes-group-version-kind'] = [{ group, kind, version }];
  }
  return orderKeys(schema);
}

function typeSchema(node: ts.TypeNode, parsed: ParsedFile, visit: (file: string) => void): OpenApiSchema {
  if (node.kind === ts.SyntaxKind.StringKeyword) return { type: 'string' };
  if (node.kind === ts.SyntaxKind.NumberKeyword) return { type: 'integer', format: 'int32' };
  if (node.kind === ts.SyntaxKind.BooleanKeyword) return { type: 'boolean' };
  if (node.kind === ts.SyntaxKind.AnyKeyword || node.kind === ts.SyntaxKind.UnknownKeyword) return { type: 'object' };
  if (ts.isParenthesizedTypeNode(node)) return typeSchema(node.type, parsed, visit);
  if (ts.isUnionTypeNode(node)) {
    const literals = node.types.map((t) => (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? t.literal.text : undefined));
    if (literals.every((l) => l !== undefined)) return { type: 'string', enum: literals };
    return typeSchema(node.types[0] as ts.TypeNode, parsed, visit);
  }
  if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return { type: 'string', enum: [node.literal.text] };
  if (ts.isArrayTypeNode(node)) return { type: 'array', items: typeSchema(node.elementType, parsed, visit) };
  if (ts.isTypeLiteralNode(node)) {
    const index = node.members.find(ts.isIndexSignatureDeclaration);
    return index?.type ? { type: 'object', additionalProperties: typeSchema(index.type, parsed, visit) } : { type: 'object' };
  }
  if (ts.isTypeReferenceNode(node)) {
    const typeName = node.typeName.getText(parsed.source);
    if (typeName === 'Array' && node.typeArguments?.[0]) return { type: 'array', items: typeSchema(node.typeArguments[0], parsed, visit) };
    if (typeName === 'Record' && node.typeArguments?.[1]) return { type: 'object', additionalProperties: typeSchema(node.typeArguments[1], parsed, visit) };
    const file = parsed.imports.get(typeName);
    if (file) {
      visit(file);
      return { $ref: `#/definitions/${definitionNameOf(file)}` };
    }
  }
  return { type: 'object' };
}

const KEY_ORDER = ['description', 'type', 'format', 'enum', 'items', 'additionalProperties', 'required', 'properties', '$ref'];

function orderKeys(schema: OpenApiSchema): OpenApiSchema {
  const ordered: OpenApiSchema = {};
  for (const key of KEY_ORDER) if (key in schema) ordered[key] = schema[key];
  for (const key of Object.keys(schema).sort()) if (!(key in ordered)) ordered[key] = schema[key];
  return ordered;
}
