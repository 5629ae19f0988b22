import { parse } from 'yaml';
import { RunbookSchema, type Runbook } from '../../shared/runbook/schema';
import source from '../../../resources/runbooks/codesign-playground.yaml?raw';

/** The bundled runbook, for renderer tests: parsed and validated like the host does, without Node. */
export const bundledRunbook = (): Runbook => RunbookSchema.parse(parse(source));
