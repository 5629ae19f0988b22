import { useEffect, useMemo, useState } from 'react';
import { eventCount, eventLastSeen, eventMessage, eventObject, eventReason, eventType, groupEvents, type EventGroup } from '../../shared/k8s/kube-events';
import { matchesLabelSelector, parseLabelSelector, type SelectorTerm } from '../../shared/k8s/label-selector';
import { objectKey, type KubeObject } from '../../shared/k8s/objects';
import { humanDuration } from '../../shared/k8s/printers';
import type { ResourceName } from '../../shared/k8s/resources';
import { SUMMARY_RULES, type SummaryItemId } from '../../shared/k8s/summary';
import { useNow } from '../shell/useNow';
import { useCockpit } from '../state/store';
import './cluster.css';
import { columnsFor } from './columns';
import { KIND_RESOURCE, type DrawerTarget } from './kinds';
import { ObjectDrawer } from './ObjectDrawer';
import { ResourceStatus } from './ResourceStatus';
import { SummaryStrip } from './SummaryStrip';
import { useResource, useSelectionKey } from './useResource';
import { VirtualTable } from './VirtualTable';
import { WhatChanged } from './WhatChanged';

type Tab = ResourceName | 'changes';

const TABS: Array<{ id: Tab; label: string }> = [
  { id: 'pods', label: 'Pods' },
  { id: 'deployments', label: 'Deployments' },
  { id: 'events', label: 'Events' },
  { id: 'changes', label: 'What changed' },
  { id: 'statefulsets', label: 'StatefulSets' },
  { id: 'daemonsets', label: 'DaemonSets' },
  { id: 'jobs', label: 'Jobs' },
  { id: 'cronjobs', label: 'CronJobs' },
  { id: 'horizontalpodautoscalers', label: 'HPAs' },
  { id: 'services', label: 'Services' },
  { id: 'persistentvolumeclaims', label: 'PVCs' },
  { id: 'persistentvolumes', label: 'PVs' },
  { id: 'nodes', label: 'Nodes' },
];

/** Live workloads of the current context and namespace: the quick system check, the lists, the drawer. */
export function WorkloadsPanel() {
  const contexts = useCockpit((s) => s.contexts);
  const selection = useSelectionKey();
  const [tab, setTab] = useState<Tab>('pods');
  const [problem, setProblem] = useState<SummaryItemId | undefined>();
  const [drawer, setDrawer] = useState<DrawerTarget | undefined>();
  useEffect(() => setDrawer(undefined), [selection]);

  const pick = (next: Tab) => {
    setTab(next);
    setProblem(undefined);
  };
  return (
    <section className="workloads" aria-labelledby="workloads-title">
      <header className="workloads-head">
        <h1 id="workloads-title">Workloads</h1>
        <span className="muted">
          {contexts?.current ? (
            <>
              <code>{contexts.current}</code> · {contexts.namespace ? <code>{contexts.namespace}</code> : 'all namespaces'}
            </>
          ) : (
            'no context'
          )}
        </span>
      </header>
      <SummaryStrip
        onPick={(item) => {
          setTab(item.view);
          setProblem(item.id);
        }}
      />
      <div className="tabs" role="tablist" aria-label="Kinds">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} className={`tab${tab === t.id ? ' active' : ''}`} onClick={() => pick(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div className={`workloads-body${drawer ? ' with-drawer' : ''}`}>
        <div className="workloads-list" role="tabpanel" aria-label={TABS.find((t) => t.id === tab)?.label}>
          {tab === 'changes' ? (
            <WhatChanged />
          ) : tab === 'events' ? (
            <EventsView problem={problem} clearProblem={() => setProblem(undefined)} onOpen={setDrawer} />
          ) : (
            <ResourceList key={tab} resource={tab} problem={problem} clearProblem={() => setProblem(undefined)} onOpen={(key) => setDrawer({ resource: tab, key })} selectedKey={drawer?.key} />
          )}
        </div>
        {drawer ? <ObjectDrawer target={drawer} onClose={() => setDrawer(undefined)} onOpen={setDrawer} /> : null}
      </div>
    </section>
  );
}

function useFilters() {
  const [text, setText] = useState('');
  const [selector, setSelector] = useState('');
  const parsed = useMemo((): { terms: SelectorTerm[]; error?: string } => {
    try {
      return { terms: parseLabelSelector(selector) };
    } catch (error) {
      return { terms: [], error: (error as Error).message };
    }
  }, [selector]);
  return { text, setText, selector, setSelector, terms: parsed.terms, selectorError: parsed.error };
}

function FilterBar({ filters, count, total, problem, clearProblem }: { filters: ReturnType<typeof useFilters>; count: number; total: number; problem?: SummaryItemId | undefined; clearProblem: () => void }) {
  return (
    <div className="filter-bar">
      <input type="search" aria-label="Filter by text" placeholder="Filter…" value={filters.text} onChange={(e) => filters.setText(e.target.value)} />
      <input type="text" aria-label="Label selector" placeholder="Label selector, e.g. app=codesign-api" value={filters.selector} onChange={(e) => filters.setSelector(e.target.value)} className={filters.selectorError ? 'invalid' : ''} />
      {problem ? (
        <span className="chip problem-chip">
          only problems ({problem})
          <button type="button" className="link-button" aria-label="Show all" onClick={clearProblem}>
            ×
          </button>
        </span>
      ) : null}
      <span className="muted small" role="status">
        {count === total ? `${total}` : `${count} of ${total}`}
      </span>
      {filters.selectorError ? (
        <span className="selector-error" role="alert">
          {filters.selectorError}
        </span>
      ) : null}
    </div>
  );
}

const PROBLEM_FOR: Partial<Record<ResourceName, SummaryItemId>> = {
  pods: 'pods-unhealthy',
  deployments: 'deployments-degraded',
  nodes: 'nodes-not-ready',
  persistentvolumeclaims: 'pvcs-not-bound',
};

function ResourceList({ resource, problem, clearProblem, onOpen, selectedKey }: { resource: ResourceName; problem?: SummaryItemId | undefined; clearProblem: () => void; onOpen: (key: string) => void; selectedKey?: string | undefined }) {
  const view = useResource(resource);
  const allNamespaces = useCockpit((s) => s.contexts?.namespace === '');
  const now = useNow(5000).getTime();
  const filters = useFilters();
  const columns = useMemo(() => columnsFor(resource, now, allNamespaces), [resource, now, allNamespaces]);
  const all = useMemo(() => (view ? [...view.items.values()] : []), [view]);
  const rule = problem && PROBLEM_FOR[resource] === problem ? SUMMARY_RULES[problem] : undefined;
  const rows = useMemo(() => {
    const needle = filters.text.trim().toLowerCase();
    return all.filter(
      (o) =>
        (!rule || rule(o, now)) &&
        (filters.terms.length === 0 || matchesLabelSelector(o.metadata.labels, filters.terms)) &&
        (!needle || columns.some((c) => c.text(o).toLowerCase().includes(needle))),
    );
  }, [all, rule, now, filters.terms, filters.text, columns]);
  const label = resource === 'horizontalpodautoscalers' ? 'HPAs' : resource.charAt(0).toUpperCase() + resource.slice(1);
  return (
    <>
      <FilterBar filters={filters} count={rows.length} total={all.length} problem={rule ? problem : undefined} clearProblem={clearProblem} />
      <ResourceStatus view={view} what={resource} />
      {view?.synced ? (
        <VirtualTable
          label={label}
          rows={rows}
          columns={columns}
          rowKey={objectKey}
          onOpen={(o) => onOpen(objectKey(o))}
          selectedKey={selectedKey}
          empty={all.length === 0 ? `No ${resource} here.` : 'Nothing matches the filter.'}
        />
      ) : null}
    </>
  );
}

function EventsView({ problem, clearProblem, onOpen }: { problem?: SummaryItemId | undefined; clearProblem: () => void; onOpen: (target: DrawerTarget) => void }) {
  const view = useResource('events');
  const now = useNow(5000).getTime();
  const filters = useFilters();
  const [grouped, setGrouped] = useState(true);
  const all = useMemo(() => (view ? [...view.items.values()] : []), [view]);
  const onlyRecentWarnings = problem === 'warning-events';
  const events = useMemo(() => {
    const needle = filters.text.trim().toLowerCase();
    return all.filter(
      (e) =>
        (!onlyRecentWarnings || SUMMARY_RULES['warning-events'](e, now)) &&
        (filters.terms.length === 0 || matchesLabelSelector(e.metadata.labels, filters.terms)) &&
        (!needle || `${eventReason(e)} ${eventMessage(e)} ${eventObject(e).kind}/${eventObject(e).name}`.toLowerCase().includes(needle)),
    );
  }, [all, onlyRecentWarnings, now, filters.terms, filters.text]);
  const groups = useMemo(() => groupEvents(events), [events]);
  const openObject = (kind: string, name: string, namespace?: string) => {
    const resource = KIND_RESOURCE[kind];
    if (resource) onOpen({ resource, key: namespace && resource !== 'nodes' && resource !== 'persistentvolumes' ? `${namespace}/${name}` : name });
  };
  return (
    <>
      <FilterBar filters={filters} count={events.length} total={all.length} problem={onlyRecentWarnings ? problem : undefined} clearProblem={clearProblem} />
      <label className="small">
        <input type="checkbox" checked={grouped} onChange={(e) => setGrouped(e.target.checked)} /> Group by object
      </label>
      <ResourceStatus view={view} what="events" />
      {view?.synced ? (
        grouped ? (
          <VirtualTable<EventGroup>
            label="Event groups"
            rows={groups}
            rowKey={(g) => g.object}
            initialSort={{ column: 'warnings', descending: true }}
            onOpen={(g) => openObject(g.kind, g.name, g.events[0]?.metadata.namespace)}
            columns={[
              { id: 'object', label: 'Object', width: 'minmax(220px, 2fr)', text: (g) => g.object },
              { id: 'warnings', label: 'Warnings', width: '80px', text: (g) => String(g.warnings), sortValue: (g) => g.warnings * 1e13 + g.lastSeen, className: (g) => (g.warnings ? 'st-bad' : undefined) },
              { id: 'total', label: 'Count', width: '70px', text: (g) => String(g.total), sortValue: (g) => g.total },
              { id: 'latest', label: 'Latest', width: 'minmax(260px, 4fr)', text: (g) => `${eventReason(g.events[0]!)}: ${eventMessage(g.events[0]!)}` },
              { id: 'seen', label: 'Last seen', width: '80px', text: (g) => humanDuration(now - g.lastSeen), sortValue: (g) => -g.lastSeen },
            ]}
            empty="No events."
          />
        ) : (
          <VirtualTable<KubeObject>
            label="Events"
            rows={events}
            rowKey={objectKey}
            initialSort={{ column: 'type', descending: true }}
            onOpen={(e) => openObject(eventObject(e).kind, eventObject(e).name, e.metadata.namespace)}
            columns={[
              { id: 'type', label: 'Type', width: '80px', text: eventType, sortValue: (e) => (eventType(e) === 'Warning' ? 1e13 : 0) + eventLastSeen(e), className: (e) => (eventType(e) === 'Warning' ? 'st-bad' : undefined) },
              { id: 'reason', label: 'Reason', width: '140px', text: eventReason },
              { id: 'object', label: 'Object', width: 'minmax(200px, 2fr)', text: (e) => `${eventObject(e).kind}/${eventObject(e).name}` },
              { id: 'message', label: 'Message', width: 'minmax(260px, 4fr)', text: eventMessage },
              { id: 'count', label: 'Count', width: '60px', text: (e) => String(eventCount(e)), sortValue: eventCount },
              { id: 'seen', label: 'Last seen', width: '80px', text: (e) => humanDuration(now - eventLastSeen(e)), sortValue: (e) => -eventLastSeen(e) },
            ]}
            empty="No events."
          />
        )
      ) : null}
    </>
  );
}
