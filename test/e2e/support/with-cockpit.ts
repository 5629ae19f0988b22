import type { Page } from 'playwright-core';
import { launchChromium } from './browser';
import { startWebHost, type RunningWebHost } from './web-host-process';

/** Runs `fn` against a fresh web host and a Chromium page at its URL (plus `hash`), then stops both. */
export async function withCockpit(
  options: { env?: NodeJS.ProcessEnv; hash?: string; viewport?: { width: number; height: number } },
  fn: (page: Page, host: RunningWebHost) => Promise<void>,
): Promise<void> {
  const host = await startWebHost(options.env ? { env: options.env } : {});
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 800 } });
    await page.goto(`${host.url}${options.hash ?? ''}`);
    await fn(page, host);
  } finally {
    await browser.close();
    await host.stop();
  }
}
