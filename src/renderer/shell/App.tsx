import { Suspense, useEffect } from 'react';
import { RunDialog } from '../procedures/RunDialog';
import { RunbookSearch } from '../runbook/RunbookSearch';
import { useCockpit } from '../state/store';
import { Nav } from './Nav';
import { Notice } from './Notice';
import { PANELS, panelLink, useCurrentPanel } from './panels';
import { TopBar } from './TopBar';

/** Whether a key press is typing into a field (where `/` is a character, not a shortcut). */
const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

export function App() {
  const boot = useCockpit((s) => s.boot);
  const bootError = useCockpit((s) => s.bootError);
  const navigate = useCockpit((s) => s.navigate);
  const setSearchOpen = useCockpit((s) => s.setRunbookSearchOpen);
  const panel = useCurrentPanel();

  useEffect(() => {
    void boot();
  }, [boot]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setSearchOpen(true);
        return;
      }
      if (event.key === '/' && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target)) {
        event.preventDefault();
        setSearchOpen(true);
        return;
      }
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const target = PANELS.find((p) => p.shortcut === event.key);
      if (target) {
        event.preventDefault();
        navigate(panelLink(target, useCockpit.getState()));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate, setSearchOpen]);

  if (bootError) {
    return (
      <div className="boot-error" role="alert">
        <h1>Incident Cockpit cannot reach its host</h1>
        <p>{bootError.message}</p>
      </div>
    );
  }
  const Panel = panel.component;
  return (
    <div className="shell">
      <TopBar />
      <Nav />
      <main className="content" aria-label={panel.label}>
        <Notice />
        <Suspense fallback={<p className="muted">Loading {panel.label}…</p>}>
          <Panel panel={panel} />
        </Suspense>
      </main>
      <RunbookSearch />
      <RunDialog />
    </div>
  );
}
