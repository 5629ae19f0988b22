import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { passphraseProblem, redactionSummary, type EvidenceRecord } from '../../shared/evidence';
import { clockTime, dateTime } from '../shell/format';
import { routeHash } from '../state/route';
import { useActiveIncidentId, useCockpit, type EvidenceFilter } from '../state/store';
import { AttachmentList } from './AttachmentList';

/** One incident's evidence: add, verify, export, and the whole record log with filters. */
export function EvidencePanel() {
  const routeId = useCockpit((s) => (s.route.panel === 'evidence' ? s.route.id : undefined));
  const activeId = useActiveIncidentId();
  const incidents = useCockpit((s) => s.incidents);
  const incidentId = routeId ?? activeId ?? incidents[0]?.id;
  const navigate = useCockpit((s) => s.navigate);

  if (!incidentId) {
    return (
      <section className="panel">
        <h1>Evidence</h1>
        <p className="muted">
          No incident yet. <a href={routeHash({ panel: 'incident' })}>Declare one</a> and everything done in it is kept here, encrypted and hash-chained.
        </p>
      </section>
    );
  }
  return (
    <section className="evidence-panel" aria-labelledby="evidence-title">
      <header className="evidence-header">
        <h1 id="evidence-title">Evidence</h1>
        <label className="inline-field">
          <span className="muted">Incident</span>
          <select name="incident" value={incidentId} onChange={(e) => navigate({ panel: 'evidence', id: e.target.value })}>
            {incidents.map((i) => (
              <option key={i.id} value={i.id}>
                {i.severity} · {i.title} ({i.id})
              </option>
            ))}
          </select>
        </label>
      </header>
      <EvidenceBody key={incidentId} incidentId={incidentId} />
    </section>
  );
}

function EvidenceBody({ incidentId }: { incidentId: string }) {
  const evidence = useCockpit((s) => s.evidence[incidentId]);
  const loadEvidence = useCockpit((s) => s.loadEvidence);
  const [filter, setFilter] = useState<EvidenceFilter>({});
  useEffect(() => {
    void loadEvidence(incidentId, filter);
  }, [incidentId, filter, loadEvidence]);

  return (
    <div className="evidence-grid">
      {/* min-width 0: long paths and fingerprints wrap inside the column instead of widening it */}
      <div className="evidence-actions" style={{ minWidth: 0 }}>
        <AddEvidence incidentId={incidentId} />
        <VerifyCard incidentId={incidentId} />
        <ExportCard incidentId={incidentId} />
      </div>
      <div className="evidence-records">
        <RecordFilters filter={filter} onChange={setFilter} records={evidence?.records ?? []} />
        <RecordList records={evidence?.records} />
        <h2>Attachments</h2>
        <AttachmentList incidentId={incidentId} attachments={evidence?.attachments ?? []} />
      </div>
    </div>
  );
}

function AddEvidence({ incidentId }: { incidentId: string }) {
  const lastAdded = useCockpit((s) => s.evidence[incidentId]?.lastAdded);
  const addText = useCockpit((s) => s.addEvidenceText);
  const addFile = useCockpit((s) => s.addEvidenceFile);
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    if (await addText(incidentId, title.trim() || 'Pasted text', text)) {
      setTitle('');
      setText('');
    }
    setBusy(false);
  };
  const upload = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    await addFile(incidentId, file);
    if (fileInput.current) fileInput.current.value = '';
    setBusy(false);
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="add-evidence-title">
      <h2 id="add-evidence-title">Add evidence</h2>
      <label className="field">
        <span>Title</span>
        <input name="evidence-title" value={title} onChange={(e) => setTitle(e.target.value)} placeholder="codesign-api logs 10:05–10:15" />
      </label>
      <label className="field">
        <span>Pasted text (log excerpt, command output)</span>
        <textarea name="evidence-text" rows={6} value={text} onChange={(e) => setText(e.target.value)} className="mono" />
      </label>
      <p className="small muted">Secrets (tokens, keys, passwords, connection strings) are redacted before anything is sealed.</p>
      <div className="note-actions">
        <button type="submit" className="button primary" disabled={busy || !text.trim()}>
          Seal as evidence
        </button>
        <label className="button">
          Attach file…
          <input ref={fileInput} type="file" name="evidence-file" className="visually-hidden" onChange={(e) => void upload(e.target.files?.[0])} />
        </label>
      </div>
      {lastAdded ? <SealedNotice record={lastAdded} /> : null}
    </form>
  );
}

/** What the last seal did: its seq and what was redacted, by rule. */
function SealedNotice({ record }: { record: EvidenceRecord }) {
  const body = (record.body ?? {}) as { redactions?: Record<string, number>; redacted?: boolean; title?: string };
  return (
    <p className="small sealed-notice" role="status" data-testid="sealed-notice">
      Sealed “{body.title ?? record.type}” as #{record.seq}: {body.redacted === false ? 'binary file, not scanned for secrets.' : redactionSummary(body.redactions)}
    </p>
  );
}

function VerifyCard({ incidentId }: { incidentId: string }) {
  const installationKey = useCockpit((s) => s.vault?.installationKey);
  const verification = useCockpit((s) => s.evidence[incidentId]?.verification);
  const verify = useCockpit((s) => s.verifyEvidence);
  const [busy, setBusy] = useState(false);
  return (
    <div className="card" aria-labelledby="verify-title">
      <h2 id="verify-title">Integrity</h2>
      <button
        type="button"
        className="button"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void verify(incidentId).finally(() => setBusy(false));
        }}
      >
        Verify chain
      </button>
      {verification ? (
        <div className={`verify-result verify-${verification.status}`} role="status" data-testid="verify-result">
          <strong>
            {verification.status === 'ok'
              ? 'OK'
              : verification.status === 'repaired'
                ? 'Torn tail repaired'
                : verification.status === 'torn'
                  ? 'Torn tail found (not cut: another process has the log open)'
                  : `Corrupt at seq ${verification.corruptAtSeq ?? '?'}`}
          </strong>{' '}
          — {verification.records} records, head <code>{verification.headHash.slice(0, 16)}…</code>
          {verification.checkpoints !== undefined ? `, ${verification.checkpoints} signed checkpoint(s)` : ''}
          {verification.attachments ? `, ${verification.attachments} attachment(s) read back` : ''}
          {verification.notice ? <p className="small">{verification.notice}</p> : null}
        </div>
      ) : null}
      {verification?.cutTails && verification.cutTails.length > 0 ? (
        <div className="cut-tails small" data-testid="cut-tails">
          <strong>
            {verification.cutTails.length} torn tail{verification.cutTails.length === 1 ? '' : 's'} cut from this log
          </strong>
          <ul>
            {verification.cutTails.map((t) => (
              <li key={t.file}>
                {t.bytes} bytes after record #{t.afterSeq}, cut {dateTime(t.at)}, kept in <code>{t.file}</code>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {installationKey ? (
        <p className="small muted" data-testid="installation-key">
          Checkpoints are signed by this installation’s key <code className="fingerprint" style={WRAP_ANYWHERE}>{installationKey}</code>. Compare it with the fingerprint a verifier prints.
        </p>
      ) : null}
    </div>
  );
}

function ExportCard({ incidentId }: { incidentId: string }) {
  const lastExport = useCockpit((s) => s.evidence[incidentId]?.lastExport);
  const exportEvidence = useCockpit((s) => s.exportEvidence);
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="card"
      aria-labelledby="export-title"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        void exportEvidence(incidentId, passphrase).finally(() => setBusy(false));
      }}
    >
      <h2 id="export-title">Export</h2>
      <p className="small muted">
        One age-encrypted file, signed by this installation. A colleague opens it with <code>age -d</code> and the passphrase; the command to verify it appears here once it is written.
      </p>
      <label className="field">
        <span>Export passphrase (for the recipient)</span>
        <input type="password" name="export-passphrase" autoComplete="new-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
      </label>
      {passphrase.length > 0 && passphraseProblem(passphrase) ? (
        <p className="small muted" data-testid="export-passphrase-hint">
          {passphraseProblem(passphrase)}
        </p>
      ) : null}
      <button type="submit" className="button" disabled={busy || passphraseProblem(passphrase) !== undefined}>
        {busy ? 'Exporting…' : 'Export incident'}
      </button>
      {lastExport ? (
        <div className="export-result small" role="status" data-testid="export-result" style={WRAP_ANYWHERE}>
          Exported {lastExport.records} records ({Math.ceil(lastExport.bytes / 1024)} KiB) to <code>{lastExport.path}</code>
          <br />
          SHA-256 <code>{lastExport.sha256}</code>
          <p>Verify it (type the export passphrase, then Enter):</p>
          <CopyableCommand command={lastExport.verifyCommand} />
        </div>
      ) : null}
    </form>
  );
}

const WRAP_ANYWHERE = { overflowWrap: 'anywhere' } as const;

/** A shell command shown whole, selectable, with a Copy button. */
function CopyableCommand({ command }: { command: string }) {
  const [copied, setCopied] = useState<'copied' | 'failed' | undefined>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(command);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <div className="copyable-command">
      <pre className="command" data-testid="verify-command" style={{ ...WRAP_ANYWHERE, whiteSpace: 'pre-wrap' }}>
        {command}
      </pre>
      <button type="button" className="button" onClick={() => void copy()}>
        Copy command
      </button>
      {copied ? <span className="small muted"> {copied === 'copied' ? 'Copied.' : 'Select the command and copy it (the clipboard is not available here).'}</span> : null}
    </div>
  );
}

function RecordFilters({ filter, onChange, records }: { filter: EvidenceFilter; onChange(f: EvidenceFilter): void; records: EvidenceRecord[] }) {
  const [text, setText] = useState(filter.text ?? '');
  const types = useMemo(() => [...new Set(records.map((r) => r.type))].sort(), [records]);
  const actors = useMemo(() => [...new Set(records.map((r) => r.actor))].sort(), [records]);
  useEffect(() => {
    const timer = setTimeout(() => {
      if ((filter.text ?? '') !== text) onChange({ ...filter, ...(text ? { text } : { text: undefined }) });
    }, 300);
    return () => clearTimeout(timer);
  }, [text, filter, onChange]);
  return (
    <div className="record-filters" role="search">
      <h2>Records</h2>
      <select aria-label="Record type" value={filter.types?.[0] ?? ''} onChange={(e) => onChange({ ...filter, types: e.target.value ? [e.target.value] : undefined })}>
        <option value="">all types</option>
        {[...new Set([...types, ...(filter.types ?? [])])].map((t) => (
          <option key={t}>{t}</option>
        ))}
      </select>
      <select aria-label="Actor" value={filter.actor ?? ''} onChange={(e) => onChange({ ...filter, actor: e.target.value || undefined })}>
        <option value="">all actors</option>
        {[...new Set([...actors, ...(filter.actor ? [filter.actor] : [])])].map((a) => (
          <option key={a}>{a}</option>
        ))}
      </select>
      <input aria-label="Search records" placeholder="search" value={text} onChange={(e) => setText(e.target.value)} />
    </div>
  );
}

/** The record log, virtualised: an incident can hold far more records than the DOM should. */
function RecordList({ records }: { records: EvidenceRecord[] | undefined }) {
  const scroller = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useState<number | undefined>();
  const rows = records ?? [];
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => 30, overscan: 12 });
  if (!records) return <p className="muted">Reading the log…</p>;
  const opened = rows.find((r) => r.seq === open);
  return (
    <>
      <div ref={scroller} className="record-scroller" data-testid="evidence-records">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const record = rows[item.index]!;
            return (
              <button
                type="button"
                key={record.seq}
                className={`record-row${record.seq === open ? ' open' : ''}`}
                style={{ transform: `translateY(${item.start}px)` }}
                onClick={() => setOpen(record.seq === open ? undefined : record.seq)}
              >
                <span className="record-seq">#{record.seq}</span>
                <time dateTime={record.at}>{clockTime(record.at)}</time>
                <span className="muted">{record.actor}</span>
                <code className="record-type">{record.type}</code>
                <span className="record-summary">{summarise(record)}</span>
              </button>
            );
          })}
        </div>
      </div>
      {opened ? (
        <div className="record-detail" data-testid="record-detail">
          <div className="small muted">
            #{opened.seq} · {dateTime(opened.at)} · {opened.actor} · {opened.type}
            {opened.attachments?.length ? ` · ${opened.attachments.length} attachment(s)` : ''}
          </div>
          <pre className="command">{detailText(opened)}</pre>
        </div>
      ) : null}
    </>
  );
}

function summarise(record: EvidenceRecord): string {
  const body = (record.body ?? {}) as Record<string, unknown>;
  for (const key of ['title', 'text', 'label', 'file', 'path']) {
    if (typeof body[key] === 'string') return String(body[key]).split('\n')[0]!.slice(0, 160);
  }
  if (typeof body.to === 'string') return `${String(body.from)} → ${body.to}`;
  return '';
}

function detailText(record: EvidenceRecord): string {
  const body = (record.body ?? {}) as Record<string, unknown>;
  return typeof body.text === 'string' ? body.text : JSON.stringify(record.body, null, 2);
}
