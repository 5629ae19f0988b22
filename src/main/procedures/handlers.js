import { CockpitFailure } from '../../shared/result';
/** `procedures:`: preview, run, confirm, abort and resume runbook steps, and follow the runs. */
export function procedureHandlers(procedures, unavailable) {
    const need = () => {
        if (!procedures)
            throw unavailable ?? new CockpitFailure('Unavailable', 'procedures are unavailable: the runbook did not load');
        return procedures;
    };
    return {
        handlers: {
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
                for (const run of service.list().reverse())
                    sink.emit(run);
                return service.onDidChange((run) => sink.emit(run));
            },
        },
    };
}
