import { describe, expect, it } from 'vitest';
import { requests, streams, type RequestName } from '../../shared/contract';
import { CockpitFailure } from '../../shared/result';
import { MemoryLogger } from '../app/logger';
import { Emitter } from '../../shared/lifetimes';
import { ContractDispatcher, type RequestHandlers, type StreamProviders } from './dispatcher';

const calls: string[] = [];
const handlers = Object.fromEntries(
  Object.keys(requests).map((name) => [
    name,
    () => {
      calls.push(name);
      return {};
    },
  ]),
) as unknown as RequestHandlers;
const providers = Object.fromEntries(Object.keys(streams).map((name) => [name, () => ({ dispose: () => undefined })])) as unknown as StreamProviders;

/** A payload no request accepts: every schema is a strict object. */
const BAD_PAYLOADS: unknown[] = ['a string', 42, [1, 2], { unexpected: true, id: 7 }];

describe('ContractDispatcher', () => {
  const dispatcher = new ContractDispatcher(handlers, providers, new MemoryLogger());

  it.each(Object.keys(requests) as RequestName[])('answers Invalid (never throws) to bad input on %s', async (name) => {
    for (const payload of BAD_PAYLOADS) {
      const result = await dispatcher.invoke(name, payload);
      expect(result).toMatchObject({ ok: false, error: { code: 'Invalid' } });
    }
    expect(calls).not.toContain(name);
  });

  it('names the field and the problem', async () => {
    const result = await dispatcher.invoke('incidents:declare', { title: 'x', severity: 'SEV9' });
    expect(result).toEqual({ ok: false, error: { code: 'Invalid', message: expect.stringMatching(/title: needs at least 3 characters; severity: /) } });
    const id = await dispatcher.invoke('incidents:get', { id: '../../etc/passwd' });
    expect(id).toMatchObject({ ok: false, error: { code: 'Invalid', message: 'id: is not an incident id' } });
  });

  it('refuses unknown channels, including prototype names', async () => {
    expect(await dispatcher.invoke('constructor', {})).toMatchObject({ ok: false, error: { code: 'Invalid' } });
    expect(await dispatcher.invoke('nope:nothing', {})).toMatchObject({ ok: false, error: { code: 'Invalid' } });
    expect(await dispatcher.subscribe('__proto__', {}, nullSink())).toMatchObject({ ok: false, error: { code: 'Invalid' } });
  });

  it('passes valid input through and wraps the value', async () => {
    expect(await dispatcher.invoke('incidents:declare', { title: 'API down', severity: 'SEV1' })).toEqual({ ok: true, value: {} });
  });

  it('turns a CockpitFailure into its code and anything else into Internal', async () => {
    const logger = new MemoryLogger();
    const failing = new ContractDispatcher(
      {
        ...handlers,
        'incidents:list': () => {
          throw new CockpitFailure('Corrupt', 'log inc-x is corrupt at seq 4');
        },
        'app:info': () => {
          throw new TypeError('boom');
        },
      },
      providers,
      logger,
    );
    expect(await failing.invoke('incidents:list', {})).toEqual({ ok: false, error: { code: 'Corrupt', message: 'log inc-x is corrupt at seq 4' } });
    expect(await failing.invoke('app:info', {})).toMatchObject({ ok: false, error: { code: 'Internal', message: expect.stringContaining('boom') } });
    expect(logger.entries.map((e) => e.level)).toEqual(['warn', 'error']);
  });
});

function nullSink() {
  return { emit: () => undefined, end: () => undefined, fail: () => undefined, paused: false, closed: false, onDidPause: new Emitter<void>().event, onDidResume: new Emitter<void>().event };
}
