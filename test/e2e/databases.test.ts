/**
 * The Databases panel through the web host on the drill context (its postgres-0 a real
 * PostgreSQL from Debian's packages, its redis-0 a redis-server with requirepass): connections by
 * state against the runbook's thresholds and the Redis hit rate after real hits and misses; the
 * connection-exhaustion scenario fills the server with idle sessions, and the terminate action,
 * run through the procedure engine with its typed confirmation, brings the count down.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { TunnelService } from '../../src/main/tunnels/tunnel-service';
import { screenshotter } from './support/artifacts';
import { withCockpit } from './support/with-cockpit';

const dialog = (page: Page) => page.getByRole('dialog');
const total = async (page: Page) => Number(/^(\d+) \//.exec((await page.getByLabel('Connections total').textContent().catch(() => '')) ?? '')?.[1] ?? NaN);

/** Real hits and misses on the drill's Redis, through a tunnel of our own (the test's, not the host's). */
async function redisTraffic(dataDir: string): Promise<void> {
  const file = `${dataDir}/drill/kubeconfig`;
  for (let i = 0; i < 300 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 200));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(await readFile(file, 'utf8'));
  const tunnels = new TunnelService({ kubeConfig: async () => kubeConfig, logger: { info() {}, warn() {}, error() {} } });
  try {
    const info = await tunnels.ensure({ context: kubeConfig.getCurrentContext(), namespace: 'codesign-production', target: { kind: 'pod', name: 'redis-0' }, remotePort: 6379 });
    const password = await tunnels.readSecretKey(kubeConfig.getCurrentContext(), 'codesign-production', 'codesign-secrets', 'redis-password');
    const redis = new Redis({ host: '127.0.0.1', port: info.localPort, password, lazyConnect: true });
    await redis.connect();
    for (let i = 0; i < 6; i++) await redis.set(`session:${i}`, 'x');
    for (let i = 0; i < 6; i++) await redis.get(`session:${i}`);
    for (let i = 0; i < 2; i++) await redis.get(`missing:${i}`);
    redis.disconnect();
  } finally {
    tunnels.dispose();
  }
}

describe('web host: the Databases panel on the drill', () => {
  it('shows connections by state and the hit rate, and terminating idle connections during exhaustion brings the count down', async () => {
    await withCockpit({ hash: '#/databases', env: { KUBECONFIG: '/nonexistent/kubeconfig' }, viewport: { width: 1440, height: 1300 } }, async (page, host) => {
      const shoot = screenshotter(page, 'databases');
      await redisTraffic(host.dataDir);
      await page.getByTestId('context-select').selectOption('drill');
      await page.getByLabel('Connections total').filter({ hasText: /\d+ \/ \d+ connections/ }).waitFor({ timeout: 90_000 });
      expect(await page.getByRole('img', { name: /^connections by state/ }).count()).toBe(1);
      await page.getByRole('group', { name: 'Cache hit rate' }).filter({ hasText: /\d+\.\d%/ }).waitFor({ timeout: 30_000 });
      const hitRate = (await page.getByRole('group', { name: 'Cache hit rate' }).textContent()) ?? '';
      // At least our 6 hits and 2 misses; the drill's own app traffic may add more.
      expect(hitRate).toMatch(/Cache hit rate\d+\.\d%(\d+) hits, (\d+) misses/);
      const [, hits, misses] = /(\d+) hits, (\d+) misses/.exec(hitRate)!;
      expect(Number(hits)).toBeGreaterThanOrEqual(6);
      expect(Number(misses)).toBeGreaterThanOrEqual(2);
      expect(hitRate).toContain(`${((Number(hits) / (Number(hits) + Number(misses))) * 100).toFixed(1)}%`);
      expect(await page.getByText(/PostgreSQL 1\d\.\d+/).first().isVisible()).toBe(true);
      await shoot('01-databases-overview');

      // Connection exhaustion: the drill holds real idle sessions.
      await page.goto(`${host.url}#/cluster`);
      await page.locator('input[data-scenario="db-connection-exhaustion"]').check();
      await page.goto(`${host.url}#/databases`);
      await expect.poll(() => total(page), { timeout: 90_000, interval: 1000 }).toBeGreaterThan(150);
      const high = await total(page);
      expect(await page.getByLabel('Connections total').getAttribute('data-level')).toMatch(/warning|critical/);
      // The held sessions are idle, shown by state.
      await page.getByRole('table', { name: 'Connections by state' }).getByRole('row').filter({ hasText: /^.*idle\s*\d{3}$/ }).waitFor();
      await shoot('02-connection-exhaustion');

      await page.getByRole('button', { name: 'Terminate idle connections…' }).click();
      const idle = dialog(page).getByLabel('Idle for more than (minutes)');
      await idle.fill('0');
      await idle.blur();
      await dialog(page).getByText(/Would terminate \d+ connections? idle for more than 0 minutes/).waitFor({ timeout: 30_000 });
      await shoot('03-terminate-preview');
      await dialog(page).getByRole('button', { name: 'Continue to confirmation' }).click();
      await dialog(page).getByLabel(/Type codesign_db to confirm/).fill('codesign_db');
      await dialog(page).getByRole('button', { name: 'Confirm and run' }).click();
      await dialog(page).getByTestId('run-status').filter({ hasText: 'succeeded' }).waitFor({ timeout: 60_000 });
      expect(await dialog(page).getByText(/terminated \d+ connections? idle for more than 0 minutes/).count()).toBeGreaterThan(0);
      await shoot('04-terminate-done');
      await page.getByRole('button', { name: 'Close' }).click();

      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect.poll(() => total(page), { timeout: 30_000, interval: 1000 }).toBeLessThan(high - 100);
      await shoot('05-after-terminate');

      // The read-only console: a named query, then a write it refuses.
      const sqlConsole = page.getByRole('region', { name: 'SQL console' });
      await sqlConsole.getByRole('button', { name: 'Connections by state' }).click();
      await sqlConsole.getByRole('table', { name: 'Query result' }).getByRole('columnheader', { name: 'active_connections' }).waitFor();
      await sqlConsole.getByLabel('SQL').fill('DELETE FROM users');
      await sqlConsole.getByRole('button', { name: 'Run', exact: true }).click();
      await sqlConsole.getByRole('alert').filter({ hasText: /\[Forbidden\] the console is read-only/ }).waitFor();
      expect(await sqlConsole.getByRole('table', { name: 'Query result' }).count()).toBe(1);
      await shoot('06-console-read-only');

      // A typed wrong Redis password: its specific error, the last reading kept; then back to the Secret.
      const redisCard = page.getByRole('article', { name: 'Redis' });
      await redisCard.getByLabel('Redis password').fill('not-the-password');
      await redisCard.getByRole('button', { name: 'Use', exact: true }).click();
      await redisCard.getByRole('alert', { name: 'Redis error' }).filter({ hasText: /\[Unauthorized\] wrong password for Redis on redis-0/ }).waitFor();
      expect(await redisCard.getByRole('group', { name: 'Cache hit rate' }).count()).toBe(1);
      await shoot('07-redis-wrong-password');
      await redisCard.getByRole('button', { name: 'Use the Secret' }).click();
      await expect.poll(() => redisCard.getByRole('alert', { name: 'Redis error' }).count(), { timeout: 15_000 }).toBe(0);
    });
  });
});
