import { randomBytes } from 'node:crypto';
import { foldIncident } from '../../shared/incidents/fold';
import {
  NEW_NOTE_DRAFT,
  openChecklistItems,
  summarise,
  type DraftKey,
  type Incident,
  type IncidentList,
  type IncidentRecordBodies,
  type IncidentRecordType,
  type IncidentStatus,
} from '../../shared/incidents/model';
import { Disposable, Emitter, type Event } from '../../shared/lifetimes';
import { CockpitFailure } from '../../shared/result';
import type { Runbook, SeverityId } from '../../shared/runbook/schema';
import type { Logger } from '../app/logger';
import type { RecordLog } from './record-log';

export interface IncidentServiceDeps {
  log: RecordLog;
  runbook: Runbook;
  logger: Logger;
  now?: () => Date;
  /** Called after a status change is recorded (the evidence store signs a checkpoint there). */
  onStatusRecorded?: (id: string, status: IncidentStatus) => Promise<unknown>;
}

const STATUS_ORDER: Record<IncidentStatus, number> = { investigating: 0, mitigated: 1, resolved: 2 };

/**
 * The incident lifecycle: declare, re-severity, status, checklist ticks, notes. Every change is
 * a record appended to the incident's log first; the state served is the fold of that log.
 */
export class IncidentService extends Disposable {
  private readonly cache = new Map<string, Incident>();
  private readonly changes = this.register(new Emitter<Incident>());
  /** Fires with an incident's new state after any record lands in its log, whoever wrote it. */
  readonly onDidChange: Event<Incident> = this.changes.event;
  private readonly now: () => Date;

  constructor(private readonly deps: IncidentServiceDeps) {
    super();
    this.now = deps.now ?? (() => new Date());
    this.register(deps.log.onDidAppend(({ logId }) => this.logAppended(logId)));
  }

  private logAppended(id: string): void {
    if (!id.startsWith('inc-')) return;
    this.cache.delete(id);
    this.get(id).then(
      (incident) => this.changes.fire(incident),
      (error: unknown) => this.deps.logger.error('incident.unreadable', { id, message: error instanceof Error ? error.message : String(error) }),
    );
  }

  async list(): Promise<IncidentList> {
    const list: IncidentList = { incidents: [], unreadable: [] };
    for (const id of await this.deps.log.listLogs()) {
      if (!id.startsWith('inc-')) continue;
      try {
        list.incidents.push(summarise(await this.get(id)));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.deps.logger.error('incident.unreadable', { id, message });
        list.unreadable.push({ id, error: message });
      }
    }
    list.incidents.sort((a, b) => b.declaredAt.localeCompare(a.declaredAt));
    return list;
  }

  async get(id: string): Promise<Incident> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const records = await this.deps.log.read(id);
    let incident: Incident;
    try {
      incident = foldIncident(records, this.deps.runbook);
    } catch (error) {
      throw new CockpitFailure('Corrupt', `incident ${id} cannot be rebuilt from its log: ${(error as Error).message}`);
    }
    this.cache.set(id, incident);
    return incident;
  }

  async declare(input: { title: string; severity: SeverityId; summary?: string | undefined }): Promise<Incident> {
    const id = `inc-${this.now().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
    const body: IncidentRecordBodies['incident.declared'] = { id, title: input.title, severity: input.severity };
    if (input.summary) body.summary = input.summary;
    return this.record(id, 'incident.declared', body);
  }

  async setSeverity(id: string, severity: SeverityId): Promise<Incident> {
    const incident = await this.get(id);
    if (incident.severity === severity) return incident;
    return this.record(id, 'incident.severity-changed', { from: incident.severity, to: severity });
  }

  /**
   * Moves the status on. Resolving with checklist items open needs the responder's confirmation:
   * `confirmedOpenItems` must name every open item (what they were shown), else `Conflict` lists
   * them; the items left open are recorded with the resolution, so the timeline says what was.
   */
  async setStatus(id: string, status: IncidentStatus, confirmedOpenItems: readonly string[] = []): Promise<Incident> {
    const incident = await this.get(id);
    if (incident.status === status) return incident;
    if (incident.status === 'resolved' && STATUS_ORDER[status] < STATUS_ORDER.resolved) {
      this.deps.logger.info('incident.reopened', { id, status });
    }
    const body: IncidentRecordBodies['incident.status-changed'] = { from: incident.status, to: status };
    if (status === 'resolved') {
      const open = openChecklistItems(incident);
      const confirmed = new Set(confirmedOpenItems);
      const unconfirmed = open.filter((item) => !confirmed.has(item.id));
      if (unconfirmed.length > 0) {
        throw new CockpitFailure(
          'Conflict',
          `incident ${id} has ${unconfirmed.length} open checklist item${unconfirmed.length > 1 ? 's' : ''} not confirmed for resolving: ${unconfirmed.map((i) => i.label).join('; ')}`,
        );
      }
      if (open.length > 0) body.openItems = open.map((item) => ({ itemId: item.id, label: item.label }));
    }
    const changed = await this.record(id, 'incident.status-changed', body);
    await this.deps.onStatusRecorded?.(id, status);
    return changed;
  }

  async checkItem(id: string, itemId: string, done: boolean): Promise<Incident> {
    const incident = await this.get(id);
    const item = incident.checklist.find((i) => i.id === itemId);
    if (!item) throw new CockpitFailure('NotFound', `incident ${id} has no checklist item "${itemId}"`);
    if (Boolean(item.done) === done) return incident;
    return this.record(id, 'checklist.item-checked', { itemId, label: item.label, done });
  }

  /** Each save is a new revision appended to the log, never an overwrite. */
  async saveNote(id: string, text: string, noteId?: string): Promise<Incident> {
    const incident = await this.get(id);
    if (noteId !== undefined && !incident.notes.some((n) => n.id === noteId)) {
      throw new CockpitFailure('NotFound', `incident ${id} has no note "${noteId}"`);
    }
    return this.record(id, 'note.revised', { noteId: noteId ?? `note-${randomBytes(4).toString('hex')}`, text });
  }

  /**
   * Seals what the responder is typing as a draft: kept in the encrypted log (nothing typed is
   * lost) but neither a note nor a timeline entry until it is added. Empty text discards it.
   */
  async saveDraft(id: string, key: DraftKey, text: string): Promise<Incident> {
    const incident = await this.get(id);
    if (key !== NEW_NOTE_DRAFT && !incident.notes.some((n) => n.id === key)) {
      throw new CockpitFailure('NotFound', `incident ${id} has no note "${key}" to draft an edit of`);
    }
    if ((incident.drafts[key]?.text ?? '') === text) return incident;
    return this.record(id, 'note.draft-saved', { key, text });
  }

  private async record<T extends IncidentRecordType>(id: string, type: T, body: IncidentRecordBodies[T]): Promise<Incident> {
    await this.deps.log.append(id, { type, body });
    this.cache.delete(id);
    const incident = await this.get(id);
    this.deps.logger.info('incident.recorded', { id, type });
    return incident;
  }
}
