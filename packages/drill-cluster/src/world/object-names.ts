/**
 * Names and fingerprints the way Kubernetes controllers make them: pod-template-hash, random
 * name suffixes, RFC 3339 timestamps, and template equality that ignores the hash label.
 */
import { randomBytes } from 'node:crypto';

/** The alphabet `k8s.io/apimachinery/pkg/util/rand.SafeEncodeString` uses (no vowels, no 0/1/3). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** Random `n`-character suffix for generated pod names (`codesign-api-7d9f8b6c5-x2x7q`). */
export function randomNameSuffix(n = 5): string {
  const bytes = randomBytes(n);
  let out = '';
  for (let i = 0; i < n; i++) out += SAFE_ALPHABET[(bytes[i] as number) % SAFE_ALPHABET.length];
  return out;
}

/** JSON with object keys sorted, so equal values serialise equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort()) {
        sorted[k] = (v as Record<string, unknown>)[k];
      }
      return sorted;
    }
    return v;
  });
}

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A pod template without the pod-template-hash label (the form a Deployment holds). */
export function withoutTemplateHash<T>(template: T): T {
  const copy = structuredClone(template) as { metadata?: { labels?: Record<string, string> } };
  if (copy?.metadata?.labels) {
    delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  return copy as T;
}

/** The `pod-template-hash` of a template (FNV-1a over its canonical JSON, safe-encoded). */
export function podTemplateHash(template: unknown, collisionCount = 0): string {
  const hash = fnv1a32(canonicalJson(semanticForm(withoutTemplateHash(template))) + (collisionCount ? `#${collisionCount}` : ''));
  let n = hash;
  let out = '';
  do {
    out = SAFE_ALPHABET[n % SAFE_ALPHABET.length] + out;
    n = Math.floor(n / SAFE_ALPHABET.length);
  } while (n > 0);
  return out.padStart(7, 'b').slice(-10);
}

/**
 * Drops nulls, empty objects and empty arrays, recursively: the differences Kubernetes' semantic
 * equality ignores (kubectl's `rollout undo` sends `creationTimestamp: null` in the template).
 */
export function semanticForm(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(semanticForm).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const normal = semanticForm(v);
      if (normal !== undefined) out[k] = normal;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value === null ? undefined : value;
}

/** A string equal for exactly the templates `templatesEqual` calls the same. */
export function templateIdentity(template: unknown): string {
  return canonicalJson(semanticForm(withoutTemplateHash(template)));
}

/** True when two pod templates are semantically the same once the pod-template-hash label is ignored. */
export function templatesEqual(a: unknown, b: unknown): boolean {
  return templateIdentity(a) === templateIdentity(b);
}

/** `2026-11-28T09:00:00Z`: the second-precision timestamps Kubernetes objects carry. */
export function rfc3339(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Epoch ms of an RFC 3339 timestamp, or undefined. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `YYYYMMDD` of the UTC date of `epochMs`: the backup job's name suffix. */
export function utcDateStamp(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10).replace(/-/g, '');
}

/** Deterministic pseudo-random in [0, 1) from a string and a number: jitter that is stable per tick. */
export function stableNoise(seed: string, step: number): number {
  return fnv1a32(`${seed}:${step}`) / 0x100000000;
}
