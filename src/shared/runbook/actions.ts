import { z } from 'zod';

/**
 * The typed action catalogue: what a runbook step can ask the cockpit to do, the parameters each
 * action takes, the least risk it can be declared with, and a one-line description for the UI.
 * Pure TypeScript: imported by main (the procedure runner) and by the renderer.
 *
 * String parameters may hold templates, expanded at run time by `expandTemplate`:
 * `{date:YYYYMMDD}` (also `YYYYMM`, `YYYYMMDD_HHmmss`, ...) and `{input:NAME}` (a value the
 * responder supplies, declared in the step's `inputs`).
 */

export const RiskSchema = z.enum(['read', 'change', 'destructive']);
export type Risk = z.infer<typeof RiskSchema>;

const RISK_ORDER: Record<Risk, number> = { read: 0, change: 1, destructive: 2 };

/** True when `risk` is at least as strong as `floor` (destructive > change > read). */
export function riskAtLeast(risk: Risk, floor: Risk): boolean {
  return RISK_ORDER[risk] >= RISK_ORDER[floor];
}

const text = z.string().min(1, 'must not be empty');
const namespace = text;
/** A Kubernetes object name, possibly with `{date:...}` / `{input:...}` templates. */
const objectName = z
  .string()
  .refine((name) => /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name.replace(/\{(date|input):[A-Za-z0-9_]+\}/g, 'x')), {
    message: 'must be a Kubernetes name (lower-case letters, digits, "-", ".")',
  });
const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|M|G|T|P|E|Ei)?$/, 'must be a Kubernetes quantity such as "500m", "3Gi"');
const regexSource = z.string().min(1).refine(
  (source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a valid regular expression' },
);

const workloadRef = (kinds: readonly [string, ...string[]]) =>
  z.strictObject({ kind: z.enum(kinds), name: objectName });

const deploymentParams = z.strictObject({ namespace, deployment: objectName });

/** A cert-manager Certificate or any other custom resource, addressed by group/version/plural. */
const customResource = {
  namespace,
  group: text,
  version: text,
  plural: text,
};

export const PG_NAMED_QUERIES = [
  'connections-by-state',
  'slow-statements',
  'slow-statements-over-1s',
  'index-usage',
  'terminate-idle',
  'vacuum-analyze',
  'reindex',
  'analyze',
] as const;
export const PgNamedQuerySchema = z.enum(PG_NAMED_QUERIES);
export type PgNamedQuery = z.infer<typeof PgNamedQuerySchema>;

export const COMPLIANCE_SCRIPTS = [
  'compliance-report',
  'data-access-request',
  'data-erasure-request',
  'audit-logs-high-risk',
  'health-status',
  'reset-circuit-breakers',
  'memory-usage',
] as const;
export type ComplianceScript = (typeof COMPLIANCE_SCRIPTS)[number];

const pgTarget = { namespace, pod: objectName, user: text.optional(), database: text.optional() };

/** Parameter schema of every action type, keyed by the action's `type`. */
export const ACTION_PARAMS = {
  'k8s.pods': z.strictObject({
    namespace,
    labelSelector: text.optional(),
    fieldSelector: text.optional(),
    /** Hide pods whose STATUS column equals this (the source's `| grep -v Running`). */
    excludeStatus: text.optional(),
  }),
  'k8s.top': z
    .strictObject({ resource: z.enum(['nodes', 'pods']), namespace: namespace.optional(), containers: z.boolean().optional() })
    .refine((p) => p.resource === 'nodes' || p.namespace !== undefined, {
      message: 'top pods needs a namespace',
      path: ['namespace'],
    }),
  'k8s.logs': z.strictObject({
    namespace,
    target: workloadRef(['deployment', 'job', 'pod']),
    container: text.optional(),
    tail: z.int().positive().optional(),
    follow: z.boolean().optional(),
    previous: z.boolean().optional(),
    filter: z.strictObject({ regex: regexSource, ignoreCase: z.boolean().optional() }).optional(),
  }),
  'k8s.rolloutHistory': deploymentParams,
  'k8s.rolloutStatus': z.strictObject({ namespace, deployment: objectName, timeoutSeconds: z.int().positive().optional() }),
  'k8s.rolloutRestart': deploymentParams,
  'k8s.rolloutUndo': z.strictObject({ namespace, deployment: objectName, toRevision: z.int().positive().optional() }),
  'k8s.scale': z.strictObject({
    namespace,
    deployment: objectName,
    replicas: z.int().nonnegative(),
    /**
     * The bounds to give the HorizontalPodAutoscaler that manages the deployment (a revert puts
     * the old ones back). Absent: a scale to N raises the HPA's minimum to N (and its maximum
     * when below N), or the HPA would undo the scale.
     */
    autoscaler: z.strictObject({ minReplicas: z.int().positive(), maxReplicas: z.int().positive() }).optional(),
  }),
  'k8s.setEnv': z.strictObject({
    namespace,
    deployment: objectName,
    container: text.optional(),
    env: z.record(z.string(), z.string()).superRefine((env, ctx) => {
      const names = Object.keys(env);
      if (names.length === 0) ctx.addIssue({ code: 'custom', message: 'must set at least one variable' });
      for (const name of names.filter((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n))) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'must be an environment variable name' });
      }
    }),
  }),
  'k8s.setImage': z.strictObject({ namespace, deployment: objectName, container: objectName, image: text }),
  'k8s.patchResources': z
    .strictObject({
      namespace,
      deployment: objectName,
      container: objectName,
      limits: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
      requests: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
    })
    .refine((p) => p.limits !== undefined || p.requests !== undefined, { message: 'must change limits or requests' }),
  'k8s.deletePods': z.strictObject({ namespace, labelSelector: text, fieldSelector: text.optional() }),
  'k8s.exec': z.strictObject({
    namespace,
    target: workloadRef(['pod', 'deployment']),
    container: text.optional(),
    command: z.array(text).min(1),
    stdin: z.string().optional(),
  }),
  'k8s.getCustom': z.strictObject({ ...customResource, name: objectName.optional() }),
  'k8s.describeCustom': z.strictObject({ ...customResource, name: objectName }),
  'k8s.deleteCustom': z.strictObject({ ...customResource, name: objectName }),
  'k8s.deleteSecret': z.strictObject({ namespace, name: objectName }),
  'k8s.rotateSecret': z.strictObject({
    namespace,
    name: objectName,
    /** Each key gets a fresh random value: `bytes` random bytes, encoded (`openssl rand -base64 N`). */
    keys: z
      .array(z.strictObject({ key: text, bytes: z.int().min(16, 'must be at least 16 bytes'), encoding: z.literal('base64') }))
      .min(1),
  }),
  'k8s.hpa': z.strictObject({ namespace, name: objectName.optional() }),
  'k8s.pv': z.strictObject({}),
  'pg.ready': z.strictObject(pgTarget),
  'pg.query': z.strictObject({
    ...pgTarget,
    user: text,
    database: text,
    /** Run in order, in one session. */
    queries: z.array(PgNamedQuerySchema).min(1),
    /** `terminate-idle` ends connections idle longer than this (default 5, the runbook's). */
    idleMinutes: z.int().min(0).max(10_080).optional(),
  }),
  'pg.dump': z.strictObject({ ...pgTarget, user: text, database: text, outputFile: text }),
  'redis.info': z.strictObject({
    namespace,
    pod: objectName,
    section: z.enum(['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'keyspace', 'all']).optional(),
    /** Where the password lives; the source reads it from `$REDIS_PASSWORD`. */
    passwordSecret: z.strictObject({ name: objectName, key: text }).optional(),
  }),
  'prom.alerts': z.strictObject({
    state: z.enum(['firing', 'pending', 'inactive']).optional(),
    /** The source's in-cluster address; the cockpit reaches Prometheus by its configured route. */
    url: z.url().optional(),
  }),
  'prom.query': z.strictObject({ promql: text, thresholdId: text.optional() }),
  'http.check': z.strictObject({
    url: z.url({ protocol: /^https?$/ }),
    method: z.enum(['HEAD', 'GET']),
    expectStatus: z.int().min(100).max(599).optional(),
  }),
  'evidence.capture': z.strictObject({
    source: z.strictObject({ kind: z.literal('logs'), namespace, target: workloadRef(['deployment', 'job', 'pod']) }),
    /** Name of the attachment, e.g. `incident_{date:YYYYMMDD_HHmmss}.log` (the source's file). */
    fileName: text,
  }),
  'compliance.script': z.strictObject({
    namespace: namespace.optional(),
    target: workloadRef(['deployment', 'pod']),
    script: z.enum(COMPLIANCE_SCRIPTS),
    /** The Python program passed to `python -c`, verbatim. */
    python: text,
    /** Look-back window for reports (`time.time() - 604800`). */
    periodSeconds: z.int().positive().optional(),
    /** Where stdout is saved (the source's `> file`). */
    outputFile: text.optional(),
  }),
  'host.command': z.strictObject({
    /** The program the responder's machine must have (`df`, `docker`, `./scripts/health-check.sh`). */
    program: text,
    /** Runs until stopped (`tail -f`). */
    follow: z.boolean().optional(),
    /** A file on the responder's machine the command writes. */
    writesFile: text.optional(),
  }),
  'terminal.snippet': z.strictObject({}),
  manual: z.strictObject({}),
} as const;

export type ActionType = keyof typeof ACTION_PARAMS;
export const ACTION_TYPES = Object.keys(ACTION_PARAMS) as ActionType[];

type ActionOf<T extends ActionType> = { type: T; params: z.infer<(typeof ACTION_PARAMS)[T]> };
export type Action = { [T in ActionType]: ActionOf<T> }[ActionType];
export type ActionParams<T extends ActionType> = z.infer<(typeof ACTION_PARAMS)[T]>;

const actionVariants = ACTION_TYPES.map((type) => {
  const params: z.ZodType = ACTION_PARAMS[type];
  // Snippets and manual steps may omit `params` in YAML.
  const paramsField = type === 'terminal.snippet' || type === 'manual' ? params.default({}) : params;
  return z.strictObject({ type: z.literal(type), params: paramsField });
});

/** A runbook step's action: a discriminated union on `type`, each with its own `params`. */
export const ActionSchema = z.discriminatedUnion(
  'type',
  actionVariants as unknown as [z.ZodObject<{ type: z.ZodLiteral<ActionType> }>, ...z.ZodObject[]],
) as unknown as z.ZodType<Action>;

const PG_QUERY_RISK: Record<PgNamedQuery, Risk> = {
  'connections-by-state': 'read',
  'slow-statements': 'read',
  'slow-statements-over-1s': 'read',
  'index-usage': 'read',
  'terminate-idle': 'destructive',
  'vacuum-analyze': 'change',
  reindex: 'destructive',
  analyze: 'change',
};

const COMPLIANCE_SCRIPT_RISK: Record<ComplianceScript, Risk> = {
  'compliance-report': 'read',
  'data-access-request': 'read',
  'data-erasure-request': 'destructive',
  'audit-logs-high-risk': 'read',
  'health-status': 'read',
  'reset-circuit-breakers': 'change',
  'memory-usage': 'read',
};

const maxRisk = (risks: Risk[]): Risk => risks.reduce<Risk>((a, b) => (riskAtLeast(a, b) ? a : b), 'read');

/**
 * The least risk a step running this action may declare. The loader refuses a step that claims
 * less (a delete declared `read` would skip the typed confirmation).
 */
export function minimumRisk(action: Action): Risk {
  switch (action.type) {
    case 'k8s.scale':
      return action.params.replicas === 0 ? 'destructive' : 'change';
    case 'k8s.rolloutRestart':
    case 'k8s.rolloutUndo':
    case 'k8s.setEnv':
    case 'k8s.setImage':
    case 'k8s.patchResources':
    case 'k8s.exec':
      return 'change';
    case 'k8s.deletePods':
    case 'k8s.deleteCustom':
    case 'k8s.deleteSecret':
    case 'k8s.rotateSecret':
      return 'destructive';
    case 'pg.query':
      return maxRisk(action.params.queries.map((q) => PG_QUERY_RISK[q]));
    case 'compliance.script':
      return COMPLIANCE_SCRIPT_RISK[action.params.script];
    case 'host.command':
      return action.params.writesFile === undefined ? 'read' : 'change';
    default:
      return 'read';
  }
}

export interface NamedQueryOptions {
  /** For `terminate-idle`: the idle age in whole minutes (default 5). */
  idleMinutes?: number | undefined;
}

interface NamedQuery {
  title: string;
  /** SQL for PostgreSQL 13 and later. */
  sql: (database: string, options?: NamedQueryOptions) => string;
  /** SQL for servers before 13, where pg_stat_statements still had `mean_time` / `total_time`. */
  sqlBefore13?: (database: string) => string;
  /** An extension the query needs; when missing the runner reports it instead of failing. */
  requiresExtension?: string;
  note?: string;
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const RENAMED_COLUMNS_NOTE =
  'PostgreSQL 13 renamed pg_stat_statements.mean_time/total_time to mean_exec_time/total_exec_time; the source runbook uses the old names.';

/** The SQL behind each `pg.query` name, adapted to the server version where the source's SQL is dated. */
export const PG_QUERY_CATALOGUE: Record<PgNamedQuery, NamedQuery> = {
  'connections-by-state': {
    title: 'Connections by state',
    sql: () => 'SELECT count(*) AS active_connections, state FROM pg_stat_activity GROUP BY state',
  },
  'slow-statements': {
    title: 'Ten slowest statements (mean time)',
    sql: () =>
      'SELECT query, mean_exec_time AS mean_time, calls, total_exec_time AS total_time FROM pg_stat_statements ORDER BY mean_exec_time DESC LIMIT 10',
    sqlBefore13: () => 'SELECT query, mean_time, calls, total_time FROM pg_stat_statements ORDER BY mean_time DESC LIMIT 10',
    requiresExtension: 'pg_stat_statements',
    note: RENAMED_COLUMNS_NOTE,
  },
  'slow-statements-over-1s': {
    title: 'Statements slower than 1 s on average',
    sql: () =>
      'SELECT query, mean_exec_time AS mean_time, calls FROM pg_stat_statements WHERE mean_exec_time > 1000 ORDER BY mean_exec_time DESC LIMIT 10',
    sqlBefore13: () =>
      'SELECT query, mean_time, calls FROM pg_stat_statements WHERE mean_time > 1000 ORDER BY mean_time DESC LIMIT 10',
    requiresExtension: 'pg_stat_statements',
    note: RENAMED_COLUMNS_NOTE,
  },
  'index-usage': {
    title: 'Column statistics of the public schema',
    sql: () =>
      "SELECT schemaname, tablename, attname, n_distinct, correlation FROM pg_stats WHERE schemaname = 'public' ORDER BY n_distinct DESC",
  },
  'terminate-idle': {
    title: 'Terminate idle connections',
    sql: (_database, options) =>
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle' AND state_change < now() - interval '${Math.max(0, Math.floor(options?.idleMinutes ?? 5))} minutes' AND pid <> pg_backend_pid()`,
  },
  'vacuum-analyze': { title: 'VACUUM ANALYZE', sql: () => 'VACUUM ANALYZE' },
  reindex: { title: 'Rebuild every index of the database', sql: (database) => `REINDEX DATABASE ${quoteIdent(database)}` },
  analyze: { title: 'Update planner statistics', sql: () => 'ANALYZE' },
};

/** The SQL to send for a named query to a server reporting `server_version_num` (e.g. 160002). */
export function namedQuerySql(query: PgNamedQuery, database: string, serverVersionNum: number, options?: NamedQueryOptions): string {
  const entry = PG_QUERY_CATALOGUE[query];
  return serverVersionNum < 130000 && entry.sqlBefore13 ? entry.sqlBefore13(database) : entry.sql(database, options);
}

const ns = (namespace: string | undefined) => (namespace === undefined ? '' : ` in ${namespace}`);

/** A one-line, human description of what the action does, for buttons and the timeline. */
export function describeAction(action: Action): string {
  switch (action.type) {
    case 'k8s.pods': {
      const p = action.params;
      const filters = [p.labelSelector, p.fieldSelector, p.excludeStatus && `status ≠ ${p.excludeStatus}`].filter(Boolean);
      return `List pods${ns(p.namespace)}${filters.length ? ` (${filters.join(', ')})` : ''}`;
    }
    case 'k8s.top':
      return action.params.resource === 'nodes'
        ? 'Show node CPU and memory usage'
        : `Show pod${action.params.containers ? ' and container' : ''} CPU and memory usage${ns(action.params.namespace)}`;
    case 'k8s.logs': {
      const p = action.params;
      const parts = [
        p.tail !== undefined ? `last ${p.tail} lines` : undefined,
        p.follow ? 'following' : undefined,
        p.previous ? 'previous container' : undefined,
        p.filter ? `matching /${p.filter.regex}/${p.filter.ignoreCase ? 'i' : ''}` : undefined,
      ].filter(Boolean);
      return `Logs of ${p.target.kind} ${p.target.name}${ns(p.namespace)}${parts.length ? `, ${parts.join(', ')}` : ''}`;
    }
    case 'k8s.rolloutHistory':
      return `Rollout history of deployment ${action.params.deployment}`;
    case 'k8s.rolloutStatus':
      return `Watch the rollout of deployment ${action.params.deployment}${
        action.params.timeoutSeconds ? ` (timeout ${action.params.timeoutSeconds}s)` : ''
      }`;
    case 'k8s.rolloutRestart':
      return `Restart deployment ${action.params.deployment} (rolling)`;
    case 'k8s.rolloutUndo':
      return `Roll deployment ${action.params.deployment} back to ${
        action.params.toRevision ? `revision ${action.params.toRevision}` : 'the previous revision'
      }`;
    case 'k8s.scale':
      return `Scale deployment ${action.params.deployment} to ${action.params.replicas} replica${action.params.replicas === 1 ? '' : 's'}`;
    case 'k8s.setEnv':
      return `Set ${Object.entries(action.params.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')} on deployment ${action.params.deployment}`;
    case 'k8s.setImage':
      return `Set image of ${action.params.deployment}/${action.params.container} to ${action.params.image}`;
    case 'k8s.patchResources': {
      const fmt = (kind: string, r?: { cpu?: string; memory?: string }) =>
        r ? [r.cpu && `${kind} cpu ${r.cpu}`, r.memory && `${kind} memory ${r.memory}`].filter(Boolean) : [];
      return `Set ${[...fmt('limit', action.params.limits), ...fmt('request', action.params.requests)].join(', ')} on ${
        action.params.deployment
      }/${action.params.container}`;
    }
    case 'k8s.deletePods':
      return `Delete pods ${action.params.labelSelector}${action.params.fieldSelector ? `, ${action.params.fieldSelector}` : ''}${ns(
        action.params.namespace,
      )}`;
    case 'k8s.exec':
      return `Run ${action.params.command.join(' ')} in ${action.params.target.kind} ${action.params.target.name}`;
    case 'k8s.getCustom':
      return `List ${action.params.plural}.${action.params.group}${action.params.name ? ` ${action.params.name}` : ''}${ns(
        action.params.namespace,
      )}`;
    case 'k8s.describeCustom':
      return `Describe ${action.params.plural}.${action.params.group} ${action.params.name}`;
    case 'k8s.deleteCustom':
      return `Delete ${action.params.plural}.${action.params.group} ${action.params.name}${ns(action.params.namespace)}`;
    case 'k8s.deleteSecret':
      return `Delete secret ${action.params.name}${ns(action.params.namespace)}`;
    case 'k8s.rotateSecret':
      return `Recreate secret ${action.params.name} with new random ${action.params.keys.map((k) => k.key).join(', ')}`;
    case 'k8s.hpa':
      return `Describe horizontal pod autoscaler ${action.params.name ?? '(all)'}`;
    case 'k8s.pv':
      return 'List persistent volumes';
    case 'pg.ready':
      return `Check PostgreSQL on ${action.params.pod} accepts connections`;
    case 'pg.query':
      return `PostgreSQL on ${action.params.pod}: ${action.params.queries
        .map((q) => (q === 'terminate-idle' ? `Terminate connections idle for more than ${action.params.idleMinutes ?? 5} minutes` : PG_QUERY_CATALOGUE[q].title))
        .join('; ')}`;
    case 'pg.dump':
      return `Dump database ${action.params.database} to ${action.params.outputFile}`;
    case 'redis.info':
      return `Redis INFO ${action.params.section ?? 'all'} on ${action.params.pod}`;
    case 'prom.alerts':
      return `List ${action.params.state ?? 'all'} Prometheus alerts`;
    case 'prom.query':
      return `Prometheus query${action.params.thresholdId ? ` for threshold ${action.params.thresholdId}` : ''}: ${action.params.promql}`;
    case 'http.check':
      return `HTTP ${action.params.method} ${action.params.url}`;
    case 'evidence.capture':
      return `Capture logs of ${action.params.source.target.kind} ${action.params.source.target.name} as evidence (${action.params.fileName})`;
    case 'compliance.script':
      return `Run compliance script "${action.params.script}" in ${action.params.target.kind} ${action.params.target.name}`;
    case 'host.command':
      return `Run ${action.params.program} on this machine${action.params.writesFile ? ` (writes ${action.params.writesFile})` : ''}`;
    case 'terminal.snippet':
      return 'Open the command in the terminal';
    case 'manual':
      return 'Manual step';
  }
}

export interface TemplateContext {
  now: Date;
  /** Values for `{input:NAME}` and `$NAME`, keyed by input name. */
  inputs?: Record<string, string>;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function formatDate(date: Date, format: string): string {
  const fields: Record<string, string> = {
    YYYY: String(date.getUTCFullYear()),
    MM: pad(date.getUTCMonth() + 1),
    DD: pad(date.getUTCDate()),
    HH: pad(date.getUTCHours()),
    mm: pad(date.getUTCMinutes()),
    ss: pad(date.getUTCSeconds()),
  };
  return format.replace(/YYYY|MM|DD|HH|mm|ss/g, (token) => fields[token] ?? token);
}

/**
 * Expands `{date:FORMAT}` (UTC; tokens YYYY MM DD HH mm ss) and `{input:NAME}` in a parameter.
 * Throws when an input is referenced but not supplied.
 */
export function expandTemplate(value: string, context: TemplateContext): string {
  return value.replace(/\{(date|input):([A-Za-z0-9_]+)\}/g, (_, kind: string, arg: string) => {
    if (kind === 'date') return formatDate(context.now, arg);
    const supplied = context.inputs?.[arg];
    if (supplied === undefined) throw new Error(`missing input ${arg}`);
    return supplied;
  });
}

/** Every string inside the action's params with its templates expanded (the action itself is untouched). */
export function expandActionParams<A extends Action>(action: A, context: TemplateContext): A {
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return expandTemplate(value, context);
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    }
    return value;
  };
  return { ...action, params: walk(action.params) } as A;
}

export interface StepInput {
  name: string;
  label: string;
  /** A value must match this (anchored) before it is put into a command. */
  pattern?: string;
  /** Never substituted into command text; the terminal reads it from the environment. */
  secret?: boolean;
}

/**
 * The step's original command with declared, non-secret inputs (`$USER_ID`, `${USER_ID}`) filled
 * in, for the terminal and the timeline. Refuses values that do not match the input's pattern,
 * so a value cannot break out of the quoting around it.
 */
export function renderCommand(step: { command: string; inputs?: StepInput[] }, params: Record<string, string>): string {
  let command = step.command;
  for (const input of step.inputs ?? []) {
    if (input.secret) continue;
    const value = params[input.name];
    if (value === undefined) throw new Error(`missing input ${input.name}`);
    const pattern = new RegExp(`^(?:${input.pattern ?? '[A-Za-z0-9@._:-]+'})$`);
    if (!pattern.test(value)) throw new Error(`input ${input.name} does not match ${pattern.source}`);
    command = command.replace(new RegExp(`\\$\\{${input.name}\\}|\\$${input.name}(?![A-Za-z0-9_])`, 'g'), () => value);
  }
  return command;
}
