import type { ResponseTime } from '../runbook/schema';

const MINUTE = 60_000;

/**
 * When the response is due: the response-time clock starts when the severity was set (raising
 * SEV2 to SEV1 restarts it at 15 minutes from the change). "Next business day" means the end of
 * the next working day (Monday–Friday, 17:00 local time).
 */
export function responseDueAt(severitySetAt: Date, responseTime: ResponseTime): Date {
  if (responseTime.kind === 'minutes') return new Date(severitySetAt.getTime() + responseTime.minutes * MINUTE);
  const due = new Date(severitySetAt);
  do {
    due.setDate(due.getDate() + 1);
  } while (due.getDay() === 0 || due.getDay() === 6);
  due.setHours(17, 0, 0, 0);
  return due;
}

export interface Countdown {
  /** Milliseconds left; negative once overdue. */
  remainingMs: number;
  overdue: boolean;
  /** `14:59`, `1:00:00`, `-2:05`, `2d 3h`. */
  text: string;
}

/** The countdown shown in the top bar, from now to the due time. */
export function countdown(dueAt: Date, now: Date): Countdown {
  const remainingMs = dueAt.getTime() - now.getTime();
  return { remainingMs, overdue: remainingMs < 0, text: formatDuration(remainingMs) };
}

/** `mm:ss` under an hour, `h:mm:ss` under a day, `Nd Nh` beyond; a leading `-` when negative. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const totalSeconds = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${sign}${days}d ${hours}h`;
  if (hours > 0) return `${sign}${hours}:${pad(minutes)}:${pad(seconds)}`;
  return `${sign}${minutes}:${pad(seconds)}`;
}

export interface ResponseState {
  dueAt: Date;
  /** When the last escalation item of the current severity was ticked: the response is made. */
  respondedAt?: Date;
  /**
   * When the incident was resolved without a response: some escalation item was never done.
   * The clock stops here, but no response is reported.
   */
  resolvedAt?: Date;
  /** Labels of the current severity's escalation items not yet done. */
  openEscalation: string[];
  countdown: Countdown;
}

/**
 * The response-time target of an incident at its current severity. A response is reported only
 * once every escalation item of that severity is done; resolving with escalation items open stops
 * the clock without reporting a response, and names the open items.
 */
export function responseState(
  incident: {
    severity: string;
    severitySetAt: string;
    status: string;
    checklist: Array<{ group: string; label: string; fromSeverity?: string; carried?: boolean; done?: { at: string } }>;
    statusHistory: Array<{ status: string; at: string }>;
  },
  responseTime: ResponseTime,
  now: Date,
): ResponseState {
  const dueAt = responseDueAt(new Date(incident.severitySetAt), responseTime);
  const escalation = incident.checklist.filter((i) => i.group === 'escalation' && !i.carried && i.fromSeverity === incident.severity);
  const openEscalation = escalation.filter((i) => !i.done).map((i) => i.label);
  if (escalation.length > 0 && openEscalation.length === 0) {
    const respondedAt = new Date(Math.max(...escalation.map((i) => Date.parse(i.done!.at))));
    return { dueAt, respondedAt, openEscalation, countdown: countdown(dueAt, respondedAt) };
  }
  if (incident.status === 'resolved') {
    const resolvedAt = new Date(incident.statusHistory.at(-1)!.at);
    return { dueAt, resolvedAt, openEscalation, countdown: countdown(dueAt, resolvedAt) };
  }
  return { dueAt, openEscalation, countdown: countdown(dueAt, now) };
}
