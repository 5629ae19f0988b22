import type { Runbook, SeverityId, Step } from '../runbook/schema';
import type { ChecklistItem } from './model';

/**
 * The checklist a severity asks for: that severity's escalation items first (they carry the
 * response-time target), then every stage of the incident process with its steps and tasks.
 * Re-planning keeps what was already done: a done item the new plan lacks is carried over,
 * an undone one is dropped.
 */
export function planChecklist(runbook: Runbook, severity: SeverityId, previous: readonly ChecklistItem[] = []): ChecklistItem[] {
  const level = runbook.severities.find((s) => s.id === severity);
  if (!level) throw new Error(`runbook ${runbook.id} has no severity ${severity}`);

  // Escalation items are keyed by channel, so a page already sent under SEV2 counts for SEV1.
  const planned: ChecklistItem[] = level.escalation.map((item) => ({
    id: `escalation.${item.channel ?? item.id}`,
    label: item.label,
    group: 'escalation',
    fromSeverity: severity,
    ...(item.withinMinutes === undefined ? {} : { withinMinutes: item.withinMinutes }),
  }));
  for (const stage of [...runbook.incidentProcess].sort((a, b) => a.order - b.order)) {
    const stageFields = { group: 'process' as const, stageId: stage.id, stageTitle: `${stage.order}. ${stage.title}` };
    for (const step of stage.steps) {
      const links = followUps(runbook, step);
      planned.push({ id: `process.${stage.id}.${step.id}`, label: step.title, command: step.command, stepId: step.id, ...(links.length ? { links } : {}), ...stageFields });
    }
    for (const task of stage.tasks) {
      planned.push({ id: `process.${stage.id}.${task.id}`, label: task.label, ...stageFields });
    }
  }

  const previousById = new Map(previous.map((item) => [item.id, item]));
  const plan = planned.map((item) => {
    const done = previousById.get(item.id)?.done;
    return done ? { ...item, done } : item;
  });
  const plannedIds = new Set(planned.map((item) => item.id));
  const carried = previous
    .filter((item) => item.done && !plannedIds.has(item.id))
    .map((item) => ({ ...item, carried: true }));
  return [...carried.filter((c) => c.group === 'escalation'), ...plan, ...carried.filter((c) => c.group !== 'escalation')];
}

/**
 * Procedure steps a checklist step leads to, read from the runbook: checking a deployment's
 * rollout history leads to rolling that deployment back.
 */
export function followUps(runbook: Runbook, step: Step): Array<{ stepId: string; label: string }> {
  if (step.action.type !== 'k8s.rolloutHistory') return [];
  const deployment = step.action.params.deployment;
  return runbook.procedures.flatMap((procedure) =>
    procedure.sections.flatMap((section) =>
      section.steps
        .filter((s) => s.action.type === 'k8s.rolloutUndo' && s.action.params.deployment === deployment)
        .map((s) => ({ stepId: s.id, label: `${procedure.title}: ${s.title.replace(/^[0-9]+\.\s*/, '')}` })),
    ),
  );
}
