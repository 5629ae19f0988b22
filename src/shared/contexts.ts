/** How a context authenticates, by kind only (never a value). */
export type ContextAuth = 'bearer' | 'bearer-file' | 'client-certificate' | 'exec' | 'auth-provider' | 'basic' | 'anonymous';

/** A Kubernetes context as the renderer sees it: names and addresses, never credentials. */
export interface ContextInfo {
  name: string;
  cluster: string;
  /** `host:port` of the API server. */
  server: string;
  namespace: string;
  source: 'kubeconfig' | 'drill';
  /** The kubeconfig file it came from (absent for the drill cluster). */
  file?: string;
  /** The merged kubeconfig's current-context. */
  isDefault?: boolean;
  auth?: ContextAuth;
  /** What the cockpit does differently from kubectl for this context (e.g. a proxy it cannot use). */
  notes?: string[];
}

export interface KubeconfigProblem {
  file: string;
  message: string;
}

/** Health of one context, with the specific reason when it is not reachable. */
export type ContextHealthState = 'unknown' | 'reachable' | 'unauthorized' | 'forbidden' | 'unreachable' | 'tls-error' | 'exec-failed' | 'invalid';

export interface ContextHealth {
  state: ContextHealthState;
  /** What is wrong, said plainly (secrets redacted), or the server version when reachable. */
  message?: string;
  /** `v1.32.0`. */
  version?: string;
  checkedAt?: string;
}

export interface ContextList {
  contexts: ContextInfo[];
  current: string | undefined;
  /** The namespace chosen in the top bar for the current context; `""` is all namespaces. */
  namespace: string;
  problems: KubeconfigProblem[];
  /** Last known health by context name. */
  health: Record<string, ContextHealth>;
}

/** The namespace choice that means every namespace. */
export const ALL_NAMESPACES = '';

/** The drill cluster's own vocabulary, owned by its package (one list, nothing duplicated). */
export { SCENARIO_NAMES, type ScenarioName, type ScenarioState, type ScenarioEnding } from '@incident-cockpit/drill-cluster';
import type { ScenarioState } from '@incident-cockpit/drill-cluster';

/**
 * The drill cluster's process as the app sees it: `starting` until its process announced itself,
 * `crashed` when it exited on its own (with the exit code or signal and its last words),
 * `failed` when it could not start, `off` when COCKPIT_DRILL=off.
 */
export type DrillState = 'off' | 'starting' | 'running' | 'crashed' | 'failed' | 'stopped';

export interface DrillStatus {
  state: DrillState;
  running: boolean;
  /** `https://127.0.0.1:port`. */
  url?: string;
  /** A kubeconfig for `kubectl` in any shell: `KUBECONFIG=<path> kubectl get pods -n codesign-production`. */
  kubeconfigPath?: string;
  /** The drill's own process. */
  pid?: number;
  scenarios: ScenarioState[];
  /** Why it is not running (crash reason, start failure, turned off). */
  error?: string;
  /** How its process ended, when it did. */
  exit?: { code: number | null; signal: string | null };
  /** Restarts asked for since the app started. */
  restarts: number;
  /** The cluster's state came back from the data directory (false: seeded fresh). */
  restored?: boolean;
  /** Where its state is kept across restarts (`<data>/drill/state.json`). */
  stateFile?: string;
  /** Why the saved state could not be used, when it could not (the cluster was seeded fresh). */
  restoreProblem?: string;
  /** What "Reset drill cluster" puts back. */
  resetDescription?: string;
}
