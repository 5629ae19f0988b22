/**
 * The alerts tests' monitoring: the drill package's real Prometheus and Alertmanager
 * (`monitoring-stack.ts`) with 1 s scrape and evaluation, a temp TSDB, and the generated rules
 * rendered with `for:` shortened so a test waits seconds, not minutes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { findMonitoringBinaries, startMonitoringStack, type MonitoringStack, type ScrapeTarget } from '../../../packages/drill-cluster/src/monitoring-stack';
import { renderAlertRules } from '../../../src/shared/alerts/rules';
import { RunbookSchema, type Runbook } from '../../../src/shared/runbook/schema';

export type { MonitoringStack };
const binaries = findMonitoringBinaries();
export const PROMETHEUS_BIN = binaries.prometheus;
export const ALERTMANAGER_BIN = binaries.alertmanager;

export async function bundledRunbook(): Promise<Runbook> {
  return RunbookSchema.parse(parse(await readFile(path.resolve('resources/runbooks/codesign-playground.yaml'), 'utf8')));
}

export async function startMonitoring(target: ScrapeTarget, options: { alertmanager?: boolean; forOverride?: string; prometheusPort?: number; alertmanagerPort?: number } = {}): Promise<MonitoringStack> {
  const rules = renderAlertRules(await bundledRunbook(), { forOverride: options.forOverride ?? '2s' });
  return startMonitoringStack({
    target,
    rules,
    scrapeIntervalSeconds: 1,
    evaluationIntervalSeconds: 1,
    binaries,
    ...(options.alertmanager !== undefined ? { alertmanager: options.alertmanager } : {}),
    ...(options.prometheusPort !== undefined ? { prometheusPort: options.prometheusPort } : {}),
    ...(options.alertmanagerPort !== undefined ? { alertmanagerPort: options.alertmanagerPort } : {}),
  });
}
