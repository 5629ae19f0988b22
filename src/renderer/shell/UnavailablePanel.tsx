import type { PanelInfo } from './panels';

export function UnavailablePanel({ panel }: { panel: PanelInfo }) {
  return (
    <section className="panel unavailable-panel" aria-labelledby="unavailable-title">
      <h1 id="unavailable-title">{panel.label}</h1>
      <p className="muted">Not yet available in this build.</p>
      <p>{panel.planned}</p>
    </section>
  );
}
