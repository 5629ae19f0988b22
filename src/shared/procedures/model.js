/**
 * The procedure model shared by main (the engine, the CLI) and the renderer (the run dialog):
 * which steps the engine runs, the risk that gates each one, what a responder must type, the
 * equivalent kubectl command, and the shape of a run. Pure TypeScript.
 */
import { ACTION_PARAMS, minimumRisk, riskAtLeast } from '../runbook/actions';
/** The runbook's missing script; a `host.command` naming it runs as `health.check`. */
export const HEALTH_CHECK_SCRIPT = './scripts/health-check.sh';
/** Action types the engine executes. Others (logs, pg.*, prom.*, terminal) belong to other panels. */
export const ENGINE_ACTIONS = new Set([
    'k8s.pods',
    'k8s.rolloutHistory',
    'k8s.rolloutStatus',
    'k8s.rolloutRestart',
    'k8s.rolloutUndo',
    'k8s.scale',
    'k8s.setEnv',
    'k8s.env',
    'k8s.setImage',
    'k8s.patchResources',
    'k8s.deletePods',
    'k8s.exec',
    'k8s.getCustom',
    'k8s.describeCustom',
    'k8s.deleteCustom',
    'k8s.deleteSecret',
    'k8s.rotateSecret',
    'k8s.hpa',
    'k8s.pv',
    'health.check',
]);
/** The action a step runs in the engine (`host.command ./scripts/health-check.sh` becomes `health.check`). */
export function engineActionOf(step, namespace) {
    if (step.action.type === 'host.command' && step.action.params.program === HEALTH_CHECK_SCRIPT) {
        return { type: 'health.check', params: { namespace } };
    }
    return step.action;
}
/** Whether the engine can run this step (a Run button is offered). */
export function isRunnable(step, namespace = 'default') {
    return ENGINE_ACTIONS.has(engineActionOf(step, namespace).type);
}
const RISK_ORDER = ['read', 'change', 'destructive'];
const stronger = (a, b) => (riskAtLeast(a, b) ? a : b);
/**
 * The risk that gates a run: the step's declared risk, raised to what the action is (the issue's
 * list: scale to 0, deleting pods, certificates or secrets, rotating a secret and rollout undo
 * are destructive whatever the YAML says).
 */
export function gatingRisk(step, action) {
    if (action.type === 'health.check')
        return step.risk;
    if (action.type === 'k8s.env')
        return stronger(step.risk, 'change');
    let floor = minimumRisk(action);
    if (action.type === 'k8s.rolloutUndo')
        floor = 'destructive';
    return stronger(step.risk, floor);
}
/** What the responder must type to confirm a destructive run: the step's target, else the object's name. */
export function confirmationTarget(step, action) {
    if (step.target)
        return step.target;
    const p = action.params;
    if (typeof p.deployment === 'string')
        return p.deployment;
    if (typeof p.name === 'string')
        return p.name;
    if (typeof p.labelSelector === 'string')
        return p.labelSelector.replace(/^app=/, '');
    return undefined;
}
/** Why a run may not go ahead yet; undefined when the confirmation satisfies the risk. */
export function gateRefusal(risk, target, confirmation) {
    if (risk === 'read')
        return undefined;
    if (!confirmation.confirmed)
        return 'This step changes the cluster: confirm it after reading the preview.';
    if (risk === 'destructive') {
        if (!target)
            return 'This destructive step names no target to confirm, so it cannot run.';
        if (confirmation.typedName?.trim() !== target)
            return `This step is destructive: type "${target}" to confirm.`;
    }
    return undefined;
}
export const riskIndex = (risk) => RISK_ORDER.indexOf(risk);
const q = (value) => (/^[A-Za-z0-9@%+=:,./_-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`);
/** The kubectl command that does the same as the action, for the responder to check or repeat by hand. */
export function kubectlCommand(action) {
    const n = (ns) => (ns ? ` -n ${q(ns)}` : '');
    switch (action.type) {
        case 'k8s.pods': {
            const p = action.params;
            return `kubectl get pods${n(p.namespace)}${p.labelSelector ? ` -l ${q(p.labelSelector)}` : ''}${p.fieldSelector ? ` --field-selector=${q(p.fieldSelector)}` : ''}${p.excludeStatus ? ` | grep -v ${q(p.excludeStatus)}` : ''}`;
        }
        case 'k8s.rolloutHistory':
            return `kubectl rollout history deployment/${action.params.deployment}${n(action.params.namespace)}`;
        case 'k8s.rolloutStatus':
            return `kubectl rollout status deployment/${action.params.deployment}${n(action.params.namespace)}${action.params.timeoutSeconds ? ` --timeout=${action.params.timeoutSeconds}s` : ''}`;
        case 'k8s.rolloutRestart':
            return `kubectl rollout restart deployment/${action.params.deployment}${n(action.params.namespace)}`;
        case 'k8s.rolloutUndo':
            return `kubectl rollout undo deployment/${action.params.deployment}${action.params.toRevision ? ` --to-revision=${action.params.toRevision}` : ''}${n(action.params.namespace)}`;
        case 'k8s.scale':
            return `kubectl scale deployment ${action.params.deployment} --replicas=${action.params.replicas}${n(action.params.namespace)}`;
        case 'k8s.setEnv': {
            const pairs = Object.entries(action.params.env).map(([k, v]) => q(`${k}=${v}`));
            return `kubectl set env deployment/${action.params.deployment}${action.params.container ? ` -c ${q(action.params.container)}` : ''} ${pairs.join(' ')}${n(action.params.namespace)}`;
        }
        case 'k8s.env': {
            const pairs = [...Object.entries(action.params.set).map(([k, v]) => q(`${k}=${v}`)), ...action.params.unset.map((k) => `${k}-`)];
            return `kubectl set env deployment/${action.params.deployment}${action.params.container ? ` -c ${q(action.params.container)}` : ''} ${pairs.join(' ')}${n(action.params.namespace)}`;
        }
        case 'k8s.setImage':
            return `kubectl set image deployment/${action.params.deployment} ${q(`${action.params.container}=${action.params.image}`)}${n(action.params.namespace)}`;
        case 'k8s.patchResources': {
            const container = { name: action.params.container, resources: resourcesPatch(action.params) };
            return `kubectl patch deployment ${action.params.deployment}${n(action.params.namespace)} -p ${q(JSON.stringify({ spec: { template: { spec: { containers: [container] } } } }))}`;
        }
        case 'k8s.deletePods':
            return `kubectl delete pod -l ${q(action.params.labelSelector)}${n(action.params.namespace)}${action.params.fieldSelector ? ` --field-selector=${q(action.params.fieldSelector)}` : ''}`;
        case 'k8s.exec': {
            const target = action.params.target.kind === 'pod' ? action.params.target.name : `deployment/${action.params.target.name}`;
            return `kubectl exec ${target}${n(action.params.namespace)}${action.params.container ? ` -c ${q(action.params.container)}` : ''} -- ${action.params.command
                .map(q)
                .join(' ')}`;
        }
        case 'k8s.getCustom':
            return `kubectl get ${action.params.plural}.${action.params.group}${action.params.name ? ` ${action.params.name}` : ''}${n(action.params.namespace)}`;
        case 'k8s.describeCustom':
            return `kubectl describe ${action.params.plural}.${action.params.group} ${action.params.name}${n(action.params.namespace)}`;
        case 'k8s.deleteCustom':
            return `kubectl delete ${action.params.plural}.${action.params.group} ${action.params.name}${n(action.params.namespace)}`;
        case 'k8s.deleteSecret':
            return `kubectl delete secret ${action.params.name}${n(action.params.namespace)}`;
        case 'k8s.rotateSecret':
            return `kubectl create secret generic ${action.params.name}${n(action.params.namespace)} ${action.params.keys
                .map((k) => `--from-literal=${k.key}="$(openssl rand -base64 ${k.bytes})"`)
                .join(' ')} --dry-run=client -o yaml | kubectl apply -f -`;
        case 'k8s.hpa':
            return `kubectl describe hpa${action.params.name ? ` ${action.params.name}` : ''}${n(action.params.namespace)}`;
        case 'k8s.pv':
            return 'kubectl get pv';
        case 'health.check':
            return `kubectl get pods,deployments,nodes${n(action.params.namespace)} && kubectl get events --field-selector=type=Warning${n(action.params.namespace)}`;
        default:
            return '';
    }
}
/** The resources block a `k8s.patchResources` sends (only the fields it sets). */
export function resourcesPatch(p) {
    const clean = (r) => Object.fromEntries(Object.entries(r ?? {}).filter((e) => typeof e[1] === 'string'));
    return {
        ...(p.limits ? { limits: clean(p.limits) } : {}),
        ...(p.requests ? { requests: clean(p.requests) } : {}),
    };
}
/** Every step of the runbook by id: checks, incident process, procedures, aliases. */
export function runbookSteps(runbook) {
    const steps = new Map();
    for (const step of [...runbook.checks.daily, ...runbook.checks.weekly])
        steps.set(step.id, { step });
    for (const stage of runbook.incidentProcess)
        for (const step of stage.steps)
            steps.set(step.id, { step });
    for (const procedure of runbook.procedures) {
        for (const section of procedure.sections)
            for (const step of section.steps)
                steps.set(step.id, { step, procedure });
    }
    for (const alias of runbook.aliases)
        for (const step of alias.steps)
            steps.set(step.id, { step });
    return steps;
}
/** The steps a whole procedure runs, in order (every section). */
export const procedureSteps = (procedure) => procedure.sections.flatMap((s) => s.steps);
/** Whether `type` has a parameter schema in the catalogue (the engine's own `health.check` has none). */
export const isCatalogued = (type) => Object.hasOwn(ACTION_PARAMS, type);
export const PROCEDURE_RUN_RECORD = 'procedure.run';
/** Bounded output kept in the record and the run; the whole output goes into an attachment. */
export const MAX_RECORDED_OUTPUT = 8_000;
/** A run's one-line summary for the timeline: `Rollback Process: succeeded (4 steps)`. */
export function describeRun(run) {
    const done = run.steps.filter((s) => s.status === 'succeeded').length;
    const steps = run.steps.length > 1 ? ` (${done} of ${run.steps.length} steps)` : '';
    return `Ran ${run.title}: ${run.status}${steps}${run.reason ? ` — ${run.reason}` : ''}`;
}
