import { StringDecoder } from 'node:string_decoder';
import { lintSource } from '@secretlint/core';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';
import { secretLintProfiler } from '@secretlint/profiler';

// secretlint's built-in profiler puts ~32 performance marks per lint into the global timeline and
// an observer array that it never clears: in a long-running app that is a leak, and its O(n)
// lookups plus deferred observer callbacks made each append slower than the last. We never read
// the profile, so its marks are switched off for this process.
secretLintProfiler.mark = () => undefined;

/** How many secrets each rule replaced, by rule name. */
export type RedactionTally = Record<string, number>;

export interface Redacted<T> {
  value: T;
  hits: RedactionTally;
}

/** The marker that replaces a secret; it names the rule that found it. */
export const redactionMarker = (rule: string): string => `[REDACTED:${rule}]`;

export interface OwnRule {
  name: string;
  pattern: RegExp;
  /** Builds the replacement for one match; `mark(rule)` counts the hit and returns the marker. */
  replace: (mark: (rule: string) => string, match: string, ...groups: string[]) => string;
}

const NOT_MARKER = '(?!\\[REDACTED:)';

function jwtRule(token: string): string {
  const payload = token.split('.')[1] ?? '';
  try {
    const claims = Buffer.from(payload, 'base64url').toString('utf8');
    if (/kubernetes\/serviceaccount|kubernetes\.io|system:serviceaccount/.test(claims)) return 'k8s-service-account-token';
  } catch {
    // not decodable: still a token
  }
  return 'jwt';
}

const keepPrefix =
  (rule: string): OwnRule['replace'] =>
  (mark, _m, prefix = '', quote = '') =>
    `${prefix}${quote}${mark(rule)}${quote}`;

/** Our own rules, for secrets incident work produces that secretlint's preset does not cover. */
export const OWN_RULES: OwnRule[] = [
  {
    name: 'private-key',
    // The body stops at the next BEGIN: a run of BEGINs without END costs one pass, not one per BEGIN.
    pattern: /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----(?:(?!-----BEGIN )[\s\S])*?-----END \1PRIVATE KEY\2-----/g,
    replace: (mark) => mark('private-key'),
  },
  {
    name: 'private-key-unterminated',
    pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*/g,
    replace: (mark) => mark('private-key'),
  },
  {
    name: 'kubeconfig-client-key-data',
    pattern: /(\b(client-key-data|client-certificate-data)["']?[ \t]*:[ \t]*)(["']?)([A-Za-z0-9+/=]{16,})\3/g,
    replace: (mark, _m, prefix = '', field = '', quote = '') =>
      `${prefix}${quote}${mark(field === 'client-key-data' ? 'kubeconfig-client-key-data' : 'kubeconfig-client-certificate-data')}${quote}`,
  },
  {
    name: 'bearer-jwt',
    pattern: /(\bBearer\s+)(eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)/gi,
    replace: (mark, _m, prefix = '', token = '') => `${prefix}${mark(jwtRule(token) === 'jwt' ? 'bearer-jwt' : 'k8s-bearer-token')}`,
  },
  {
    name: 'jwt',
    // Starts only where a token run starts (not at every eyJ inside one run), so each run is scanned once.
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
    replace: (mark, token) => mark(jwtRule(token)),
  },
  {
    name: 'bearer-token',
    pattern: new RegExp(`(\\bAuthorization["']?\\s*[:=]\\s*["']?Bearer\\s+)${NOT_MARKER}([A-Za-z0-9._~+/=-]{12,})`, 'gi'),
    replace: (mark, _m, prefix = '') => `${prefix}${mark('bearer-token')}`,
  },
  {
    name: 'kubeconfig-token',
    pattern: new RegExp(
      `(\\b(?:token|id-token|refresh-token|access-token|auth-token|access_token|refresh_token|id_token)["']?[ \\t]*[:=][ \\t]*)(["']?)${NOT_MARKER}([^\\s"',}]{8,})\\2`,
      'gi',
    ),
    replace: keepPrefix('kubeconfig-token'),
  },
  {
    name: 'redis-cli-password',
    // The arguments stop at the next redis-cli: a line of repeated redis-cli without -a is one pass.
    pattern: new RegExp(`(\\bredis-cli\\b(?:(?!redis-cli\\b)[^\\n])*?\\s(?:-a|--pass)[ \\t]+)(["']?)${NOT_MARKER}([^\\s"']+)\\2`, 'g'),
    replace: keepPrefix('redis-password'),
  },
  {
    name: 'redis-auth',
    pattern: new RegExp(`((?:\\bAUTH|(?:^|>)[ \\t]*auth)[ \\t]+)${NOT_MARKER}([^\\r\\n]+)`, 'gm'),
    replace: (mark, _m, prefix = '') => `${prefix}${mark('redis-auth')}`,
  },
  {
    name: 'redis-requirepass',
    pattern: new RegExp(`(\\b(?:requirepass|masterauth|REDISCLI_AUTH)["']?[ \\t]*[ \\t:=][ \\t]*)(["']?)${NOT_MARKER}([^\\s"']+)\\2`, 'gi'),
    replace: keepPrefix('redis-requirepass'),
  },
  {
    name: 'url-password',
    // The scheme starts only where a scheme-character run starts, so a long run is not rescanned from each of its positions.
    pattern: new RegExp(`((?<![a-z0-9+.-])([a-z][a-z0-9+.-]*)://[^\\s:/@]*:)${NOT_MARKER}([^\\s@/]+)@`, 'gi'),
    replace: (mark, _m, prefix = '', scheme = '') => {
      const s = scheme.toLowerCase();
      const rule = s.startsWith('postgres') ? 'postgres-url-password' : s.startsWith('redis') ? 'redis-url-password' : 'url-password';
      return `${prefix}${mark(rule)}@`;
    },
  },
  {
    name: 'pgpassword',
    pattern: new RegExp(`(\\bPGPASSWORD[ \\t]*=[ \\t]*)(["']?)${NOT_MARKER}([^\\s"']+)\\2`, 'g'),
    replace: keepPrefix('pgpassword'),
  },
  {
    name: 'aws-secret-access-key',
    pattern: /(\baws_secret_access_key["']?\s*[=:]\s*)(["']?)([A-Za-z0-9/+=]{40})\2/gi,
    replace: keepPrefix('aws-secret-access-key'),
  },
  {
    name: 'password',
    pattern: new RegExp(
      // The name starts only where a name run starts (not at each of its characters): one scan per run.
      `((?<![\\w.-])[\\w.-]*(?:password|passwd|pwd|secret)["']?[ \\t]*[=:][ \\t]*)(["']?)${NOT_MARKER}([^\\s"',;&]+)\\2`,
      'gi',
    ),
    replace: keepPrefix('password'),
  },
  {
    name: 'aws-access-key-id',
    pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|A3T[A-Z0-9])[A-Z0-9]{16}\b/g,
    replace: (mark) => mark('aws-access-key-id'),
  },
  {
    name: 'github-token',
    // Also what secretlint's GitHub rule matches (underscores included), so a text full of tokens is
    // redacted here in one cheap pass instead of as thousands of secretlint findings.
    pattern: /(?:\b(?:gh[pousr]_[A-Za-z0-9_]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b|(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36})/g,
    replace: (mark) => mark('github-token'),
  },
  {
    name: 'slack-webhook',
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9/_-]+/g,
    replace: (mark) => mark('slack-webhook'),
  },
  {
    name: 'slack-token',
    pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
    replace: (mark) => mark('slack-token'),
  },
];

function applyOwnRules(text: string, hits: RedactionTally): string {
  const mark = (rule: string): string => {
    hits[rule] = (hits[rule] ?? 0) + 1;
    return redactionMarker(rule);
  };
  let out = text;
  for (const rule of OWN_RULES) {
    rule.pattern.lastIndex = 0;
    if (!rule.pattern.test(out)) continue;
    rule.pattern.lastIndex = 0;
    out = out.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
      const groups = rest.filter((g): g is string => typeof g === 'string' || g === undefined).map((g) => g ?? '');
      return rule.replace(mark, match, ...groups);
    });
  }
  return out;
}

const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;
const PEM_END = /-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;

/**
 * A private key split over several strings (e.g. an output captured as an array of lines) is
 * invisible to per-string rules: redact from a BEGIN without END up to the END that follows.
 */
function redactSplitPrivateKeys(texts: string[], hits: RedactionTally): string[] {
  let inside = false;
  return texts.map((text) => {
    let out = text;
    if (inside) {
      const end = PEM_END.exec(out);
      if (!end) return redactionMarker('private-key');
      inside = false;
      out = redactionMarker('private-key') + out.slice(end.index + end[0].length);
    }
    const begin = PEM_BEGIN.exec(out);
    if (begin && !PEM_END.test(out.slice(begin.index))) {
      inside = true;
      hits['private-key'] = (hits['private-key'] ?? 0) + 1;
      out = out.slice(0, begin.index) + redactionMarker('private-key');
    }
    return out;
  });
}

const SECRETLINT_CONFIG = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommendedPreset }] };

/** secretlint is run on windows of this size, overlapping by SECRETLINT_OVERLAP (longer than any secret it finds). */
const SECRETLINT_WINDOW = 16 * 1024;
const SECRETLINT_OVERLAP = 1024;

/**
 * secretlint's findings over `content`, in windows: its reporting costs grow with the text times
 * the number of findings, so a text full of token-like strings is quadratic in one call. Windows of
 * fixed size keep the whole linear; the overlap means a secret cut by one window's end lies whole
 * in the next.
 */
async function secretlintRanges(content: string): Promise<Array<{ start: number; end: number; rule: string }>> {
  if (content.length <= SECRETLINT_WINDOW) return secretlintWindow(content, 0);
  const ranges: Array<{ start: number; end: number; rule: string }> = [];
  const seen = new Set<string>();
  for (let start = 0; start < content.length; start += SECRETLINT_WINDOW - SECRETLINT_OVERLAP) {
    for (const r of await secretlintWindow(content.slice(start, start + SECRETLINT_WINDOW), start)) {
      const key = `${r.start}:${r.end}:${r.rule}`;
      if (!seen.has(key)) {
        seen.add(key);
        ranges.push(r);
      }
    }
    if (start + SECRETLINT_WINDOW >= content.length) break;
    // Let the event loop run between windows: a large capture delays other work by one window at most.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return ranges;
}

async function secretlintWindow(content: string, offset: number): Promise<Array<{ start: number; end: number; rule: string }>> {
  const result = await lintSource({
    source: { filePath: '/evidence.txt', content, contentType: 'text', ext: '.txt' },
    options: { config: SECRETLINT_CONFIG, noPhysicFilePath: true, maskSecrets: true },
  });
  return result.messages.map((m) => ({
    start: offset + m.range[0],
    end: offset + m.range[1],
    rule: m.ruleId.replace(/^@secretlint\/secretlint-rule-/, ''),
  }));
}

function replaceRanges(text: string, ranges: Array<{ start: number; end: number; rule: string }>, hits: RedactionTally): string {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  let out = '';
  let cursor = 0;
  for (const r of sorted) {
    if (r.end <= cursor) continue;
    const start = Math.max(r.start, cursor);
    out += text.slice(cursor, start) + redactionMarker(r.rule);
    hits[r.rule] = (hits[r.rule] ?? 0) + 1;
    cursor = r.end;
  }
  return out + text.slice(cursor);
}

const SEPARATOR = '\n\u241e\n';

/**
 * Replaces secrets in text with `[REDACTED:<rule>]` markers: our own rules first, then
 * secretlint's recommended preset over the result.
 */
export class SecretRedactor {
  async redactText(text: string): Promise<Redacted<string>> {
    const { value, hits } = await this.redactStrings([text]);
    return { value: value[0] ?? '', hits };
  }

  /** Redacts many strings with one secretlint pass over their concatenation. */
  async redactStrings(texts: string[]): Promise<Redacted<string[]>> {
    const { groups, hits } = await this.redactStringGroups([texts]);
    return { value: groups[0]!, hits: hits[0]! };
  }

  /**
   * Redacts several groups of strings with one secretlint pass over all of them (its per-call
   * setup is most of the cost for short texts); a private key split over strings is followed
   * only within its group. One tally per group.
   */
  private async redactStringGroups(texts: string[][]): Promise<{ groups: string[][]; hits: RedactionTally[] }> {
    const hits = texts.map((): RedactionTally => ({}));
    const groups = texts.map((group, g) => redactSplitPrivateKeys(group, hits[g]!).map((t) => applyOwnRules(t, hits[g]!)));
    const flat = groups.flat();
    if (!flat.some((t) => t.length >= 8)) return { groups, hits };
    const ranges = await secretlintRanges(flat.join(SEPARATOR));
    if (ranges.length === 0) return { groups, hits };
    let base = 0;
    const redacted = groups.map((group, g) =>
      group.map((t) => {
        const start = base;
        const end = start + t.length;
        base = end + SEPARATOR.length;
        const local = ranges
          .filter((r) => r.start < end && r.end > start)
          .map((r) => ({ start: Math.max(r.start, start) - start, end: Math.min(r.end, end) - start, rule: r.rule }));
        return local.length === 0 ? t : replaceRanges(t, local, hits[g]!);
      }),
    );
    return { groups: redacted, hits };
  }

  /** Redacts every string inside a JSON-like value (object keys are left as they are). */
  async redactValue<T>(input: T): Promise<Redacted<T>> {
    const { values, hits } = await this.redactValues([input] as const);
    return { value: values[0], hits: hits[0]! };
  }

  /**
   * Redacts several JSON-like values with one secretlint pass (e.g. a record's body and its
   * context), each exactly as `redactValue` would; `hits` has one tally per value.
   */
  async redactValues<T extends readonly unknown[]>(inputs: T): Promise<{ values: T; hits: RedactionTally[] }> {
    const groups = inputs.map((input) => {
      const strings: string[] = [];
      const collect = (v: unknown): void => {
        if (typeof v === 'string') strings.push(v);
        else if (Array.isArray(v)) v.forEach(collect);
        else if (v !== null && typeof v === 'object') Object.values(v).forEach(collect);
      };
      collect(input);
      return strings;
    });
    const { groups: redacted, hits } = await this.redactStringGroups(groups);
    const values = inputs.map((input, g) => {
      if (groups[g]!.length === 0) return input;
      const strings = redacted[g]!;
      let i = 0;
      const rebuild = (v: unknown): unknown => {
        if (typeof v === 'string') return strings[i++];
        if (Array.isArray(v)) return v.map(rebuild);
        if (v !== null && typeof v === 'object') {
          const out: Record<string, unknown> = {};
          for (const [k, inner] of Object.entries(v)) out[k] = rebuild(inner);
          return out;
        }
        return v;
      };
      return rebuild(input);
    });
    return { values: values as unknown as T, hits };
  }

  /**
   * Redacts a text stream batch by batch, cutting batches at line ends so a one-line secret is
   * never split, and holding a batch open while it has a PEM `BEGIN` without its `END`
   * (up to `maxBatch`). Lines longer than `maxBatch` are cut at whitespace where possible.
   */
  async *redactStream(source: AsyncIterable<Buffer>, hits: RedactionTally, batchSize = 64 * 1024, maxBatch = 1024 * 1024): AsyncGenerator<Buffer> {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    const flush = async (text: string): Promise<Buffer> => {
      const { value, hits: found } = await this.redactStrings([text]);
      for (const [rule, n] of Object.entries(found)) hits[rule] = (hits[rule] ?? 0) + n;
      return Buffer.from(value[0] ?? '', 'utf8');
    };
    for await (const chunk of source) {
      pending += decoder.write(chunk);
      while (pending.length >= batchSize) {
        const cut = batchCut(pending, maxBatch);
        if (cut === 0) break;
        const out = await flush(pending.slice(0, cut));
        pending = pending.slice(cut);
        yield out;
      }
    }
    pending += decoder.end();
    if (pending.length > 0) yield await flush(pending);
  }
}

/** Where to end the next batch: after a line end, never inside an open PEM block; 0 = wait. */
function batchCut(pending: string, maxBatch: number): number {
  const cut = pending.lastIndexOf('\n', Math.min(pending.length, maxBatch) - 1) + 1;
  if (cut === 0) {
    if (pending.length < maxBatch) return 0;
    const space = pending.slice(0, maxBatch).search(/\s\S*$/);
    return space > 0 ? space + 1 : maxBatch;
  }
  const head = pending.slice(0, cut);
  const begin = head.lastIndexOf('-----BEGIN');
  if (begin >= 0 && head.indexOf('-----END', begin) < 0) {
    const lineStart = head.lastIndexOf('\n', begin) + 1;
    if (lineStart > 0) return lineStart;
    if (pending.length < maxBatch) return 0;
  }
  return cut;
}
