import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { DiffLine } from '../../shared/procedures/diff';
import type { ProcedureRun, RunStepState } from '../../shared/procedures/model';
import type { ParameterField } from '../../shared/procedures/parameters';
import { useCockpit } from '../state/store';

const RISK_TEXT = {
  read: 'Read-only: runs at once.',
  change: 'Changes the cluster: read the preview, then confirm.',
  destructive: 'Destructive: read the preview, then type the target name to confirm.',
} as const;

/**
 * The one dialog that runs runbook steps: the parameters form, the equivalent kubectl command,
 * the server's dry-run diff, and the confirmation the risk asks for; then the run, step by step,
 * with progress, output and result. The run lives in main, so closing the dialog stops nothing.
 */
export function RunDialog() {
  const dialog = useCockpit((s) => s.runDialog);
  const run = useCockpit((s) => (s.runDialog?.runId ? s.runs[s.runDialog.runId] : undefined));
  const close = useCockpit((s) => s.closeRunDialog);
  if (!dialog) return <LiveRuns />;
  return (
    <div className="modal-backdrop">
      <div
        className="confirm-dialog run-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="run-dialog-title"
        onKeyDown={(e) => {
          if (e.key === 'Escape') close();
        }}
      >
        <h2 id="run-dialog-title">{run?.title ?? dialog.preview?.title ?? dialog.title}</h2>
        {run ? <RunView run={run} /> : <StepForm />}
        {dialog.error ? (
          <p className="run-error" role="alert">
            {dialog.error.message}
          </p>
        ) : null}
        <div className="note-actions">
          <button type="button" className="button" onClick={close}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

/**
 * Runs still going or waiting for a confirmation, when the dialog is closed (or the page was
 * reloaded): the run lives in main, so the responder can open it again and carry on.
 */
function LiveRuns() {
  const runs = useCockpit(useShallow((s) => Object.values(s.runs).filter((r) => r.status === 'running' || r.status === 'awaiting-confirmation')));
  const showRun = useCockpit((s) => s.showRun);
  if (runs.length === 0) return null;
  return (
    <aside className="live-runs" aria-label="Runs in progress">
      {runs.map((run) => (
        <p key={run.id}>
          <strong>{run.title}</strong>{' '}
          {run.status === 'awaiting-confirmation' ? `waits for your confirmation (${run.steps[run.current]?.title ?? ''})` : 'is running'}{' '}
          <button type="button" className="button small" onClick={() => showRun(run.id)}>
            Open run
          </button>
        </p>
      ))}
    </aside>
  );
}

function StepForm() {
  const dialog = useCockpit((s) => s.runDialog)!;
  const setValue = useCockpit((s) => s.setRunValue);
  const refresh = useCockpit((s) => s.refreshPreview);
  const start = useCockpit((s) => s.startDialogRun);
  const preview = dialog.preview;
  if (!preview) return <p className="muted">{dialog.previewing ? 'Preparing the preview…' : 'No preview.'}</p>;
  const blocked = preview.issues.length > 0 || preview.access?.allowed === false || preview.error !== undefined;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void start();
      }}
    >
      <p className="small">
        <span className={`risk-badge risk-${preview.risk}`}>{preview.risk}</span> {RISK_TEXT[preview.risk]} · context <code>{preview.context}</code> · namespace{' '}
        <code>{preview.namespace}</code>
      </p>
      <p>{preview.description}</p>
      {preview.fields.length ? (
        <fieldset className="run-fields">
          <legend>Parameters</legend>
          {preview.fields.map((field) => (
            <FieldInput key={field.name} field={field} value={dialog.values[field.name] ?? field.value} onChange={(v) => setValue(field.name, v)} onBlur={() => void refresh()} />
          ))}
          {preview.issues.map((issue) => (
            <p key={`${issue.field}:${issue.message}`} className="run-error" role="alert">
              {issue.field}: {issue.message}
            </p>
          ))}
        </fieldset>
      ) : null}
      <KubectlCommand command={preview.kubectl} />
      {preview.access?.allowed === false ? (
        <p className="run-error" role="alert">
          Not allowed: this context lacks <code>{preview.access.missing}</code>
          {preview.access.reason ? ` (${preview.access.reason})` : ''}.
        </p>
      ) : preview.access && !preview.access.checked ? (
        <p className="small muted">Access not checked: {preview.access.note}</p>
      ) : null}
      {preview.error ? (
        <p className="run-error" role="alert">
          {preview.error.message}
        </p>
      ) : null}
      {preview.diff ? <PreviewDiff lines={preview.diff} summary={preview.summary} replaces={preview.replaces} /> : null}
      <div className="note-actions">
        <button type="button" className="button" onClick={() => void refresh()} disabled={dialog.previewing}>
          Update preview
        </button>
        <button type="submit" className="button primary" disabled={blocked || dialog.previewing}>
          {preview.risk === 'read' ? 'Run' : 'Continue to confirmation'}
        </button>
      </div>
    </form>
  );
}

function FieldInput({ field, value, onChange, onBlur }: { field: ParameterField; value: string; onChange(v: string): void; onBlur(): void }) {
  const id = `run-field-${field.name.replace(/[^A-Za-z0-9]/g, '-')}`;
  return (
    <div className="run-field">
      <label htmlFor={id}>{field.label}</label>
      {field.kind === 'env' ? (
        <textarea id={id} rows={3} value={value} onChange={(e) => onChange(e.target.value)} onBlur={onBlur} spellCheck={false} />
      ) : (
        <input
          id={id}
          type={field.secret ? 'password' : field.kind === 'integer' ? 'number' : 'text'}
          value={value}
          {...(field.min !== undefined ? { min: field.min } : {})}
          {...(field.max !== undefined ? { max: field.max } : {})}
          required={field.required}
          onChange={(e) => onChange(e.target.value)}
          onBlur={onBlur}
          spellCheck={false}
        />
      )}
    </div>
  );
}

function KubectlCommand({ command }: { command: string }) {
  return (
    <div className="kubectl-equivalent">
      <span className="small muted">Equivalent kubectl command</span>
      <pre className="command" aria-label="Equivalent kubectl command">
        {command}
      </pre>
      <button type="button" className="link-button small" onClick={() => void navigator.clipboard?.writeText(command)}>
        Copy
      </button>
    </div>
  );
}

/** The dry-run diff: removed and added leaves of the object, with what the change replaces. */
export function PreviewDiff({ lines, summary, replaces }: { lines: DiffLine[]; summary?: string | undefined; replaces?: string | undefined }) {
  return (
    <div className="run-preview">
      {summary ? <p className="small">Preview (server dry run): {summary}</p> : null}
      {replaces ? <p className="small">Replaces: {replaces} (a revert will be offered)</p> : null}
      <pre className="note-diff" aria-label="Preview diff">
        {lines.length === 0
          ? '(no change)'
          : lines.map((line, i) => {
              const Line = line.kind === 'added' ? 'ins' : 'del';
              return (
                <Line key={i} className={`diff-${line.kind}`}>
                  {line.kind === 'added' ? '+ ' : '- '}
                  {line.path}: {line.value}
                  {'\n'}
                </Line>
              );
            })}
      </pre>
    </div>
  );
}

function RunView({ run }: { run: ProcedureRun }) {
  const abort = useCockpit((s) => s.abortRun);
  const resume = useCockpit((s) => s.resumeRun);
  const live = run.status === 'running' || run.status === 'awaiting-confirmation';
  return (
    <div className="run-view">
      <p className="small" data-testid="run-status">
        Run <strong>{run.status}</strong> · context <code>{run.context}</code> · namespace <code>{run.namespace}</code> ·{' '}
        {!run.recorded
          ? `to be recorded in ${run.incidentId ?? 'the session log'}`
          : 'logId' in run.recorded
            ? `recorded in ${run.recorded.logId === 'session' ? 'the session log' : run.recorded.logId}`
            : run.recorded.notRecorded}
      </p>
      {run.reason ? (
        <p className="run-error" role="alert">
          {run.reason}
        </p>
      ) : null}
      <ol className="run-steps" aria-label="Run steps">
        {run.steps.map((step, index) => (
          <RunStepView key={`${step.stepId}-${index}`} step={step} current={index === run.current && live} />
        ))}
      </ol>
      <div className="note-actions">
        {live ? (
          <button type="button" className="button" onClick={() => void abort(run.id)}>
            Abort run
          </button>
        ) : null}
        {run.status === 'failed' ? (
          <button type="button" className="button" onClick={() => void resume(run.id)}>
            Resume from the failed step
          </button>
        ) : null}
      </div>
    </div>
  );
}

function RunStepView({ step, current }: { step: RunStepState; current: boolean }) {
  return (
    <li className={`run-step status-${step.status}`} aria-label={step.title} aria-current={current ? 'step' : undefined}>
      <div className="step-head">
        <span className="step-title">{step.title}</span>
        <span className={`risk-badge risk-${step.risk}`}>{step.risk}</span>
        <span className="chip" data-testid="step-status">
          {step.status}
        </span>
        {step.durationMs !== undefined ? <span className="small muted">{(step.durationMs / 1000).toFixed(1)} s</span> : null}
      </div>
      <pre className="command small">{step.kubectl}</pre>
      {step.progress && step.status === 'running' ? <p className="small" aria-live="polite">{step.progress}</p> : null}
      {step.status === 'awaiting-confirmation' && step.preview ? (
        <>
          <PreviewDiff lines={step.preview.diff} summary={step.preview.summary} replaces={step.revert?.replaced} />
          <Confirmation step={step} />
        </>
      ) : null}
      {step.checks ? (
        <ul className="health-checks" aria-label="Health checks">
          {step.checks.map((c) => (
            <li key={c.name} className={`check-${c.status}`}>
              <span className="chip">{c.status}</span> {c.name}: {c.detail}
            </li>
          ))}
        </ul>
      ) : step.output ? (
        <pre className="run-output" aria-label={`Output of ${step.title}`}>
          {step.output}
        </pre>
      ) : null}
      {step.error ? <p className={step.status === 'skipped' ? 'small muted' : 'run-error'}>{step.error.message}</p> : null}
    </li>
  );
}

function Confirmation({ step }: { step: RunStepState }) {
  const typed = useCockpit((s) => s.runDialog?.typedName ?? '');
  const setTyped = useCockpit((s) => s.setTypedName);
  const confirm = useCockpit((s) => s.confirmDialogRun);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const destructive = step.risk === 'destructive';
  return (
    <form
      className="run-confirm"
      onSubmit={(e) => {
        e.preventDefault();
        void confirm();
      }}
    >
      {destructive ? (
        <>
          <label htmlFor="run-typed-name">
            Type <code>{step.target}</code> to confirm
          </label>
          <input id="run-typed-name" ref={input} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
        </>
      ) : null}
      <button type="submit" className={`button ${destructive ? 'danger' : 'primary'}`} disabled={destructive && typed.trim() !== step.target}>
        Confirm and run
      </button>
    </form>
  );
}
