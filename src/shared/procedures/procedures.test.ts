import { describe, expect, it } from 'vitest';
import { diffObjects, renderDiff } from './diff';
import { confirmationTarget, gateRefusal, gatingRisk, kubectlCommand } from './model';
import { isImageReference, parseEnvLines, parseSetArguments, validateParameters } from './parameters';
import { chooseUndoRevision } from './rollout';
import type { Step } from '../runbook/schema';

const scaleStep: Step = {
  id: 'response.scale-up',
  title: 'Scale up',
  command: 'kubectl scale deployment codesign-api --replicas=5 -n codesign-production',
  risk: 'change',
  action: { type: 'k8s.scale', params: { namespace: 'codesign-production', deployment: 'codesign-api', replicas: 5 } },
};

describe('parameter validation', () => {
  it('keeps the runbook default, takes a typed integer in range and refuses the rest', () => {
    expect(validateParameters(scaleStep, {}, 'codesign-production')).toMatchObject({ ok: true, action: { params: { replicas: 5 } } });
    expect(validateParameters(scaleStep, { replicas: '7' }, 'codesign-production')).toMatchObject({ ok: true, action: { params: { replicas: 7 } } });
    expect(validateParameters(scaleStep, { replicas: '101' }, 'x')).toMatchObject({ ok: false, issues: [{ field: 'replicas' }] });
    expect(validateParameters(scaleStep, { replicas: '2.5' }, 'x')).toMatchObject({ ok: false });
    expect(validateParameters(scaleStep, { image: 'x' }, 'x')).toMatchObject({ ok: false, issues: [{ field: 'image' }] });
  });

  it('image references, KEY=value lines and --set pairs', () => {
    expect(isImageReference('codesign-playground:v2.1.0')).toBe(true);
    expect(isImageReference('registry.example.com:5000/team/api@sha256:' + 'a'.repeat(64))).toBe(true);
    expect(isImageReference('Bad Image')).toBe(false);
    expect(isImageReference('api:')).toBe(false);
    expect(parseEnvLines('A=1\nB-\n')).toEqual({ set: { A: '1' }, unset: ['B'], issues: [] });
    expect(parseEnvLines('1A=x').issues).toHaveLength(2);
    expect(parseSetArguments(['replicas=5', 'env=A=1', 'env=B-', 'oops'])).toEqual({ values: { replicas: '5', env: 'A=1\nB-' }, issues: ['--set oops: must be name=value'] });
  });

  it('inputs are required, checked against their pattern and expanded into {input:NAME} templates', () => {
    const step: Step = {
      id: 'gdpr.erase',
      title: 'Erase',
      command: 'erase $USER_ID',
      risk: 'destructive',
      target: 'codesign-api',
      inputs: [{ name: 'USER_ID', label: 'User id', pattern: '[0-9]+' }],
      action: { type: 'k8s.getCustom', params: { namespace: 'ns', group: 'g', version: 'v1', plural: 'users', name: 'user-{input:USER_ID}' } },
    };
    expect(validateParameters(step, {}, 'ns')).toMatchObject({ ok: false, issues: [{ field: 'input.USER_ID', message: 'User id is required' }] });
    expect(validateParameters(step, { 'input.USER_ID': 'x; rm' }, 'ns')).toMatchObject({ ok: false });
    expect(validateParameters(step, { 'input.USER_ID': '42' }, 'ns')).toMatchObject({ ok: true, action: { params: { name: 'user-42' } } });
  });

  it('expands {date:...} templates in UTC', () => {
    const step: Step = { ...scaleStep, action: { type: 'k8s.deleteSecret', params: { namespace: 'ns', name: 'backup-{date:YYYYMMDD}' } }, risk: 'destructive', target: 'x' };
    expect(validateParameters(step, {}, 'ns', new Date('2026-12-01T23:30:00Z'))).toMatchObject({ ok: true, action: { params: { name: 'backup-20261201' } } });
  });
});

describe('risk gating', () => {
  it('raises rollout undo and scale to 0 to destructive, with the deployment as the name to type', () => {
    const undo = { type: 'k8s.rolloutUndo', params: { namespace: 'ns', deployment: 'codesign-api' } } as const;
    expect(gatingRisk({ risk: 'change' }, undo)).toBe('destructive');
    expect(confirmationTarget({}, undo)).toBe('codesign-api');
    expect(gatingRisk({ risk: 'change' }, { type: 'k8s.scale', params: { namespace: 'ns', deployment: 'd', replicas: 0 } })).toBe('destructive');
    expect(gatingRisk({ risk: 'change' }, scaleStep.action)).toBe('change');
  });

  it('refuses a change without confirmation and a destructive step without the exact name', () => {
    expect(gateRefusal('read', undefined, { confirmed: false })).toBeUndefined();
    expect(gateRefusal('change', undefined, { confirmed: false })).toMatch(/confirm/);
    expect(gateRefusal('change', undefined, { confirmed: true })).toBeUndefined();
    expect(gateRefusal('destructive', 'codesign-api', { confirmed: true })).toMatch(/type "codesign-api"/);
    expect(gateRefusal('destructive', 'codesign-api', { confirmed: true, typedName: 'codesign' })).toMatch(/type/);
    expect(gateRefusal('destructive', 'codesign-api', { confirmed: true, typedName: ' codesign-api ' })).toBeUndefined();
    expect(gateRefusal('destructive', undefined, { confirmed: true, typedName: '' })).toMatch(/names no target/);
  });
});

describe('rollout undo revision choice', () => {
  const history = [1, 2, 3, 5].map((revision) => ({ revision, name: `rs-${revision}` }));
  it('takes the highest revision below the current one', () => {
    expect(chooseUndoRevision(history, 5)).toMatchObject({ ok: true, revision: { revision: 3 } });
    expect(chooseUndoRevision(history, 3)).toMatchObject({ ok: true, revision: { revision: 2 } });
  });
  it('takes a named revision, refuses the current one and a missing one, and says when there is no history', () => {
    expect(chooseUndoRevision(history, 5, 1)).toMatchObject({ ok: true, revision: { name: 'rs-1' } });
    expect(chooseUndoRevision(history, 5, 5)).toMatchObject({ ok: false, reason: expect.stringMatching(/already runs revision 5/) });
    expect(chooseUndoRevision(history, 5, 4)).toMatchObject({ ok: false, reason: expect.stringMatching(/unable to find revision 4/) });
    expect(chooseUndoRevision([{ revision: 1, name: 'a' }], 1)).toMatchObject({ ok: false, reason: expect.stringMatching(/no previous revision/) });
  });
});

describe('diff rendering', () => {
  it('keys lists by name, leaves out server bookkeeping, and renders - / + lines', () => {
    const before = { metadata: { resourceVersion: '1' }, spec: { replicas: 3, containers: [{ name: 'api', env: [{ name: 'A', value: '1' }] }] }, status: { ready: 3 } };
    const after = { metadata: { resourceVersion: '2' }, spec: { replicas: 5, containers: [{ name: 'api', env: [{ name: 'A', value: '2' }] }] }, status: { ready: 5 } };
    const lines = diffObjects(before, after);
    expect(renderDiff(lines)).toBe(
      ['- spec.containers[api].env[A].value: "1"', '+ spec.containers[api].env[A].value: "2"', '- spec.replicas: 3', '+ spec.replicas: 5'].join('\n'),
    );
    expect(renderDiff(diffObjects(before, before))).toBe('  (no change)');
    expect(diffObjects({ metadata: { name: 'x' } }, undefined)).toEqual([{ kind: 'removed', path: 'metadata.name', value: '"x"' }]);
  });
});

describe('kubectl equivalents', () => {
  it('matches what the runbook would type', () => {
    expect(kubectlCommand(scaleStep.action)).toBe(scaleStep.command);
    expect(kubectlCommand({ type: 'k8s.deletePods', params: { namespace: 'codesign-production', labelSelector: 'app=codesign-api', fieldSelector: 'status.phase!=Running' } })).toBe(
      "kubectl delete pod -l app=codesign-api -n codesign-production --field-selector='status.phase!=Running'",
    );
    expect(kubectlCommand({ type: 'k8s.rolloutUndo', params: { namespace: 'n', deployment: 'd', toRevision: 2 } })).toBe('kubectl rollout undo deployment/d --to-revision=2 -n n');
    expect(kubectlCommand({ type: 'k8s.env', params: { namespace: 'n', deployment: 'd', set: { A: '1' }, unset: ['B'] } })).toBe('kubectl set env deployment/d A=1 B- -n n');
  });
});
