import type { ResourceView } from './clusterSlice';

/** What a list is doing when it is not simply showing rows: listing, reconnecting, denied. */
export function ResourceStatus({ view, what }: { view: ResourceView | undefined; what: string }) {
  if (!view) return <p className="muted">Choose a context to see {what}.</p>;
  if (view.error && view.state !== 'watching') {
    return (
      <div className={`error-detail${view.state === 'reconnecting' ? ' reconnecting' : ''}`} role="alert" data-testid="resource-error">
        <strong>{view.state === 'reconnecting' ? `Reconnecting (attempt ${view.attempt ?? 1})` : `Cannot list ${what}`}</strong>: [{view.error.code}] {view.error.message}
      </div>
    );
  }
  if (!view.synced) return <p className="muted" role="status">Listing {what}…</p>;
  if (view.complete === false) {
    return (
      <p className="muted small" role="status">
        Receiving {what}: {view.items.size} of {view.total}…
      </p>
    );
  }
  return null;
}
