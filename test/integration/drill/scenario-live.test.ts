/**
 * A scenario that the responder fixes with the runbook's command ends itself, and the app hears
 * it live: `drill:changed` (the contract stream, fed by the drill's control API long-poll)
 * carries the ending and the change that caused it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/main/app/logger';
import { DrillContext } from '../../../src/main/contexts/drill-context';
import { contextHandlers } from '../../../src/main/contexts/handlers';
import type { ContextService } from '../../../src/main/contexts/context-service';
import type { StreamSink } from '../../../src/main/host/dispatcher';
import type { DrillStatus } from '../../../src/shared/contexts';
import { Emitter } from '../../../src/shared/lifetimes';
import { KubectlHarness } from './kubectl-harness';

const NS = 'codesign-production';

function recordingSink(): StreamSink<DrillStatus> & { events: DrillStatus[] } {
  const events: DrillStatus[] = [];
  return {
    events,
    emit: (event) => events.push(event),
    end: () => undefined,
    fail: () => undefined,
    paused: false,
    onDidPause: new Emitter<void>().event,
    onDidResume: new Emitter<void>().event,
    closed: false,
  };
}

describe('scenarios followed live', () => {
  let dataDir: string;
  let drill: DrillContext;
  const recorded: Array<[string, Record<string, unknown>]> = [];
  let slice: ReturnType<typeof contextHandlers>;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'drill-live-'));
    drill = new DrillContext(dataDir, new MemoryLogger(), { child: { postgres: 'none', redis: 'none', speed: 20 } });
    slice = contextHandlers({ contexts: {} as ContextService, drill, recordSession: async (type, body) => void recorded.push([type, body]) });
    drill.start();
  });

  afterAll(async () => {
    await drill?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('streams the status from before the drill is ready, then the scenario ending by the rollout restart', async () => {
    const sink = recordingSink();
    const subscription = await slice.providers['drill:changed']({}, sink);
    try {
      expect(sink.events[0]?.state).toBe('starting');
      await drill.whenReady();
      expect(sink.events.at(-1)?.state).toBe('running');

      const on = await slice.handlers['drill:setScenario']({ name: 'error-spike', active: true });
      expect(on.scenarios.find((s) => s.name === 'error-spike')?.active).toBe(true);
      expect(recorded).toContainEqual(['session.drill-scenario', { name: 'error-spike', active: true }]);

      const kubectl = await KubectlHarness.create((await drill.kubeconfig()) as string);
      try {
        const restart = await kubectl.run(['rollout', 'restart', 'deployment/codesign-api', '-n', NS]);
        expect(restart.stdout).toContain('restarted');
      } finally {
        await kubectl.dispose();
      }
      const deadline = Date.now() + 60_000;
      let ended: DrillStatus['scenarios'][number] | undefined;
      while (!ended && Date.now() < deadline) {
        ended = sink.events.at(-1)?.scenarios.find((s) => s.name === 'error-spike' && !s.active && s.ended);
        if (!ended) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(ended).toMatchObject({ active: false, ended: { change: 'rollout restart of deployment/codesign-api, revision 5', at: expect.any(Number) } });
      // The request side agrees with the stream.
      const status = await slice.handlers['drill:status']({});
      expect(status.scenarios.find((s) => s.name === 'error-spike')).toMatchObject({ active: false, ended: { change: expect.stringContaining('rollout restart') } });
    } finally {
      subscription.dispose();
    }
  });

  it('records restart and reset in the session log', async () => {
    await slice.handlers['drill:reset']({});
    expect(recorded.at(-1)).toEqual(['session.drill-reset', { reset: expect.stringContaining('Rebuilds codesign-production from its seed') }]);
    const restarted = await slice.handlers['drill:restart']({});
    expect(restarted.state).toBe('starting');
    expect(recorded.at(-1)).toEqual(['session.drill-restart', {}]);
  });

  it('refuses scenario changes while the drill is not running, with a specific error', async () => {
    await drill.stop();
    await expect(slice.handlers['drill:setScenario']({ name: 'bad-deploy', active: true })).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringMatching(/^the drill cluster is stopped/),
    });
  });
});
