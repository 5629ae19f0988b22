import { useEffect } from 'react';
import { ClusterPanel } from '../cluster/ClusterPanel';
import { TopPanel } from '../cluster/TopPanel';
import { WorkloadsPanel } from '../cluster/WorkloadsPanel';
import { EvidencePanel } from '../evidence/EvidencePanel';
import { VaultGate } from '../evidence/VaultGate';
import { IncidentPanel } from '../incidents/IncidentPanel';
import { RunbookPanel } from '../runbook/RunbookPanel';
import { useCockpit } from '../state/store';
import { Nav } from './Nav';
import { Notice } from './Notice';
import { PANELS } from './panels';
import { TopBar } from './TopBar';
import { UnavailablePanel } from './UnavailablePanel';

export function App() {
  const boot = useCockpit((s) => s.boot);
  const bootError = useCockpit((s) => s.bootError);
  const panel = useCockpit((s) => s.route.panel);
  const navigate = useCockpit((s) => s.navigate);

  useEffect(() => {
    void boot();
  }, [boot]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const target = PANELS.find((p) => p.key === event.key);
      if (target) {
        event.preventDefault();
        navigate({ panel: target.id });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate]);

  if (bootError) {
    return (
      <div className="boot-error" role="alert">
        <h1>Incident Cockpit cannot reach its host</h1>
        <p>{bootError.message}</p>
      </div>
    );
  }
  const info = PANELS.find((p) => p.id === panel)!;
  return (
    <div className="shell">
      <TopBar />
      <Nav />
      <main className="content" aria-label={info.label}>
        <Notice />
        {panel === 'runbook' ? (
          <RunbookPanel />
        ) : panel === 'cluster' ? (
          <ClusterPanel />
        ) : panel === 'workloads' ? (
          <WorkloadsPanel />
        ) : panel === 'top' ? (
          <TopPanel />
        ) : panel === 'incident' ? (
          <IncidentPanel />
        ) : panel === 'evidence' ? (
          <VaultGate>
            <EvidencePanel />
          </VaultGate>
        ) : (
          <UnavailablePanel panel={info} />
        )}
      </main>
    </div>
  );
}
