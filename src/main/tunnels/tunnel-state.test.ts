import { describe, expect, it } from 'vitest';
import { INITIAL_PHASE, nextPhase, phaseChanged, type TunnelEvent, type TunnelPhase } from './tunnel-state';

const run = (...events: TunnelEvent[]): TunnelPhase => events.reduce(nextPhase, INITIAL_PHASE);

describe('tunnel state machine', () => {
  it('opens, loses its pod, reconnects, and counts the reconnect', () => {
    const open = run({ type: 'connected', pod: 'postgres-0' });
    expect(open).toEqual({ state: 'open', pod: 'postgres-0', reconnects: 0 });
    const lost = nextPhase(open, { type: 'lost', reason: 'pod postgres-0 was deleted' });
    expect(lost).toEqual({ state: 'reconnecting', reason: 'pod postgres-0 was deleted', pod: 'postgres-0', reconnects: 0 });
    const waiting = nextPhase(lost, { type: 'attemptFailed', reason: 'pod postgres-0 is not ready', permanent: false });
    expect(waiting).toMatchObject({ state: 'reconnecting', reason: 'pod postgres-0 is not ready' });
    expect(nextPhase(waiting, { type: 'connected', pod: 'postgres-0' })).toEqual({ state: 'open', pod: 'postgres-0', reconnects: 1 });
  });

  it('fails for good on a permanent error, and a failed tunnel retries only when asked', () => {
    const failed = run({ type: 'connected', pod: 'a' }, { type: 'lost', reason: 'dropped' }, { type: 'attemptFailed', reason: 'forbidden', permanent: true });
    expect(failed).toMatchObject({ state: 'failed', reason: 'forbidden' });
    expect(nextPhase(failed, { type: 'lost', reason: 'again' })).toBe(failed);
    const retrying = nextPhase(failed, { type: 'retry' });
    expect(retrying).toMatchObject({ state: 'reconnecting', reason: 'forbidden' });
    expect(nextPhase(retrying, { type: 'connected', pod: 'b' })).toEqual({ state: 'open', pod: 'b', reconnects: 1 });
  });

  it('gives up after reconnecting too long, and an opening tunnel keeps opening on transient errors', () => {
    expect(run({ type: 'connected', pod: 'a' }, { type: 'lost', reason: 'x' }, { type: 'gaveUp', reason: 'x (gave up)' })).toMatchObject({ state: 'failed', reason: 'x (gave up)' });
    expect(run({ type: 'attemptFailed', reason: 'not ready', permanent: false })).toMatchObject({ state: 'opening', reason: 'not ready' });
    expect(run({ type: 'retry' })).toEqual(INITIAL_PHASE);
  });

  it('stays closed whatever comes after', () => {
    const closed = run({ type: 'connected', pod: 'a' }, { type: 'closed', reason: 'closed by the user' });
    expect(closed).toEqual({ state: 'closed', reason: 'closed by the user', pod: 'a', reconnects: 0 });
    for (const event of [{ type: 'connected', pod: 'b' }, { type: 'lost', reason: 'x' }, { type: 'retry' }] as TunnelEvent[]) expect(nextPhase(closed, event)).toBe(closed);
  });

  it('reports a change only when state, reason, pod or reconnects differ', () => {
    const open = run({ type: 'connected', pod: 'a' });
    expect(phaseChanged(open, { ...open })).toBe(false);
    expect(phaseChanged(open, { ...open, pod: 'b' })).toBe(true);
    expect(phaseChanged(open, nextPhase(open, { type: 'lost', reason: 'x' }))).toBe(true);
  });
});
