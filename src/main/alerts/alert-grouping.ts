/**
 * Pure shaping of what Prometheus and Alertmanager answered into what the responder reads:
 * alerts grouped by name (worst first, firing before pending), each with the runbook's level,
 * suggested severity and procedures, and whether Alertmanager holds a silence on it.
 */
import { alertKey } from '../../shared/alerts/alert-key';
import { alertMeaning, type AlertLevel } from '../../shared/alerts/rules';
import type { ActiveAlert, AlertGroup, AlertmanagerGroup } from '../../shared/contract/alerts';
import type { Runbook } from '../../shared/runbook/schema';
import type { AlertmanagerGroupAnswer, PrometheusAlert } from './alert-source';

const LEVEL_RANK: Record<AlertLevel | 'none', number> = { critical: 2, warning: 1, none: 0 };

export function groupAlerts(runbook: Runbook | undefined, alerts: readonly PrometheusAlert[], silencedBy: ReadonlyMap<string, string[]> = new Map()): AlertGroup[] {
  const groups = new Map<string, AlertGroup>();
  for (const a of alerts) {
    if (a.state === 'inactive') continue;
    const name = a.labels.alertname ?? '(unnamed)';
    const meaning = alertMeaning(runbook, name, a.labels);
    const key = alertKey(a.labels);
    const silences = silencedBy.get(key);
    const alert: ActiveAlert = {
      key,
      name,
      state: a.state,
      labels: a.labels,
      annotations: a.annotations,
      ...(a.activeAt ? { activeAt: a.activeAt } : {}),
      ...(a.value !== undefined ? { value: a.value } : {}),
      ...(meaning.level ? { level: meaning.level } : {}),
      ...(meaning.incidentSeverity ? { incidentSeverity: meaning.incidentSeverity } : {}),
      procedureIds: meaning.procedureIds,
      ...(silences?.length ? { silencedBy: silences } : {}),
    };
    let group = groups.get(name);
    if (!group) {
      group = { name, alerts: [], firing: 0, pending: 0, worst: 'none' };
      groups.set(name, group);
    }
    group.alerts.push(alert);
    if (alert.state === 'firing') group.firing += 1;
    else group.pending += 1;
    const level = alert.level ?? 'none';
    if (alert.state === 'firing' && LEVEL_RANK[level] > LEVEL_RANK[group.worst]) group.worst = level;
  }
  const stateRank = (a: ActiveAlert): number => (a.state === 'firing' ? 0 : 1);
  for (const g of groups.values()) {
    g.alerts.sort((a, b) => stateRank(a) - stateRank(b) || LEVEL_RANK[b.level ?? 'none'] - LEVEL_RANK[a.level ?? 'none'] || a.key.localeCompare(b.key));
  }
  return [...groups.values()].sort(
    (a, b) => LEVEL_RANK[b.worst] - LEVEL_RANK[a.worst] || (b.firing > 0 ? 1 : 0) - (a.firing > 0 ? 1 : 0) || a.name.localeCompare(b.name),
  );
}

/** Alertmanager's groups, and for each alert key the silences holding it (from the same answer). */
export function alertmanagerGroups(answer: readonly AlertmanagerGroupAnswer[]): { groups: AlertmanagerGroup[]; silencedBy: Map<string, string[]> } {
  const silencedBy = new Map<string, string[]>();
  const groups = answer.map((g) => ({
    labels: g.labels,
    receiver: g.receiver.name,
    alerts: g.alerts.map((a) => {
      const key = alertKey(a.labels);
      if (a.status.silencedBy.length) silencedBy.set(key, a.status.silencedBy);
      return { key, name: a.labels.alertname ?? '(unnamed)', state: a.status.state, silencedBy: a.status.silencedBy, startsAt: a.startsAt };
    }),
  }));
  return { groups, silencedBy };
}
