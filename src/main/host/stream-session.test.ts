import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ensureNoDisposablesAreLeakedInTestSuite } from '../../../test/support/leak-check';
import { toDisposable, type IDisposable } from '../../shared/lifetimes';
import { CockpitFailure, type CockpitError } from '../../shared/result';
import { StreamClient } from '../../shared/stream-client';
import type { ClientMessage, ServerMessage } from '../../shared/wire';
import { MemoryLogger } from '../app/logger';
import { ContractDispatcher, type RequestHandlers, type StreamProviders, type StreamSink } from './dispatcher';
import { StreamSession, type FlowControl } from './stream-session';

type Provider = (input: unknown, sink: StreamSink<unknown>) => IDisposable | Promise<IDisposable>;

/** A session over an in-memory transport, with the real client half on the other end. */
function harness(providers: Record<string, Provider>, flow: Partial<FlowControl> = {}, options: { autoAck?: boolean } = {}) {
  const contract = {
    requests: {},
    streams: Object.fromEntries(Object.keys(providers).map((name) => [name, { input: z.unknown(), bytes: name.includes('bytes') }])),
  };
  const dispatcher = new ContractDispatcher({} as RequestHandlers, providers as unknown as StreamProviders, new MemoryLogger(), contract);
  const sent: ServerMessage[] = [];
  const byteBatches: Array<{ id: number; chunks: Uint8Array[] }> = [];
  let lastId = 0;
  const toMain: ClientMessage[] = [];
  const client = new StreamClient((message) => {
    toMain.push(message);
    if (message.t === 'subscribe') session.subscribe(message.id, message.channel, message.input);
    else if (message.t === 'unsubscribe') session.unsubscribe(message.id);
    else if (message.t === 'ack' && options.autoAck !== false) session.ack(message.id, message.bytes);
    return true;
  }, () => ++lastId);
  const session: StreamSession = new StreamSession(
    dispatcher,
    {
      sendText: (text) => {
        const message = JSON.parse(text) as ServerMessage;
        sent.push(message);
        if (message.t === 'events' || message.t === 'end' || message.t === 'error') client.receive(message);
      },
      sendBytes: (id, chunks) => {
        byteBatches.push({ id, chunks });
        client.receiveBytes(id, chunks, chunks.reduce((n, c) => n + c.byteLength, 0));
      },
      bufferedAmount: () => 0,
    },
    new MemoryLogger(),
    flow,
  );
  return { session, client, sent, byteBatches, toMain, dispatcher };
}

function collect() {
  const events: unknown[] = [];
  const closes: Array<{ end?: string; error?: CockpitError }> = [];
  return {
    events,
    closes,
    handlers: {
      events: (batch: unknown[]) => events.push(...batch),
      end: (reason: string) => closes.push({ end: reason }),
      error: (error: CockpitError) => closes.push({ error }),
    },
  };
}

const flushTimers = () => vi.advanceTimersByTimeAsync(100);

/** A byte stream (high-water 1000, low 200, batches of 100) whose source records its pauses and resumes. */
function pausableBytes() {
  const states: string[] = [];
  let sink: StreamSink<unknown> | undefined;
  const { session, client, toMain } = harness(
    {
      'test:bytes': (_input, s) => {
        sink = s;
        const store = [s.onDidPause(() => states.push('pause')), s.onDidResume(() => states.push('resume'))];
        return toDisposable(() => store.forEach((d) => d.dispose()));
      },
    },
    { highWaterMark: 1000, lowWaterMark: 200, maxBatchBytes: 100, maxBufferedBytes: 4000 },
  );
  return { session, client, toMain, states, sink: () => sink! };
}

describe('StreamSession', () => {
  ensureNoDisposablesAreLeakedInTestSuite();
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers events in order, then exactly one end, and releases the provider', async () => {
    let released = 0;
    const { session, client } = harness({
      'test:numbers': (_input, sink) => {
        for (let i = 0; i < 5000; i++) sink.emit(i);
        sink.end('done');
        sink.end('again');
        sink.fail(new Error('ignored'));
        return toDisposable(() => released++);
      },
    });
    const seen = collect();
    client.subscribe('test:numbers', {}, seen.handlers);
    await flushTimers();
    expect(seen.events).toEqual([...Array(5000).keys()]);
    expect(seen.closes).toEqual([{ end: 'done' }]);
    expect(released).toBe(1);
    expect(session.size).toBe(0);
    session.dispose();
  });

  it('ends with the provider’s error, keeping its code, after the events before it', async () => {
    const { session, client } = harness({
      'test:fails': (_input, sink) => {
        sink.emit('a');
        setTimeout(() => sink.fail(new CockpitFailure('NotFound', 'pod "nope" does not exist')), 10);
        return toDisposable(() => undefined);
      },
    });
    const seen = collect();
    client.subscribe('test:fails', {}, seen.handlers);
    await flushTimers();
    expect(seen.events).toEqual(['a']);
    expect(seen.closes).toEqual([{ error: { code: 'NotFound', message: 'pod "nope" does not exist' } }]);
    session.dispose();
  });

  it('a refused subscription arrives as an error: unknown stream, provider that throws', async () => {
    const { session, client } = harness({
      'test:refuses': () => {
        throw new CockpitFailure('Forbidden', 'pods is forbidden');
      },
    });
    const unknown = collect();
    const refused = collect();
    client.subscribe('test:nothing', {}, unknown.handlers);
    client.subscribe('test:refuses', {}, refused.handlers);
    await flushTimers();
    expect(unknown.closes).toEqual([{ error: { code: 'Invalid', message: 'unknown stream "test:nothing"' } }]);
    expect(refused.closes).toEqual([{ error: { code: 'Forbidden', message: 'pods is forbidden' } }]);
    expect(session.size).toBe(0);
    session.dispose();
  });

  it('batches by count, by bytes and by time, whichever comes first', async () => {
    const emitters: Array<StreamSink<unknown>> = [];
    const { session, client, sent } = harness(
      { 'test:manual': (_input, sink) => (emitters.push(sink), toDisposable(() => undefined)) },
      { maxBatchEvents: 10, maxBatchBytes: 100, maxBatchWaitMs: 20 },
      // A credit flushes what is queued: without one, the batching alone is seen.
      { autoAck: false },
    );
    client.subscribe('test:manual', {}, collect().handlers);
    await vi.advanceTimersByTimeAsync(0);
    const sink = emitters[0]!;
    const batches = () => sent.filter((m) => m.t === 'events').map((m) => (m as { events: unknown[] }).events.length);

    for (let i = 0; i < 25; i++) sink.emit(i); // by count: 10, 10, then 5 waiting
    expect(batches()).toEqual([10, 10]);
    await vi.advanceTimersByTimeAsync(19);
    expect(batches()).toEqual([10, 10]);
    await vi.advanceTimersByTimeAsync(1); // by time
    expect(batches()).toEqual([10, 10, 5]);
    sink.emit('x'.repeat(60));
    sink.emit('y'.repeat(60)); // by bytes: 62 + 62 >= 100
    expect(batches()).toEqual([10, 10, 5, 2]);
    session.dispose();
  });

  it('pauses the source above the high-water mark and resumes it below the low-water mark', async () => {
    const { session, client, states, sink: current } = pausableBytes();
    const acks: Array<() => void> = [];
    client.subscribe('test:bytes', {}, { manualAck: true, events: (_batch, ack) => acks.push(ack) });
    await vi.advanceTimersByTimeAsync(0);
    const sink = current();
    for (let i = 0; i < 12; i++) sink.emit(new Uint8Array(100));
    expect(sink.paused).toBe(true);
    expect(states).toEqual(['pause']);
    // Only the high-water mark's worth went out; the rest waits in main.
    expect(acks).toHaveLength(10);
    for (const ack of acks.splice(0, 10)) ack();
    // The page sends one credit for them at the end of the task.
    await Promise.resolve();
    // The two queued batches went out on the credit; 200 bytes are still out, not below 200.
    expect(acks).toHaveLength(2);
    expect(states).toEqual(['pause']);
    for (const ack of acks.splice(0)) ack();
    await Promise.resolve();
    expect(states).toEqual(['pause', 'resume']);
    expect(sink.paused).toBe(false);
    session.dispose();
  });

  it('the page credits every batch it consumed in one task with one ack, and none for a stream it left', async () => {
    const { session, client, toMain, sink: current } = pausableBytes();
    const acks: Array<() => void> = [];
    const unsubscribe = client.subscribe('test:bytes', {}, { manualAck: true, events: (_batch, ack) => acks.push(ack) });
    await vi.advanceTimersByTimeAsync(0);
    const sink = current();
    for (let i = 0; i < 4; i++) sink.emit(new Uint8Array(100));
    expect(acks).toHaveLength(4);
    for (const ack of acks.splice(0)) ack();
    acks.length = 0;
    expect(toMain.filter((m) => m.t === 'ack')).toEqual([]);
    await Promise.resolve();
    expect(toMain.filter((m) => m.t === 'ack')).toEqual([{ t: 'ack', id: 1, bytes: 400 }]);
    // Acknowledged, then left in the same task: no credit for a stream main already stopped.
    sink.emit(new Uint8Array(100));
    for (const ack of acks.splice(0)) ack();
    unsubscribe();
    await Promise.resolve();
    expect(toMain.filter((m) => m.t === 'ack')).toHaveLength(1);
    session.dispose();
  });

  it('discards what is queued and not sent (the reader keeps what it got), and nothing once the stream is closing', async () => {
    const { session, client, states, sink: current } = pausableBytes();
    const acks: Array<() => void> = [];
    let received = 0;
    client.subscribe('test:bytes', {}, { manualAck: true, events: (batch, ack) => ((received += batch.length), acks.push(ack)) });
    await vi.advanceTimersByTimeAsync(0);
    const sink = current();
    for (let i = 0; i < 15; i++) sink.emit(new Uint8Array(100));
    expect(received).toBe(10);
    expect(sink.discardQueued?.()).toBe(500);
    expect(sink.discardQueued?.()).toBe(0);
    for (const ack of acks.splice(0)) ack();
    await flushTimers();
    expect(received).toBe(10);
    expect(states).toEqual(['pause', 'resume']);
    // Closing: the last events go out, whatever is asked.
    for (let i = 0; i < 15; i++) sink.emit(new Uint8Array(100));
    sink.end('done');
    expect(sink.discardQueued?.()).toBe(0);
    for (let round = 0; round < 3; round++) {
      for (const ack of acks.splice(0)) ack();
      await flushTimers();
    }
    expect(received).toBe(25);
    session.dispose();
  });

  it('a stalled reader never makes main hold more than the cap: the stream fails, saying why', async () => {
    let sink!: StreamSink<unknown>;
    const { session, client } = harness(
      { 'test:bytes': (_input, s) => ((sink = s), toDisposable(() => undefined)) },
      { highWaterMark: 1000, lowWaterMark: 200, maxBatchBytes: 100, maxBufferedBytes: 2000 },
    );
    const seen = collect();
    client.subscribe('test:bytes', {}, { ...seen.handlers, manualAck: true, events: () => undefined });
    await vi.advanceTimersByTimeAsync(0);
    // A source that ignores pause: 100 KB offered to a reader that never acknowledges.
    for (let i = 0; i < 1000 && !sink.closed; i++) sink.emit(new Uint8Array(100));
    expect(sink.closed).toBe(true);
    expect(seen.closes).toEqual([{ error: { code: 'Unavailable', message: expect.stringContaining('fell more than') } }]);
    session.dispose();
  });

  it('carries byte streams as bytes', async () => {
    const { session, client, byteBatches, sent } = harness({
      'test:bytes': (_input, sink) => {
        sink.emit(new TextEncoder().encode('hello '));
        sink.emit(new TextEncoder().encode('world'));
        sink.end();
        return toDisposable(() => undefined);
      },
    });
    const chunks: Uint8Array[] = [];
    client.subscribe('test:bytes', {}, { events: (batch) => chunks.push(...(batch as Uint8Array[])) });
    await flushTimers();
    expect(new TextDecoder().decode(Buffer.concat(chunks))).toBe('hello world');
    expect(byteBatches.flatMap((b) => b.chunks).map((c) => c.byteLength)).toEqual([6, 5]);
    expect(sent.filter((m) => m.t === 'events')).toEqual([]);
    session.dispose();
  });

  it('an idle byte stream sends a lone chunk at once; what follows while it is unacknowledged is batched', async () => {
    let sink: StreamSink<unknown> | undefined;
    const { session, client, byteBatches } = harness(
      { 'test:bytes': (_input, s) => ((sink = s), toDisposable(() => undefined)) },
      { maxBatchWaitMs: 50 },
      { autoAck: false },
    );
    const unsubscribe = client.subscribe('test:bytes', {}, { manualAck: true, events: () => undefined });
    await vi.advanceTimersByTimeAsync(0);
    sink!.emit(new TextEncoder().encode('x'));
    expect(byteBatches.map((b) => b.chunks.length)).toEqual([1]); // no timer waited for
    sink!.emit(new TextEncoder().encode('a'));
    sink!.emit(new TextEncoder().encode('b'));
    expect(byteBatches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(byteBatches.map((b) => b.chunks.length)).toEqual([1, 2]);
    unsubscribe();
    session.dispose();
  });

  it('a session disposed (page reloaded, window closed) stops every subscription it holds', async () => {
    let running = 0;
    const { session, client, dispatcher } = harness({
      'test:forever': () => {
        running++;
        return toDisposable(() => running--);
      },
    });
    for (let i = 0; i < 20; i++) client.subscribe('test:forever', {}, collect().handlers);
    await vi.advanceTimersByTimeAsync(0);
    expect(running).toBe(20);
    expect(dispatcher.liveStreams).toBe(20);
    session.dispose();
    expect(running).toBe(0);
    expect(dispatcher.liveStreams).toBe(0);
  });

  it('unsubscribing while the provider is still starting releases it when it arrives', async () => {
    let released = false;
    const { session, client } = harness({
      'test:slow': async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return toDisposable(() => (released = true));
      },
    });
    const stop = client.subscribe('test:slow', {}, collect().handlers);
    stop();
    await flushTimers();
    expect(released).toBe(true);
    expect(session.size).toBe(0);
    session.dispose();
  });

  it('a reused subscription id stops the earlier stream', async () => {
    let running = 0;
    const { session } = harness({
      'test:forever': () => {
        running++;
        return toDisposable(() => running--);
      },
    });
    for (let i = 0; i < 50; i++) session.subscribe(7, 'test:forever', {});
    await vi.advanceTimersByTimeAsync(0);
    expect(running).toBe(1);
    session.dispose();
    expect(running).toBe(0);
  });

  it('an event that cannot be serialised fails its stream, not the process', async () => {
    const { session, client } = harness({
      'test:bad': (_input, sink) => {
        sink.emit({ big: 1n });
        return toDisposable(() => undefined);
      },
    });
    const seen = collect();
    client.subscribe('test:bad', {}, seen.handlers);
    await flushTimers();
    expect(seen.closes).toEqual([{ error: { code: 'Internal', message: expect.stringContaining('cannot be sent') } }]);
    session.dispose();
  });

  it('the client ends every stream with Unreachable when the connection is lost', async () => {
    const { session, client } = harness({ 'test:forever': () => toDisposable(() => undefined) });
    const seen = collect();
    client.subscribe('test:forever', {}, seen.handlers);
    await vi.advanceTimersByTimeAsync(0);
    client.connectionLost();
    expect(seen.closes).toEqual([{ error: { code: 'Unreachable', message: 'lost the connection to the cockpit host' } }]);
    session.dispose();
  });
});
