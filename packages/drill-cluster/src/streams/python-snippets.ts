/**
 * `python -c "<code>"` in the codesign pods: recognises the runbook's snippets (compliance
 * report, health status, circuit breakers, memory usage, data subject requests, audit logs) and
 * answers plausibly from the pod's current log profile.
 */
import type { DrillPodRef, LogProfile } from '../types';
import { hashString, seededRandom } from './log-lines';

export interface PythonResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`);
  return `{${entries.join(', ')}}`;
}

/** What the snippet's `user_id='...'` argument says, if anything. */
function stringArgument(code: string, name: string): string | undefined {
  const match = new RegExp(`${name}\\s*=\\s*['"]([^'"]*)['"]`).exec(code);
  return match?.[1];
}

function healthStatus(profile: LogProfile, now: number): Record<string, unknown> {
  const breakerOpen = profile.errorRatio > 0.1;
  const degraded = profile.errorRatio > 0.05 || profile.latencyMs.p95 > 2000 || profile.dbPool.exhausted;
  return {
    status: degraded ? 'degraded' : 'healthy',
    timestamp: now / 1000,
    checks: {
      database: profile.dbPool.exhausted ? 'unhealthy: connection pool exhausted' : 'healthy',
      redis: 'healthy',
      error_rate: Number(profile.errorRatio.toFixed(4)),
      p95_latency_ms: profile.latencyMs.p95,
    },
    circuit_breakers: {
      'design-renderer': breakerOpen ? 'open' : 'closed',
      'postgres': profile.dbPool.exhausted ? 'open' : 'closed',
      'object-storage': 'closed',
    },
  };
}

function complianceReport(now: number, days: number, rng: () => number): Record<string, unknown> {
  const events = 1200 + Math.floor(rng() * 800) * Math.max(1, Math.round(days / 7));
  return {
    report_period: {
      start: new Date(now - days * 86_400_000).toISOString(),
      end: new Date(now).toISOString(),
    },
    total_audit_events: events,
    data_subject_requests: { access: 3 + Math.floor(rng() * 5), erasure: 1 + Math.floor(rng() * 3), completed_within_sla: true },
    high_risk_events: 4 + Math.floor(rng() * 6),
    critical_risk_events: Math.floor(rng() * 2),
    consent_records: 15000 + Math.floor(rng() * 5000),
    data_retention: { policy_days: 365, records_past_retention: 0 },
    frameworks: { GDPR: 'compliant', SOC2: 'compliant', CCPA: 'compliant' },
  };
}

/** Runs a snippet; unknown code gets a NameError-style failure rather than silence. */
export function runPythonSnippet(code: string, pod: DrillPodRef, profile: LogProfile, now: number): PythonResult {
  const rng = seededRandom(hashString(`${pod.name}:${code}`) ^ Math.floor(now / 60_000));
  const ok = (stdout: string): PythonResult => ({ stdout, stderr: '', exitCode: 0 });
  if (/generate_compliance_report/.test(code)) {
    const days = /30\s*\*\s*24/.test(code) ? 30 : 7;
    const report = complianceReport(now, days, rng);
    return ok(/json\.dumps/.test(code) ? `${JSON.stringify(report, null, 2)}\n` : `${pyRepr(report)}\n`);
  }
  if (/get_health_status/.test(code)) return ok(`${pyRepr(healthStatus(profile, now))}\n`);
  if (/reset_all_circuit_breakers/.test(code)) return ok('');
  if (/memory_info|psutil/.test(code)) {
    const rss = profile.memoryMiB + rng() * 0.99;
    let out = `Memory usage: ${rss.toFixed(2)} MB\n`;
    if (/gc\.get_objects/.test(code)) out += `Objects in memory: ${Math.round(180_000 + profile.memoryMiB * 650)}\n`;
    return ok(out);
  }
  if (/handle_data_subject_request/.test(code)) {
    const userId = stringArgument(code, 'user_id') ?? '';
    const type = stringArgument(code, 'request_type') ?? 'access';
    if (type === 'erasure') {
      const deleted = 20 + Math.floor(rng() * 180);
      if (/deleted_records/.test(code)) return ok(`Deleted ${deleted} records\n`);
      return ok(`${pyRepr({ request_type: 'erasure', user_id: userId, status: 'completed', deleted_records: deleted })}\n`);
    }
    const response = {
      request_id: `dsr-${Math.floor(rng() * 1e8).toString(16)}`,
      user_id: userId,
      request_type: type,
      status: 'completed',
      verification_method: stringArgument(code, 'verification_method') ?? 'email',
      data: { profile: { user_id: userId, email: `${userId || 'user'}@example.com` }, designs: 2 + Math.floor(rng() * 30), audit_events: 40 + Math.floor(rng() * 200) },
    };
    return ok(`${pyRepr(response)}\n`);
  }
  if (/_audit_logs/.test(code)) {
    const actions = ['login', 'export_design', 'delete_design', 'update_permissions', 'data_access', 'api_key_created'];
    const lines: string[] = [];
    for (let i = 9; i >= 0; i--) {
      const risk = rng() < 0.3 ? 'critical' : 'high';
      const result = rng() < 0.4 ? 'denied' : 'success';
      const at = now / 1000 - i * 600 - Math.floor(rng() * 500);
      lines.push(`${at.toFixed(6)}: ${actions[Math.floor(rng() * actions.length)]} - ${result} - ${risk}`);
    }
    return ok(`${lines.join('\n')}\n`);
  }
  const literal = /^\s*print\(\s*(['"])(.*)\1\s*\)\s*$/s.exec(code);
  if (literal) return ok(`${literal[2]}\n`);
  return {
    stdout: '',
    stderr:
      'Traceback (most recent call last):\n  File "<string>", line 1, in <module>\n' +
      'NotImplementedError: the drill cluster simulates only the runbook\'s python snippets\n',
    exitCode: 1,
  };
}
