/**
 * Prometheus alerting rules written from the runbook's threshold table: a warning and a critical
 * rule per row (one alert name, told apart by the `severity` label), each holding for the row's
 * `for:` durations, labelled with the threshold and the incident severity the runbook suggests,
 * and annotated with the runbook's action and procedures. Pure: the same runbook always gives
 * the same text, so a test can regenerate `resources/prometheus/codesign-alerts.yml` and compare.
 */
import { stringify } from 'yaml';
import type { Runbook, SeverityId, Threshold, ThresholdAlerting } from '../runbook/schema';

export type AlertLevel = 'warning' | 'critical';

export interface AlertingRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroups {
  groups: Array<{ name: string; rules: AlertingRule[] }>;
}

export interface RuleOptions {
  /**
   * Replaces every `for:` (integration tests hold conditions for seconds, not minutes; the
   * committed file always uses the runbook's own durations).
   */
  forOverride?: string;
}

/** Defaults for a row without an `alerting:` block: named after its id, 10 m / 5 m, SEV3 / SEV2. */
export function alertingOf(threshold: Threshold): ThresholdAlerting {
  return (
    threshold.alerting ?? {
      alert: `Codesign${threshold.id.split(/[-.]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`,
      for: { warning: '10m', critical: '5m' },
      incidentSeverity: { warning: 'SEV3', critical: 'SEV2' },
    }
  );
}

const UNIT_FORMAT: Record<Threshold['unit'], string> = {
  seconds: '{{ $value | printf "%.2f" }}s',
  percent: '{{ $value | printf "%.1f" }}%',
  count: '{{ $value | printf "%.0f" }}',
};

function thresholdRule(runbook: Runbook, threshold: Threshold, level: AlertLevel, options: RuleOptions): AlertingRule {
  const alerting = alertingOf(threshold);
  const bound = level === 'warning' ? threshold.warning : threshold.critical;
  const text = level === 'warning' ? threshold.warningText : threshold.criticalText;
  // The warning rule stops where the critical one starts, so one condition is one alert at a time.
  const expr =
    level === 'warning' ? `(${threshold.promql}) > ${threshold.warning} <= ${threshold.critical}` : `(${threshold.promql}) > ${bound}`;
  return {
    alert: alerting.alert,
    expr,
    for: options.forOverride ?? alerting.for[level],
    labels: {
      severity: level,
      runbook: runbook.id,
      threshold: threshold.id,
      incident_severity: alerting.incidentSeverity[level],
    },
    annotations: {
      summary: `${threshold.metric} ${text} (${level})`,
      description: `${threshold.metric} is ${UNIT_FORMAT[threshold.unit]}, over the runbook's ${level} threshold ${text}.`,
      runbook_action: threshold.action,
      runbook_procedures: threshold.procedureIds.join(','),
    },
  };
}

/** The rule groups for a runbook: one group of threshold rules, one of the extra alerts (if any). */
export function alertRuleGroups(runbook: Runbook, options: RuleOptions = {}): RuleGroups {
  const groups: RuleGroups['groups'] = [
    {
      name: `${runbook.id}-thresholds`,
      rules: runbook.thresholds.flatMap((t) => [thresholdRule(runbook, t, 'warning', options), thresholdRule(runbook, t, 'critical', options)]),
    },
  ];
  const extra = runbook.extraAlerts ?? [];
  if (extra.length) {
    groups.push({
      name: `${runbook.id}-availability`,
      rules: extra.map((a) => ({
        alert: a.alert,
        expr: a.expr,
        for: options.forOverride ?? a.for,
        labels: { severity: a.level, runbook: runbook.id, incident_severity: a.incidentSeverity },
        annotations: { summary: a.summary, runbook_action: a.action, runbook_procedures: a.procedureIds.join(',') },
      })),
    });
  }
  return { groups };
}

/** The rules file's text, with a header naming where it comes from. */
export function renderAlertRules(runbook: Runbook, options: RuleOptions = {}): string {
  const header = [
    `# Generated from the runbook "${runbook.title}" (${runbook.id} ${runbook.version}), thresholds table.`,
    '# Do not edit: run `npm run alerts:rules` after changing resources/runbooks/*.yaml.',
    '',
  ].join('\n');
  return header + stringify(alertRuleGroups(runbook, options), { lineWidth: 0 });
}

/** What the runbook says about an alert: its threshold row (if any), level, suggested severity and procedures. */
export interface AlertMeaning {
  alert: string;
  level?: AlertLevel;
  threshold?: Threshold;
  incidentSeverity?: SeverityId;
  procedureIds: string[];
  action?: string;
}

/**
 * Looks an alert up in the runbook by name and `severity` label; an alert the runbook does not
 * know gets the severity label's default (critical → SEV2, warning → SEV3, otherwise none).
 */
export function alertMeaning(runbook: Runbook | undefined, alert: string, labels: Record<string, string>): AlertMeaning {
  const level: AlertLevel | undefined = labels.severity === 'critical' || labels.severity === 'warning' ? labels.severity : undefined;
  const labelled = /^SEV[1-4]$/.test(labels.incident_severity ?? '') ? (labels.incident_severity as SeverityId) : undefined;
  const threshold = runbook?.thresholds.find((t) => alertingOf(t).alert === alert && (!labels.threshold || labels.threshold === t.id));
  if (threshold) {
    const alerting = alertingOf(threshold);
    const lvl = level ?? 'critical';
    return { alert, level: lvl, threshold, incidentSeverity: alerting.incidentSeverity[lvl], procedureIds: threshold.procedureIds, action: threshold.action };
  }
  const extra = runbook?.extraAlerts?.find((a) => a.alert === alert);
  if (extra) return { alert, level: extra.level, incidentSeverity: extra.incidentSeverity, procedureIds: extra.procedureIds, action: extra.action };
  const fallback = labelled ?? (level === 'critical' ? 'SEV2' : level === 'warning' ? 'SEV3' : undefined);
  return { alert, ...(level ? { level } : {}), ...(fallback ? { incidentSeverity: fallback } : {}), procedureIds: [] };
}

/** Where a reading stands against its row: `ok`, `warning` or `critical` (thresholds are strict `>`). */
export function levelOf(threshold: Pick<Threshold, 'warning' | 'critical'>, value: number | undefined): 'ok' | AlertLevel | 'unknown' {
  if (value === undefined || !Number.isFinite(value)) return 'unknown';
  if (value > threshold.critical) return 'critical';
  if (value > threshold.warning) return 'warning';
  return 'ok';
}
