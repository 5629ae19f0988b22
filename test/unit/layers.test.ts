import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layer rule', () => {
  it.each([
    ["import fs from 'node:fs';", 'node builtins'],
    ["import { ipcRenderer } from 'electron';", 'electron'],
    ["import { KubeConfig } from '@kubernetes/client-node';", 'client-node'],
    ["import pg from 'pg';", 'pg'],
    ["import { createCockpit } from '../main/app/cockpit';", 'main-process code'],
  ])('fails the renderer importing %s (%s)', async (code) => {
    expect(await layerErrors('src/renderer/shell/Example.tsx', `${code}\nexport const x = 1;\n`)).toEqual([expect.stringContaining('The renderer runs sandboxed')]);
  });

  it('fails src/shared importing anything runtime-specific', async () => {
    for (const code of ["import os from 'os';", "import { create } from 'zustand';", "import { app } from 'electron';", "import { x } from '../main/app/paths';"]) {
      expect(await layerErrors('src/shared/example.ts', `${code}\nexport const y = 1;\n`)).toHaveLength(1);
    }
  });

  it('fails a service importing electron, and lets the Electron shell do it', async () => {
    expect(await layerErrors('src/main/incidents/example.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
    expect(await layerErrors('src/main/electron/example.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
  });

  it('lets the renderer use the shared contract', async () => {
    expect(await layerErrors('src/renderer/x.ts', "import type { CockpitApi } from '../shared/contract';\nexport type A = CockpitApi;\n")).toEqual([]);
  });
});
