/**
 * The one place procedure tests start the drill cluster (the drill is moving to
 * packages/drill-cluster; only this import changes then), and a ProcedureService over it with
 * an in-memory record log.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import type { Logger } from '../../../src/main/app/logger';
import { ProcedureService } from '../../../src/main/procedures/procedure-service';
import type { RecordInput, StoredRecord } from '../../../src/shared/records';
import type { ProcedureRun } from '../../../src/shared/procedures/model';
import type { Runbook } from '../../../src/shared/runbook/schema';
import type { ScenarioName } from '../../../src/shared/contexts';

export const NS = 'codesign-production';

export interface DrillFixture {
  cluster: DrillCluster;
  kubeConfig: KubeConfig;
  kubeconfigText: string;
  service: ProcedureService;
  records: Map<string, StoredRecord[]>;
  /** Attachments sealed by runs, as text, by a fake SHA. */
  attachments: Map<string, string>;
  inject(name: ScenarioName): void;
  clear(name: ScenarioName): void;
  /** Resolves when the run waits for a confirmation, or has finished and been recorded. */
  settled(runId: string): Promise<ProcedureRun>;
  stop(): Promise<void>;
}

export const quietLogger: Logger = { info() {}, warn() {}, error() {} };

export async function startDrillFixture(runbook: Runbook, options: { speed?: number } = {}): Promise<DrillFixture> {
  const cluster = await DrillCluster.start({ speed: options.speed ?? 60, postgres: 'none', redis: 'none' });
  const kubeconfigText = cluster.kubeconfig('drill');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(kubeconfigText);
  const records = new Map<string, StoredRecord[]>();
  const attachments = new Map<string, string>();
  const service = new ProcedureService({
    runbook,
    currentContext: async () => 'drill',
    kubeConfig: async (name) => {
      if (name !== 'drill') throw new Error(`no context ${name}`);
      return kubeConfig;
    },
    recorder: {
      writable: async () => true,
      read: async (logId) => records.get(logId) ?? [],
      putAttachment: async (_logId, source) => {
        const chunks: Buffer[] = [];
        for await (const chunk of source) chunks.push(chunk);
        const sha256 = `fake-${attachments.size}`;
        attachments.set(sha256, Buffer.concat(chunks).toString('utf8'));
        return { sha256 };
      },
      append: async <B>(logId: string, input: RecordInput<B>) => {
        const log = records.get(logId) ?? [];
        const record: StoredRecord<B> = { seq: log.length, at: new Date().toISOString(), actor: input.actor ?? 'test', type: input.type, body: input.body, ...(input.attachments ? { attachments: input.attachments } : {}) };
        log.push(record);
        records.set(logId, log);
        return record;
      },
    },
    actor: 'responder',
    logger: quietLogger,
  });
  return {
    cluster,
    kubeConfig,
    kubeconfigText,
    service,
    records,
    attachments,
    inject: (name) => cluster.world.scenarios.inject(name),
    clear: (name) => cluster.world.scenarios.clear(name),
    async settled(runId) {
      for (let i = 0; i < 1200; i++) {
        const run = service.get(runId);
        // A finished run is recorded just after it ends; wait for that too.
        if (run.status === 'awaiting-confirmation' || (run.status !== 'running' && run.recorded)) return run;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`run ${runId} did not settle`);
    },
    async stop() {
      service.dispose();
      await cluster.stop();
    },
  };
}
