import { useState } from 'react';
import type { Step } from '../../shared/runbook/schema';
import { looksDestructive, opensInTerminal, snippetText } from '../../shared/terminal/snippets';
import { useCockpit } from '../state/store';

/**
 * "Open in terminal" for a runbook step that is a shell snippet or a host command: the command
 * is pasted into a terminal tab with its placeholders filled, and never run by the app.
 */
export function OpenInTerminal({ step }: { step: Step }) {
  const paste = useCockpit((s) => s.pasteIntoTerminal);
  const namespace = useCockpit((s) => s.contexts?.namespace);
  const inputs = (step.inputs ?? []).filter((i) => !i.secret);
  const [typed, setValues] = useState<Record<string, string>>({});
  // A `$NAMESPACE` input starts as the namespace chosen in the top bar.
  const values: Record<string, string> = { ...(namespace && inputs.some((i) => i.name === 'NAMESPACE') ? { NAMESPACE: namespace } : {}), ...typed };
  const [problem, setProblem] = useState<string | undefined>();
  if (!opensInTerminal(step)) return null;
  const destructive = looksDestructive(step.command, step.risk);
  const open = () => {
    try {
      const text = snippetText(step, values);
      setProblem(undefined);
      void paste(text, destructive);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <div className="open-in-terminal">
      {inputs.map((input) => (
        <label key={input.name} className="inline-field small">
          <span className="muted">{input.label}</span>
          <input value={values[input.name] ?? ''} onChange={(e) => setValues({ ...typed, [input.name]: e.target.value })} aria-label={input.label} />
        </label>
      ))}
      <button
        type="button"
        className={`link-button${destructive ? ' destructive' : ''}`}
        title={destructive ? 'Looks destructive: it is pasted, not run; read it before pressing Enter' : 'Pasted into a terminal tab, not run'}
        onClick={open}
      >
        {destructive ? '⚠ Open in terminal (destructive-looking)' : 'Open in terminal'}
      </button>
      {problem ? (
        <span className="error-detail small" role="alert">
          {problem}
        </span>
      ) : null}
    </div>
  );
}
