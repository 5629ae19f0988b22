import { describe, expect, it } from 'vitest';
import { createCockpitStore } from '../state/cockpitStore';
import { FakeBridge } from '../test/fakeBridge';
import { incident, listOf } from '../test/incidents';
import { PANELS, panelFor, panelLink } from './panels';

describe('the panel registry', () => {
  it('lists each panel once, each with its own shortcut and a component', () => {
    expect(new Set(PANELS.map((p) => p.id)).size).toBe(PANELS.length);
    expect(new Set(PANELS.map((p) => p.shortcut)).size).toBe(PANELS.length);
    expect(PANELS.map((p) => p.label)).toEqual(['Incident', 'Runbook', 'Cluster', 'Workloads', 'Logs', 'Top', 'Alerts', 'Databases', 'Terminal', 'Evidence', 'Tunnels']);
    for (const panel of PANELS) {
      // A component, or a lazy one (React.lazy: an object React renders once its code has loaded).
      expect(['function', 'object']).toContain(typeof panel.component);
      expect(panel.component).toBeTruthy();
      if (panel.availability === 'planned') expect(panel.planned).toBeTruthy();
    }
  });

  it('resolves a route to its panel, and an unknown one to Incident', () => {
    expect(panelFor('evidence').label).toBe('Evidence');
    expect(panelFor('no-such-panel').id).toBe('incident');
  });

  it('links Incident to the active incident, and the declare form when there is none', () => {
    const store = createCockpitStore(new FakeBridge('#/runbook'));
    const incidentPanel = panelFor('incident');
    expect(panelLink(incidentPanel, store.getState())).toEqual({ panel: 'incident' });
    const active = incident('inc-20261128-aaaa02');
    store.setState(listOf(active));
    expect(panelLink(incidentPanel, store.getState())).toEqual({ panel: 'incident', id: 'inc-20261128-aaaa02' });
    expect(panelLink(panelFor('runbook'), store.getState())).toEqual({ panel: 'runbook' });
  });
});
