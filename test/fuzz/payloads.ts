/**
 * What the fuzzer sends: seeded random and structured payloads for the host's one socket. Every
 * request and stream of the contract has a valid sample here (a test fails when a new channel
 * has none), and each payload is a sample bent one way: a field dropped, retyped, made huge or
 * deep, a prototype key, a broken envelope around it.
 */
import { requests, streams } from '../../src/shared/contract';

/** mulberry32: small, fast, seeded; the same seed replays the same run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INCIDENT = 'inc-20261201-abcd12';
const SHA = 'a'.repeat(64);
const TERMINAL = 'term-0123456789abcdef';
const TERMINAL_KEY = 'k'.repeat(32);

/**
 * One valid input per request. Requests that would change the store for real (initialise,
 * export) are valid but harmless here: the fuzzed host has its own temp data directory.
 */
export const REQUEST_SAMPLES: Record<string, Record<string, unknown>> = {
  'app:info': {},
  'app:diagnostics': {},
  'runbook:get': {},
  'incidents:list': {},
  'incidents:get': { id: INCIDENT },
  'incidents:declare': { title: 'API down', severity: 'SEV2', summary: 'p95 over 5 s' },
  'incidents:setSeverity': { id: INCIDENT, severity: 'SEV1' },
  'incidents:setStatus': { id: INCIDENT, status: 'mitigated' },
  'incidents:checkItem': { id: INCIDENT, itemId: 'escalate-pagerduty', done: true },
  'incidents:saveNote': { id: INCIDENT, text: 'restarted codesign-api' },
  'incidents:saveDraft': { id: INCIDENT, key: 'new', text: 'restarted codesign-api at' },
  'contexts:list': {},
  'contexts:select': { name: 'drill' },
  'contexts:selectNamespace': { namespace: 'codesign-production' },
  'contexts:checkHealth': { name: 'drill' },
  'contexts:namespaces': {},
  'drill:status': {},
  'drill:setScenario': { name: 'error-spike', active: false },
  'drill:restart': {},
  'drill:reset': {},
  'evidence:status': {},
  'evidence:initialise': { passphrase: 'correct horse battery' },
  'evidence:unlock': { passphrase: 'correct horse battery' },
  'evidence:lock': {},
  'evidence:timeline': { incidentId: INCIDENT, types: ['note.revised'], text: 'api' },
  'evidence:attachments': { incidentId: INCIDENT },
  'evidence:readAttachment': { incidentId: INCIDENT, sha256: SHA },
  'evidence:addText': { incidentId: INCIDENT, title: 'kubectl output', text: 'pod/codesign-api-1 Running' },
  'evidence:addFile': { incidentId: INCIDENT, name: 'pods.txt', contentBase64: 'aGVsbG8=' },
  'evidence:verify': { incidentId: INCIDENT },
  'evidence:export': { incidentId: INCIDENT, passphrase: 'export passphrase' },
  'procedures:access': { stepIds: ['response.scale-up', 'rollback-process.undo'] },
  'procedures:preview': { stepId: 'response.scale-up', values: { replicas: '5' } },
  'procedures:run': { stepId: 'triage.rollout-history' },
  'procedures:confirm': { runId: 'run-abc123-a1b2c3', typedName: 'codesign-api' },
  'procedures:abort': { runId: 'run-abc123-a1b2c3' },
  'procedures:resume': { runId: 'run-abc123-a1b2c3' },
  'alerts:source': { context: 'drill' },
  'alerts:saveSettings': { context: 'drill', settings: { prometheus: { kind: 'service', namespace: 'monitoring', service: 'prometheus', port: 9090, path: '/prometheus' }, intervalSeconds: 10 } },
  'alerts:silences': { context: 'drill' },
  'alerts:silence': { context: 'drill', matchers: [{ name: 'alertname', value: 'CodesignErrorRate', isRegex: false, isEqual: true }], durationMinutes: 60, comment: 'fuzz', incidentId: INCIDENT },
  'alerts:expireSilence': { context: 'drill', silenceId: '0a1b2c3d-0000-4000-8000-000000000000', incidentId: INCIDENT },
  'alerts:declareIncident': { context: 'drill', alertKey: 'alertname="CodesignErrorRate",severity="critical"', severity: 'SEV2' },
  'logs:window': { viewId: 'log-0123456789ab', from: 0, count: 100, filtered: false },
  'logs:follow': { viewId: 'log-0123456789ab', lines: 80, filtered: false },
  'logs:setFilter': { viewId: 'log-0123456789ab', filter: { terms: [{ pattern: 'ERROR|CRITICAL', regex: true, caseSensitive: false, invert: false }], combine: 'any' } },
  'logs:seek': { viewId: 'log-0123456789ab', fromSeq: 10, direction: 'next' },
  'logs:export': { viewId: 'log-0123456789ab', filtered: true, timestamps: true },
  'logs:capture': { viewId: 'log-0123456789ab', incidentId: INCIDENT, filtered: true, lastMinutes: 5 },
  // A context the fuzzed host does not have: valid input, answered NotFound, no shell spawned per mutation.
  'terminal:open': { context: 'fuzz-context', namespace: 'codesign-production', cols: 80, rows: 24 },
  'terminal:input': { id: TERMINAL, key: TERMINAL_KEY, data: 'ls\r' },
  'terminal:resize': { id: TERMINAL, key: TERMINAL_KEY, cols: 120, rows: 40 },
  'terminal:close': { id: TERMINAL, key: TERMINAL_KEY },
  'terminal:list': {},
  'terminal:record': { id: TERMINAL, key: TERMINAL_KEY, incidentId: INCIDENT, input: false },
  'terminal:stopRecording': { id: TERMINAL, key: TERMINAL_KEY },
  'terminal:recording': { incidentId: INCIDENT, sha256: SHA },
  // A context the fuzzed host does not have: valid input, answered NotFound, no tunnel opened per mutation.
  'tunnels:open': { context: 'fuzz-context', namespace: 'codesign-production', target: { kind: 'service', name: 'redis' }, remotePort: 6379 },
  'tunnels:close': { id: 'tun-0123456789ab' },
  'tunnels:list': { context: 'drill' },
  // A context the fuzzed host does not have: answered NotFound before any tunnel or connection.
  'databases:postgres': { context: 'fuzz-context', namespace: 'codesign-production', pod: 'postgres-0', user: 'codesign', database: 'codesign_db' },
  'databases:redis': { context: 'fuzz-context', pod: 'redis-0' },
  'databases:query': { context: 'fuzz-context', sql: 'SELECT 1', timeoutMs: 1000 },
  'databases:setCredentials': { context: 'fuzz-context', kind: 'redis', password: 'typed-in-memory' },
  'databases:capture': { resultId: 'dbr-0123456789', incidentId: INCIDENT },
};

export const STREAM_SAMPLES: Record<string, Record<string, unknown>> = {
  'incidents:changed': {},
  'procedures:runs': {},
  'contexts:changed': {},
  'drill:changed': {},
  'cluster:watch': { context: 'drill', namespace: 'codesign-production', resource: 'pods' },
  'cluster:top': { context: 'drill', namespace: 'codesign-production' },
  'alerts:watch': { context: 'drill' },
  'logs:view': { context: 'drill', namespace: 'codesign-production', source: { kind: 'deployment', name: 'codesign-api' }, options: { follow: true, tailLines: 10 } },
  'terminal:output': { id: TERMINAL, key: TERMINAL_KEY },
  'terminal:sessions': {},
  'tunnels:watch': {},
};

/** Requests whose valid sample is slow by design (scrypt): sent valid only once per run. */
export const SLOW_WHEN_VALID = new Set(['evidence:initialise', 'evidence:unlock', 'evidence:export']);

/** The channels of the contract that have no sample yet (must be empty). */
export function channelsWithoutSamples(): string[] {
  return [
    ...Object.keys(requests).filter((name) => !Object.hasOwn(REQUEST_SAMPLES, name)),
    ...Object.keys(streams).filter((name) => !Object.hasOwn(STREAM_SAMPLES, name)),
  ];
}

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];

function deep(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** A value of a shape the schemas do not expect. */
function oddValue(random: () => number): unknown {
  const pick = Math.floor(random() * 16);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return -1;
    case 2:
      return 1e308;
    case 3:
      return 'x'.repeat(1 + Math.floor(random() * 200_000));
    case 4:
      return [];
    case 5:
      return {};
    case 6:
      return { toString: 1, valueOf: 1 };
    case 7:
      return deep(50 + Math.floor(random() * 900), 'leaf');
    case 8:
      return true;
    case 9:
      return '\u0000\ud800\uffff';
    case 10:
      return PROTO_KEYS[Math.floor(random() * PROTO_KEYS.length)];
    case 11:
      return '../../../../etc/passwd';
    case 12:
      return 'inc-20261201-' + 'z'.repeat(Math.floor(random() * 20));
    case 13:
      return 0.5;
    case 14:
      return Array.from({ length: 1000 }, (_, i) => i);
    default:
      return { $ref: '#', __proto__: { polluted: true } };
  }
}

/** The sample with one field dropped, retyped or added. */
function mutate(sample: Record<string, unknown>, random: () => number): unknown {
  const copy: Record<string, unknown> = { ...sample };
  const keys = Object.keys(copy);
  const roll = random();
  if (roll < 0.05) return oddValue(random);
  if (roll < 0.3 && keys.length) delete copy[keys[Math.floor(random() * keys.length)]!];
  else if (roll < 0.75 && keys.length) copy[keys[Math.floor(random() * keys.length)]!] = oddValue(random);
  else copy[random() < 0.5 ? PROTO_KEYS[Math.floor(random() * PROTO_KEYS.length)]! : 'unexpected'] = oddValue(random);
  return copy;
}

function anyChannel(random: () => number): unknown {
  const roll = random();
  if (roll < 0.1) return PROTO_KEYS[Math.floor(random() * PROTO_KEYS.length)];
  if (roll < 0.15) return { toString: 1 };
  if (roll < 0.2) return [{ valueOf: 1 }];
  if (roll < 0.25) return oddValue(random);
  const names = Object.keys(REQUEST_SAMPLES);
  return names[Math.floor(random() * names.length)];
}

export type Frame =
  | { kind: 'text'; text: string; expectsReply?: number }
  | { kind: 'binary'; bytes: Uint8Array };

/**
 * The next frame to send. Invokes with a numeric id expect exactly one typed `result` back;
 * broken envelopes expect nothing (the host drops them, logged) and must not hurt the socket.
 */
export function nextFrame(random: () => number, id: number): Frame {
  const roll = random();
  const names = Object.keys(REQUEST_SAMPLES);
  if (roll < 0.55) {
    const channel = names[Math.floor(random() * names.length)]!;
    const slow = SLOW_WHEN_VALID.has(channel);
    const input = slow ? mutate({ ...REQUEST_SAMPLES[channel]!, unexpected: 1 }, random) : random() < 0.15 ? REQUEST_SAMPLES[channel] : mutate(REQUEST_SAMPLES[channel]!, random);
    // A mutation can land back on a valid slow input; keep those out (scrypt per attempt).
    const safeInput = slow && input && typeof input === 'object' && !('unexpected' in input) ? { ...(input as object), unexpected: 1 } : input;
    return { kind: 'text', text: JSON.stringify({ t: 'invoke', id, channel, input: safeInput }), expectsReply: id };
  }
  if (roll < 0.65) {
    const channel = anyChannel(random);
    // Even a broken envelope with a usable id is answered (Invalid), so a page never hangs.
    return { kind: 'text', text: JSON.stringify({ t: 'invoke', id, channel, input: {} }), expectsReply: id };
  }
  if (roll < 0.75) {
    const sub = Math.floor(random() * 4);
    const streamNames = Object.keys(STREAM_SAMPLES);
    const channel = random() < 0.8 ? streamNames[Math.floor(random() * streamNames.length)] : anyChannel(random);
    const streamId = random() < 0.5 ? 7 : id; // reused ids on purpose
    const message =
      sub === 0 || sub === 1
        ? { t: 'subscribe', id: streamId, channel, input: random() < 0.5 ? {} : oddValue(random) }
        : sub === 2
          ? { t: 'unsubscribe', id: streamId }
          : { t: 'ack', id: streamId, bytes: random() < 0.5 ? 1e9 : -5 };
    return { kind: 'text', text: JSON.stringify(message) };
  }
  if (roll < 0.9) {
    const broken = [
      'null',
      '[]',
      '42',
      '"invoke"',
      '{',
      '{"t":"invoke"}',
      '{"t":"invoke","id":-1,"channel":"app:info","input":{}}',
      '{"t":"invoke","id":1.5,"channel":"app:info","input":{}}',
      '{"t":"invoke","id":"1","channel":"app:info","input":{}}',
      `{"t":"invoke","id":1,"channel":{"toString":1},"input":{}}`,
      `{"t":"subscribe","id":1,"channel":[{"valueOf":1}],"input":{}}`,
      '{"t":"__proto__","id":1}',
      '{"__proto__":{"t":"invoke"}}',
      `{"t":"invoke","id":1,"channel":"app:info","input":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`,
      '['.repeat(100_000) + ']'.repeat(100_000),
      '\u0000'.repeat(100),
    ];
    return { kind: 'text', text: broken[Math.floor(random() * broken.length)]! };
  }
  const bytes = new Uint8Array(1 + Math.floor(random() * 4096));
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  return { kind: 'binary', bytes };
}
