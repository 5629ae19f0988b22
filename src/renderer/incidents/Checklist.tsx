import { useEffect } from 'react';
import { clockTime } from '../shell/format';
import { OptimisticCheckbox } from '../shell/OptimisticCheckbox';
import type { ChecklistItem, Incident } from '../../shared/incidents/model';
import { useCockpit } from '../state/store';
import { isRunnable, runbookSteps } from '../../shared/procedures/model';
import type { Runbook } from '../../shared/runbook/schema';

const runnableStep = (runbook: Runbook | undefined, stepId: string): boolean => {
  const located = runbook ? runbookSteps(runbook).get(stepId) : undefined;
  return located ? isRunnable(located.step) : false;
};

/** The severity-driven checklist, grouped: escalation first, then each process stage. */
export function Checklist({ incident }: { incident: Incident }) {
  const groups = new Map<string, ChecklistItem[]>();
  for (const item of incident.checklist) {
    const key = item.group === 'escalation' ? 'Escalation' : item.stageTitle ?? 'Process';
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const done = incident.checklist.filter((i) => i.done).length;
  const loadStepAccess = useCockpit((s) => s.loadStepAccess);
  const context = useCockpit((s) => s.contexts?.current);
  const stepIds = incident.checklist.flatMap((i) => [...(i.stepId ? [i.stepId] : []), ...(i.links ?? []).map((l) => l.stepId)]).join(' ');
  useEffect(() => {
    if (stepIds) void loadStepAccess(stepIds.split(' '));
  }, [stepIds, context, loadStepAccess]);
  return (
    <section className="checklist" aria-labelledby="checklist-title">
      <h2 id="checklist-title">
        Checklist <span className="muted small">{done}/{incident.checklist.length} done</span>
      </h2>
      {[...groups].map(([title, items], index) => (
        <div key={title} className="checklist-group" role="group" aria-labelledby={`checklist-group-${index}`}>
          <h3 id={`checklist-group-${index}`}>{title}</h3>
          <ul>
            {items.map((item) => (
              <ChecklistRow key={item.id} incidentId={incident.id} item={item} />
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

function ChecklistRow({ incidentId, item }: { incidentId: string; item: ChecklistItem }) {
  const checkItem = useCockpit((s) => s.checkItem);
  const openStepDialog = useCockpit((s) => s.openStepDialog);
  const runnable = useCockpit((s) => (item.stepId ? runnableStep(s.runbook, item.stepId) : false));
  const stepAccess = useCockpit((s) => s.stepAccess);
  const access = item.stepId ? stepAccess[item.stepId] : undefined;
  return (
    <li className={`checklist-item${item.done ? ' done' : ''}`} data-item-id={item.id}>
      <label>
        <OptimisticCheckbox aria-label={item.label} checked={Boolean(item.done)} onCheckedChange={(done) => checkItem(incidentId, item.id, done)} />
        <span className="checklist-label">{item.label}</span>
        {item.withinMinutes !== undefined ? <span className="chip">{item.withinMinutes === 0 ? 'immediately' : `within ${item.withinMinutes} min`}</span> : null}
        {item.carried ? <span className="chip" title="Done under an earlier severity">from {item.fromSeverity}</span> : null}
      </label>
      {item.command ? <code className="checklist-command">{item.command.split('\n')[0]}</code> : null}
      {runnable ? (
        <button
          type="button"
          className="button small"
          aria-label={`Run: ${item.label}`}
          disabled={access?.allowed === false}
          title={access?.allowed === false ? `Not allowed: this context lacks ${access.missing}` : undefined}
          onClick={() => void openStepDialog(item.stepId!)}
        >
          {access?.allowed === false ? `Not allowed (lacks ${access.missing})` : 'Run…'}
        </button>
      ) : null}
      {item.links?.map((link) => {
        const linked = stepAccess[link.stepId];
        return (
          <button
            key={link.stepId}
            type="button"
            className="button small"
            disabled={linked?.allowed === false}
            title={linked?.allowed === false ? `Not allowed: this context lacks ${linked.missing}` : undefined}
            onClick={() => void openStepDialog(link.stepId)}
          >
            {link.label}…
          </button>
        );
      })}
      {item.done ? (
        <span className="done-by small muted" data-testid="done-by">
          ✓ {item.done.by} at {clockTime(item.done.at)}
        </span>
      ) : null}
    </li>
  );
}
