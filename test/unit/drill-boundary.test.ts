import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const x = y;\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

/** The drill cluster package's boundary (eslint.config.js): the app sees its entry only, it sees nothing of the app. */
describe('the drill package boundary', () => {
  it.each([
    ['src/main/contexts/example.ts', "import { DrillCluster as y } from '../../../packages/drill-cluster/src/cluster';"],
    ['src/main/contexts/example.ts', "import { DrillCluster as y } from '@incident-cockpit/drill-cluster/src/cluster';"],
    ['src/main/electron/example.ts', "import { MemoryObjectStore as y } from '../../../packages/drill-cluster/src/store';"],
    ['src/shared/example.ts', "import { SCENARIO_SUMMARIES as y } from '../../packages/drill-cluster/src/protocol';"],
    ['src/renderer/example.ts', "import { SCENARIO_NAMES as y } from '@incident-cockpit/drill-cluster/protocol';"],
  ])('fails %s reaching into the package', async (file, code) => {
    expect(await importErrors(file, code)).toEqual([expect.stringContaining('import only its entry')]);
  });

  it('lets the app import the entry', async () => {
    expect(await importErrors('src/main/contexts/example.ts', "import { drillChildModule as y } from '@incident-cockpit/drill-cluster';")).toEqual([]);
    expect(await importErrors('src/shared/example.ts', "import { SCENARIO_NAMES as y } from '@incident-cockpit/drill-cluster';")).toEqual([]);
  });

  it.each([
    "import { CockpitFailure as y } from '../../../src/shared/result';",
    "import { createCockpit as y } from '../../../src/main/app/cockpit';",
    "import { app as y } from 'electron';",
  ])('fails the package importing the app: %s', async (code) => {
    expect(await importErrors('packages/drill-cluster/src/world/example.ts', code)).toEqual([expect.stringContaining('stands alone')]);
  });

  it('keeps the entry free of runtime imports', async () => {
    expect(await importErrors('packages/drill-cluster/src/index.ts', "import { readFile as y } from 'node:fs/promises';")).toEqual([
      expect.stringContaining('pure TypeScript'),
    ]);
    expect(await importErrors('packages/drill-cluster/src/child.ts', "import { readFile as y } from 'node:fs/promises';")).toEqual([]);
  });
});
