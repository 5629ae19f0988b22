import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

/** Screenshots land in `test-results/<suite>/NN-name.png`, kept as CI artifacts. */
export function screenshotter(page: Page, suite: string): (name: string) => Promise<void> {
  const dir = path.resolve(import.meta.dirname, '..', '..', '..', 'test-results', suite);
  mkdirSync(dir, { recursive: true });
  return async (name) => {
    await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: false });
  };
}
