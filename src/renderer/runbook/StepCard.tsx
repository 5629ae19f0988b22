import { describeAction } from '../../shared/runbook/actions';
import type { Step } from '../../shared/runbook/schema';

const RISK_TEXT = {
  read: 'read-only',
  change: 'changes the cluster: preview before it runs',
  destructive: 'destructive: type the target name to confirm',
} as const;

/** One runbook step: what it does, how risky, and the original command. */
export function StepCard({ step }: { step: Step }) {
  return (
    <li className={`step risk-${step.risk}`} data-step-id={step.id}>
      <div className="step-head">
        <span className="step-title">{step.title}</span>
        <span className={`risk-badge risk-${step.risk}`} title={RISK_TEXT[step.risk]}>
          {step.risk}
        </span>
      </div>
      <div className="step-action small muted">
        <code>{step.action.type}</code> · {describeAction(step.action)}
        {step.target ? (
          <>
            {' '}
            · confirm by typing <code>{step.target}</code>
          </>
        ) : null}
      </div>
      <pre className="command">{step.command}</pre>
      {step.notes ? <p className="step-notes small">{step.notes}</p> : null}
    </li>
  );
}

export function StepList({ steps }: { steps: Step[] }) {
  return (
    <ol className="steps">
      {steps.map((step) => (
        <StepCard key={step.id} step={step} />
      ))}
    </ol>
  );
}
