/** Events as a responder reads them: when last seen, warnings first, grouped by object. */
import { asObj, num, str, type KubeObject } from './objects';

/** The event's last occurrence (ms): series.lastObservedTime, lastTimestamp, eventTime, else creation. */
export function eventLastSeen(event: KubeObject): number {
  const e = event as KubeObject & Record<string, unknown>;
  for (const candidate of [asObj(e.series).lastObservedTime, e.lastTimestamp, e.eventTime, e.firstTimestamp, event.metadata.creationTimestamp]) {
    const at = Date.parse(str(candidate));
    if (!Number.isNaN(at)) return at;
  }
  return 0;
}

export function eventCount(event: KubeObject): number {
  const e = event as KubeObject & Record<string, unknown>;
  return num(asObj(e.series).count) || num(e.count) || 1;
}

export const eventType = (event: KubeObject): string => str((event as Record<string, unknown>).type, 'Normal');
export const eventReason = (event: KubeObject): string => str((event as Record<string, unknown>).reason);
export const eventMessage = (event: KubeObject): string => str((event as Record<string, unknown>).message);

/** `Pod/codesign-api-7d9-abcde`: the object an event is about. */
export function eventObject(event: KubeObject): { kind: string; name: string; namespace?: string } {
  const involved = asObj((event as Record<string, unknown>).involvedObject ?? (event as Record<string, unknown>).regarding);
  const result: { kind: string; name: string; namespace?: string } = { kind: str(involved.kind), name: str(involved.name) };
  if (involved.namespace) result.namespace = str(involved.namespace);
  return result;
}

export interface EventGroup {
  /** `Pod/name`. */
  object: string;
  kind: string;
  name: string;
  warnings: number;
  total: number;
  lastSeen: number;
  events: KubeObject[];
}

/** Events grouped by the object they are about; groups with warnings first, then the most recent. */
export function groupEvents(events: Iterable<KubeObject>): EventGroup[] {
  const groups = new Map<string, EventGroup>();
  for (const event of events) {
    const { kind, name } = eventObject(event);
    const object = `${kind}/${name}`;
    let group = groups.get(object);
    if (!group) groups.set(object, (group = { object, kind, name, warnings: 0, total: 0, lastSeen: 0, events: [] }));
    const count = eventCount(event);
    group.total += count;
    if (eventType(event) === 'Warning') group.warnings += count;
    group.lastSeen = Math.max(group.lastSeen, eventLastSeen(event));
    group.events.push(event);
  }
  for (const group of groups.values()) {
    group.events.sort((a, b) => Number(eventType(b) === 'Warning') - Number(eventType(a) === 'Warning') || eventLastSeen(b) - eventLastSeen(a));
  }
  return [...groups.values()].sort((a, b) => Number(b.warnings > 0) - Number(a.warnings > 0) || b.lastSeen - a.lastSeen);
}
