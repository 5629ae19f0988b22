/**
 * An alert's identity across Prometheus and Alertmanager: its label set (alertname included),
 * sorted, so the same alert has the same key in both and from one poll to the next.
 */
export function alertKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

/** Matchers for a silence of exactly this alert: every label, equal, no regex. */
export function silenceMatchersFor(labels: Record<string, string>): Array<{ name: string; value: string; isRegex: boolean; isEqual: boolean }> {
  return Object.keys(labels)
    .sort()
    .map((name) => ({ name, value: labels[name] as string, isRegex: false, isEqual: true }));
}
