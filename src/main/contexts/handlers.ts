import type { contextRequests } from '../../shared/contract/contexts';
import type { DrillStatus } from '../../shared/contexts';
import { CockpitFailure } from '../../shared/result';
import { toDisposable } from '../../shared/lifetimes';
import type { HandlersOf, StreamProviders } from '../host/dispatcher';
import type { ContextService } from './context-service';
import type { DrillContext } from './drill-context';

const DRILL_OFF: DrillStatus = { state: 'off', running: false, scenarios: [], restarts: 0, error: 'turned off (COCKPIT_DRILL=off)' };

/** `contexts:` and `drill:`. Choices made outside any incident go to the session log. */
export function contextHandlers(deps: {
  contexts: ContextService;
  drill: DrillContext | undefined;
  recordSession: (type: string, body: Record<string, unknown>) => Promise<void>;
}): { handlers: HandlersOf<keyof typeof contextRequests>; providers: Pick<StreamProviders, 'drill:changed'> } {
  const { contexts, drill, recordSession } = deps;
  const needDrill = (): DrillContext => {
    if (!drill) throw new CockpitFailure('Unavailable', 'the drill cluster is turned off (COCKPIT_DRILL=off)');
    return drill;
  };
  return {
    handlers: {
      'contexts:list': () => contexts.list(),
      'contexts:select': async ({ name }) => {
        const list = await contexts.select(name);
        await recordSession('session.context-selected', { name });
        return list;
      },
      'contexts:selectNamespace': async ({ namespace }) => {
        const list = await contexts.selectNamespace(namespace);
        await recordSession('session.namespace-selected', { context: list.current, namespace: namespace || '(all namespaces)' });
        return list;
      },
      'contexts:checkHealth': ({ name }) => contexts.checkHealth(name),
      'contexts:namespaces': () => contexts.namespaces(),
      'drill:status': () => (drill ? drill.status() : DRILL_OFF),
      'drill:setScenario': async ({ name, active }) => {
        const status = await needDrill().setScenario(name, active);
        await recordSession('session.drill-scenario', { name, active });
        return status;
      },
      'drill:restart': async () => {
        const status = await needDrill().restart();
        await recordSession('session.drill-restart', {});
        return status;
      },
      'drill:reset': async () => {
        const status = await needDrill().reset();
        await recordSession('session.drill-reset', { reset: status.resetDescription });
        return status;
      },
    },
    providers: {
      /** The drill's status now, then after every change (process state, scenarios, endings). */
      'drill:changed': (_input, sink) => {
        if (!drill) {
          sink.emit(DRILL_OFF);
          return toDisposable(() => undefined);
        }
        sink.emit(drill.status());
        return drill.onDidChange((status) => sink.emit(status));
      },
    },
  };
}

/** `contexts:changed`: the list after every change (selection, kubeconfig edited on disk, health). */
export function contextProviders(contexts: ContextService): Pick<StreamProviders, 'contexts:changed'> {
  return {
    'contexts:changed': (_input, sink) => contexts.onDidChangeList((list) => sink.emit(list)),
  };
}
