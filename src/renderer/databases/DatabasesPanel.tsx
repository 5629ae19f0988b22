import { useEffect, useState } from 'react';
import type { ConsoleResult, PostgresConnections, PostgresOverview, RedisOverview, Section } from '../../shared/contract/databases';
import type { PgNamedQuery } from '../../shared/runbook/actions';
import type { DatabaseCard } from '../state/databasesSlice';
import { useCockpit } from '../state/store';
import './databases.css';

const REFRESH_MS = 10_000;

const bytes = (n: number) => (n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GiB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
const ms = (n: number) => (n >= 60_000 ? `${(n / 60_000).toFixed(1)} min` : n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${n.toFixed(n < 10 ? 2 : 0)} ms`);
const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

/** PostgreSQL and Redis of the current context, read through its tunnels every 10 s; actions go through the procedure engine. */
export function DatabasesPanel() {
  const context = useCockpit((s) => s.contexts?.current);
  const refresh = useCockpit((s) => s.refreshDatabases);
  const postgres = useCockpit((s) => s.databases.postgres);
  const redis = useCockpit((s) => s.databases.redis);
  const captured = useCockpit((s) => s.databases.captured);
  useEffect(() => {
    if (!context) return undefined;
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [context, refresh]);

  return (
    <section className="databases" aria-labelledby="databases-title">
      <header className="databases-head">
        <h1 id="databases-title">Databases</h1>
        <span className="muted">{context ? `${context} · through port-forward tunnels · every ${REFRESH_MS / 1000} s` : 'Choose a context.'}</span>
        <button type="button" onClick={() => void refresh()} disabled={!context}>
          Refresh
        </button>
      </header>
      {captured ? (
        'error' in captured ? (
          <div className="error-detail" role="alert">
            Capture failed: {captured.error.message}
          </div>
        ) : (
          <p className="muted small" role="status">
            Captured {captured.name} into the incident (sha256 {captured.sha256.slice(0, 16)}…)
          </p>
        )
      ) : null}
      {context ? (
        <div className="databases-cards">
          <PostgresCard card={postgres} />
          <RedisCard card={redis} />
        </div>
      ) : null}
    </section>
  );
}

function CardState<T extends { at: string }>({ card, name }: { card: DatabaseCard<T>; name: string }) {
  if (card.error) {
    return (
      <div className="error-detail" role="alert" aria-label={`${name} error`}>
        [{card.error.code}] {card.error.message}
        {card.value ? <span className="muted"> · showing the reading of {new Date(card.value.at).toLocaleTimeString()}</span> : null}
      </div>
    );
  }
  if (!card.value) return <p className="muted" role="status">{card.loading ? `Connecting to ${name}…` : ''}</p>;
  return null;
}

function SectionError({ section }: { section: Section<unknown> }) {
  return section.ok ? null : (
    <p className="db-section-error" role="alert">
      [{section.error.code}] {section.error.message}
    </p>
  );
}

function PasswordForm({ kind }: { kind: 'postgres' | 'redis' }) {
  const setPassword = useCockpit((s) => s.setDatabasePassword);
  const [text, setText] = useState('');
  return (
    <form
      className="db-password"
      onSubmit={(e) => {
        e.preventDefault();
        void setPassword(kind, text);
        setText('');
      }}
    >
      <label>
        Password <span className="muted small">(kept in main's memory only)</span>
        <input type="password" autoComplete="off" value={text} onChange={(e) => setText(e.target.value)} aria-label={`${kind === 'postgres' ? 'PostgreSQL' : 'Redis'} password`} />
      </label>
      <button type="submit" disabled={!text}>
        Use
      </button>
      <button type="button" onClick={() => void setPassword(kind, null)}>
        Use the Secret
      </button>
    </form>
  );
}

function credentialText(credential: PostgresOverview['credential']) {
  return credential === 'secret' ? 'password from Secret codesign-secrets' : credential === 'typed' ? 'typed password' : 'no password';
}

function PostgresCard({ card }: { card: DatabaseCard<PostgresOverview> }) {
  const o = card.value;
  const capture = useCockpit((s) => s.captureDatabaseResult);
  const openStep = useCockpit((s) => s.openStepDialog);
  const server = o?.server.ok ? o.server.value : undefined;
  return (
    <article className="db-card" aria-labelledby="pg-title">
      <header className="db-card-head">
        <h2 id="pg-title">PostgreSQL</h2>
        {o ? (
          <span className="muted small">
            {o.target} · {o.address} · {credentialText(o.credential)}
          </span>
        ) : null}
        {server ? (
          <span className={`db-badge ${server.backend}`} title={server.version}>
            {server.backend === 'pglite' ? 'PGlite (embedded: one session, no extensions)' : `PostgreSQL ${server.version.split(' ')[1] ?? ''}`}
          </span>
        ) : null}
      </header>
      <CardState card={card} name="PostgreSQL" />
      {o ? (
        <>
          <p className="db-ready" aria-label="PostgreSQL readiness">
            <span className={o.readiness.ready ? 'lvl-ok' : 'lvl-critical'}>●</span> {o.readiness.ready ? 'accepting connections' : o.readiness.state}
            {o.readiness.latencyMs !== undefined ? ` · connect ${o.readiness.latencyMs} ms` : ''}
            {o.readiness.reason ? ` · ${o.readiness.reason}` : ''}
          </p>
          <h3>Connections</h3>
          <SectionError section={o.connections} />
          {o.connections.ok ? <ConnectionsBar c={o.connections.value} /> : null}
          <div className="db-actions">
            <button type="button" onClick={() => void openStep('database-connection-issues.terminate-idle', { idleMinutes: String(o.connections.ok ? o.connections.value.idleOlder.minutes : 5) })}>
              Terminate idle connections…
            </button>
            <button type="button" onClick={() => void openStep('database-maintenance.vacuum-reindex')}>
              VACUUM ANALYZE + REINDEX…
            </button>
            <button type="button" onClick={() => void openStep('database-maintenance.analyze')}>
              ANALYZE…
            </button>
            <button type="button" onClick={() => void openStep('database-maintenance.backup')}>
              pg_dump to evidence…
            </button>
            <button type="button" onClick={() => void capture(o.resultId)}>
              Capture to incident
            </button>
          </div>
          <h3>Slowest statements</h3>
          <SectionError section={o.slowStatements} />
          {o.slowStatements.ok ? (
            o.slowStatements.value.available ? (
              <table className="table compact" aria-label="Slowest statements">
                <thead>
                  <tr>
                    <th>Mean</th>
                    <th>Calls</th>
                    <th>Total</th>
                    <th>Query</th>
                  </tr>
                </thead>
                <tbody>
                  {o.slowStatements.value.statements.map((s, i) => (
                    <tr key={i}>
                      <td className={s.meanMs > 1000 ? 'lvl-critical' : s.meanMs > 100 ? 'lvl-warning' : undefined}>{ms(s.meanMs)}</td>
                      <td>{s.calls}</td>
                      <td>{ms(s.totalMs)}</td>
                      <td className="db-query">{s.query}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted" role="note">
                {o.slowStatements.value.reason}. To enable it: {o.slowStatements.value.howToEnable}
              </p>
            )
          ) : null}
          <h3>Running and blocked</h3>
          <SectionError section={o.activity} />
          {o.activity.ok ? (
            o.activity.value.length === 0 ? (
              <p className="muted small">Nothing running but the cockpit's own session.</p>
            ) : (
              <table className="table compact" aria-label="Running queries">
                <thead>
                  <tr>
                    <th>PID</th>
                    <th>State</th>
                    <th>For</th>
                    <th>Wait</th>
                    <th>Blocked by</th>
                    <th>Query</th>
                  </tr>
                </thead>
                <tbody>
                  {o.activity.value.map((q) => (
                    <tr key={q.pid} className={q.blockedBy.length ? 'db-blocked' : undefined}>
                      <td>{q.pid}</td>
                      <td>{q.state}</td>
                      <td className={q.durationMs > 60_000 ? 'lvl-critical' : q.durationMs > 5_000 ? 'lvl-warning' : undefined}>{ms(q.durationMs)}</td>
                      <td>{q.waitEvent ?? ''}</td>
                      <td>{q.blockedBy.join(', ')}</td>
                      <td className="db-query">{q.query}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          ) : null}
          <h3>Tables and indexes</h3>
          <SectionError section={o.tables} />
          {o.tables.ok ? (
            <div className="db-two">
              <table className="table compact" aria-label="Table statistics">
                <thead>
                  <tr>
                    <th>Table</th>
                    <th>Live</th>
                    <th>Dead (bloat est.)</th>
                    <th>Seq / idx scans</th>
                    <th>Size</th>
                  </tr>
                </thead>
                <tbody>
                  {o.tables.value.tables.map((t) => (
                    <tr key={t.table}>
                      <td>{t.table}</td>
                      <td>{t.liveRows}</td>
                      <td className={t.deadRatio > 0.2 ? 'lvl-warning' : undefined}>
                        {t.deadRows} ({percent(t.deadRatio)})
                      </td>
                      <td>
                        {t.seqScans} / {t.indexScans}
                      </td>
                      <td>{bytes(t.sizeBytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <table className="table compact" aria-label="Index usage">
                <thead>
                  <tr>
                    <th>Index</th>
                    <th>Scans</th>
                    <th>Size</th>
                  </tr>
                </thead>
                <tbody>
                  {o.tables.value.indexes.map((i) => (
                    <tr key={i.index}>
                      <td>
                        {i.index} <span className="muted small">on {i.table}</span>
                      </td>
                      <td className={i.unused ? 'lvl-warning' : undefined}>{i.unused ? '0 (unused)' : i.scans}</td>
                      <td>{bytes(i.sizeBytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          <h3>Replication</h3>
          <SectionError section={o.replication} />
          {o.replication.ok ? (
            <p className="small">
              {o.replication.value.role === 'replica'
                ? `replica, replay lag ${o.replication.value.lagMs === null || o.replication.value.lagMs === undefined ? 'unknown' : ms(o.replication.value.lagMs)}`
                : o.replication.value.replicas.length === 0
                  ? 'primary, no replicas streaming'
                  : o.replication.value.replicas.map((r) => `${r.name} (${r.state}, ${r.syncState}): ${r.replayLagBytes ?? '?'} bytes behind${r.replayLagMs !== null ? `, ${ms(r.replayLagMs)}` : ''}`).join(' · ')}
            </p>
          ) : null}
          <SqlConsole />
        </>
      ) : null}
      <PasswordForm kind="postgres" />
    </article>
  );
}

const STATE_CLASS: Record<string, string> = { active: 'st-active', idle: 'st-idle', 'idle in transaction': 'st-txn', 'idle in transaction (aborted)': 'st-txn' };

function ConnectionsBar({ c }: { c: PostgresConnections }) {
  const width = (n: number) => `${Math.min(100, (n / c.maxConnections) * 100)}%`;
  return (
    <div className="db-connections">
      <p className="db-total-line">
        <span className={`db-total lvl-${c.level}`} aria-label="Connections total" data-level={c.level}>
          {c.total} / {c.maxConnections} connections
        </span>
        <span className="muted small">
          {' '}
          · warning &gt;{c.thresholds.warning}, critical &gt;{c.thresholds.critical} ({c.thresholds.source}) · idle &gt; {c.idleOlder.minutes} min: {c.idleOlder.count}
        </span>
      </p>
      <div className="db-bar" role="img" aria-label={`connections by state: ${c.byState.map((s) => `${s.state} ${s.count}`).join(', ')}`}>
        {c.byState.map((s) => (
          <span key={s.state} className={`db-bar-seg ${STATE_CLASS[s.state] ?? 'st-other'}`} style={{ width: width(s.count) }} title={`${s.state}: ${s.count}`} />
        ))}
        {[c.thresholds.warning, c.thresholds.critical].map((t, i) =>
          t < c.maxConnections ? <span key={t} className={`db-bar-mark ${i === 0 ? 'mark-warning' : 'mark-critical'}`} style={{ left: width(t) }} title={`${i === 0 ? 'warning' : 'critical'} ${t}`} /> : null,
        )}
      </div>
      <table className="table compact" aria-label="Connections by state">
        <tbody>
          {c.byState.map((s) => (
            <tr key={s.state}>
              <td>
                <span className={`db-dot ${STATE_CLASS[s.state] ?? 'st-other'}`} /> {s.state}
              </td>
              <td>{s.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const NAMED: Array<{ id: PgNamedQuery; label: string }> = [
  { id: 'connections-by-state', label: 'Connections by state' },
  { id: 'slow-statements', label: 'Slow statements' },
  { id: 'index-usage', label: 'Column statistics' },
];

function SqlConsole() {
  const sql = useCockpit((s) => s.databases.console.sql);
  const running = useCockpit((s) => s.databases.console.running);
  const result = useCockpit((s) => s.databases.console.result);
  const error = useCockpit((s) => s.databases.console.error);
  const setSql = useCockpit((s) => s.setConsoleSql);
  const run = useCockpit((s) => s.runConsoleQuery);
  const capture = useCockpit((s) => s.captureDatabaseResult);
  return (
    <section className="db-console" aria-label="SQL console">
      <h3>Console (read-only transaction, statement timeout 10 s)</h3>
      <textarea value={sql} onChange={(e) => setSql(e.target.value)} rows={3} spellCheck={false} aria-label="SQL" />
      <div className="db-actions">
        <button type="button" onClick={() => void run()} disabled={running || !sql.trim()}>
          {running ? 'Running…' : 'Run'}
        </button>
        {NAMED.map((n) => (
          <button key={n.id} type="button" onClick={() => void run(n.id)} disabled={running}>
            {n.label}
          </button>
        ))}
        {result ? (
          <button type="button" onClick={() => void capture(result.resultId)}>
            Capture result
          </button>
        ) : null}
      </div>
      {error ? (
        <p className="db-section-error" role="alert">
          [{error.code}] {error.message}
        </p>
      ) : null}
      {result ? <ConsoleTable result={result} /> : null}
    </section>
  );
}

function ConsoleTable({ result }: { result: ConsoleResult }) {
  if (result.note) return <p className="muted">{result.note}</p>;
  return (
    <>
      <p className="muted small">
        {result.rowCount} row{result.rowCount === 1 ? '' : 's'} in {result.durationMs} ms{result.truncated ? ` (first ${result.rows.length} shown)` : ''}
      </p>
      <div className="db-scroll">
        <table className="table compact" aria-label="Query result">
          <thead>
            <tr>
              {result.columns.map((c, i) => (
                <th key={i}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result.rows.map((r, i) => (
              <tr key={i}>
                {r.map((v, j) => (
                  <td key={j} className={v === null ? 'muted' : undefined}>
                    {v ?? 'NULL'}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function RedisCard({ card }: { card: DatabaseCard<RedisOverview> }) {
  const o = card.value;
  const capture = useCockpit((s) => s.captureDatabaseResult);
  return (
    <article className="db-card" aria-labelledby="redis-title">
      <header className="db-card-head">
        <h2 id="redis-title">Redis</h2>
        {o ? (
          <span className="muted small">
            {o.target} · {o.address} · {credentialText(o.credential)}
            {o.server.ok ? ` · ${o.server.value.version} (${o.server.value.mode})` : ''}
          </span>
        ) : null}
      </header>
      <CardState card={card} name="Redis" />
      {o ? (
        <>
          <p className="db-ready" aria-label="Redis ping">
            <span className={o.ping.ok ? 'lvl-ok' : 'lvl-critical'}>●</span> {o.ping.ok ? `PONG in ${ms(o.ping.latencyMs ?? 0)}` : (o.ping.error?.message ?? 'no answer')}
          </p>
          <SectionError section={o.stats} />
          {o.stats.ok ? (
            <div className="db-figures">
              <Figure label="Cache hit rate" value={o.stats.value.hitRate === null ? 'no lookups yet' : percent(o.stats.value.hitRate)} detail={`${o.stats.value.hits} hits, ${o.stats.value.misses} misses`} />
              <Figure label="Evictions" value={String(o.stats.value.evictions)} detail={`${o.stats.value.expired} expired`} level={o.stats.value.evictions > 0 ? 'warning' : undefined} />
              <Figure label="Ops/s" value={String(o.stats.value.opsPerSec)} />
              {o.clients.ok ? <Figure label="Clients" value={String(o.clients.value.connected)} detail={`${o.clients.value.blocked} blocked`} level={o.clients.value.blocked > 0 ? 'warning' : undefined} /> : null}
            </div>
          ) : null}
          <h3>Memory</h3>
          <SectionError section={o.memory} />
          {o.memory.ok ? (
            <p className="small" aria-label="Redis memory">
              used {bytes(o.memory.value.usedBytes)} · peak {bytes(o.memory.value.peakBytes)} · fragmentation{' '}
              <span className={o.memory.value.fragmentationRatio > 1.5 ? 'lvl-warning' : undefined}>{o.memory.value.fragmentationRatio.toFixed(2)}</span> · maxmemory{' '}
              {o.memory.value.maxmemoryBytes ? bytes(o.memory.value.maxmemoryBytes) : 'unlimited'} · policy {o.memory.value.policy}
            </p>
          ) : null}
          <h3>Slowlog</h3>
          <SectionError section={o.slowlog} />
          {o.slowlog.ok ? (
            o.slowlog.value.length === 0 ? (
              <p className="muted small">Empty.</p>
            ) : (
              <table className="table compact" aria-label="Redis slowlog">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Took</th>
                    <th>Command</th>
                  </tr>
                </thead>
                <tbody>
                  {o.slowlog.value.map((e) => (
                    <tr key={e.id}>
                      <td>{new Date(e.at).toLocaleTimeString()}</td>
                      <td>{ms(e.durationMicros / 1000)}</td>
                      <td className="db-query">{e.command}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          ) : null}
          <div className="db-actions">
            <button type="button" onClick={() => void capture(o.resultId)}>
              Capture to incident
            </button>
          </div>
        </>
      ) : null}
      <PasswordForm kind="redis" />
    </article>
  );
}

function Figure({ label, value, detail, level }: { label: string; value: string; detail?: string; level?: 'warning' | 'critical' | undefined }) {
  return (
    <div className="db-figure" role="group" aria-label={label}>
      <span className="muted small">{label}</span>
      <span className={`db-figure-value${level ? ` lvl-${level}` : ''}`}>{value}</span>
      {detail ? <span className="muted small">{detail}</span> : null}
    </div>
  );
}
