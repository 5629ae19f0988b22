import { describe, expect, it } from 'vitest';
import {
  checkFieldSelector,
  formatLabelSelector,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  requirementsOf,
  SelectorError,
} from './selectors';
import type { KubeObject } from './types';

const labels = { app: 'codesign-api', tier: 'web', 'app.kubernetes.io/part-of': 'codesign' };

function matches(selector: string): boolean {
  return matchesLabels(parseLabelSelector(selector), labels);
}

describe('label selectors', () => {
  it('matches equality and inequality', () => {
    expect(matches('app=codesign-api')).toBe(true);
    expect(matches('app==codesign-api')).toBe(true);
    expect(matches('app=other')).toBe(false);
    expect(matches('app!=other')).toBe(true);
    expect(matches('missing!=x')).toBe(true);
    expect(matches('app.kubernetes.io/part-of=codesign')).toBe(true);
  });

  it('matches set-based requirements', () => {
    expect(matches('tier in (web, db)')).toBe(true);
    expect(matches('tier in (db)')).toBe(false);
    expect(matches('tier notin (db)')).toBe(true);
    expect(matches('tier notin (web)')).toBe(false);
    expect(matches('missing notin (web)')).toBe(true);
  });

  it('matches existence', () => {
    expect(matches('tier')).toBe(true);
    expect(matches('!tier')).toBe(false);
    expect(matches('!missing')).toBe(true);
  });

  it('requires every term', () => {
    expect(matches('app=codesign-api,tier in (web),!missing')).toBe(true);
    expect(matches('app=codesign-api,tier=db')).toBe(false);
  });

  it('matches everything when empty', () => {
    expect(matches('')).toBe(true);
    expect(matchesLabels(parseLabelSelector(null), undefined)).toBe(true);
  });

  it('rejects selectors that do not parse', () => {
    expect(() => parseLabelSelector('app=a b')).toThrow(SelectorError);
    expect(() => parseLabelSelector('app in (a')).toThrow(SelectorError);
    expect(() => parseLabelSelector('-bad=x')).toThrow(SelectorError);
  });

  it('converts and prints structured selectors', () => {
    const selector = {
      matchLabels: { app: 'codesign-api' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'db'] }],
    };
    expect(matchesLabels(requirementsOf(selector), labels)).toBe(true);
    expect(matchesLabels(requirementsOf({ matchLabels: { app: 'x' } }), labels)).toBe(false);
    expect(formatLabelSelector(selector)).toBe('app=codesign-api,tier in (web,db)');
    expect(() => requirementsOf({ matchExpressions: [{ key: 'a', operator: 'Gt' }] })).toThrow(SelectorError);
  });
});

describe('field selectors', () => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'api-1', namespace: 'codesign-production' },
    spec: { nodeName: 'node-1' },
    status: { phase: 'Pending' },
  };
  const event: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e1', namespace: 'codesign-production' },
    involvedObject: { kind: 'Pod', name: 'api-1', namespace: 'codesign-production', uid: 'u1' },
  };

  it('matches metadata, status.phase and spec.nodeName with = == !=', () => {
    expect(matchesFields(parseFieldSelector('metadata.name=api-1'), pod)).toBe(true);
    expect(matchesFields(parseFieldSelector('metadata.namespace==codesign-production'), pod)).toBe(true);
    expect(matchesFields(parseFieldSelector('status.phase!=Running'), pod)).toBe(true);
    expect(matchesFields(parseFieldSelector('status.phase!=Pending'), pod)).toBe(false);
    expect(matchesFields(parseFieldSelector('spec.nodeName=node-1,status.phase=Pending'), pod)).toBe(true);
  });

  it('matches an event by its involved object', () => {
    const selector = parseFieldSelector('involvedObject.name=api-1,involvedObject.namespace=codesign-production,involvedObject.kind=Pod,involvedObject.uid=u1');
    checkFieldSelector('Event', selector);
    expect(matchesFields(selector, event)).toBe(true);
    expect(matchesFields(parseFieldSelector('involvedObject.name=other'), event)).toBe(false);
  });

  it('refuses fields the kind cannot be selected by', () => {
    expect(() => checkFieldSelector('Pod', parseFieldSelector('spec.containers=x'))).toThrow('field label not supported: spec.containers');
    expect(() => checkFieldSelector('Deployment', parseFieldSelector('status.phase=Running'))).toThrow(SelectorError);
    expect(() => checkFieldSelector('Deployment', parseFieldSelector('metadata.name=x'))).not.toThrow();
    expect(() => parseFieldSelector('nonsense')).toThrow(SelectorError);
  });
});
