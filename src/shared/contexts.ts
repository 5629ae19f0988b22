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
  /** The file's current-context. */
  isDefault?: boolean;
}

export interface KubeconfigProblem {
  file: string;
  message: string;
}

export interface ContextList {
  contexts: ContextInfo[];
  current: string | undefined;
  problems: KubeconfigProblem[];
}

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
