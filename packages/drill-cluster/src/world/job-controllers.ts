/**
 * The Job and CronJob controllers: a Job runs its pod to completion (`Completed`, exit 0) and
 * reports `Complete`; the daily CronJob makes `<cronjob>-job-YYYYMMDD` (UTC date of the
 * simulated clock) once its time of day has passed, as the runbook's backup check expects.
 */
import { RESOURCE_KEYS } from '../resources';
import type { KubeObject } from '../types';
import { readObjects, writeStatus, type ControllerContext } from './controller-context';
import { randomNameSuffix, rfc3339, utcDateStamp } from './object-names';
import { controllerOf, controllerRef, podFromTemplate, type PodTemplate } from './workloads';

/** How long (simulated seconds) a job's container works before it exits 0. */
export const COMPLETES_AFTER_ANNOTATION = 'drill.incident-cockpit/completes-after-seconds';
const DEFAULT_RUN_SECONDS = 134;

interface JobSpec {
  selector?: { matchLabels?: Record<string, string> };
  template: PodTemplate;
  backoffLimit?: number;
  completions?: number;
  parallelism?: number;
}

/** The labels a Job puts on its pods (and selects them by). */
export function jobPodLabels(job: KubeObject): Record<string, string> {
  const uid = job.metadata.uid ?? '';
  return {
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': job.metadata.name,
    'controller-uid': uid,
    'job-name': job.metadata.name,
  };
}

export class JobController {
  constructor(private readonly ctx: ControllerContext) {}

  reconcile(namespace: string, name: string): void {
    const { store, clock, events } = this.ctx;
    let job = store.get(RESOURCE_KEYS.jobs, namespace, name);
    if (!job || job.metadata.deletionTimestamp) return;
    const status = (job.status ?? {}) as Record<string, unknown>;
    const conditions = (status.conditions ?? []) as Array<{ type: string; status: string }>;
    if (conditions.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')) return;
    const spec = job.spec as JobSpec;
    const labels = jobPodLabels(job);
    if (!spec.selector || !spec.template.metadata?.labels?.['batch.kubernetes.io/controller-uid']) {
      job = store.mutate(RESOURCE_KEYS.jobs, namespace, name, (draft) => {
        const s = draft.spec as JobSpec;
        s.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': labels['batch.kubernetes.io/controller-uid'] as string } };
        s.template.metadata = { ...(s.template.metadata ?? {}), labels: { ...(s.template.metadata?.labels ?? {}), ...labels } };
        draft.metadata.labels = { ...(draft.metadata.labels ?? {}), ...labels };
      });
    }
    const now = clock.now();
    const pods = this.ctx.podsOwnedBy(job.metadata.uid ?? '');
    const phaseOf = (pod: KubeObject): unknown => (pod.status as Record<string, unknown> | undefined)?.phase;
    const succeeded = pods.filter((p) => phaseOf(p) === 'Succeeded');
    const failed = pods.filter((p) => phaseOf(p) === 'Failed');
    const active = pods.filter((p) => phaseOf(p) !== 'Succeeded' && phaseOf(p) !== 'Failed');
    if (succeeded.length === 0 && active.length === 0 && failed.length <= (spec.backoffLimit ?? 6)) {
      const fresh = job;
      const template = structuredClone((fresh.spec as JobSpec).template);
      const podName = `${name}-${randomNameSuffix()}`;
      const pod = podFromTemplate(template, { name: podName, namespace, owner: fresh, labels });
      (pod.spec as Record<string, unknown>).restartPolicy = template.spec?.restartPolicy ?? 'Never';
      pod.metadata.annotations = {
        ...(pod.metadata.annotations ?? {}),
        [COMPLETES_AFTER_ANNOTATION]:
          fresh.metadata.annotations?.[COMPLETES_AFTER_ANNOTATION] ?? String(DEFAULT_RUN_SECONDS),
      };
      store.create(RESOURCE_KEYS.pods, pod);
      active.push(pod);
      events.record(fresh, 'Normal', 'SuccessfulCreate', `Created pod: ${podName}`, { component: 'job-controller' });
    }
    const next: Record<string, unknown> = {
      startTime: status.startTime ?? rfc3339(now),
      ...(active.length ? { active: active.length } : {}),
      ...(succeeded.length ? { succeeded: succeeded.length } : {}),
      ...(failed.length ? { failed: failed.length } : {}),
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
    };
    if (succeeded.length > 0) {
      const finished = rfc3339(now);
      next.completionTime = finished;
      next.conditions = [
        { type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: finished, lastTransitionTime: finished, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
        { type: 'Complete', status: 'True', lastProbeTime: finished, lastTransitionTime: finished, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
      ];
      events.record(job, 'Normal', 'Completed', 'Job completed', { component: 'job-controller' });
    }
    writeStatus(store, RESOURCE_KEYS.jobs, job, next);
  }
}

/** Minute and hour of a daily `M H * * *` schedule; undefined for anything else. */
function dailyTime(schedule: string): { minute: number; hour: number } | undefined {
  const match = /^(\d{1,2})\s+(\d{1,2})\s+\*\s+\*\s+\*$/.exec(schedule.trim());
  if (!match) return undefined;
  return { minute: Number(match[1]), hour: Number(match[2]) };
}

export class CronJobController {
  constructor(private readonly ctx: ControllerContext) {}

  reconcile(namespace: string, name: string): void {
    const { store, clock } = this.ctx;
    const cronJob = store.get(RESOURCE_KEYS.cronjobs, namespace, name);
    if (!cronJob) return;
    const spec = cronJob.spec as { schedule?: string; suspend?: boolean; jobTemplate?: { metadata?: Record<string, unknown>; spec?: JobSpec } };
    const at = dailyTime(spec.schedule ?? '');
    if (!at || spec.suspend || !spec.jobTemplate?.spec) return;
    this.pruneHistory(cronJob);
    const now = clock.now();
    const day = new Date(now);
    const scheduled = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), at.hour, at.minute);
    if (now < scheduled) return;
    const jobName = `${name}-job-${utcDateStamp(now)}`;
    const status = (cronJob.status ?? {}) as Record<string, unknown>;
    if (store.get(RESOURCE_KEYS.jobs, namespace, jobName) || status.lastScheduleTime === rfc3339(scheduled)) return;
    store.create(RESOURCE_KEYS.jobs, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: jobName,
        namespace,
        labels: { ...((spec.jobTemplate.metadata?.labels as Record<string, string> | undefined) ?? {}) },
        annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': rfc3339(scheduled) },
        ownerReferences: [controllerRef(cronJob)],
      },
      spec: structuredClone(spec.jobTemplate.spec),
    });
    this.ctx.events.record(cronJob, 'Normal', 'SuccessfulCreate', `Created job ${jobName}`, { component: 'cronjob-controller' });
    writeStatus(store, RESOURCE_KEYS.cronjobs, cronJob, { ...status, lastScheduleTime: rfc3339(scheduled) });
  }

  /** Keeps `successfulJobsHistoryLimit` finished Jobs of this CronJob, deleting older ones. */
  private pruneHistory(cronJob: KubeObject): void {
    const limit = (cronJob.spec as { successfulJobsHistoryLimit?: number }).successfulJobsHistoryLimit ?? 3;
    const finished = readObjects(this.ctx.store, RESOURCE_KEYS.jobs, cronJob.metadata.namespace)
      .filter((job) => controllerOf(job)?.uid === cronJob.metadata.uid)
      .filter((job) => ((job.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True'))
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    for (const job of finished.slice(0, Math.max(0, finished.length - limit))) {
      this.ctx.store.delete(RESOURCE_KEYS.jobs, job.metadata.namespace, job.metadata.name);
      this.ctx.events.record(cronJob, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`, { component: 'cronjob-controller' });
    }
  }
}
