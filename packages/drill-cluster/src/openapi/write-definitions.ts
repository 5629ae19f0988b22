/**
 * `npm run generate:openapi`: regenerates `kubernetes-definitions.json` from the kubernetes-models
 * package for the kinds in resources.ts. Run it after adding a kind or upgrading kubernetes-models.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { definitionRootFiles } from './definition-roots';
import { generateDefinitions } from './definitions-generator';

const target = fileURLToPath(new URL('./kubernetes-definitions.json', import.meta.url));
const definitions = generateDefinitions(definitionRootFiles());
writeFileSync(target, `${JSON.stringify(definitions, null, 1)}\n`);
console.log(`wrote ${Object.keys(definitions).length} definitions to ${target}`);
