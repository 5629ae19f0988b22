import {
  AppsV1Api,
  AuthorizationV1Api,
  AutoscalingV2Api,
  type V2HorizontalPodAutoscaler,
  CoreV1Api,
  CustomObjectsApi,
  Exec,
  Metrics,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Container,
  type V1Deployment,
  type V1Pod,
  type V1Secret,
} from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { diffObjects, type DiffLine } from '../../shared/procedures/diff';
import { resourcesPatch, type CheckLine, type EngineAction, type RevertOffer } from '../../shared/procedures/model';
import { chooseUndoRevision, revisionOf } from '../../shared/procedures/rollout';
import { CockpitFailure } from '../../shared/result';
import { apiStatus, withFreshReadOnConflict } from './api-errors';

/** What a run step reports: its output text and, for checks, one line per check. */
export interface ActionResult {
  output: string;
  checks?: CheckLine[];
  /** Set when the action itself judged the result failed (a failing health check). */
  failed?: string;
  /** Text to seal as an attachment of the run's record (evidence.capture). */
  capture?: { fileName: string; text: string };
}

/** A step made ready: what it would change (from a server-side dry run), what it replaces, and how to run it. */
export interface PreparedAction {
  diff: DiffLine[];
  summary: string;
  revert?: RevertOffer;
  execute(progress: (text: string) => void, signal: AbortSignal, evidence?: ActionEvidence): Promise<ActionResult>;
}

/** Seals a stream as an attachment of the run's record while the step runs (a pg_dump). */
export interface ActionEvidence {
  attach(fileName: string, source: AsyncIterable<Buffer>): Promise<{ sha256: string }>;
}

/** Who runs the `pg.*` / `redis.*` actions (src/main/databases/database-actions.ts). */
export interface DatabaseActionRunner {
  prepare(context: string, action: EngineAction): Promise<PreparedAction>;
}

/** The verb and resource an action needs, for a SelfSubjectAccessReview. */
export interface AccessNeed {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export type AccessVerdict = { allowed: true; checked: boolean; note?: string } | { allowed: false; checked: true; missing: string; reason?: string };

const DRY = 'All';
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

const REDACTED = (bytes: number) => `(hidden, ${bytes} bytes)`;

/** A secret as it may be shown: keys and sizes, never values. */
export function redactSecret(secret: V1Secret | undefined): unknown {
  if (!secret) return undefined;
  const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, REDACTED(Buffer.from(v, 'base64').length)]));
  return { ...secret, data, stringData: undefined };
}

function age(from: Date | string | undefined, now = Date.now()): string {
  if (!from) return '?';
  const seconds = Math.max(0, Math.round((now - new Date(from).getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join('')).join('\n');
}

/** READY and STATUS as `kubectl get pods` shows them. */
export function podColumns(pod: V1Pod): { ready: string; status: string; restarts: number } {
  const statuses = pod.status?.containerStatuses ?? [];
  const total = pod.spec?.containers.length ?? statuses.length;
  const ready = statuses.filter((s) => s.ready).length;
  const waiting = statuses.find((s) => s.state?.waiting?.reason)?.state?.waiting?.reason;
  const terminated = statuses.find((s) => s.state?.terminated?.reason)?.state?.terminated?.reason;
  const status = pod.metadata?.deletionTimestamp ? 'Terminating' : (waiting ?? terminated ?? pod.status?.phase ?? 'Unknown');
  return { ready: `${ready}/${total}`, status, restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0) };
}

/**
 * The engine's hands: each typed action through `@kubernetes/client-node` (never a kubectl
 * child process) against one context's KubeConfig. `prepare` reads what the action would touch
 * and asks the server for a `dryRun=All` of the exact request, so the preview is the server's.
 */
export class ClusterActions {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly authz: AuthorizationV1Api;
  private readonly autoscaling: AutoscalingV2Api;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly databases?: DatabaseActionRunner,
  ) {
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.authz = kubeConfig.makeApiClient(AuthorizationV1Api);
    this.autoscaling = kubeConfig.makeApiClient(AutoscalingV2Api);
  }

  /** What the action needs to be allowed to do. */
  static accessNeeds(action: EngineAction): AccessNeed[] {
    const p = action.params as Record<string, unknown>;
    const namespace = typeof p.namespace === 'string' ? p.namespace : undefined;
    const deployment = (verb: string, subresource?: string): AccessNeed => ({
      verb,
      group: 'apps',
      resource: 'deployments',
      ...(subresource ? { subresource } : {}),
      ...(namespace ? { namespace } : {}),
      ...(typeof p.deployment === 'string' ? { name: p.deployment } : {}),
    });
    const core = (verb: string, resource: string): AccessNeed => ({ verb, group: '', resource, ...(namespace ? { namespace } : {}) });
    switch (action.type) {
      case 'k8s.scale':
        return [deployment('patch', 'scale')];
      case 'k8s.rolloutRestart':
      case 'k8s.setEnv':
      case 'k8s.env':
      case 'k8s.setImage':
      case 'k8s.patchResources':
        return [deployment('patch')];
      case 'k8s.rolloutUndo':
        return [deployment('patch'), { verb: 'list', group: 'apps', resource: 'replicasets', ...(namespace ? { namespace } : {}) }];
      case 'k8s.rolloutHistory':
        return [{ verb: 'list', group: 'apps', resource: 'replicasets', ...(namespace ? { namespace } : {}) }];
      case 'k8s.rolloutStatus':
        return [deployment('get')];
      case 'k8s.deletePods':
        return [core('delete', 'pods')];
      case 'k8s.pods':
        return [core('list', 'pods')];
      case 'k8s.exec':
        return [{ ...core('create', 'pods'), subresource: 'exec' }];
      case 'k8s.getCustom':
      case 'k8s.describeCustom':
      case 'k8s.deleteCustom': {
        const c = action.params;
        return [{ verb: action.type === 'k8s.deleteCustom' ? 'delete' : action.type === 'k8s.getCustom' ? 'list' : 'get', group: c.group, resource: c.plural, namespace: c.namespace }];
      }
      case 'k8s.deleteSecret':
        return [core('delete', 'secrets')];
      case 'k8s.rotateSecret':
        return [core('update', 'secrets'), core('create', 'secrets')];
      case 'k8s.hpa':
        return [{ verb: 'get', group: 'autoscaling', resource: 'horizontalpodautoscalers', ...(namespace ? { namespace } : {}) }];
      case 'k8s.pv':
        return [{ verb: 'list', group: '', resource: 'persistentvolumes' }];
      case 'health.check':
        return [core('list', 'pods'), { verb: 'list', group: 'apps', resource: 'deployments', ...(namespace ? { namespace } : {}) }];
      case 'k8s.top':
        return [{ verb: 'list', group: 'metrics.k8s.io', resource: action.params.resource, ...(namespace ? { namespace } : {}) }];
      case 'k8s.logs':
        return [{ ...core('get', 'pods'), subresource: 'log' }];
      case 'evidence.capture':
        return [{ verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: action.params.source.namespace }];
      case 'compliance.script':
        return [{ verb: 'create', group: '', resource: 'pods', subresource: 'exec', ...(namespace ? { namespace } : {}) }];
      case 'pg.ready':
      case 'pg.query':
      case 'pg.dump':
      case 'redis.info':
        return [{ ...core('create', 'pods'), subresource: 'portforward' }];
      default:
        return [];
    }
  }

  /**
   * Asks the API server whether the current user may do what the action needs. A server that
   * does not serve access reviews (404) is answered as "not checked", not as forbidden.
   */
  async access(action: EngineAction): Promise<AccessVerdict> {
    for (const need of ClusterActions.accessNeeds(action)) {
      let review;
      try {
        review = await this.authz.createSelfSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: {
              resourceAttributes: {
                verb: need.verb,
                group: need.group,
                resource: need.resource,
                ...(need.subresource ? { subresource: need.subresource } : {}),
                ...(need.namespace ? { namespace: need.namespace } : {}),
                ...(need.name ? { name: need.name } : {}),
              },
            },
          },
        });
      } catch (error) {
        const status = apiStatus(error);
        if (status === 404 || status === 405) return { allowed: true, checked: false, note: 'this cluster does not answer access reviews; permissions are checked when the step runs' };
        throw error;
      }
      if (!review.status?.allowed) {
        const resource = `${need.resource}${need.subresource ? `/${need.subresource}` : ''}${need.group ? `.${need.group}` : ''}`;
        return {
          allowed: false,
          checked: true,
          missing: `${need.verb} ${resource}${need.namespace ? ` in ${need.namespace}` : ''}`,
          ...(review.status?.reason ? { reason: review.status.reason } : {}),
        };
      }
    }
    return { allowed: true, checked: true };
  }

  async prepare(action: EngineAction): Promise<PreparedAction> {
    switch (action.type) {
      case 'k8s.scale':
        return this.prepareScale(action.params);
      case 'k8s.rolloutRestart':
        return this.prepareRestart(action.params);
      case 'k8s.rolloutUndo':
        return this.prepareUndo(action.params);
      case 'k8s.setEnv':
        return this.prepareEnv({ ...action.params, set: action.params.env, unset: [] });
      case 'k8s.env':
        return this.prepareEnv(action.params);
      case 'k8s.setImage':
        return this.prepareImage(action.params);
      case 'k8s.patchResources':
        return this.prepareResources(action.params);
      case 'k8s.deletePods':
        return this.prepareDeletePods(action.params);
      case 'k8s.deleteCustom':
        return this.prepareDeleteCustom(action.params);
      case 'k8s.deleteSecret':
        return this.prepareDeleteSecret(action.params);
      case 'k8s.rotateSecret':
        return this.prepareRotateSecret(action.params);
      case 'k8s.rolloutStatus':
        return this.read(`Wait for deployment ${action.params.deployment} to finish rolling out`, (progress, signal) =>
          this.rolloutStatus(action.params.namespace, action.params.deployment, (action.params.timeoutSeconds ?? 300) * 1000, progress, signal),
        );
      case 'k8s.rolloutHistory':
        return this.read('Rollout history', () => this.rolloutHistory(action.params.namespace, action.params.deployment));
      case 'k8s.pods':
        return this.read('List pods', () => this.pods(action.params));
      case 'k8s.exec':
        return this.read('Run a command in a pod', (_p, signal) => this.exec(action.params, signal));
      case 'k8s.getCustom':
        return this.read('List custom resources', () => this.getCustom(action.params));
      case 'k8s.describeCustom':
        return this.read('Describe a custom resource', () => this.describeCustom(action.params));
      case 'k8s.hpa':
        return this.read('Describe autoscalers', () => this.hpa(action.params));
      case 'k8s.pv':
        return this.read('List persistent volumes', () => this.pv());
      case 'health.check':
        return this.read('Health check', () => this.healthCheck(action.params.namespace));
      case 'k8s.top':
        return this.read('Resource usage', () => this.top(action.params));
      case 'k8s.logs':
        return this.read('Logs', () => this.logs(action.params));
      case 'http.check':
        return this.read('HTTP check', () => httpCheck(action.params));
      case 'evidence.capture':
        return this.read('Capture logs as evidence', async () => {
          const logs = await this.logs({ ...action.params.source });
          const lines = logs.output.split('\n').length;
          return { output: `captured ${lines} lines as ${action.params.fileName} (sealed with the run's record)`, capture: { fileName: action.params.fileName, text: logs.output } };
        });
      case 'compliance.script': {
        const p = action.params;
        const namespace = p.namespace ?? 'default';
        const run = (_progress: (t: string) => void, signal: AbortSignal) => this.exec({ namespace, target: p.target, command: ['python', '-c', p.python] }, signal);
        return this.read(`Compliance script ${p.script}`, run);
      }
      case 'pg.ready':
      case 'pg.query':
      case 'pg.dump':
      case 'redis.info':
        if (this.databases) return this.databases.prepare(this.kubeConfig.getCurrentContext(), action);
        throw new CockpitFailure('Unavailable', `The cockpit does not run ${action.type} steps yet; use the command shown.`);
      default:
        throw new CockpitFailure('Unavailable', `The cockpit does not run ${action.type} steps yet; use the command shown.`);
    }
  }

  private read(summary: string, execute: PreparedAction['execute']): PreparedAction {
    return { diff: [], summary, execute };
  }

  private async deployment(namespace: string, name: string): Promise<V1Deployment> {
    return this.apps.readNamespacedDeployment({ name, namespace });
  }

  // ── change actions ───────────────────────────────────────────────────────────────────────

  /** The HorizontalPodAutoscaler whose target is this deployment, if any. */
  private async autoscalerOf(namespace: string, deployment: string): Promise<V2HorizontalPodAutoscaler | undefined> {
    const list = await this.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace });
    return list.items.find((h) => h.spec?.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === deployment);
  }

  /**
   * A scale that sticks: when an HPA manages the deployment, a bare scale would be undone at its
   * next sync (real HPAs do the same), so its bounds move with the scale (minimum to N, maximum
   * at least N) and the revert puts both back. The preview shows both diffs.
   */
  private async prepareScale(p: { namespace: string; deployment: string; replicas: number; autoscaler?: { minReplicas: number; maxReplicas: number } | undefined }): Promise<PreparedAction> {
    const before = await this.apps.readNamespacedDeploymentScale({ name: p.deployment, namespace: p.namespace });
    const body = { spec: { replicas: p.replicas } };
    const after = await this.apps.patchNamespacedDeploymentScale({ name: p.deployment, namespace: p.namespace, body, dryRun: DRY }, merge);
    const old = before.spec?.replicas ?? 0;
    const hpa = await this.autoscalerOf(p.namespace, p.deployment);
    const hpaName = hpa?.metadata?.name;
    const oldBounds = hpa ? { minReplicas: hpa.spec?.minReplicas ?? 1, maxReplicas: hpa.spec?.maxReplicas ?? 1 } : undefined;
    const newBounds =
      oldBounds && p.autoscaler
        ? p.autoscaler
        : oldBounds && p.replicas > 0
          ? { minReplicas: p.replicas, maxReplicas: Math.max(oldBounds.maxReplicas, p.replicas) }
          : undefined;
    const boundsChange = hpaName && oldBounds && newBounds && (newBounds.minReplicas !== oldBounds.minReplicas || newBounds.maxReplicas !== oldBounds.maxReplicas);
    const hpaBody = newBounds ? { spec: newBounds } : undefined;
    const hpaDiff = boundsChange
      ? diffObjects(hpa, await this.autoscaling.patchNamespacedHorizontalPodAutoscaler({ name: hpaName, namespace: p.namespace, body: hpaBody!, dryRun: DRY }, merge)).map((line) => ({
          ...line,
          path: `hpa/${hpaName}: ${line.path}`,
        }))
      : [];
    const hpaNote = boundsChange
      ? `; HPA ${hpaName} manages it, so its bounds go min ${oldBounds!.minReplicas} → ${newBounds!.minReplicas}, max ${oldBounds!.maxReplicas} → ${newBounds!.maxReplicas} (or it would undo the scale)`
      : hpaName && p.replicas === 0
        ? `; HPA ${hpaName} manages it and will scale it up again unless it is removed`
        : '';
    return {
      diff: [...diffObjects(before, after), ...hpaDiff],
      summary: `replicas ${old} → ${p.replicas}${hpaNote}`,
      revert: {
        replaced: `replicas ${old}${boundsChange ? `, HPA ${hpaName} min ${oldBounds!.minReplicas} max ${oldBounds!.maxReplicas}` : ''}`,
        title: `Scale ${p.deployment} back to ${old}`,
        action: {
          type: 'k8s.scale',
          params: { namespace: p.namespace, deployment: p.deployment, replicas: old, ...(boundsChange ? { autoscaler: oldBounds! } : {}) },
        },
      },
      execute: async () => {
        if (boundsChange) await this.autoscaling.patchNamespacedHorizontalPodAutoscaler({ name: hpaName, namespace: p.namespace, body: hpaBody! }, merge);
        const scaled = await this.apps.patchNamespacedDeploymentScale({ name: p.deployment, namespace: p.namespace, body }, merge);
        return { output: `deployment.apps/${p.deployment} scaled (replicas ${old} → ${scaled.spec?.replicas ?? p.replicas})${hpaNote}` };
      },
    };
  }

  private async patchDeployment(namespace: string, name: string, body: object, dryRun: boolean, options = strategic): Promise<V1Deployment> {
    return this.apps.patchNamespacedDeployment({ name, namespace, body, ...(dryRun ? { dryRun: DRY } : {}) }, options);
  }

  private async prepareRestart(p: { namespace: string; deployment: string }): Promise<PreparedAction> {
    const before = await this.deployment(p.namespace, p.deployment);
    const body = () => ({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } });
    const after = await this.patchDeployment(p.namespace, p.deployment, body(), true);
    return {
      diff: diffObjects(before, after),
      summary: `restart every pod of ${p.deployment}, one by one`,
      execute: async () => {
        await this.patchDeployment(p.namespace, p.deployment, body(), false);
        return { output: `deployment.apps/${p.deployment} restarted` };
      },
    };
  }

  private async revisions(namespace: string, deployment: V1Deployment) {
    const selector = Object.entries(deployment.spec?.selector.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const list = await this.apps.listNamespacedReplicaSet({ namespace, ...(selector ? { labelSelector: selector } : {}) });
    const uid = deployment.metadata?.uid;
    return list.items
      .filter((rs) => !uid || rs.metadata?.ownerReferences?.some((o) => o.uid === uid))
      .map((rs) => ({ rs, revision: revisionOf(rs.metadata?.annotations) }))
      .filter((e): e is { rs: (typeof list.items)[number]; revision: number } => e.revision !== undefined);
  }

  private async prepareUndo(p: { namespace: string; deployment: string; toRevision?: number | undefined }): Promise<PreparedAction> {
    const before = await this.deployment(p.namespace, p.deployment);
    const entries = await this.revisions(p.namespace, before);
    const current = revisionOf(before.metadata?.annotations) ?? Math.max(0, ...entries.map((e) => e.revision));
    const choice = chooseUndoRevision(
      entries.map((e) => ({ revision: e.revision, name: e.rs.metadata?.name ?? '' })),
      current,
      p.toRevision,
    );
    if (!choice.ok) throw new CockpitFailure('Invalid', `Cannot roll back ${p.deployment}: ${choice.reason}.`);
    const chosen = entries.find((e) => e.revision === choice.revision.revision)!;
    const template = structuredClone(chosen.rs.spec?.template ?? {});
    if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
    const patch = [{ op: 'replace', path: '/spec/template', value: template }];
    const after = await this.patchDeployment(p.namespace, p.deployment, patch, true, jsonPatch);
    const image = (d: { spec?: { containers?: V1Container[] } } | undefined) => d?.spec?.containers?.map((c) => c.image).join(', ') ?? '?';
    return {
      diff: diffObjects(before, after),
      summary: `revision ${current} (${image(before.spec?.template)}) → revision ${choice.revision.revision} (${image(template)})`,
      revert: {
        replaced: `revision ${current} (${image(before.spec?.template)})`,
        title: `Roll ${p.deployment} forward again to revision ${current}`,
        action: { type: 'k8s.rolloutUndo', params: { namespace: p.namespace, deployment: p.deployment, toRevision: current } },
      },
      execute: async () => {
        await this.patchDeployment(p.namespace, p.deployment, patch, false, jsonPatch);
        return { output: `deployment.apps/${p.deployment} rolled back to revision ${choice.revision.revision}` };
      },
    };
  }

  private containersOf(deployment: V1Deployment, container: string | undefined): V1Container[] {
    const containers = deployment.spec?.template.spec?.containers ?? [];
    if (!container) return containers;
    const found = containers.filter((c) => c.name === container);
    if (found.length === 0) {
      throw new CockpitFailure('NotFound', `deployment ${deployment.metadata?.name} has no container "${container}" (it has ${containers.map((c) => c.name).join(', ')})`);
    }
    return found;
  }

  private async prepareEnv(p: { namespace: string; deployment: string; container?: string | undefined; set: Record<string, string>; unset: string[] }): Promise<PreparedAction> {
    const before = await this.deployment(p.namespace, p.deployment);
    const containers = this.containersOf(before, p.container);
    const body = {
      spec: {
        template: {
          spec: {
            containers: containers.map((c) => ({
              name: c.name,
              env: [...Object.entries(p.set).map(([name, value]) => ({ name, value })), ...p.unset.map((name) => ({ name, $patch: 'delete' }))],
            })),
          },
        },
      },
    };
    const after = await this.patchDeployment(p.namespace, p.deployment, body, true);
    const first = containers[0]?.env ?? [];
    const oldSet: Record<string, string> = {};
    const newlySet: string[] = [];
    for (const name of [...Object.keys(p.set), ...p.unset]) {
      const existing = first.find((e) => e.name === name);
      if (existing && existing.value !== undefined) oldSet[name] = existing.value;
      else if (!existing && Object.hasOwn(p.set, name)) newlySet.push(name);
    }
    const replaced = [...Object.entries(oldSet).map(([k, v]) => `${k}=${v}`), ...newlySet.map((k) => `${k} (unset)`)].join(', ');
    return {
      diff: diffObjects(before, after),
      summary: [...Object.entries(p.set).map(([k, v]) => `${k}=${v}`), ...p.unset.map((k) => `unset ${k}`)].join(', '),
      ...(replaced
        ? {
            revert: {
              replaced,
              title: `Put back ${replaced} on ${p.deployment}`,
              action: {
                type: 'k8s.env' as const,
                params: { namespace: p.namespace, deployment: p.deployment, ...(p.container ? { container: p.container } : {}), set: oldSet, unset: newlySet },
              },
            },
          }
        : {}),
      execute: async () => {
        await this.patchDeployment(p.namespace, p.deployment, body, false);
        return { output: `deployment.apps/${p.deployment} env updated` };
      },
    };
  }

  private async prepareImage(p: { namespace: string; deployment: string; container: string; image: string }): Promise<PreparedAction> {
    const before = await this.deployment(p.namespace, p.deployment);
    const [container] = this.containersOf(before, p.container);
    const body = { spec: { template: { spec: { containers: [{ name: p.container, image: p.image }] } } } };
    const after = await this.patchDeployment(p.namespace, p.deployment, body, true);
    const old = container?.image ?? '';
    return {
      diff: diffObjects(before, after),
      summary: `image ${old} → ${p.image}`,
      revert: {
        replaced: `image ${old}`,
        title: `Set ${p.deployment}/${p.container} back to ${old}`,
        action: { type: 'k8s.setImage', params: { namespace: p.namespace, deployment: p.deployment, container: p.container, image: old } },
      },
      execute: async () => {
        await this.patchDeployment(p.namespace, p.deployment, body, false);
        return { output: `deployment.apps/${p.deployment} image updated` };
      },
    };
  }

  private async prepareResources(p: {
    namespace: string;
    deployment: string;
    container: string;
    limits?: { cpu?: string | undefined; memory?: string | undefined } | undefined;
    requests?: { cpu?: string | undefined; memory?: string | undefined } | undefined;
  }): Promise<PreparedAction> {
    const before = await this.deployment(p.namespace, p.deployment);
    const [container] = this.containersOf(before, p.container);
    const resources = resourcesPatch(p);
    const body = { spec: { template: { spec: { containers: [{ name: p.container, resources }] } } } };
    const after = await this.patchDeployment(p.namespace, p.deployment, body, true);
    const old = container?.resources ?? {};
    const oldOf = (group: 'limits' | 'requests') => {
      const fields = Object.keys(resources[group] ?? {}) as Array<'cpu' | 'memory'>;
      const values = Object.fromEntries(fields.map((f) => [f, (old[group] as Record<string, string> | undefined)?.[f]]).filter((e) => e[1] !== undefined));
      return Object.keys(values).length ? values : undefined;
    };
    const oldLimits = oldOf('limits');
    const oldRequests = oldOf('requests');
    const replaced = [
      ...Object.entries(oldLimits ?? {}).map(([k, v]) => `limit ${k} ${v}`),
      ...Object.entries(oldRequests ?? {}).map(([k, v]) => `request ${k} ${v}`),
    ].join(', ');
    return {
      diff: diffObjects(before, after),
      summary: `resources of ${p.deployment}/${p.container}`,
      ...(replaced
        ? {
            revert: {
              replaced,
              title: `Put back ${replaced} on ${p.deployment}/${p.container}`,
              action: {
                type: 'k8s.patchResources' as const,
                params: { namespace: p.namespace, deployment: p.deployment, container: p.container, ...(oldLimits ? { limits: oldLimits } : {}), ...(oldRequests ? { requests: oldRequests } : {}) },
              },
            },
          }
        : {}),
      execute: async () => {
        await this.patchDeployment(p.namespace, p.deployment, body, false);
        return { output: `deployment.apps/${p.deployment} resources updated` };
      },
    };
  }

  private async prepareDeletePods(p: { namespace: string; labelSelector: string; fieldSelector?: string | undefined }): Promise<PreparedAction> {
    const list = await this.core.listNamespacedPod({ namespace: p.namespace, labelSelector: p.labelSelector, ...(p.fieldSelector ? { fieldSelector: p.fieldSelector } : {}) });
    const names = list.items.map((pod) => pod.metadata?.name ?? '').filter(Boolean);
    for (const name of names) await this.core.deleteNamespacedPod({ name, namespace: p.namespace, dryRun: DRY });
    return {
      diff: list.items.map((pod) => ({ kind: 'removed' as const, path: `pod/${pod.metadata?.name}`, value: JSON.stringify(podColumns(pod).status) })),
      summary: names.length ? `delete ${names.length} pod${names.length > 1 ? 's' : ''}: ${names.join(', ')}` : 'no pod matches: nothing to delete',
      execute: async () => {
        const deleted: string[] = [];
        for (const name of names) {
          try {
            await this.core.deleteNamespacedPod({ name, namespace: p.namespace });
            deleted.push(name);
          } catch (error) {
            if (apiStatus(error) !== 404) throw error;
          }
        }
        return { output: deleted.length ? deleted.map((n) => `pod "${n}" deleted`).join('\n') : 'No resources found' };
      },
    };
  }

  private async prepareDeleteCustom(p: { namespace: string; group: string; version: string; plural: string; name: string }): Promise<PreparedAction> {
    const ref = { group: p.group, version: p.version, namespace: p.namespace, plural: p.plural, name: p.name };
    const before: unknown = await this.custom.getNamespacedCustomObject(ref);
    await this.custom.deleteNamespacedCustomObject({ ...ref, dryRun: DRY });
    return {
      diff: diffObjects(before, undefined),
      summary: `delete ${p.plural}.${p.group} ${p.name}`,
      execute: async () => {
        await this.custom.deleteNamespacedCustomObject(ref);
        return { output: `${p.plural}.${p.group} "${p.name}" deleted` };
      },
    };
  }

  private async prepareDeleteSecret(p: { namespace: string; name: string }): Promise<PreparedAction> {
    const before = await this.core.readNamespacedSecret({ name: p.name, namespace: p.namespace });
    await this.core.deleteNamespacedSecret({ name: p.name, namespace: p.namespace, dryRun: DRY });
    return {
      diff: diffObjects(redactSecret(before), undefined),
      summary: `delete secret ${p.name} (keys ${Object.keys(before.data ?? {}).join(', ') || 'none'}); its values are not kept`,
      execute: async () => {
        await this.core.deleteNamespacedSecret({ name: p.name, namespace: p.namespace });
        return { output: `secret "${p.name}" deleted` };
      },
    };
  }

  /** Reads the secret, or undefined when it does not exist. */
  private async secretOrNone(namespace: string, name: string): Promise<V1Secret | undefined> {
    try {
      return await this.core.readNamespacedSecret({ name, namespace });
    } catch (error) {
      if (apiStatus(error) === 404) return undefined;
      throw error;
    }
  }

  private async prepareRotateSecret(p: { namespace: string; name: string; keys: Array<{ key: string; bytes: number; encoding: 'base64' }> }): Promise<PreparedAction> {
    const before = await this.secretOrNone(p.namespace, p.name);
    // Values are generated when the step runs, in main, and never leave it.
    const fresh = () => Object.fromEntries(p.keys.map((k) => [k.key, Buffer.from(randomBytes(k.bytes).toString('base64')).toString('base64')]));
    const write = async (current: V1Secret | undefined, dryRun: boolean): Promise<V1Secret> => {
      const data = { ...(current?.data ?? {}), ...fresh() };
      if (!current) {
        return this.core.createNamespacedSecret({
          namespace: p.namespace,
          body: { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: p.name, namespace: p.namespace }, data },
          ...(dryRun ? { dryRun: DRY } : {}),
        });
      }
      return this.core.replaceNamespacedSecret({ name: p.name, namespace: p.namespace, body: { ...current, data }, ...(dryRun ? { dryRun: DRY } : {}) });
    };
    const after = await write(before, true);
    const keys = p.keys.map((k) => k.key).join(', ');
    return {
      diff: diffObjects(redactSecret(before), { ...(redactSecret(after) as object), data: Object.fromEntries(Object.keys(after.data ?? {}).map((k) => [k, p.keys.some((n) => n.key === k) ? '(new random value, hidden)' : (redactSecret(before) as V1Secret | undefined)?.data?.[k]])) }),
      summary: `${before ? 'replace' : 'create'} ${keys} of secret ${p.name} with new random values (never displayed)`,
      execute: async () => {
        const rotated = await this.rotate(p.namespace, p.name, (current) => write(current, false));
        return {
          output:
            `secret "${p.name}" ${before ? 'rotated' : 'created'}: new random ${keys} (${Object.keys(rotated.data ?? {}).length} keys in all; values not shown).\n` +
            'Dependants must learn the new values: PostgreSQL and Redis keep their old passwords until they are changed there too, and pods read secrets at start (restart them).',
        };
      },
    };
  }

  /** Read-modify-write of a secret; a conflict retries once on a fresh read. */
  async rotate(namespace: string, name: string, write: (current: V1Secret | undefined) => Promise<V1Secret>, read = () => this.secretOrNone(namespace, name)): Promise<V1Secret> {
    return withFreshReadOnConflict(read, write);
  }

  // ── read actions ─────────────────────────────────────────────────────────────────────────

  /** Polls the deployment as `kubectl rollout status` reads it, reporting "3 of 5 updated". */
  async rolloutStatus(namespace: string, name: string, timeoutMs: number, progress: (text: string) => void, signal: AbortSignal): Promise<ActionResult> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      if (signal.aborted) throw new CockpitFailure('Timeout', 'stopped while waiting for the rollout');
      const d = await this.deployment(namespace, name);
      const want = d.spec?.replicas ?? 1;
      const s = d.status ?? {};
      const failed = s.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
      if (failed) throw new CockpitFailure('Invalid', `deployment "${name}" exceeded its progress deadline: ${failed.message ?? 'the new pods do not become ready'}. Roll back or fix the image.`);
      const observed = (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
      const updated = s.updatedReplicas ?? 0;
      const available = s.availableReplicas ?? 0;
      const total = s.replicas ?? 0;
      let text: string;
      if (!observed) text = 'Waiting for deployment spec update to be observed...';
      else if (updated < want) text = `Waiting for deployment "${name}" rollout to finish: ${updated} of ${want} updated replicas are available...`;
      else if (total > updated) text = `Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...`;
      else if (available < updated) text = `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`;
      else return { output: `${last ? `${last}\n` : ''}deployment "${name}" successfully rolled out (${available} of ${want} available)` };
      if (text !== last) progress(text);
      last = text;
      if (Date.now() > deadline) throw new CockpitFailure('Timeout', `deployment "${name}" did not finish rolling out within ${Math.round(timeoutMs / 1000)}s: ${text}`);
      await sleep(500, signal);
    }
  }

  /** CPU in millicores and memory in MiB, as `kubectl top` prints them. */
  static usage(usage: { cpu: string; memory: string }[]): [string, string] {
    const cpu = usage.reduce((sum, u) => {
      const m = /^([0-9.]+)([num]?)$/.exec(u.cpu);
      if (!m) return sum;
      const value = Number(m[1]);
      return sum + (m[2] === 'n' ? value / 1e6 : m[2] === 'u' ? value / 1e3 : m[2] === 'm' ? value : value * 1000);
    }, 0);
    const units: Record<string, number> = { '': 1 / 1048576, Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1048576, k: 1000 / 1048576, M: 1e6 / 1048576, G: 1e9 / 1048576 };
    const memory = usage.reduce((sum, u) => {
      const m = /^([0-9.]+)([A-Za-z]*)$/.exec(u.memory);
      return m ? sum + Number(m[1]) * (units[m[2]!] ?? 0) : sum;
    }, 0);
    return [`${Math.round(cpu)}m`, `${Math.round(memory)}Mi`];
  }

  async top(p: { resource: 'nodes' | 'pods'; namespace?: string | undefined; containers?: boolean | undefined }): Promise<ActionResult> {
    const metrics = new Metrics(this.kubeConfig);
    if (p.resource === 'nodes') {
      const list = await metrics.getNodeMetrics();
      const rows = [['NAME', 'CPU(cores)', 'MEMORY(bytes)']];
      for (const n of list.items) rows.push([n.metadata.name, ...ClusterActions.usage([n.usage])]);
      return { output: table(rows) };
    }
    const list = await metrics.getPodMetrics(p.namespace);
    const rows = p.containers ? [['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']] : [['NAME', 'CPU(cores)', 'MEMORY(bytes)']];
    for (const pod of list.items) {
      if (p.containers) for (const c of pod.containers) rows.push([pod.metadata.name, c.name, ...ClusterActions.usage([c.usage])]);
      else rows.push([pod.metadata.name, ...ClusterActions.usage(pod.containers.map((c) => c.usage))]);
    }
    return { output: table(rows) };
  }

  /** Captures log lines (the live, following view belongs to the Logs panel): tail, previous, filter. */
  async logs(p: {
    namespace: string;
    target: { kind: string; name: string };
    container?: string | undefined;
    tail?: number | undefined;
    previous?: boolean | undefined;
    filter?: { regex: string; ignoreCase?: boolean | undefined } | undefined;
  }): Promise<ActionResult> {
    let pods: string[];
    if (p.target.kind === 'pod') pods = [p.target.name];
    else {
      const selector =
        p.target.kind === 'job'
          ? `job-name=${p.target.name}`
          : Object.entries((await this.deployment(p.namespace, p.target.name)).spec?.selector.matchLabels ?? {})
              .map(([k, v]) => `${k}=${v}`)
              .join(',');
      const list = await this.core.listNamespacedPod({ namespace: p.namespace, labelSelector: selector });
      // kubectl logs deployment/x reads one pod; all of them is what a responder wants here, prefixed.
      pods = list.items.map((x) => x.metadata?.name ?? '').filter(Boolean);
      if (pods.length === 0) throw new CockpitFailure('NotFound', `${p.target.kind} ${p.target.name} has no pods to read logs from`);
    }
    const filter = p.filter ? new RegExp(p.filter.regex, p.filter.ignoreCase ? 'i' : '') : undefined;
    const out: string[] = [];
    for (const pod of pods) {
      const text = await this.core.readNamespacedPodLog({
        name: pod,
        namespace: p.namespace,
        ...(p.container ? { container: p.container } : {}),
        tailLines: p.tail ?? 1000,
        ...(p.previous ? { previous: true } : {}),
      });
      for (const line of String(text).split('\n')) {
        if (!line || (filter && !filter.test(line))) continue;
        out.push(pods.length > 1 ? `[${pod}] ${line}` : line);
      }
    }
    return { output: out.join('\n') || '(no matching lines)' };
  }

  async rolloutHistory(namespace: string, name: string): Promise<ActionResult> {
    const d = await this.deployment(namespace, name);
    const entries = (await this.revisions(namespace, d)).sort((a, b) => a.revision - b.revision);
    const rows = [['REVISION', 'IMAGE', 'CHANGE-CAUSE']];
    for (const e of entries) {
      rows.push([
        String(e.revision),
        e.rs.spec?.template?.spec?.containers.map((c) => c.image).join(',') ?? '',
        e.rs.metadata?.annotations?.['kubernetes.io/change-cause'] ?? '<none>',
      ]);
    }
    return { output: `deployment.apps/${name}\n${table(rows)}` };
  }

  async pods(p: { namespace: string; labelSelector?: string | undefined; fieldSelector?: string | undefined; excludeStatus?: string | undefined }): Promise<ActionResult> {
    const list = await this.core.listNamespacedPod({
      namespace: p.namespace,
      ...(p.labelSelector ? { labelSelector: p.labelSelector } : {}),
      ...(p.fieldSelector ? { fieldSelector: p.fieldSelector } : {}),
    });
    const rows = [['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']];
    for (const pod of list.items) {
      const c = podColumns(pod);
      if (p.excludeStatus && c.status === p.excludeStatus) continue;
      rows.push([pod.metadata?.name ?? '', c.ready, c.status, String(c.restarts), age(pod.status?.startTime ?? pod.metadata?.creationTimestamp)]);
    }
    return { output: rows.length > 1 ? table(rows) : `No resources found in ${p.namespace} namespace.` };
  }

  private async podFor(namespace: string, target: { kind: string; name: string }): Promise<string> {
    if (target.kind === 'pod') return target.name;
    const d = await this.deployment(namespace, target.name);
    const selector = Object.entries(d.spec?.selector.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const pods = await this.core.listNamespacedPod({ namespace, labelSelector: selector, fieldSelector: 'status.phase=Running' });
    const pod = pods.items.find((x) => !x.metadata?.deletionTimestamp)?.metadata?.name;
    if (!pod) throw new CockpitFailure('NotFound', `deployment ${target.name} has no running pod to run the command in`);
    return pod;
  }

  async exec(p: { namespace: string; target: { kind: string; name: string }; container?: string | undefined; command: string[]; stdin?: string | undefined }, signal: AbortSignal): Promise<ActionResult> {
    const pod = await this.podFor(p.namespace, p.target);
    const podObject = await this.core.readNamespacedPod({ name: pod, namespace: p.namespace });
    const container = p.container ?? podObject.spec?.containers[0]?.name ?? '';
    const chunks: Buffer[] = [];
    const sink = () => new Writable({ write: (chunk: Buffer, _enc, done) => (chunks.push(Buffer.from(chunk)), done()) });
    const { Readable } = await import('node:stream');
    const stdin = p.stdin === undefined ? null : Readable.from([Buffer.from(p.stdin)]);
    const status = await new Promise<{ status?: string; message?: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new CockpitFailure('Timeout', `the command in ${pod} did not finish within 60s`)), 60_000);
      signal.addEventListener('abort', () => (clearTimeout(timer), reject(new CockpitFailure('Timeout', 'stopped'))), { once: true });
      new Exec(this.kubeConfig)
        .exec(p.namespace, pod, container, p.command, sink(), sink(), stdin, false, (s) => {
          clearTimeout(timer);
          resolve({ ...(s.status ? { status: s.status } : {}), ...(s.message ? { message: s.message } : {}) });
        })
        .then((socket) => {
          socket.on('close', () => {
            clearTimeout(timer);
            resolve({});
          });
        })
        .catch((error: unknown) => (clearTimeout(timer), reject(error)));
    });
    const output = Buffer.concat(chunks).toString('utf8');
    if (status.status === 'Failure') return { output, failed: `the command failed in ${pod}: ${status.message ?? 'non-zero exit'}` };
    return { output: output || '(no output)' };
  }

  async getCustom(p: { namespace: string; group: string; version: string; plural: string; name?: string | undefined }): Promise<ActionResult> {
    type Item = { metadata?: { name?: string; creationTimestamp?: string }; status?: { conditions?: Array<{ type?: string; status?: string }>; notAfter?: string } };
    const items: Item[] = p.name
      ? [(await this.custom.getNamespacedCustomObject({ group: p.group, version: p.version, namespace: p.namespace, plural: p.plural, name: p.name })) as Item]
      : ((await this.custom.listNamespacedCustomObject({ group: p.group, version: p.version, namespace: p.namespace, plural: p.plural })) as { items: Item[] }).items;
    if (items.length === 0) return { output: `No resources found in ${p.namespace} namespace.` };
    const rows = [['NAME', 'READY', 'EXPIRES', 'AGE']];
    for (const item of items) {
      rows.push([
        item.metadata?.name ?? '',
        item.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown',
        item.status?.notAfter ?? '',
        age(item.metadata?.creationTimestamp),
      ]);
    }
    return { output: table(rows) };
  }

  async describeCustom(p: { namespace: string; group: string; version: string; plural: string; name: string }): Promise<ActionResult> {
    const object = (await this.custom.getNamespacedCustomObject({ group: p.group, version: p.version, namespace: p.namespace, plural: p.plural, name: p.name })) as {
      metadata?: Record<string, unknown>;
      spec?: unknown;
      status?: unknown;
    };
    const events = await this.core.listNamespacedEvent({ namespace: p.namespace, fieldSelector: `involvedObject.name=${p.name}` });
    const { managedFields: _m, ...metadata } = object.metadata ?? {};
    const lines = events.items.map((e) => `  ${e.type ?? ''}  ${e.reason ?? ''}  ${e.message ?? ''}`);
    return { output: `${stringify({ metadata, spec: object.spec, status: object.status })}Events:\n${lines.join('\n') || '  <none>'}` };
  }

  async hpa(p: { namespace: string; name?: string | undefined }): Promise<ActionResult> {
    const items = p.name
      ? [await this.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: p.name, namespace: p.namespace })]
      : (await this.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: p.namespace })).items;
    const out = items.map((h) =>
      [
        `Name: ${h.metadata?.name}`,
        `Reference: ${h.spec?.scaleTargetRef.kind}/${h.spec?.scaleTargetRef.name}`,
        `Min replicas: ${h.spec?.minReplicas ?? 1}`,
        `Max replicas: ${h.spec?.maxReplicas}`,
        `Current replicas: ${h.status?.currentReplicas ?? '?'} (desired ${h.status?.desiredReplicas ?? '?'})`,
        ...(h.status?.conditions ?? []).map((c) => `Condition ${c.type}=${c.status}: ${c.message ?? ''}`),
      ].join('\n'),
    );
    return { output: out.join('\n\n') || `No autoscalers in ${p.namespace}.` };
  }

  async pv(): Promise<ActionResult> {
    const list = await this.core.listPersistentVolume();
    const rows = [['NAME', 'CAPACITY', 'STATUS', 'CLAIM']];
    for (const v of list.items) {
      rows.push([v.metadata?.name ?? '', v.spec?.capacity?.storage ?? '', v.status?.phase ?? '', v.spec?.claimRef ? `${v.spec.claimRef.namespace}/${v.spec.claimRef.name}` : '']);
    }
    return { output: rows.length > 1 ? table(rows) : 'No resources found' };
  }

  /**
   * The runbook's `./scripts/health-check.sh` as a composite: one pass / warn / fail line each for
   * pods, deployments, recent warning events and nodes; database, cache and alerts are reported
   * as not checked until those services are configured.
   */
  async healthCheck(namespace: string, now = Date.now()): Promise<ActionResult> {
    const checks: CheckLine[] = [];
    const pods = await this.core.listNamespacedPod({ namespace });
    const bad = pods.items.filter((pod) => {
      const c = podColumns(pod);
      return pod.status?.phase !== 'Succeeded' && (c.status !== 'Running' || !pod.status?.containerStatuses?.every((s) => s.ready));
    });
    checks.push({
      name: 'Pods running and ready',
      status: bad.length === 0 ? 'pass' : 'fail',
      detail: bad.length === 0 ? `${pods.items.length} pods running and ready` : `${bad.length} not ready: ${bad.map((p) => `${p.metadata?.name} (${podColumns(p).status})`).join(', ')}`,
    });
    const deployments = await this.apps.listNamespacedDeployment({ namespace });
    const unavailable = deployments.items.filter((d) => (d.status?.availableReplicas ?? 0) < (d.spec?.replicas ?? 0) || (d.status?.updatedReplicas ?? 0) < (d.spec?.replicas ?? 0));
    checks.push({
      name: 'Deployments available',
      status: unavailable.length === 0 ? 'pass' : 'fail',
      detail:
        unavailable.length === 0
          ? `${deployments.items.length} deployments fully available`
          : unavailable.map((d) => `${d.metadata?.name}: ${d.status?.availableReplicas ?? 0}/${d.spec?.replicas ?? 0} available, ${d.status?.updatedReplicas ?? 0} updated`).join('; '),
    });
    const events = await this.core.listNamespacedEvent({ namespace, fieldSelector: 'type=Warning' });
    const recent = events.items.filter((e) => {
      const at = e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
      return at !== undefined && now - new Date(at as string | Date).getTime() < 10 * 60_000;
    });
    checks.push({
      name: 'No recent warning events',
      status: recent.length === 0 ? 'pass' : 'warn',
      detail: recent.length === 0 ? 'no warnings in the last 10 minutes' : `${recent.length} in the last 10 minutes, latest: ${recent.at(-1)?.reason ?? ''} ${recent.at(-1)?.message ?? ''}`.trim(),
    });
    try {
      const nodes = await this.core.listNode();
      const notReady = nodes.items.filter((n) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True');
      checks.push({
        name: 'Nodes Ready',
        status: notReady.length === 0 ? 'pass' : 'fail',
        detail: notReady.length === 0 ? `${nodes.items.length} nodes Ready` : `not Ready: ${notReady.map((n) => n.metadata?.name).join(', ')}`,
      });
    } catch (error) {
      if (apiStatus(error) !== 403) throw error;
      checks.push({ name: 'Nodes Ready', status: 'skipped', detail: 'not allowed to list nodes with this context' });
    }
    for (const name of ['Database reachable', 'Cache reachable', 'Alerts quiet']) {
      checks.push({ name, status: 'skipped', detail: 'not configured in this cockpit yet' });
    }
    const failing = checks.filter((c) => c.status === 'fail');
    const mark = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skipped: 'SKIP' } as const;
    return {
      output: checks.map((c) => `${mark[c.status]}  ${c.name}: ${c.detail}`).join('\n'),
      checks,
      ...(failing.length ? { failed: `${failing.length} check${failing.length > 1 ? 's' : ''} failing: ${failing.map((c) => c.name).join(', ')}` } : {}),
    };
  }
}

/** Status, latency and (for https) days until the certificate expires, like `curl -I` plus openssl. */
export async function httpCheck(p: { url: string; method: 'HEAD' | 'GET'; expectStatus?: number | undefined }, timeoutMs = 10_000): Promise<ActionResult> {
  const started = performance.now();
  let status: number;
  try {
    const response = await fetch(p.url, { method: p.method, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    status = response.status;
    await response.body?.cancel();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    return { output: `${p.method} ${p.url}: no answer (${why})`, checks: [{ name: 'Reachable', status: 'fail', detail: why }], failed: `${p.url} did not answer: ${why}` };
  }
  const latency = Math.round(performance.now() - started);
  const checks: CheckLine[] = [];
  const expected = p.expectStatus;
  const statusOk = expected === undefined ? status < 400 : status === expected;
  checks.push({ name: 'Status', status: statusOk ? 'pass' : 'fail', detail: `${status}${expected !== undefined ? ` (expected ${expected})` : ''}` });
  checks.push({ name: 'Latency', status: latency < 2000 ? 'pass' : 'warn', detail: `${latency} ms` });
  const url = new URL(p.url);
  if (url.protocol === 'https:') {
    const notAfter = await new Promise<string | undefined>((resolve) => {
      const socket = tlsConnect({ host: url.hostname, port: Number(url.port || 443), servername: url.hostname, rejectUnauthorized: false, timeout: timeoutMs }, () => {
        resolve(socket.getPeerCertificate()?.valid_to);
        socket.end();
      });
      socket.on('error', () => resolve(undefined));
      socket.on('timeout', () => (socket.destroy(), resolve(undefined)));
    });
    if (notAfter) {
      const days = Math.floor((new Date(notAfter).getTime() - Date.now()) / 86_400_000);
      checks.push({ name: 'TLS certificate', status: days < 0 ? 'fail' : days < 14 ? 'warn' : 'pass', detail: `expires ${new Date(notAfter).toISOString().slice(0, 10)} (${days} days)` });
    }
  }
  const failing = checks.filter((c) => c.status === 'fail');
  return {
    output: checks.map((c) => `${c.status.toUpperCase()}  ${c.name}: ${c.detail}`).join('\n'),
    checks,
    ...(failing.length ? { failed: failing.map((c) => `${c.name} ${c.detail}`).join('; ') } : {}),
  };
}
