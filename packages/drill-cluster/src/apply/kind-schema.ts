/** The OpenAPI schema a served kind's field sets are computed over. */
import { definitionNameFor } from '../openapi/documents';
import type { OpenApiSchema } from '../openapi/definitions-generator';
import type { ResourceDescriptor } from '../resources';
import { definitionSchema } from './field-set';

const cache = new Map<string, OpenApiSchema>();

/** The kind's definition (for custom resources and metrics, `{}`: every list atomic). */
export function schemaForKind(descriptor: Pick<ResourceDescriptor, 'group' | 'version' | 'kind'>): OpenApiSchema {
  const key = `${descriptor.group}/${descriptor.version}/${descriptor.kind}`;
  let schema = cache.get(key);
  if (!schema) {
    try {
      schema = definitionSchema(definitionNameFor(descriptor));
    } catch {
      schema = {};
    }
    cache.set(key, schema);
  }
  return schema;
}
