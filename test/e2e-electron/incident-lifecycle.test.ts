import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CockpitPage } from '../e2e/pages/cockpit-page';
import { declareWorkAndRaise, expectIncidentKept, PASSPHRASE } from '../e2e/scenarios/incident-lifecycle';
import { screenshotter } from '../e2e/support/artifacts';

/** The Electron binary, when its download was not skipped; undefined otherwise. */
function electronBinary(): string | undefined {
  try {
    const binary = createRequire(import.meta.url)('electron') as string;
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

const binary = electronBinary();
const root = path.resolve(import.meta.dirname, '..', '..');

describe.skipIf(!binary)('Electron host (skipped where no Electron binary is installed, e.g. ELECTRON_SKIP_BINARY_DOWNLOAD=1)', () => {
  let app: ElectronApplication | undefined;
  afterAll(async () => {
    await app?.close();
  });

  it('runs the same incident scenario as the web host, through the preload bridge', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cockpit-electron-'));
    app = await electron.launch({ executablePath: binary!, args: [path.join(root, 'out', 'main', 'electron.js')], cwd: root, env: { ...process.env, COCKPIT_DATA_DIR: dataDir } });
    const page = await app.firstWindow();
    const cockpit = new CockpitPage(page);
    expect(await page.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => Object.keys((globalThis as unknown as { cockpit: object }).cockpit).sort())).toEqual(['invoke', 'subscribe']);

    await cockpit.openEvidenceStore(PASSPHRASE);
    const ticked = await declareWorkAndRaise(cockpit, screenshotter(page, 'e2e-electron'));
    const liveStreams = () =>
      page.evaluate(async () => {
        const api = (globalThis as unknown as { cockpit: { invoke(n: string, i: unknown): Promise<{ value: { liveStreams: number } }> } }).cockpit;
        return (await api.invoke('app:diagnostics', {})).value.liveStreams;
      });
    const onePage = await liveStreams();
    await page.reload();
    await expectIncidentKept(cockpit, ticked);
    // The preload's new page session replaced the old one: its streams were stopped, not inherited.
    await page.reload();
    await page.getByRole('navigation', { name: 'Panels' }).waitFor();
    await expect.poll(liveStreams).toBe(onePage);
  });
});
