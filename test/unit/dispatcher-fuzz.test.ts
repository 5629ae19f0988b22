import { describe, expect, it } from 'vitest';
import { requests, streams } from '../../src/shared/contract';
import { Emitter, toDisposable } from '../../src/shared/lifetimes';
import { MemoryLogger } from '../../src/main/app/logger';
import { ContractDispatcher, type RequestHandlers, type StreamProviders } from '../../src/main/host/dispatcher';
import { nextFrame, prng } from '../fuzz/payloads';

/** The fuzzer's payloads straight into the dispatcher: total, typed, whatever arrives. */
describe('the dispatcher under fuzzing', () => {
  const handlers = Object.fromEntries(Object.keys(requests).map((name) => [name, () => ({ handled: name })])) as unknown as RequestHandlers;
  const providers = Object.fromEntries(Object.keys(streams).map((name) => [name, () => toDisposable(() => undefined)])) as unknown as StreamProviders;
  const dispatcher = new ContractDispatcher(handlers, providers, new MemoryLogger());
  const sink = { emit: () => undefined, end: () => undefined, fail: () => undefined, paused: false, closed: false, onDidPause: new Emitter<void>().event, onDidResume: new Emitter<void>().event };

  it('answers 5,000 seeded payloads with a typed Result each and never throws', async () => {
    const random = prng(7);
    let typed = 0;
    for (let i = 0; i < 5000; i++) {
      const frame = nextFrame(random, i);
      if (frame.kind !== 'text') continue;
      let message: { t?: unknown; channel?: unknown; input?: unknown };
      try {
        message = JSON.parse(frame.text) as typeof message;
      } catch {
        continue;
      }
      if (message === null || typeof message !== 'object') continue;
      const result = message.t === 'subscribe' ? await dispatcher.subscribe(message.channel as string, message.input, sink) : await dispatcher.invoke(message.channel as string, message.input);
      if (result.ok) {
        if ('dispose' in (result.value as object)) (result.value as { dispose(): void }).dispose();
        continue;
      }
      expect(typeof result.error.message).toBe('string');
      expect(result.error.code).toMatch(/^[A-Z][A-Za-z]+$/);
      typed++;
    }
    expect(typed).toBeGreaterThan(1000);
    expect(dispatcher.liveStreams).toBe(0);
  });
});
