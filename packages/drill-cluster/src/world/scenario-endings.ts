/**
 * Scenarios that end themselves: each active scenario is checked against the cluster every tick,
 * and once its fault has been gone for a while (so a flap does not count) it ends, saying which
 * change did it, as a drill wants to know ("rollout undo of deployment/codesign-api to
 * codesign-playground:v2.0.3, revision 6"). The baseline each change is described against is
 * taken when the scenario is switched on.
 */
import { RESOURCE_KEYS } from '../resources';
import type { KubeObject, ObjectStore, ScenarioName } from '../types';
import type { ScenarioEnding } from '../protocol';
import { API_APP, API_NAMESPACE, type AppModel } from './app-model';
import { REVISION_ANNOTATION } from './deployment-controller';
import { parseTime } from './object-names';
import type { PodSim } from './pod-sim';
import type { PodSpec } from './workloads';

/** How long (simulated) a fault must stay gone before its scenario ends. */
export const FAULT_GONE_FOR_MS = 20_000;
/** high-latency is over when P95 is under the runbook's 2 s warning line and CPU under its 80% line. */
const LATENCY_OK_SECONDS = 2;
const UTILIZATION_OK = 0.8;
const CERT_OK_MS = 30 * 24 * 3_600_000;
const HPA = 'codesign-api-hpa';

/** What the app's Deployment, its HPA and its certificate looked like when a scenario began. */
interface Baseline {
  replicas: number | undefined;
  revision: string | undefined;
  restartedAt: string | undefined;
  image: string | undefined;
  memoryLimit: string | undefined;
  hpaMax: number | undefined;
  podNames: Set<string>;
  certificateUid: string | undefined;
  terminations: number;
}

export interface ScenarioWorldView {
  store: ObjectStore;
  app: AppModel;
  pods(): Iterable<PodSim>;
  now(): number;
  /** How many `pg_terminate_backend` runs of idle connections there were, and the last one's count. */
  terminations(): { runs: number; lastCount: number };
}

export class ScenarioEndings {
  private readonly baselines = new Map<ScenarioName, Baseline>();
  private readonly goneSince = new Map<ScenarioName, number>();
  readonly ended = new Map<ScenarioName, ScenarioEnding>();

  constructor(private readonly world: ScenarioWorldView) {}

  /** Called once a scenario is switched on (after its fault is in place). */
  started(name: ScenarioName): void {
    this.ended.delete(name);
    this.goneSince.delete(name);
    this.baselines.set(name, this.snapshot());
  }

  cleared(name: ScenarioName): void {
    this.baselines.delete(name);
    this.goneSince.delete(name);
  }

  /** The scenarios whose fault has been gone long enough, with the change that removed it. */
  check(active: Iterable<ScenarioName>): Array<{ name: ScenarioName; ending: ScenarioEnding }> {
    const now = this.world.now();
    const over: Array<{ name: ScenarioName; ending: ScenarioEnding }> = [];
    for (const name of active) {
      if (!this.faultGone(name)) {
        this.goneSince.delete(name);
        continue;
      }
      const since = this.goneSince.get(name) ?? now;
      this.goneSince.set(name, since);
      if (now - since < FAULT_GONE_FOR_MS) continue;
      const ending = { at: now, change: this.describe(name) };
      this.ended.set(name, ending);
      over.push({ name, ending });
    }
    return over;
  }

  private faultGone(name: ScenarioName): boolean {
    const { app } = this.world;
    const apiPods = [...this.world.pods()].filter((p) => p.app === API_APP && p.namespace === API_NAMESPACE);
    switch (name) {
      case 'error-spike':
        return !apiPods.some((p) => p.affected.has('error-spike'));
      case 'memory-leak': {
        // The runbook's fix is to replace the leaking pods (delete them, restart the rollout, or
        // roll out a higher limit); an OOM-killed container that restarts in place keeps leaking.
        const struck = this.baselines.get(name)?.podNames ?? new Set<string>();
        return apiPods.length > 0 && apiPods.every((p) => !struck.has(p.name)) && apiPods.some((p) => p.phase === 'Running');
      }
      case 'db-connection-exhaustion':
        return ![...this.world.pods()].some((p) => p.leakedConnections > 0);
      case 'bad-deploy': {
        const image = this.deployment() && mainImage(this.deployment() as KubeObject);
        if (!image || !app.knownGoodImages.has(image)) return false;
        return apiPods.every((p) => {
          const c = p.containers.find((x) => x.name === API_APP);
          return !c || app.knownGoodImages.has(c.image);
        });
      }
      case 'expiring-certificate': {
        const cert = this.world.store.get(RESOURCE_KEYS.certificates, API_NAMESPACE, 'codesign-tls');
        const notAfter = parseTime((cert?.status as { notAfter?: string } | undefined)?.notAfter ?? '');
        return notAfter !== undefined && notAfter - this.world.now() > CERT_OK_MS;
      }
      case 'high-latency': {
        const traffic = app.traffic();
        return traffic.servingPods > 0 && traffic.latencySeconds.p95 < LATENCY_OK_SECONDS && traffic.utilization < UTILIZATION_OK;
      }
      case 'auth-failure-burst':
        // Nothing in the cluster fixes a credential-stuffing burst: it ends when switched off.
        return false;
    }
  }

  private deployment(): KubeObject | undefined {
    return this.world.store.get(RESOURCE_KEYS.deployments, API_NAMESPACE, API_APP);
  }

  private snapshot(): Baseline {
    const deployment = this.deployment();
    const template = (deployment?.spec as { template?: { metadata?: { annotations?: Record<string, string> }; spec?: PodSpec } } | undefined)?.template;
    const container = template?.spec?.containers.find((c) => c.name === API_APP);
    const hpa = this.world.store.get(RESOURCE_KEYS.horizontalpodautoscalers, API_NAMESPACE, HPA);
    return {
      replicas: (deployment?.spec as { replicas?: number } | undefined)?.replicas,
      revision: deployment?.metadata.annotations?.[REVISION_ANNOTATION],
      restartedAt: template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'],
      image: container?.image,
      memoryLimit: (container as { resources?: { limits?: { memory?: string } } } | undefined)?.resources?.limits?.memory,
      hpaMax: (hpa?.spec as { maxReplicas?: number } | undefined)?.maxReplicas,
      podNames: new Set([...this.world.pods()].filter((p) => p.app === API_APP).map((p) => p.name)),
      certificateUid: this.world.store.get(RESOURCE_KEYS.certificates, API_NAMESPACE, 'codesign-tls')?.metadata.uid,
      terminations: this.world.terminations().runs,
    };
  }

  /** The changes since the scenario began that explain its end, as a responder would name them. */
  private describe(name: ScenarioName): string {
    const before = this.baselines.get(name);
    const now = this.snapshot();
    if (!before) return 'the fault is gone';
    const target = `deployment/${API_APP}`;
    const changes: string[] = [];
    const revision = now.revision ? `, revision ${now.revision}` : '';
    if (name === 'db-connection-exhaustion' && now.terminations > before.terminations) {
      changes.push(`pg_terminate_backend of ${this.world.terminations().lastCount} idle connections in postgres-0`);
    }
    if (name === 'expiring-certificate' && now.certificateUid !== before.certificateUid) {
      changes.push('Certificate codesign-tls deleted and reissued by cert-manager (90 days)');
    } else if (name === 'expiring-certificate') {
      changes.push('Certificate codesign-tls renewed');
    }
    if (now.restartedAt !== before.restartedAt) changes.push(`rollout restart of ${target}${revision}`);
    if (now.image !== before.image) {
      const undo = name === 'bad-deploy' && now.image && this.world.app.knownGoodImages.has(now.image);
      changes.push(`${undo ? 'rollout undo of' : 'new image on'} ${target} to ${now.image}${revision}`);
    }
    if (now.memoryLimit !== before.memoryLimit) changes.push(`memory limit of ${API_APP} from ${before.memoryLimit ?? 'none'} to ${now.memoryLimit ?? 'none'}`);
    if (now.replicas !== before.replicas) changes.push(`scale of ${target} from ${before.replicas} to ${now.replicas} replicas`);
    if (now.hpaMax !== before.hpaMax) changes.push(`HPA ${HPA} maxReplicas from ${before.hpaMax} to ${now.hpaMax}`);
    if (changes.length === 0) {
      const replaced = [...before.podNames].filter((pod) => !now.podNames.has(pod));
      if (replaced.length > 0) changes.push(`${replaced.length} codesign-api pod${replaced.length === 1 ? '' : 's'} replaced (${replaced.join(', ')})`);
    }
    return changes.length > 0 ? changes.join('; ') : 'the fault is gone';
  }
}

function mainImage(deployment: KubeObject): string | undefined {
  return (deployment.spec as { template?: { spec?: PodSpec } }).template?.spec?.containers.find((c) => c.name === API_APP)?.image;
}
