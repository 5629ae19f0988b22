import { describe, expect, it } from 'vitest';
import {
  ACTION_PARAMS,
  ACTION_TYPES,
  ActionSchema,
  describeAction,
  expandActionParams,
  expandTemplate,
  minimumRisk,
  namedQuerySql,
  renderCommand,
  type Action,
  type ActionParams,
  type ActionType,
} from './actions';

const ns = 'codesign-production';
const certificate = { namespace: ns, group: 'cert-manager.io', version: 'v1', plural: 'certificates' };

/** One valid params object per action type; typed so that a new action type without a sample fails to compile. */
const SAMPLES: { [T in ActionType]: ActionParams<T> } = {
  'k8s.pods': { namespace: ns, excludeStatus: 'Running' },
  'k8s.top': { resource: 'pods', namespace: ns, containers: true },
  'k8s.logs': { namespace: ns, target: { kind: 'job', name: 'backup-job-{date:YYYYMMDD}' }, tail: 100, follow: true, filter: { regex: 'ERROR' } },
  'k8s.rolloutHistory': { namespace: ns, deployment: 'codesign-api' },
  'k8s.rolloutStatus': { namespace: ns, deployment: 'codesign-api', timeoutSeconds: 600 },
  'k8s.rolloutRestart': { namespace: ns, deployment: 'codesign-api' },
  'k8s.rolloutUndo': { namespace: ns, deployment: 'codesign-api' },
  'k8s.scale': { namespace: ns, deployment: 'codesign-api', replicas: 5 },
  'k8s.setEnv': { namespace: ns, deployment: 'codesign-api', env: { CACHE_SIZE_MB: '512' } },
  'k8s.setImage': { namespace: ns, deployment: 'codesign-api', container: 'codesign-api', image: 'codesign-playground:v2.1.0' },
  'k8s.patchResources': { namespace: ns, deployment: 'codesign-api', container: 'codesign-api', limits: { memory: '3Gi' } },
  'k8s.deletePods': { namespace: ns, labelSelector: 'app=codesign-api', fieldSelector: 'status.phase!=Running' },
  'k8s.exec': { namespace: ns, target: { kind: 'pod', name: 'postgres-0' }, command: ['pg_isready'] },
  'k8s.getCustom': certificate,
  'k8s.describeCustom': { ...certificate, name: 'codesign-tls' },
  'k8s.deleteCustom': { ...certificate, name: 'codesign-tls' },
  'k8s.deleteSecret': { namespace: ns, name: 'codesign-secrets' },
  'k8s.rotateSecret': { namespace: ns, name: 'codesign-secrets', keys: [{ key: 'secret-key', bytes: 64, encoding: 'base64' }] },
  'k8s.hpa': { namespace: ns, name: 'codesign-api-hpa' },
  'k8s.pv': {},
  'pg.ready': { namespace: ns, pod: 'postgres-0', user: 'codesign' },
  'pg.query': { namespace: ns, pod: 'postgres-0', user: 'codesign', database: 'codesign_db', queries: ['slow-statements'] },
  'pg.dump': { namespace: ns, pod: 'postgres-0', user: 'codesign', database: 'codesign_db', outputFile: '/backup/pre_{date:YYYYMMDD}.sql' },
  'redis.info': { namespace: ns, pod: 'redis-0', section: 'memory', passwordSecret: { name: 'codesign-secrets', key: 'redis-password' } },
  'prom.alerts': { state: 'firing' },
  'prom.query': { promql: 'up', thresholdId: 'error-rate' },
  'http.check': { url: 'https://codesign.example.com', method: 'HEAD' },
  'evidence.capture': {
    source: { kind: 'logs', namespace: ns, target: { kind: 'deployment', name: 'codesign-api' } },
    fileName: 'incident_{date:YYYYMMDD_HHmmss}.log',
  },
  'compliance.script': { target: { kind: 'deployment', name: 'codesign-api' }, script: 'health-status', python: 'print(1)' },
  'host.command': { program: 'df' },
  'terminal.snippet': {},
  manual: {},
};

const action = <T extends ActionType>(type: T, params: ActionParams<T>) => ({ type, params }) as Action;
const issuesOf = (value: unknown) =>
  (ActionSchema.safeParse(value).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('the action catalogue', () => {
  it('has every action the architecture and the runbook need', () => {
    expect(ACTION_TYPES).toEqual(
      expect.arrayContaining([
        'k8s.pods', 'k8s.top', 'k8s.logs', 'k8s.rolloutHistory', 'k8s.rolloutStatus', 'k8s.rolloutRestart',
        'k8s.rolloutUndo', 'k8s.scale', 'k8s.setEnv', 'k8s.setImage', 'k8s.patchResources', 'k8s.deletePods',
        'k8s.exec', 'k8s.getCustom', 'k8s.describeCustom', 'k8s.deleteCustom', 'k8s.deleteSecret', 'k8s.rotateSecret',
        'k8s.hpa', 'k8s.pv', 'pg.ready', 'pg.query', 'pg.dump', 'redis.info', 'prom.alerts', 'prom.query',
        'http.check', 'evidence.capture', 'compliance.script', 'host.command', 'terminal.snippet', 'manual',
      ]),
    );
  });

  it.each(ACTION_TYPES)('%s: accepts its sample params and describes it in one line', (type) => {
    const sample = { type, params: SAMPLES[type] };
    expect(issuesOf(sample)).toEqual([]);
    const line = describeAction(ActionSchema.parse(sample));
    expect(line.length).toBeGreaterThan(5);
    expect(line).not.toContain('\n');
    expect(line).not.toContain('undefined');
  });

  it.each(ACTION_TYPES)('%s: refuses an unknown parameter', (type) => {
    expect(issuesOf({ type, params: { ...SAMPLES[type], bogus: 1 } })).toEqual([expect.stringMatching(/^params: Unrecognized key: "bogus"/)]);
  });

  it('refuses params that break an action schema, naming the field', () => {
    expect(issuesOf({ type: 'k8s.scale', params: { ...SAMPLES['k8s.scale'], replicas: -1 } })).toEqual([expect.stringMatching(/^params\.replicas: /)]);
    expect(issuesOf({ type: 'k8s.scale', params: { ...SAMPLES['k8s.scale'], replicas: 1.5 } })).toEqual([expect.stringMatching(/^params\.replicas: /)]);
    expect(issuesOf({ type: 'k8s.logs', params: { ...SAMPLES['k8s.logs'], filter: { regex: '([' } } })).toEqual([
      'params.filter.regex: must be a valid regular expression',
    ]);
    expect(issuesOf({ type: 'k8s.logs', params: { ...SAMPLES['k8s.logs'], target: { kind: 'statefulset', name: 'x' } } })).toEqual([
      expect.stringMatching(/^params\.target\.kind: /),
    ]);
    expect(issuesOf({ type: 'k8s.patchResources', params: { ...SAMPLES['k8s.patchResources'], limits: { memory: '3 gigs' } } })).toEqual([
      expect.stringMatching(/^params\.limits\.memory: must be a Kubernetes quantity/),
    ]);
    expect(issuesOf({ type: 'k8s.patchResources', params: { namespace: ns, deployment: 'a', container: 'a' } })).toEqual([
      'params: must change limits or requests',
    ]);
    expect(issuesOf({ type: 'k8s.setEnv', params: { namespace: ns, deployment: 'a', env: {} } })).toEqual(['params.env: must set at least one variable']);
    expect(issuesOf({ type: 'k8s.setEnv', params: { namespace: ns, deployment: 'a', env: { 'BAD-NAME': 'x' } } })).toEqual([
      expect.stringMatching(/^params\.env\.BAD-NAME: must be an environment variable name/),
    ]);
    expect(issuesOf({ type: 'k8s.top', params: { resource: 'pods' } })).toEqual(['params.namespace: top pods needs a namespace']);
    expect(issuesOf({ type: 'k8s.rotateSecret', params: { ...SAMPLES['k8s.rotateSecret'], keys: [{ key: 'k', bytes: 8, encoding: 'base64' }] } })).toEqual([
      'params.keys.0.bytes: must be at least 16 bytes',
    ]);
    expect(issuesOf({ type: 'http.check', params: { url: 'file:///etc/passwd', method: 'HEAD' } })).toEqual([expect.stringMatching(/^params\.url: /)]);
    expect(issuesOf({ type: 'pg.query', params: { ...SAMPLES['pg.query'], queries: ['drop-everything'] } })).toEqual([
      expect.stringMatching(/^params\.queries\.0: /),
    ]);
    expect(issuesOf({ type: 'pg.query', params: { ...SAMPLES['pg.query'], queries: [] } })).toEqual([expect.stringMatching(/^params\.queries: /)]);
    expect(issuesOf({ type: 'k8s.deletePods', params: { namespace: ns, labelSelector: 'app=a', deployment: 'Bad_Name' } })).toHaveLength(1);
    expect(issuesOf({ type: 'k8s.scale', params: { ...SAMPLES['k8s.scale'], deployment: 'Codesign_API' } })).toEqual([
      expect.stringMatching(/^params\.deployment: must be a Kubernetes name/),
    ]);
  });

  it('lets snippet and manual actions omit params', () => {
    expect(ActionSchema.parse({ type: 'manual' })).toEqual({ type: 'manual', params: {} });
    expect(ActionSchema.parse({ type: 'terminal.snippet' })).toEqual({ type: 'terminal.snippet', params: {} });
  });

  it('has a params schema for each type and nothing else', () => {
    expect(Object.keys(ACTION_PARAMS).sort()).toEqual([...ACTION_TYPES].sort());
  });
});

describe('minimumRisk', () => {
  it('reads are read, changes are change, deletions are destructive', () => {
    expect(minimumRisk(action('k8s.logs', SAMPLES['k8s.logs']))).toBe('read');
    expect(minimumRisk(action('k8s.setEnv', SAMPLES['k8s.setEnv']))).toBe('change');
    expect(minimumRisk(action('k8s.rolloutUndo', SAMPLES['k8s.rolloutUndo']))).toBe('change');
    expect(minimumRisk(action('k8s.deletePods', SAMPLES['k8s.deletePods']))).toBe('destructive');
    expect(minimumRisk(action('k8s.deleteCustom', SAMPLES['k8s.deleteCustom']))).toBe('destructive');
    expect(minimumRisk(action('k8s.rotateSecret', SAMPLES['k8s.rotateSecret']))).toBe('destructive');
  });

  it('scaling to zero is destructive, scaling to one is a change', () => {
    expect(minimumRisk(action('k8s.scale', { ...SAMPLES['k8s.scale'], replicas: 0 }))).toBe('destructive');
    expect(minimumRisk(action('k8s.scale', { ...SAMPLES['k8s.scale'], replicas: 1 }))).toBe('change');
  });

  it('a query batch takes the risk of its riskiest query', () => {
    const pg = (queries: ActionParams<'pg.query'>['queries']) => action('pg.query', { ...SAMPLES['pg.query'], queries });
    expect(minimumRisk(pg(['slow-statements', 'index-usage']))).toBe('read');
    expect(minimumRisk(pg(['analyze', 'index-usage']))).toBe('change');
    expect(minimumRisk(pg(['vacuum-analyze', 'reindex']))).toBe('destructive');
    expect(minimumRisk(pg(['terminate-idle']))).toBe('destructive');
  });

  it('data erasure is destructive; a host command that writes a file is a change', () => {
    expect(minimumRisk(action('compliance.script', { ...SAMPLES['compliance.script'], script: 'data-erasure-request' }))).toBe('destructive');
    expect(minimumRisk(action('compliance.script', { ...SAMPLES['compliance.script'], script: 'data-access-request' }))).toBe('read');
    expect(minimumRisk(action('host.command', { program: 'echo', writesFile: '/tmp/maintenance.txt' }))).toBe('change');
    expect(minimumRisk(action('host.command', { program: 'df' }))).toBe('read');
  });
});

describe('namedQuerySql', () => {
  it('uses mean_exec_time from PostgreSQL 13 on and mean_time before', () => {
    expect(namedQuerySql('slow-statements', 'codesign_db', 160004)).toContain('ORDER BY mean_exec_time DESC');
    expect(namedQuerySql('slow-statements', 'codesign_db', 120017)).toContain('ORDER BY mean_time DESC');
    expect(namedQuerySql('slow-statements-over-1s', 'codesign_db', 130000)).toContain('WHERE mean_exec_time > 1000');
    expect(namedQuerySql('slow-statements-over-1s', 'codesign_db', 129999)).toContain('WHERE mean_time > 1000');
  });

  it('quotes the database name it reindexes', () => {
    expect(namedQuerySql('reindex', 'codesign_db', 160000)).toBe('REINDEX DATABASE "codesign_db"');
    expect(namedQuerySql('reindex', 'we"ird', 160000)).toBe('REINDEX DATABASE "we""ird"');
  });
});

describe('templates', () => {
  const now = new Date(Date.UTC(2024, 7, 6, 9, 5, 3));

  it('expands dates in UTC in the source formats', () => {
    expect(expandTemplate('backup-job-{date:YYYYMMDD}', { now })).toBe('backup-job-20240806');
    expect(expandTemplate('incident_{date:YYYYMMDD_HHmmss}.log', { now })).toBe('incident_20240806_090503.log');
    expect(expandTemplate('monthly_report_{date:YYYYMM}.json', { now })).toBe('monthly_report_202408.json');
  });

  it('expands inputs and refuses a missing one', () => {
    expect(expandTemplate("user_id='{input:USER_ID}'", { now, inputs: { USER_ID: 'u-42' } })).toBe("user_id='u-42'");
    expect(() => expandTemplate('{input:USER_ID}', { now })).toThrow(/missing input USER_ID/);
  });

  it('expands every string of an action and leaves the original alone', () => {
    const original = action('k8s.logs', SAMPLES['k8s.logs']);
    const expanded = expandActionParams(original, { now });
    expect(expanded).toMatchObject({ params: { target: { name: 'backup-job-20240806' }, tail: 100 } });
    expect(original).toMatchObject({ params: { target: { name: 'backup-job-{date:YYYYMMDD}' } } });
  });
});

describe('renderCommand', () => {
  const step = {
    command: `python -c "response = handle(user_id='$USER_ID', again='\${USER_ID}')" -a "$REDIS_PASSWORD" $USER_IDS`,
    inputs: [
      { name: 'USER_ID', label: 'User', pattern: '[A-Za-z0-9@._-]+' },
      { name: 'REDIS_PASSWORD', label: 'Password', secret: true },
    ],
  };

  it('fills declared inputs, leaves secrets and longer names alone', () => {
    expect(renderCommand(step, { USER_ID: 'u-42', REDIS_PASSWORD: 'hunter2' })).toBe(
      `python -c "response = handle(user_id='u-42', again='u-42')" -a "$REDIS_PASSWORD" $USER_IDS`,
    );
  });

  it('refuses a value that could break out of its quotes, and a missing value', () => {
    expect(() => renderCommand(step, { USER_ID: "x'); import os; os.system('rm -rf /') #" })).toThrow(/does not match/);
    expect(() => renderCommand(step, {})).toThrow(/missing input USER_ID/);
  });

  it('returns the command unchanged when the step has no inputs', () => {
    expect(renderCommand({ command: 'kubectl top nodes' }, {})).toBe('kubectl top nodes');
  });
});
