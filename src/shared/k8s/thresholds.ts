/**
 * The runbook's alert thresholds applied to a reading (CPU 70 % / 90 %, memory 80 % / 95 % in
 * the bundled runbook). The numbers come from the runbook data, never from this file.
 */
import type { Runbook, Threshold } from '../runbook/schema';

export type ThresholdLevel = 'ok' | 'warning' | 'critical';

/** `critical` above the critical line, `warning` above the warning line (the runbook's `gt`). */
export function thresholdLevel(value: number | undefined, threshold: Pick<Threshold, 'warning' | 'critical'> | undefined): ThresholdLevel | undefined {
  if (value === undefined || threshold === undefined || !Number.isFinite(value)) return undefined;
  if (value > threshold.critical) return 'critical';
  if (value > threshold.warning) return 'warning';
  return 'ok';
}

export interface ResourceThresholds {
  cpu?: Threshold;
  memory?: Threshold;
  disk?: Threshold;
}

/** The runbook's percent thresholds for CPU, memory and disk, found by id, else by metric name. */
export function resourceThresholds(runbook: Pick<Runbook, 'thresholds'> | undefined): ResourceThresholds {
  const percent = (runbook?.thresholds ?? []).filter((t) => t.unit === 'percent');
  const find = (id: string, pattern: RegExp) => percent.find((t) => t.id === id) ?? percent.find((t) => pattern.test(t.metric));
  const result: ResourceThresholds = {};
  const cpu = find('cpu-usage', /\bcpu\b/i);
  const memory = find('memory-usage', /\bmemory\b/i);
  const disk = find('disk-usage', /\bdisk\b/i);
  if (cpu) result.cpu = cpu;
  if (memory) result.memory = memory;
  if (disk) result.disk = disk;
  return result;
}
