/**
 * Whether the drill runs its own Prometheus and Alertmanager. An on-call engineer opening the
 * drill expects its Alerts panel to behave as production's does: the cockpit discovers
 * `monitoring/prometheus` and `monitoring/alertmanager` through the API server's service proxy,
 * and real ones answer there, evaluating the rules the runbook generates. So the drill starts
 * Debian's binaries when they are installed, unless a Prometheus is already named for the drill
 * (`COCKPIT_PROMETHEUS_URL`) or `COCKPIT_DRILL_MONITORING=off` (the test hosts) says not to.
 */
import path from 'node:path';
import type { DrillContextOptions } from '../contexts/drill-context';

/** The generated rules, relative to the app's root. */
export const BUNDLED_ALERT_RULES = path.join('resources', 'prometheus', 'codesign-alerts.yml');

/** The drill's options with its monitoring added when the environment wants it. */
export function withDrillMonitoring(options: DrillContextOptions | undefined, env: NodeJS.ProcessEnv, rulesFile: string): DrillContextOptions | undefined {
  if (env.COCKPIT_DRILL_MONITORING === 'off' || env.COCKPIT_PROMETHEUS_URL) return options;
  const scrape = Number(env.COCKPIT_DRILL_SCRAPE_SECONDS);
  const monitoring = { rulesFile, ...(Number.isFinite(scrape) && scrape >= 1 && scrape <= 300 ? { scrapeIntervalSeconds: scrape } : {}) };
  return { ...options, child: { ...options?.child, monitoring } };
}
