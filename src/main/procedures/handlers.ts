import type { procedureRequests } from '../../shared/contract/procedures';
import { CockpitFailure } from '../../shared/result';
import type { HandlersOf, StreamProviders } from '../host/dispatcher';
import type { ProcedureService } from './procedure-service';

/** `procedures:`: preview, run, confirm, abort and resume runbook steps, and follow the runs. */
export function procedureHandlers(
  procedures: ProcedureService | undefined,
  unavailable: CockpitFailure | undefined,
): { handlers: HandlersOf<keyof typeof procedureRequests>; providers: Pick<StreamProviders, 'procedures:runs'> } {
  const need = (): ProcedureService => {
    if (!procedures) throw unavailable ?? new CockpitFailure('Unavailable', 'procedures are unavailable: the runbook did not load');
    return procedures;
  };
  return {
    handlers: {
      'procedures:access': ({ stepIds, context }) => need().access(stepIds, context),
      'procedures:preview': (input) => need().preview(input),
      'procedures:run': (input) => need().start(input),
      'procedures:confirm': ({ runId, typedName }) => need().confirm(runId, typedName),
      'procedures:abort': ({ runId }) => need().abort(runId),
      'procedures:resume': ({ runId }) => need().resume(runId),
    },
    providers: {
      'procedures:runs': (_input, sink) => {
        const service = need();
        // Oldest first, so the renderer's last event per run is its newest state.
        for (const run of service.list().reverse()) sink.emit(run);
        return service.onDidChange((run) => sink.emit(run));
      },
    },
  };
}
