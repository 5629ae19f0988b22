import { describe, expect, it } from 'vitest';
import { podTemplateHash, randomNameSuffix, templatesEqual, utcDateStamp } from './object-names';
import { parseQuantity } from './quantities';

const template = {
  metadata: { labels: { app: 'codesign-api' } },
  spec: { containers: [{ name: 'codesign-api', image: 'codesign-playground:v2.0.3', resources: { limits: { memory: '2Gi' } } }] },
};

describe('pod templates', () => {
  it('are equal when only the hash label, nulls or empty objects differ (as kubectl rollout undo sends them)', () => {
    const fromReplicaSet = structuredClone(template) as typeof template & { metadata: { labels: Record<string, string> } };
    fromReplicaSet.metadata.labels['pod-template-hash'] = 'abc12';
    const fromUndo = { metadata: { creationTimestamp: null, labels: { app: 'codesign-api' } }, spec: { ...template.spec, volumes: [] } };
    expect(templatesEqual(fromReplicaSet, template)).toBe(true);
    expect(templatesEqual(fromUndo, template)).toBe(true);
    expect(podTemplateHash(fromUndo)).toBe(podTemplateHash(template));
  });

  it('differ, with a different hash, when the image or a restart annotation differs', () => {
    const other = structuredClone(template);
    other.spec.containers[0]!.image = 'codesign-playground:v2.1.0';
    expect(templatesEqual(other, template)).toBe(false);
    expect(podTemplateHash(other)).not.toBe(podTemplateHash(template));
    expect(podTemplateHash(template, 1)).not.toBe(podTemplateHash(template));
  });
});

describe('names and quantities', () => {
  it('makes five-character pod suffixes from the safe alphabet', () => {
    for (let i = 0; i < 50; i++) expect(randomNameSuffix()).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('stamps the backup job with the UTC date', () => {
    expect(utcDateStamp(Date.UTC(2026, 10, 28, 23, 59))).toBe('20261128');
  });

  it('parses the quantities the world uses', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('2Gi')).toBe(2 * 2 ** 30);
    expect(parseQuantity('1')).toBe(1);
    expect(parseQuantity('251234567n')).toBeCloseTo(0.251234567, 9);
    expect(parseQuantity('lots')).toBeUndefined();
  });
});
