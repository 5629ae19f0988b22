import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensureNoDisposablesAreLeakedInTestSuite } from '../../../test/support/leak-check';
import { TERMINAL_FLOW, terminalStreams } from '../../shared/contract/terminal';
import { DisposableStore } from '../../shared/lifetimes';
import { StreamClient } from '../../shared/stream-client';
import type { ClientMessage } from '../../shared/wire';
import { MemoryLogger } from '../app/logger';
import { ContractDispatcher, type RequestHandlers, type StreamProviders, type StreamSink } from '../host/dispatcher';
import { StreamSession } from '../host/stream-session';

const READ = 4096;
const input = { id: 'term-0123456789abcdef', key: 'k'.repeat(32) };

/**
 * The terminal's output stream through the real session and client, with a pty stand-in wired
 * as TerminalService.attach wires node-pty (pause on onDidPause, resume on onDidResume) that
 * reads 4 KiB every millisecond while it is not paused, and a page that acknowledges a batch
 * only when the test says xterm has parsed it.
 */
function terminalStream() {
  const pty = { paused: false, pauses: 0, resumes: 0, produced: 0 };
  let sink: StreamSink<Uint8Array> | undefined;
  const providers = {
    'terminal:output': (_input: unknown, s: StreamSink<Uint8Array>) => {
      sink = s;
      const lifetime = new DisposableStore();
      lifetime.add(s.onDidPause(() => ((pty.paused = true), pty.pauses++)));
      lifetime.add(s.onDidResume(() => ((pty.paused = false), pty.resumes++)));
      const reader = setInterval(() => {
        if (pty.paused || s.closed) return;
        pty.produced += READ;
        s.emit(new Uint8Array(READ).fill(0x79));
      }, 1);
      lifetime.addFn(() => clearInterval(reader));
      return lifetime;
    },
  };
  const dispatcher = new ContractDispatcher({} as RequestHandlers, providers as unknown as StreamProviders, new MemoryLogger(), {
    requests: {},
    streams: { 'terminal:output': terminalStreams['terminal:output'] },
  });
  const pendingAcks: Array<{ size: number; ack: () => void }> = [];
  const batches: number[] = [];
  let delivered = 0;
  let acked = 0;
  let lastId = 0;
  const client = new StreamClient((message: ClientMessage) => {
    if (message.t === 'subscribe') session.subscribe(message.id, message.channel, message.input);
    else if (message.t === 'unsubscribe') session.unsubscribe(message.id);
    else if (message.t === 'ack') session.ack(message.id, message.bytes);
    return true;
  }, () => ++lastId);
  const session: StreamSession = new StreamSession(
    dispatcher,
    {
      sendText: () => undefined,
      sendBytes: (id, chunks) => client.receiveBytes(id, chunks, chunks.reduce((n, c) => n + c.byteLength, 0)),
      bufferedAmount: () => 0,
    },
    new MemoryLogger(),
  );
  const errors: string[] = [];
  const unsubscribe = client.subscribe('terminal:output', input, {
    manualAck: true,
    events: (chunks, ack) => {
      const size = (chunks as Uint8Array[]).reduce((n, c) => n + c.byteLength, 0);
      batches.push(size);
      delivered += size;
      pendingAcks.push({ size, ack });
    },
    error: (error) => errors.push(error.message),
  });
  return {
    pty,
    batches,
    errors,
    sink: () => sink!,
    delivered: () => delivered,
    /** Bytes read from the pty and not yet acknowledged by the page (queued in main or sent). */
    inFlight: () => pty.produced - acked,
    /** xterm parsed the oldest `count` batches (in one task). */
    async parse(count = pendingAcks.length) {
      for (const { size, ack } of pendingAcks.splice(0, count)) {
        acked += size;
        ack();
      }
      // The page sends its credit at the end of the task.
      await Promise.resolve();
    },
    dispose() {
      unsubscribe();
      session.dispose();
    },
  };
}

describe('terminal flow control (the stream session with the terminal contract)', () => {
  ensureNoDisposablesAreLeakedInTestSuite();
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pauses the pty once the page holds the high-water mark unacknowledged, whatever the pty could give', async () => {
    const stream = terminalStream();
    await vi.advanceTimersByTimeAsync(2000);
    expect(stream.pty.paused).toBe(true);
    expect(stream.pty.pauses).toBe(1);
    // Everything read is in flight: nothing piles up in main past the mark and a read.
    expect(stream.inFlight()).toBeGreaterThanOrEqual(TERMINAL_FLOW.highWaterMark);
    expect(stream.inFlight()).toBeLessThanOrEqual(TERMINAL_FLOW.highWaterMark + READ);
    expect(stream.pty.produced).toBeLessThan(TERMINAL_FLOW.maxBufferedBytes);
    // The page stays stalled for a long time: main's memory does not grow and the stream lives.
    const produced = stream.pty.produced;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(stream.pty.produced).toBe(produced);
    expect(stream.errors).toEqual([]);
    stream.dispose();
  });

  it('resumes below the low-water mark as xterm acknowledges, not before', async () => {
    const stream = terminalStream();
    await vi.advanceTimersByTimeAsync(2000);
    expect(stream.pty.paused).toBe(true);
    // Batch by batch: paused while at or above the low-water mark, resumed once below it.
    while (stream.pty.paused) {
      await stream.parse(1);
      expect(stream.pty.paused).toBe(stream.inFlight() >= TERMINAL_FLOW.lowWaterMark);
    }
    expect(stream.inFlight()).toBeGreaterThan(TERMINAL_FLOW.lowWaterMark - TERMINAL_FLOW.maxBatchBytes);
    expect(stream.pty.resumes).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(stream.pty.pauses).toBe(2);
    stream.dispose();
  });

  it('keeps batches small enough for xterm to parse within a frame or two', async () => {
    const stream = terminalStream();
    for (let i = 0; i < 200; i++) {
      await vi.advanceTimersByTimeAsync(5);
      await stream.parse();
    }
    expect(stream.batches.length).toBeGreaterThan(10);
    expect(Math.max(...stream.batches)).toBeLessThanOrEqual(TERMINAL_FLOW.maxBatchBytes);
    stream.dispose();
  });

  it('on an interrupt that flushes output, drops what main read and has not sent; the page\'s acknowledgements then resume the pty', async () => {
    const stream = terminalStream();
    await vi.advanceTimersByTimeAsync(2000);
    expect(stream.pty.paused).toBe(true);
    // Reads that landed after the pause (node-pty stops reading, not a read already made).
    for (let i = 0; i < 20; i++) stream.sink().emit(new Uint8Array(READ).fill(0x79));
    const sent = stream.delivered();
    // Those reads, and at most the one the stand-in made before it saw the pause.
    const queued = stream.sink().discardQueued?.() ?? 0;
    expect(queued).toBeGreaterThanOrEqual(20 * READ);
    expect(queued).toBeLessThanOrEqual(21 * READ);
    // The page dropped its backlog and acknowledges it: main has nothing left to send from before.
    await stream.parse();
    await vi.advanceTimersByTimeAsync(TERMINAL_FLOW.maxBatchWaitMs);
    expect(stream.pty.paused).toBe(false);
    expect(stream.pty.resumes).toBe(1);
    const after = stream.batches.length;
    await vi.advanceTimersByTimeAsync(5);
    // What comes now is what the pty reads after the interrupt; nothing from the dropped queue.
    expect(stream.delivered() - sent).toBeLessThanOrEqual((stream.batches.length - after + 1) * TERMINAL_FLOW.maxBatchBytes);
    expect(stream.sink().discardQueued?.()).toBeLessThan(queued);
    expect(stream.errors).toEqual([]);
    stream.dispose();
  });

  it('sends an echo within the batch wait, not a log stream\'s 16 ms', async () => {
    const stream = terminalStream();
    stream.pty.paused = true;
    await vi.advanceTimersByTimeAsync(10);
    stream.sink().emit(new TextEncoder().encode('x'));
    await vi.advanceTimersByTimeAsync(TERMINAL_FLOW.maxBatchWaitMs);
    expect(stream.delivered()).toBe(1);
    stream.dispose();
  });
});
