import { z } from 'zod';
import { INCIDENT_STATUSES } from '../incidents/model';
import { SeverityIdSchema } from '../runbook/schema';
import { IncidentId, NoInput, request, stream } from './define';
const ItemId = z.string().min(1).max(200);
/** Typed as the template literal the model uses (`DraftKey`); the regex is what is checked. */
const NoteId = z.string().regex(/^note-[a-z0-9]{4,16}$/);
export const IncidentStatusSchema = z.enum(INCIDENT_STATUSES);
export const DeclareIncidentInput = z.strictObject({
    title: z.string().trim().min(3, 'needs at least 3 characters').max(200),
    severity: SeverityIdSchema,
    summary: z.string().trim().max(10_000).optional(),
});
export const incidentRequests = {
    'incidents:list': request(NoInput).returns(),
    'incidents:get': request(z.strictObject({ id: IncidentId })).returns(),
    'incidents:declare': request(DeclareIncidentInput).returns(),
    'incidents:setSeverity': request(z.strictObject({ id: IncidentId, severity: SeverityIdSchema })).returns(),
    'incidents:setStatus': request(z.strictObject({
        id: IncidentId,
        status: IncidentStatusSchema,
        /** Resolving with open checklist items: the ids of the open items the responder confirmed. */
        confirmedOpenItems: z.array(ItemId).max(1000).optional(),
    })).returns(),
    'incidents:checkItem': request(z.strictObject({ id: IncidentId, itemId: ItemId, done: z.boolean() })).returns(),
    'incidents:saveNote': request(z.strictObject({
        id: IncidentId,
        /** Absent for a new note. */
        noteId: NoteId.optional(),
        text: z.string().trim().min(1, 'is empty').max(100_000),
    })).returns(),
    /** Seals a draft (`new` note, or an edit of `note-…`); empty text discards it. */
    'incidents:saveDraft': request(z.strictObject({
        id: IncidentId,
        key: z.union([z.literal('new'), NoteId]),
        text: z.string().max(100_000),
    })).returns(),
};
export const incidentStreams = {
    /** An incident changed (declared, ticked, noted, ...): carries its new state. */
    'incidents:changed': stream(NoInput).emits(),
};
