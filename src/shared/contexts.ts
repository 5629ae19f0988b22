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

export interface DrillStatus {
  running: boolean;
  /** `https://127.0.0.1:port`. */
  url?: string;
  /** A kubeconfig for `kubectl` in any shell: `KUBECONFIG=<path> kubectl get pods -n codesign-production`. */
  kubeconfigPath?: string;
  scenarios: Array<{ name: ScenarioName; active: boolean }>;
  error?: string;
}

/** The drill cluster's fault scenarios, each resolved by the runbook procedure meant for it. */
export const SCENARIO_NAMES = [
  'high-latency',
  'error-spike',
  'memory-leak',
  'db-connection-exhaustion',
  'bad-deploy',
  'expiring-certificate',
  'auth-failure-burst',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];
