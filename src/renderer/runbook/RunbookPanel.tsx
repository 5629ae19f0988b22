import { isRunnable, procedureSteps } from '../../shared/procedures/model';
import type { Procedure, Runbook } from '../../shared/runbook/schema';
import { routeHash } from '../state/route';
import { useCockpit } from '../state/store';
import { runbookSections } from './sections';
import { StepList, TargetStepContext } from './StepCard';

/** The whole bundled runbook, readable: a table of contents and the chosen section. */
export function RunbookPanel() {
  const runbook = useCockpit((s) => s.runbook);
  const error = useCockpit((s) => s.runbookError);
  const sectionId = useCockpit((s) => s.route.id) ?? 'overview';
  const stepId = useCockpit((s) => s.route.step);
  const openSearch = useCockpit((s) => s.setRunbookSearchOpen);
  if (error) {
    return (
      <section className="panel" role="alert">
        <h1>The runbook could not be loaded</h1>
        <pre className="error-detail" data-testid="runbook-error">{error.message}</pre>
      </section>
    );
  }
  if (!runbook) return <p className="muted">Loading runbook…</p>;
  const sections = runbookSections(runbook);
  const current = sections.find((s) => s.id === sectionId) ?? sections[0]!;
  const groups = [...new Set(sections.map((s) => s.group))];
  return (
    <div className="runbook-layout">
      <nav className="runbook-toc" aria-label="Runbook sections">
        <p className="small muted">
          {runbook.title} · v{runbook.version} · {runbook.updated}
        </p>
        <button type="button" className="button search-open" onClick={() => openSearch(true)} title="Search procedures, steps and commands">
          Search <kbd>Ctrl+K</kbd>
        </button>
        {groups.map((group) => (
          <div key={group}>
            <h3>{group}</h3>
            <ul>
              {sections
                .filter((s) => s.group === group)
                .map((s) => (
                  <li key={s.id}>
                    <a href={routeHash({ panel: 'runbook', id: s.id })} className={s.id === current.id ? 'active' : ''} aria-current={s.id === current.id ? 'page' : undefined}>
                      {s.title}
                    </a>
                  </li>
                ))}
            </ul>
          </div>
        ))}
      </nav>
      <article className="runbook-content" aria-label={current.title}>
        <TargetStepContext.Provider value={stepId}>
          {current.procedure ? <ProcedureView procedure={current.procedure} runbook={runbook} /> : <ReferenceView id={current.id} runbook={runbook} />}
        </TargetStepContext.Provider>
      </article>
    </div>
  );
}

function ProcedureView({ procedure, runbook }: { procedure: Procedure; runbook: Runbook }) {
  const thresholds = runbook.thresholds.filter((t) => procedure.thresholdIds?.includes(t.id));
  const startProcedure = useCockpit((s) => s.startProcedure);
  const runnable = procedureSteps(procedure).filter((step) => isRunnable(step)).length;
  return (
    <>
      <h1>{procedure.title}</h1>
      {runnable > 1 ? (
        <button type="button" className="button" onClick={() => void startProcedure(procedure.id)}>
          Run the whole procedure ({runnable} steps, pausing before each change)
        </button>
      ) : null}
      {procedure.group ? <p className="muted">{procedure.group}</p> : null}
      {procedure.summary ? <p>{procedure.summary}</p> : null}
      {procedure.symptoms?.length ? (
        <p>
          <strong>Symptoms:</strong> {procedure.symptoms.join(', ')}
        </p>
      ) : null}
      {thresholds.length ? (
        <p className="small">
          Thresholds:{' '}
          {thresholds.map((t) => (
            <span key={t.id} className="chip">
              {t.metric} warn {t.warningText} · crit {t.criticalText}
            </span>
          ))}
        </p>
      ) : null}
      {procedure.sections.map((section) => (
        <section key={section.id}>
          <h2>{section.title}</h2>
          <StepList steps={section.steps} />
        </section>
      ))}
    </>
  );
}

function ReferenceView({ id, runbook }: { id: string; runbook: Runbook }) {
  switch (id) {
    case 'monitoring':
      return (
        <>
          <h1>Monitoring and alerting</h1>
          <h2>Alert thresholds</h2>
          <table className="table">
            <thead>
              <tr>
                <th>Metric</th>
                <th>Warning</th>
                <th>Critical</th>
                <th>Action</th>
                <th>PromQL</th>
              </tr>
            </thead>
            <tbody>
              {runbook.thresholds.map((t) => (
                <tr key={t.id}>
                  <td>{t.metric}</td>
                  <td>{t.warningText}</td>
                  <td>{t.criticalText}</td>
                  <td>{t.action}</td>
                  <td>
                    <code className="small">{t.promql}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Alert channels</h2>
          <ul>
            {runbook.alertChannels.map((c) => (
              <li key={c.id}>
                <strong>{c.alertClass}</strong>: {c.route}
              </li>
            ))}
          </ul>
          <h2>Key metrics</h2>
          {(['application', 'infrastructure', 'business'] as const).map((group) => (
            <div key={group}>
              <h3>{group}</h3>
              <ul>
                {runbook.keyMetrics
                  .filter((m) => m.group === group)
                  .map((m) => (
                    <li key={m.name}>
                      <strong>{m.name}</strong>: {m.description}
                    </li>
                  ))}
              </ul>
            </div>
          ))}
        </>
      );
    case 'severities':
      return (
        <>
          <h1>Severity levels</h1>
          <table className="table">
            <thead>
              <tr>
                <th>Severity</th>
                <th>Definition</th>
                <th>Response time</th>
                <th>Escalation</th>
              </tr>
            </thead>
            <tbody>
              {runbook.severities.map((s) => (
                <tr key={s.id}>
                  <td>
                    <span className={`sev-badge sev-${s.id}`}>{s.id}</span> {s.name}
                  </td>
                  <td>{s.definition}</td>
                  <td>{s.responseTimeText}</td>
                  <td>{s.escalationText}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      );
    case 'process':
      return (
        <>
          <h1>Incident response process</h1>
          {[...runbook.incidentProcess]
            .sort((a, b) => a.order - b.order)
            .map((stage) => (
              <section key={stage.id}>
                <h2>
                  {stage.order}. {stage.title}
                </h2>
                {stage.steps.length ? <StepList steps={stage.steps} /> : null}
                {stage.tasks.length ? (
                  <ul>
                    {stage.tasks.map((t) => (
                      <li key={t.id}>{t.label}</li>
                    ))}
                  </ul>
                ) : null}
              </section>
            ))}
        </>
      );
    case 'checks':
      return (
        <>
          <h1>Routine operations</h1>
          <h2>Daily checks</h2>
          <StepList steps={runbook.checks.daily} />
          <h2>Weekly checks</h2>
          <StepList steps={runbook.checks.weekly} />
          <h2>Monthly checks</h2>
          <ul>
            {runbook.checks.monthly.map((t) => (
              <li key={t.id}>{t.label}</li>
            ))}
          </ul>
        </>
      );
    case 'appendix':
      return (
        <>
          <h1>Appendix</h1>
          <h2>Useful commands</h2>
          {runbook.aliases.map((alias) => (
            <section key={alias.id}>
              <h3>{alias.name}</h3>
              <pre className="command">{alias.command}</pre>
              <StepList steps={alias.steps} />
            </section>
          ))}
          <h2>Emergency contacts</h2>
          <ContactList runbook={runbook} group="emergency" />
          <h2>External dependencies</h2>
          <ul>
            {runbook.externalDependencies.map((d) => (
              <li key={d.name}>
                <strong>{d.name}</strong>: {d.provider}
              </li>
            ))}
          </ul>
        </>
      );
    default:
      return (
        <>
          <h1>{runbook.title}</h1>
          <p>{runbook.overview}</p>
          <h2>Key contacts</h2>
          <ContactList runbook={runbook} group="key" />
          <h2>System status</h2>
          <ul>
            {runbook.links.map((l) => (
              <li key={l.id}>
                {l.label}:{' '}
                <a href={l.url} target="_blank" rel="noreferrer noopener">
                  {l.url}
                </a>
              </li>
            ))}
          </ul>
          <h2>Architecture</h2>
          <pre className="diagram">{runbook.service.architecture}</pre>
          <ul>
            {runbook.service.components.map((c) => (
              <li key={c.name}>
                <strong>{c.name}</strong>: {c.role}
              </li>
            ))}
          </ul>
          <h3>Dependencies</h3>
          <ul>
            {runbook.service.dependencies.map((d) => (
              <li key={d.name}>
                <strong>{d.name}</strong>: {d.detail}
              </li>
            ))}
          </ul>
        </>
      );
  }
}

function ContactList({ runbook, group }: { runbook: Runbook; group: 'key' | 'emergency' }) {
  return (
    <ul>
      {runbook.contacts
        .filter((c) => c.group === group)
        .map((c) => (
          <li key={c.id}>
            <strong>{c.role}</strong>: {c.email ? <a href={`mailto:${c.email}`}>{c.email}</a> : null}
            {c.phone ? <span> {c.phone}</span> : null}
          </li>
        ))}
    </ul>
  );
}
