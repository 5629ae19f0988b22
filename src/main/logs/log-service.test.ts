import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../app/logger';
import { DisposableStore } from '../../shared/lifetimes';
import { LogService } from './log-service';

const service = (current = 'drill') =>
  new LogService({
    contexts: {
      list: async () => ({ contexts: [], current, namespace: 'codesign-production', problems: [], health: {} }),
      current,
      scope: new DisposableStore(),
      kubeConfig: async () => {
        throw new Error('not used');
      },
      client: async () => {
        throw new Error('not used');
      },
    } as never,
    evidence: { addFile: async () => Promise.reject(new Error('not used')) },
    cluster: { acquire: async () => Promise.reject(new Error('not used')) },
    logger: new MemoryLogger(),
  });

describe('LogService', () => {
  it('answers a view that is not open (closed, or its context changed) with NotFound', () => {
    expect(() => service().view('log-000000000000')).toThrow(expect.objectContaining({ code: 'NotFound', message: expect.stringMatching(/no log view "log-000000000000"/) }));
    expect(() => service().export('log-000000000000', true, false)).toThrow(expect.objectContaining({ code: 'NotFound' }));
  });

  it('refuses a view for a context that is no longer the current one', async () => {
    const sink = { emit() {}, end() {}, fail() {}, paused: false, closed: false, onDidPause: () => ({ dispose() {} }), onDidResume: () => ({ dispose() {} }) };
    await expect(service('other').open({ context: 'drill', namespace: 'codesign-production', source: { kind: 'pod', name: 'x' } }, sink)).rejects.toMatchObject({ code: 'Conflict' });
  });
});
