import type { incidentRequests } from '../../shared/contract/incidents';
import { CockpitFailure } from '../../shared/result';
import type { HandlersOf, StreamProviders } from '../host/dispatcher';
import type { IncidentService } from './incident-service';

/** `incidents:`: the lifecycle, answered by the incident service, or why it is unavailable (no runbook). */
export function incidentHandlers(
  incidents: IncidentService | undefined,
  unavailable: CockpitFailure | undefined,
): { handlers: HandlersOf<keyof typeof incidentRequests>; providers: Pick<StreamProviders, 'incidents:changed'> } {
  const need = (): IncidentService => {
    if (!incidents) throw unavailable ?? new CockpitFailure('Unavailable', 'incidents are unavailable');
    return incidents;
  };
  return {
    handlers: {
      'incidents:list': () => need().list(),
      'incidents:get': ({ id }) => need().get(id),
      'incidents:declare': (input) => need().declare(input),
      'incidents:setSeverity': ({ id, severity }) => need().setSeverity(id, severity),
      'incidents:setStatus': ({ id, status, confirmedOpenItems }) => need().setStatus(id, status, confirmedOpenItems),
      'incidents:checkItem': ({ id, itemId, done }) => need().checkItem(id, itemId, done),
      'incidents:saveNote': ({ id, noteId, text }) => need().saveNote(id, text, noteId),
      'incidents:saveDraft': ({ id, key, text }) => need().saveDraft(id, key, text),
    },
    providers: {
      'incidents:changed': (_input, sink) => need().onDidChange((incident) => sink.emit(incident)),
    },
  };
}
