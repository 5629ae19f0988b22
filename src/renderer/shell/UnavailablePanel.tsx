import type { PanelEntry } from './panels';

export function UnavailablePanel({ panel }: { panel: PanelEntry }) {
  return (
    <section className="panel unavailable-panel" aria-labelledby="unavailable-title">
      <h1 id="unavailable-title">{panel.label}</h1>
      <p className="muted">Not yet available in this build.</p>
      <p>{panel.planned}</p>
    </section>
  );
}
