/**
 * What the drill cluster and its clients agree on, in plain TypeScript with no runtime imports:
 * the scenario names, the control API's state document, and the messages the drill's process
 * sends its parent. The app re-exports the names from here (src/shared/contexts.ts) so there is
 * one list, owned by the package that implements the scenarios.
 */

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

/** One line per scenario for `npm run drill -- --help`. */
export const SCENARIO_SUMMARIES: Record<ScenarioName, string> = {
  'high-latency': 'a building surge: P95 over 2 s, then over 5 s as requests queue, CPU at its limit, the HPA capped at 3 (fix: raise its maxReplicas and scale up; a bare kubectl scale is undone by the HPA)',
  'error-spike': '5xx over 10% with readiness flapping (fix: kubectl rollout restart deploy/codesign-api)',
  'memory-leak': 'codesign-api memory grows until OOMKilled (fix: rollout restart, or a higher memory limit)',
  'db-connection-exhaustion': 'PostgreSQL at 190+ connections, pools exhausted (fix: restart codesign-api or terminate idle connections)',
  'bad-deploy': 'a crash-looping revision rolls out (fix: kubectl rollout undo deploy/codesign-api)',
  'expiring-certificate': 'codesign-tls has days left and renewal fails (fix: delete the certificate so cert-manager reissues it)',
  'auth-failure-burst': 'a third of the requests answer 401 (ends when cleared)',
};

export function isScenarioName(value: string): value is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(value);
}

/** How a scenario ended on its own: the change in the cluster that removed its fault. */
export interface ScenarioEnding {
  /** Simulated epoch ms. */
  at: number;
  /** What did it, as a responder would say it: `rollout undo of deployment/codesign-api (revision 5 → 6)`. */
  change: string;
}

export interface ScenarioState {
  name: ScenarioName;
  active: boolean;
  /** When it was switched on (simulated epoch ms), while active. */
  since?: number;
  /** Set when the scenario ended itself because its fault is gone; kept until it is switched on again. */
  ended?: ScenarioEnding;
}

/** The control API's one document (`GET /v1/state`); `version` grows with every change. */
export interface DrillControlState {
  version: number;
  /** `https://127.0.0.1:port`, the API server. */
  apiUrl: string;
  scenarios: ScenarioState[];
  /** Where the cluster's state is kept across restarts, when it is. */
  stateFile?: string;
  /** Restored from `stateFile` at start (false: seeded fresh). */
  restored: boolean;
  /** Why the saved state could not be used (the cluster was seeded fresh). */
  restoreProblem?: string;
  /** What "reset" puts back, for the UI to say before it is asked. */
  resetDescription: string;
  /** The servers behind postgres-0 (and which kind), when the drill runs its own. */
  backends?: DrillBackendsState;
}

/**
 * `DrillControlState.backends`: which PostgreSQL answers for postgres-0. `kind` is `postgresql`
 * (Debian's server binaries), `pglite` (the embedded fallback) or `external` (an address given to
 * the drill); `annotation` is the value of the postgres-0 pod's `drill.incident-cockpit/backend`.
 */
export interface DrillBackendsState {
  postgres: {
    kind: 'postgresql' | 'pglite' | 'external';
    /** `15.18` */
    version: string;
    /** `15.18 (Debian 15.18-0+deb12u1)`, as `SHOW server_version` says. */
    serverVersion: string;
    /** `postgresql-15.18` | `pglite-18.6` */
    annotation: string;
    /** The server starts on first use (a port-forward, an exec'd psql, the connection-exhaustion scenario). */
    state: 'not started' | 'starting' | 'running' | 'failed' | 'stopped' | 'none';
    port?: number;
    dataDir?: string;
    startMs?: number;
    initialised?: boolean;
    recovered?: 'orphan-stopped' | 'stale-pid-removed';
    problem?: string;
    /** Idle sessions db-connection-exhaustion holds open in the real server now. */
    heldIdleConnections: number;
  };
}

/** Messages from the drill's process to the parent that forked it (IPC / parentPort). */
export type DrillChildMessage =
  | { type: 'ready'; apiUrl: string; controlUrl: string; controlToken: string; kubeconfigPath: string; pid: number }
  | { type: 'failed'; message: string };

/** The child's configuration, passed as JSON in `DRILL_CHILD_CONFIG`. */
export interface DrillChildConfig {
  /** `<data>/drill`: the kubeconfig and the persisted state go here. */
  dir: string;
  speed?: number;
  logLinesPerSecond?: number;
  /** `none` for tests that need no PostgreSQL; `auto` (default) is Debian's server when installed, else PGlite. */
  postgres?: 'auto' | 'postgresql' | 'pglite' | 'none';
  redis?: 'auto' | 'none';
  /** Keep state across restarts in `dir` (default true). */
  persist?: boolean;
  /** Scenarios to switch on at start. */
  scenarios?: ScenarioName[];
  /** Run Debian's prometheus / alertmanager behind the monitoring services, with these alert rules (absent: none). */
  monitoring?: { rulesFile: string; scrapeIntervalSeconds?: number };
}

export const DRILL_CHILD_CONFIG_ENV = 'DRILL_CHILD_CONFIG';
