import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
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

export interface WebHostSession {
  readonly page: Page;
  readonly host: RunningWebHost;
  /** Stops the host and starts a new one on the same data (new port and token). */
  restart(): Promise<RunningWebHost>;
}

/**
 * One web host and one 1440×900 page for a whole `describe`, stopped after it: register inside
 * the `describe` body. The host can be restarted to prove what survives.
 */
export function webHostSession(options: { env?: NodeJS.ProcessEnv } = {}): WebHostSession {
  let browser: Browser | undefined;
  let host: RunningWebHost | undefined;
  let page: Page | undefined;
  const env = options.env ? { env: options.env } : {};
  beforeAll(async () => {
    host = await startWebHost(env);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });
  return {
    get page() {
      return page!;
    },
    get host() {
      return host!;
    },
    async restart() {
      const dataDir = host!.dataDir;
      await host!.stop();
      host = await startWebHost({ dataDir, ...env });
      return host;
    },
  };
}
