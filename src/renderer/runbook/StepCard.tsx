import { createContext, useContext, useEffect, useRef } from 'react';
import { isRunnable } from '../../shared/procedures/model';
import { describeAction } from '../../shared/runbook/actions';
import { useCockpit } from '../state/store';
import type { Step } from '../../shared/runbook/schema';
import { OpenInTerminal } from '../terminal/OpenInTerminal';

const RISK_TEXT = {
  read: 'read-only',
  change: 'changes the cluster: preview before it runs',
  destructive: 'destructive: type the target name to confirm',
} as const;

/** The step a route points at (opened from search): shown, scrolled to and focused. */
export const TargetStepContext = createContext<string | undefined>(undefined);

/** One runbook step: what it does, how risky, and the original command. */
export function StepCard({ step }: { step: Step }) {
  const target = useContext(TargetStepContext) === step.id;
  const element = useRef<HTMLLIElement>(null);
  const openStepDialog = useCockpit((s) => s.openStepDialog);
  const access = useCockpit((s) => s.stepAccess[step.id]);
  useEffect(() => {
    if (!target) return;
    element.current?.scrollIntoView({ block: 'center' });
    element.current?.focus({ preventScroll: true });
  }, [target]);
  return (
    <li
      ref={element}
      className={`step risk-${step.risk}${target ? ' step-target' : ''}`}
      data-step-id={step.id}
      aria-label={step.title}
      aria-current={target ? 'step' : undefined}
      tabIndex={target ? -1 : undefined}
    >
      <div className="step-head">
        <span className="step-title">{step.title}</span>
        <span className={`risk-badge risk-${step.risk}`} title={RISK_TEXT[step.risk]}>
          {step.risk}
        </span>
        {isRunnable(step) ? (
          <button
            type="button"
            className="button small step-run"
            aria-label={`Run ${step.title}`}
            disabled={access?.allowed === false}
            title={access?.allowed === false ? `Not allowed: this context lacks ${access.missing}` : undefined}
            onClick={() => void openStepDialog(step.id)}
          >
            {access?.allowed === false ? `Not allowed (lacks ${access.missing})` : 'Run…'}
          </button>
        ) : null}
      </div>
      <div className="step-action small muted">
        <code>{step.action.type}</code> · {describeAction(step.action)}
        {step.action.type === 'k8s.logs' ? <a className="link-button" href={`#/logs/${step.action.params.target.kind}:${step.action.params.target.name}/${step.id}`}>Open in Logs</a> : null}
        {step.target ? (
          <>
            {' '}
            · confirm by typing <code>{step.target}</code>
          </>
        ) : null}
      </div>
      <pre className="command">{step.command}</pre>
      <OpenInTerminal step={step} />
      {step.notes ? <p className="step-notes small">{step.notes}</p> : null}
    </li>
  );
}

export function StepList({ steps }: { steps: Step[] }) {
  const loadStepAccess = useCockpit((s) => s.loadStepAccess);
  const context = useCockpit((s) => s.contexts?.current);
  const ids = steps.filter((step) => isRunnable(step)).map((step) => step.id).join(' ');
  // Ask the cluster before offering: whether this context may run each step shown.
  useEffect(() => {
    if (ids) void loadStepAccess(ids.split(' '));
  }, [ids, context, loadStepAccess]);
  return (
    <ol className="steps">
      {steps.map((step) => (
        <StepCard key={step.id} step={step} />
      ))}
    </ol>
  );
}
