import protobuf from 'protobufjs';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { RESOURCES } from '../resources';
import { definitionRootFiles } from './definition-roots';
import { generateDefinitions } from './definitions-generator';
import { definitionNameFor, OpenApiDocuments } from './documents';
import { GNOSTIC_OPENAPI_V2_PROTO } from './gnostic-openapiv2';

const documents = new OpenApiDocuments();

describe('generated definitions', () => {
  it('match a fresh generation from kubernetes-models (run npm run generate:openapi after a change)', () => {
    const committed = JSON.parse(readFileSync(new URL('./kubernetes-definitions.json', import.meta.url), 'utf8')) as unknown;
    expect(generateDefinitions(definitionRootFiles())).toEqual(committed);
  });

  it('name a definition for every served kind but the metrics', () => {
    for (const descriptor of RESOURCES.filter((d) => !d.computed)) expect(definitionNameFor(descriptor)).toMatch(/^io\./);
    expect(definitionNameFor({ group: 'apps', version: 'v1', kind: 'Deployment' })).toBe('io.k8s.api.apps.v1.Deployment');
    expect(definitionNameFor({ group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' })).toBe('io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler');
  });
});

describe('/openapi/v3', () => {
  it('lists every served group-version with a hash naming its content', () => {
    const index = documents.openApiV3Index();
    expect(Object.keys(index.paths)).toContain('apis/apps/v1');
    expect(Object.keys(index.paths)).not.toContain('apis/metrics.k8s.io/v1beta1');
    const apps = documents.openApiV3('apis/apps/v1');
    expect(index.paths['apis/apps/v1']?.serverRelativeURL).toBe(`/openapi/v3/apis/apps/v1?hash=${apps?.hash}`);
    expect(apps?.hash).toMatch(/^[0-9A-F]{128}$/);
    expect(documents.openApiV3('apis/example.com/v1')).toBeUndefined();
  });

  it('has the PATCH operation kubectl checks for fieldValidation, with its group-version-kind', () => {
    const doc = JSON.parse((documents.openApiV3('apis/apps/v1') as { body: Buffer }).body.toString()) as {
      paths: Record<string, { patch?: { parameters: Array<{ name: string }>; 'x-kubernetes-group-version-kind': unknown } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.patch;
    expect(patch?.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['fieldValidation', 'fieldManager', 'force', 'dryRun']));
    expect(patch?.['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(doc.components.schemas['io.k8s.api.apps.v1.Deployment']?.properties?.metadata).toMatchObject({
      allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
    });
    expect(doc.components.schemas['io.k8s.api.core.v1.Container']).toBeDefined();
  });
});

describe('/openapi/v2', () => {
  it('encodes as gnostic protobuf that decodes back to the JSON document', () => {
    const Document = protobuf.parse(GNOSTIC_OPENAPI_V2_PROTO, { keepCase: true }).root.lookupType('openapi.v2.Document');
    const decoded = Document.toObject(Document.decode(documents.openApiV2('protobuf').body)) as {
      swagger: string;
      definitions: { additional_properties: Array<{ name: string; value: { vendor_extension?: Array<{ name: string; value: { yaml: string } }>; properties?: unknown } }> };
    };
    expect(decoded.swagger).toBe('2.0');
    const deployment = decoded.definitions.additional_properties.find((d) => d.name === 'io.k8s.api.apps.v1.Deployment');
    const gvk = deployment?.value.vendor_extension?.find((e) => e.name === 'x-kubernetes-group-version-kind');
    expect(parseYaml(gvk?.value.yaml ?? '')).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    const json = JSON.parse(documents.openApiV2('json').body.toString()) as { definitions: Record<string, unknown> };
    expect(decoded.definitions.additional_properties.map((d) => d.name).sort()).toEqual(Object.keys(json.definitions).sort());
  });
});
