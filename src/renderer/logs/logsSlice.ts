import type { LogFilter, LogOptions, LogSource, LogSourceInfo, LogStats, LogViewEvent, LogWindowLine } from '../../shared/contract/logs';
import type { CockpitError } from '../../shared/result';
import { activeIncidentId } from '../incidents/incidentsSlice';
import { asError, attempt, type CockpitSlice } from '../state/slice';

/** The open log view as the store knows it: counts and state only; the lines stay in main. */
export interface LogViewState {
  /** What was asked for (the form shows it back). */
  source: LogSource;
  options: LogOptions;
  namespace: string;
  context: string;
  status: 'opening' | 'open' | 'ended' | 'failed';
  viewId?: string;
  description?: string;
  error?: CockpitError;
  endReason?: string;
  stats?: LogStats;
  sources: LogSourceInfo[];
  /** The latest problems with single sources (newest last, at most 5). */
  problems: CockpitError[];
  filter: LogFilter | null;
  filterResult?: { matched: number; tookMs: number; cpuMs: number; engine: string };
  filterError?: string;
  /** Bumped when what the positions mean changes (new filter): the list drops what it fetched. */
  generation: number;
  lastCapture?: { name: string; lines: number; incidentId: string };
}

export interface LogsSlice {
  logView?: LogViewState;
  /** Opens a view in the current context (closing the one open). */
  openLogs(source: LogSource, options?: LogOptions, namespace?: string): void;
  closeLogs(): void;
  /** Asks main to push the newest `lines` positions with every report (0 stops it). */
  followLogTail(lines: number, filtered: boolean): Promise<void>;
  /** The pushed tails go to `listener` (the list's ref), never into the store; answers the unsubscribe. */
  onLogTail(listener: (tail: LogTail) => void): () => void;
  /** Lines for the list to show; not kept in the store. */
  fetchLogWindow(from: number, count: number, filtered: boolean): Promise<{ lines: LogWindowLine[]; from: number } | undefined>;
  setLogFilter(filter: LogFilter | null): Promise<void>;
  seekLogMatch(fromSeq: number, direction: 'next' | 'previous'): Promise<number | null>;
  exportLogs(filtered: boolean, timestamps: boolean): Promise<{ name: string; text: string; lines: number } | undefined>;
  /** Seals the filtered lines (or the last N minutes, or a range of seqs) into the active incident's evidence. */
  captureLogs(input: { filtered: boolean; lastMinutes?: number; range?: { fromSeq: number; toSeq: number } }): Promise<boolean>;
}

export type LogTail = Extract<LogViewEvent, { type: 'tail' }>;

export const createLogsSlice: CockpitSlice<LogsSlice> = (bridge) => (set, get) => {
  let unsubscribe: (() => void) | undefined;
  const tailListeners = new Set<(tail: LogTail) => void>();
  const patch = (update: Partial<LogViewState>, viewToken: object) => {
    if (token !== viewToken) return;
    const view = get().logView;
    if (view) set({ logView: { ...view, ...update } });
  };
  let token: object = {};

  return {
    openLogs(source, options = {}, namespace) {
      get().closeLogs();
      const contexts = get().contexts;
      const context = contexts?.current;
      const ns = namespace || contexts?.namespace || get().runbook?.service.namespace || 'default';
      const viewToken = (token = {});
      set({ logView: { source, options, namespace: ns, context: context ?? '', status: 'opening', sources: [], problems: [], filter: null, generation: 0 } });
      if (!context) {
        patch({ status: 'failed', error: { code: 'NotFound', message: 'no context is selected: pick one in the top bar' } }, viewToken);
        return;
      }
      unsubscribe = bridge.subscribe(
        'logs:view',
        { context, namespace: ns, source, options },
        {
          events: (events) => {
            let update: Partial<LogViewState> = {};
            const problems: CockpitError[] = [];
            let tail: LogTail | undefined;
            for (const event of events) {
              if (event.type === 'opened') update = { ...update, status: 'open', viewId: event.viewId, description: event.description };
              else if (event.type === 'stats') update.stats = event.stats;
              else if (event.type === 'sources') update.sources = event.sources;
              else if (event.type === 'tail') tail = event;
              else problems.push(event.error);
            }
            if (problems.length) update.problems = [...(get().logView?.problems ?? []), ...problems].slice(-5);
            patch(update, viewToken);
            // The counts first (the list sizes itself by them), then the newest lines into the list's ref.
            if (tail && token === viewToken) for (const listener of tailListeners) listener(tail);
          },
          error: (error) => patch({ status: 'failed', error }, viewToken),
          end: (reason) => patch({ status: 'ended', endReason: reason }, viewToken),
        },
      );
    },
    closeLogs() {
      token = {};
      unsubscribe?.();
      unsubscribe = undefined;
    },
    async followLogTail(lines, filtered) {
      const viewId = get().logView?.viewId;
      if (!viewId) return;
      try {
        await bridge.call('logs:follow', { viewId, lines, filtered });
      } catch {
        /* the view closed meanwhile */
      }
    },
    onLogTail(listener) {
      tailListeners.add(listener);
      return () => tailListeners.delete(listener);
    },
    async fetchLogWindow(from, count, filtered) {
      const viewId = get().logView?.viewId;
      if (!viewId) return undefined;
      try {
        return await bridge.call('logs:window', { viewId, from, count, filtered });
      } catch {
        return undefined;
      }
    },
    async setLogFilter(filter) {
      const view = get().logView;
      if (!view?.viewId) return;
      const viewToken = token;
      try {
        const result = await bridge.call('logs:setFilter', { viewId: view.viewId, filter });
        const current = get().logView;
        // The last stats came before the pass: until the next report, the pass's count is the one to show (not "0 of N").
        const stats = current?.stats && withMatched(current.stats, filter ? result.matched : undefined);
        patch({ filter, filterResult: result, filterError: undefined, generation: (current?.generation ?? 0) + 1, ...(stats ? { stats } : {}) }, viewToken);
      } catch (error) {
        patch({ filterError: asError(error).message }, viewToken);
      }
    },
    async seekLogMatch(fromSeq, direction) {
      const viewId = get().logView?.viewId;
      if (!viewId) return null;
      const result = await attempt(set, () => bridge.call('logs:seek', { viewId, fromSeq, direction }));
      return result?.seq ?? null;
    },
    async exportLogs(filtered, timestamps) {
      const viewId = get().logView?.viewId;
      if (!viewId) return undefined;
      return attempt(set, () => bridge.call('logs:export', { viewId, filtered, timestamps }));
    },
    async captureLogs({ filtered, lastMinutes, range }) {
      const view = get().logView;
      const incidentId = activeIncidentId(get());
      if (!view?.viewId) return false;
      if (!incidentId) {
        set({ notice: { code: 'NotFound', message: 'there is no active incident to capture to: declare or open one first' } });
        return false;
      }
      const viewToken = token;
      const result = await attempt(set, () =>
        bridge.call('logs:capture', { viewId: view.viewId!, incidentId, filtered, ...(lastMinutes !== undefined ? { lastMinutes } : {}), ...(range ? { range } : {}) }),
      );
      if (!result) return false;
      patch({ lastCapture: { name: result.name, lines: result.lines, incidentId } }, viewToken);
      void get().loadEvidence(incidentId);
      return true;
    },
  };
};

/** `stats` with the count of matching lines set (or taken away when there is no filter any more). */
function withMatched(stats: LogStats, matched: number | undefined): LogStats {
  const { matched: _old, ...rest } = stats;
  return matched === undefined ? rest : { ...rest, matched };
}
