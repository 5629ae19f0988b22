/**
 * Core `v1` Events for what happens in the world (scheduling, starts, kills, back-offs,
 * rollouts), aggregated like the kubelet's recorder: a repeat bumps `count` and `lastTimestamp`.
 */
import { RESOURCE_KEYS } from '../resources';
import { StoreError, type DrillClock, type KubeObject, type ObjectStore } from '../types';
import { rfc3339 } from './object-names';

export type EventType = 'Normal' | 'Warning';

/** Who reports an event: `kubelet` on a node, `deployment-controller`, `cert-manager-certificates-issuing`... */
export interface EventSource {
  component: string;
  host?: string;
}

/** Events older than this (simulated) are dropped, like the API server's one-hour event TTL. */
const EVENT_TTL_MS = 60 * 60 * 1000;
const MAX_EVENTS = 2000;

interface RecordedEvent {
  namespace: string;
  name: string;
  lastSeen: number;
}

export class EventRecorder {
  private readonly byKey = new Map<string, RecordedEvent>();
  private sequence = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: DrillClock,
  ) {}

  /** Records (or re-counts) an event about `involved`; `fieldPath` names a container (`spec.containers{api}`). */
  record(
    involved: KubeObject,
    type: EventType,
    reason: string,
    message: string,
    source: EventSource,
    fieldPath?: string,
  ): void {
    const meta = involved.metadata;
    const namespace = meta.namespace ?? 'default';
    const now = this.clock.now();
    const key = `${meta.uid ?? meta.name}|${fieldPath ?? ''}|${reason}|${message}`;
    const existing = this.byKey.get(key);
    if (existing) {
      try {
        this.store.mutate(RESOURCE_KEYS.events, existing.namespace, existing.name, (event) => {
          event.count = ((event.count as number | undefined) ?? 1) + 1;
          event.lastTimestamp = rfc3339(now);
        });
        existing.lastSeen = now;
        return;
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        this.byKey.delete(key);
      }
    }
    const name = `${meta.name}.${(now * 1000 + (this.sequence++ % 1000)).toString(16).padStart(16, '0')}`;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: involved.apiVersion,
        kind: involved.kind,
        name: meta.name,
        namespace: meta.namespace,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      source,
      firstTimestamp: rfc3339(now),
      lastTimestamp: rfc3339(now),
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    };
    try {
      this.store.create(RESOURCE_KEYS.events, event);
      this.byKey.set(key, { namespace, name, lastSeen: now });
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
    }
  }

  /** Drops events past their TTL, and the oldest beyond the cap. */
  expire(): void {
    const cutoff = this.clock.now() - EVENT_TTL_MS;
    const entries = [...this.byKey.entries()].sort((a, b) => a[1].lastSeen - b[1].lastSeen);
    const excess = entries.length - MAX_EVENTS;
    entries.forEach(([key, recorded], index) => {
      if (recorded.lastSeen < cutoff || index < excess) {
        this.store.delete(RESOURCE_KEYS.events, recorded.namespace, recorded.name);
        this.byKey.delete(key);
      }
    });
  }
}
