import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { ActiveAlert, AlertEndpoint, AlertGroup, AlertSettings, AlertsSnapshot, Silence, ThresholdReading } from '../../shared/contract/alerts';
import type { SeverityId } from '../../shared/runbook/schema';
import { activeIncidentId } from '../incidents/incidentsSlice';
import { clockTime, dateTime } from '../shell/format';
import { useCockpit } from '../state/store';
import './alerts.css';
import { silenceComment } from './alertsSlice';

const SEVERITIES: SeverityId[] = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];

function formatValue(r: Pick<ThresholdReading, 'unit'>, value: number | undefined): string {
  if (value === undefined) return '—';
  if (r.unit === 'seconds') return `${value.toFixed(2)} s`;
  if (r.unit === 'percent') return `${value.toFixed(1)} %`;
  return value.toFixed(0);
}

/** The last hour as a line, with the warning and critical lines drawn across. */
function ThresholdSparkline({ reading }: { reading: ThresholdReading }) {
  const points = reading.sparkline;
  if (points.length < 2) return <span className="muted small">no history yet</span>;
  const values = points.map(([, v]) => v);
  const max = Math.max(reading.critical * 1.1, ...values);
  const t0 = points[0]![0];
  const span = Math.max(1, points[points.length - 1]![0] - t0);
  const y = (v: number) => 30 - (v / max) * 28;
  const line = points.map(([t, v]) => `${(((t - t0) / span) * 140).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  return (
    <svg className="threshold-spark" width="140" height="32" role="img" aria-label={`${reading.metric}, last hour: ${values.length} points, from ${formatValue(reading, values[0])} to ${formatValue(reading, values.at(-1))}`}>
      <line x1="0" x2="140" y1={y(reading.warning)} y2={y(reading.warning)} className="spark-warning" />
      <line x1="0" x2="140" y1={y(reading.critical)} y2={y(reading.critical)} className="spark-critical" />
      <polyline points={line} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

function ThresholdPanel({ readings, stale }: { readings: ThresholdReading[]; stale: boolean }) {
  return (
    <section aria-labelledby="thresholds-title">
      <h2 id="thresholds-title">Runbook thresholds</h2>
      <ul className="threshold-grid">
        {readings.map((r) => (
          <li key={r.id} className={`threshold-card tone-${r.level}`} aria-label={`${r.metric}: ${formatValue(r, r.value)}, ${r.level}`}>
            <div className="threshold-metric">{r.metric}</div>
            <div className="threshold-value">{formatValue(r, r.value)}</div>
            <div className="muted small">
              warning {r.warningText} · critical {r.criticalText}
            </div>
            <ThresholdSparkline reading={r} />
            {r.error && !stale ? <div className="threshold-error small">{r.error}</div> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function SilenceForm({ alert, onDone }: { alert: ActiveAlert; onDone: () => void }) {
  const incidentId = useCockpit((s) => activeIncidentId(s));
  const silenceAlert = useCockpit((s) => s.silenceAlert);
  const [labels, setLabels] = useState(() => Object.keys(alert.labels));
  const [minutes, setMinutes] = useState(60);
  const [comment, setComment] = useState(() => silenceComment(incidentId, alert));
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const made = await silenceAlert(alert, { labels, durationMinutes: minutes, comment });
    setBusy(false);
    if (made) onDone();
  };
  return (
    <form className="silence-form" aria-label={`Silence ${alert.name}`} onSubmit={(e) => void submit(e)}>
      <fieldset>
        <legend>Matchers (from the alert's labels)</legend>
        {Object.entries(alert.labels).map(([k, v]) => (
          <label key={k} className="matcher">
            <input type="checkbox" checked={labels.includes(k)} onChange={(e) => setLabels(e.target.checked ? [...labels, k] : labels.filter((x) => x !== k))} />
            <code>
              {k}="{v}"
            </code>
          </label>
        ))}
      </fieldset>
      <label>
        Duration{' '}
        <select value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
          {[15, 30, 60, 120, 240, 480, 1440].map((m) => (
            <option key={m} value={m}>
              {m < 60 ? `${m} min` : `${m / 60} h`}
            </option>
          ))}
        </select>
      </label>
      <label className="silence-comment">
        Comment <input type="text" value={comment} onChange={(e) => setComment(e.target.value)} required />
      </label>
      <div className="muted small">{incidentId ? `Recorded as a change in ${incidentId}.` : 'No active incident: the silence is not recorded in any timeline.'}</div>
      <div className="row-actions">
        <button type="submit" disabled={busy || labels.length === 0 || !comment.trim()}>
          Create silence
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function AlertItem({ alert }: { alert: ActiveAlert }) {
  const declareFromAlert = useCockpit((s) => s.declareFromAlert);
  const hasAlertmanager = useCockpit((s) => (s.alerts?.event?.type === 'snapshot' ? Boolean(s.alerts.event.source.alertmanager) : false));
  const [severity, setSeverity] = useState<SeverityId>(alert.incidentSeverity ?? 'SEV3');
  const [silencing, setSilencing] = useState(false);
  const labels = Object.entries(alert.labels).filter(([k]) => k !== 'alertname');
  const title = alert.annotations.summary ?? alert.name;
  return (
    <li className={`alert-item state-${alert.state} tone-${alert.level ?? 'none'}`} aria-label={`${alert.name} ${alert.level ?? ''} ${alert.state}`}>
      <div className="alert-head">
        <span className={`alert-state state-${alert.state}`}>{alert.state}</span>
        {alert.level ? <span className={`alert-level tone-${alert.level}`}>{alert.level}</span> : null}
        <strong>{title}</strong>
        {alert.activeAt ? <span className="muted small">since {dateTime(alert.activeAt)}</span> : null}
        {alert.silencedBy?.length ? <span className="alert-silenced">silenced</span> : null}
      </div>
      {alert.annotations.description ? <div className="small">{alert.annotations.description}</div> : null}
      <ul className="label-chips" aria-label="labels">
        {labels.map(([k, v]) => (
          <li key={k}>
            <code>
              {k}={v}
            </code>
          </li>
        ))}
      </ul>
      {alert.annotations.runbook_action || alert.procedureIds.length ? (
        <div className="small">
          Runbook: {alert.annotations.runbook_action ?? ''}
          {alert.procedureIds.map((id) => (
            <a key={id} className="procedure-link" href={`#/runbook/${encodeURIComponent(id)}`}>
              {id}
            </a>
          ))}
        </div>
      ) : null}
      <div className="row-actions">
        <label>
          Severity{' '}
          <select aria-label={`Severity for ${alert.name}`} value={severity} onChange={(e) => setSeverity(e.target.value as SeverityId)}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
                {s === alert.incidentSeverity ? ' (runbook)' : ''}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void declareFromAlert(alert, severity)}>
          Declare incident
        </button>
        <button type="button" disabled={!hasAlertmanager} title={hasAlertmanager ? undefined : 'No Alertmanager is set for this context'} onClick={() => setSilencing(!silencing)}>
          Silence…
        </button>
      </div>
      {silencing ? <SilenceForm alert={alert} onDone={() => setSilencing(false)} /> : null}
    </li>
  );
}

function AlertGroups({ groups }: { groups: AlertGroup[] }) {
  if (!groups.length) return <p className="muted">No alert is firing or pending.</p>;
  return (
    <>
      {groups.map((g) => (
        <section key={g.name} className={`alert-group tone-${g.worst}`} aria-label={`${g.name}: ${g.firing} firing, ${g.pending} pending`}>
          <h3 className="alert-group-title">
            {g.name} <span className="muted">{g.firing} firing · {g.pending} pending</span>
          </h3>
          <ul className="alert-list">
            {g.alerts.slice(0, 200).map((a) => (
              <AlertItem key={a.key} alert={a} />
            ))}
          </ul>
          {g.alerts.length > 200 ? <p className="muted small">and {g.alerts.length - 200} more of this name</p> : null}
        </section>
      ))}
    </>
  );
}

function SilenceList() {
  const silences = useCockpit((s) => s.silences);
  const context = useCockpit((s) => s.contexts?.current);
  const loadSilences = useCockpit((s) => s.loadSilences);
  const expireSilence = useCockpit((s) => s.expireSilence);
  useEffect(() => void loadSilences(), [context, loadSilences]);
  const list = silences?.context === context ? silences : undefined;
  const live = (list?.list ?? []).filter((s: Silence) => s.state !== 'expired');
  return (
    <section aria-labelledby="silences-title">
      <h2 id="silences-title">
        Silences <button type="button" className="small" onClick={() => void loadSilences()}>Refresh</button>
      </h2>
      {list?.error ? <p className="muted">{list.error.message}</p> : null}
      {live.length === 0 && !list?.error ? <p className="muted">No active silence.</p> : null}
      <ul className="silence-list">
        {live.map((s) => (
          <li key={s.id} aria-label={`silence ${s.id}`}>
            <code>{s.matchers.map((m) => `${m.name}${m.isEqual ? '' : '!'}${m.isRegex ? '=~' : '='}"${m.value}"`).join(', ')}</code>
            <div className="small">
              {s.state} until {dateTime(s.endsAt)} · by {s.createdBy} · {s.comment}
            </div>
            <button type="button" onClick={() => void expireSilence(s.id)}>
              Expire
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

type EndpointDraft = { mode: 'none' | 'url' | 'service'; url: string; namespace: string; service: string; port: string; path: string };
const draftOf = (e: AlertEndpoint | undefined): EndpointDraft =>
  !e
    ? { mode: 'none', url: '', namespace: 'monitoring', service: '', port: '', path: '' }
    : e.kind === 'url'
      ? { mode: 'url', url: e.url, namespace: 'monitoring', service: '', port: '', path: '' }
      : { mode: 'service', url: '', namespace: e.namespace, service: e.service, port: String(e.port), path: e.path ?? '' };
const endpointOf = (d: EndpointDraft): AlertEndpoint | undefined =>
  d.mode === 'url'
    ? { kind: 'url', url: d.url.trim() }
    : d.mode === 'service'
      ? { kind: 'service', namespace: d.namespace.trim(), service: d.service.trim(), port: /^\d+$/.test(d.port) ? Number(d.port) : d.port.trim(), ...(d.path.trim() ? { path: d.path.trim() } : {}) }
      : undefined;

function EndpointFields({ name, draft, onChange }: { name: string; draft: EndpointDraft; onChange: (d: EndpointDraft) => void }) {
  return (
    <fieldset className="endpoint">
      <legend>{name}</legend>
      <label>
        Reach it{' '}
        <select aria-label={`${name}: how to reach it`} value={draft.mode} onChange={(e) => onChange({ ...draft, mode: e.target.value as EndpointDraft['mode'] })}>
          <option value="none">{name === 'Prometheus' ? 'find a service / preconfigured' : 'none'}</option>
          <option value="url">by URL</option>
          <option value="service">through the API server (service proxy)</option>
        </select>
      </label>
      {draft.mode === 'url' ? (
        <label>
          URL <input aria-label={`${name} URL`} type="url" value={draft.url} placeholder="http://127.0.0.1:9090" onChange={(e) => onChange({ ...draft, url: e.target.value })} />
        </label>
      ) : null}
      {draft.mode === 'service' ? (
        <>
          <label>
            Namespace <input aria-label={`${name} namespace`} value={draft.namespace} onChange={(e) => onChange({ ...draft, namespace: e.target.value })} />
          </label>
          <label>
            Service <input aria-label={`${name} service`} value={draft.service} onChange={(e) => onChange({ ...draft, service: e.target.value })} />
          </label>
          <label>
            Port <input aria-label={`${name} port`} value={draft.port} size={6} onChange={(e) => onChange({ ...draft, port: e.target.value })} />
          </label>
          <label>
            Sub-path <input aria-label={`${name} sub-path`} value={draft.path} placeholder="/prometheus" onChange={(e) => onChange({ ...draft, path: e.target.value })} />
          </label>
        </>
      ) : null}
    </fieldset>
  );
}

function SourceSettings({ onClose }: { onClose: () => void }) {
  const source = useCockpit((s) => s.alertSource);
  const save = useCockpit((s) => s.saveAlertSettings);
  const saved = source?.origin === 'saved' ? source.settings : {};
  const [prom, setProm] = useState(() => draftOf(saved.prometheus));
  const [am, setAm] = useState(() => draftOf(saved.alertmanager));
  const [interval, setIntervalSeconds] = useState(String(saved.intervalSeconds ?? 10));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const p = endpointOf(prom);
    const a = endpointOf(am);
    const settings: AlertSettings = { ...(p ? { prometheus: p } : {}), ...(a ? { alertmanager: a } : {}), ...(Number(interval) ? { intervalSeconds: Number(interval) } : {}) };
    if (await save(settings)) onClose();
  };
  return (
    <form className="source-settings" aria-label="Alert source settings" onSubmit={(e) => void submit(e)}>
      <EndpointFields name="Prometheus" draft={prom} onChange={setProm} />
      <EndpointFields name="Alertmanager" draft={am} onChange={setAm} />
      <label>
        Refresh every <input aria-label="Refresh interval in seconds" value={interval} size={4} onChange={(e) => setIntervalSeconds(e.target.value)} /> s
      </label>
      <div className="row-actions">
        <button type="submit">Save source</button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function StaleBanner({ stale }: { stale: NonNullable<AlertsSnapshot['stale']> }) {
  return (
    <div className="alerts-stale" role="alert">
      <strong>Stale:</strong> Prometheus has not answered since {clockTime(stale.since)} ({stale.error.code}: {stale.error.message}).{' '}
      {stale.lastGoodAt ? `Showing what it said at ${clockTime(stale.lastGoodAt)}.` : 'Nothing good has been read yet.'} Retrying by itself.
    </div>
  );
}

/** Firing and pending alerts grouped by name, the runbook's threshold readings, silences, and the source. */
export function AlertsPanel() {
  const context = useCockpit((s) => s.contexts?.current);
  const watchAlerts = useCockpit((s) => s.watchAlerts);
  const view = useCockpit((s) => (s.alerts?.context === context ? s.alerts : undefined));
  const loadAlertSource = useCockpit((s) => s.loadAlertSource);
  const notificationsAllowed = useCockpit((s) => s.notificationsAllowed);
  const host = useCockpit((s) => s.info?.host);
  const enableNotifications = useCockpit((s) => s.enableAlertNotifications);
  const [editing, setEditing] = useState(false);
  useEffect(() => (context ? watchAlerts() : undefined), [context, watchAlerts]);
  useEffect(() => void loadAlertSource(), [context, loadAlertSource]);
  const event = view?.event;
  const source = event?.source;
  const snapshot = event?.type === 'snapshot' ? event : undefined;
  const counts = useMemo(() => {
    const all = snapshot?.groups.flatMap((g) => g.alerts) ?? [];
    return { firing: all.filter((a) => a.state === 'firing').length, pending: all.filter((a) => a.state === 'pending').length, critical: all.filter((a) => a.state === 'firing' && a.level === 'critical').length };
  }, [snapshot]);

  return (
    <section className="alerts-panel" aria-labelledby="alerts-title">
      <header className="alerts-head">
        <h1 id="alerts-title">Alerts</h1>
        <span className="muted small">
          {!context ? 'no context selected' : source ? `${source.prometheus ?? 'no Prometheus'} (${source.origin})${source.alertmanager ? ` · Alertmanager ${source.alertmanager}` : ' · no Alertmanager'}` : 'connecting…'}
          {snapshot ? ` · updated ${clockTime(snapshot.at)}` : ''}
        </span>
        <span className="alerts-counts" aria-label="alert counts">
          <span className={counts.critical ? 'tone-critical' : ''}>{counts.firing} firing</span> · {counts.pending} pending
        </span>
        <button type="button" onClick={() => setEditing(!editing)}>
          Source…
        </button>
        {!notificationsAllowed && 'Notification' in globalThis && host !== 'electron' ? (
          <button type="button" onClick={() => void enableNotifications()}>
            Notify me of new critical alerts
          </button>
        ) : null}
      </header>
      {editing ? <SourceSettings onClose={() => setEditing(false)} /> : null}
      {view?.error ? (
        <div className="alerts-stale" role="alert">
          {view.error.code}: {view.error.message}
        </div>
      ) : null}
      {snapshot?.stale ? <StaleBanner stale={snapshot.stale} /> : null}
      {event?.type === 'unconfigured' ? (
        <div className="alerts-empty">
          <p>No Prometheus is set for context “{event.context}”{event.source.note ? `: ${event.source.note}` : ''}.</p>
          <p className="muted">Set a URL or a service with “Source…”.</p>
        </div>
      ) : null}
      {snapshot ? (
        <>
          <ThresholdPanel readings={snapshot.thresholds} stale={Boolean(snapshot.stale)} />
          <section aria-labelledby="active-alerts-title">
            <h2 id="active-alerts-title">Firing and pending</h2>
            <AlertGroups groups={snapshot.groups} />
          </section>
          {snapshot.alertmanager ? (
            <section aria-labelledby="am-groups-title">
              <h2 id="am-groups-title">Alertmanager groups</h2>
              {snapshot.alertmanager.error ? <p className="muted">{snapshot.alertmanager.error.message}</p> : null}
              {snapshot.alertmanager.groups.length === 0 && !snapshot.alertmanager.error ? <p className="muted">Alertmanager holds no alert.</p> : null}
              <ul className="am-groups">
                {snapshot.alertmanager.groups.map((g) => (
                  <li key={`${g.receiver}/${JSON.stringify(g.labels)}`}>
                    <code>{Object.entries(g.labels).map(([k, v]) => `${k}=${v}`).join(', ') || '(all)'}</code> → {g.receiver}: {g.alerts.filter((a) => a.state === 'active').length} active,{' '}
                    {g.alerts.filter((a) => a.state === 'suppressed').length} suppressed
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {snapshot.source.alertmanager ? <SilenceList /> : null}
        </>
      ) : null}
    </section>
  );
}
