import { appRequests, appStreams } from './app';
import { contextRequests, contextStreams } from './contexts';
import { evidenceRequests, evidenceStreams } from './evidence';
import { incidentRequests, incidentStreams } from './incidents';
import { procedureRequests, procedureStreams } from './procedures';
export { DeclareIncidentInput, IncidentStatusSchema } from './incidents';
export { MAX_EVIDENCE_FILE_BYTES } from './evidence';
export const requests = {
    ...appRequests,
    ...incidentRequests,
    ...contextRequests,
    ...evidenceRequests,
    ...procedureRequests,
};
export const streams = {
    ...appStreams,
    ...incidentStreams,
    ...contextStreams,
    ...evidenceStreams,
    ...procedureStreams,
};
export const isRequestName = (name) => typeof name === 'string' && Object.hasOwn(requests, name);
export const isStreamName = (name) => typeof name === 'string' && Object.hasOwn(streams, name);
