import type { contextRequests } from '../../shared/contract/contexts';
import { CockpitFailure } from '../../shared/result';
import type { contextStreams } from '../../shared/contract/contexts';
import type { HandlersOf, StreamProviders } from '../host/dispatcher';
import type { ContextService } from './context-service';
import type { DrillContext } from './drill-context';

/** `contexts:` and `drill:`. Choices made outside any incident go to the session log. */
export function contextHandlers(deps: {
  contexts: ContextService;
  drill: DrillContext | undefined;
  recordSession: (type: string, body: Record<string, unknown>) => Promise<void>;
}): HandlersOf<keyof typeof contextRequests> {
  const { contexts, drill, recordSession } = deps;
  const needDrill = (): DrillContext => {
    if (!drill) throw new CockpitFailure('Unavailable', 'the drill cluster is turned off (COCKPIT_DRILL=off)');
    return drill;
  };
  return {
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
    'drill:status': () => (drill ? drill.status() : { running: false, scenarios: [], error: 'turned off (COCKPIT_DRILL=off)' }),
    'drill:setScenario': async ({ name, active }) => {
      const status = await needDrill().setScenario(name, active);
      await recordSession('session.drill-scenario', { name, active });
      return status;
    },
  };
}

/** `contexts:changed`: the list after every change (selection, kubeconfig edited on disk, health). */
export function contextProviders(contexts: ContextService): Pick<StreamProviders, keyof typeof contextStreams> {
  return {
    'contexts:changed': (_input, sink) => contexts.onDidChangeList((list) => sink.emit(list)),
  };
}
