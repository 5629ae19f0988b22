/**
 * Masks what looks like a credential in a log line before it leaves main (to the renderer or a
 * downloaded file): bearer tokens, JWTs, `password=` / `token=` / `secret=` / `api_key=` values,
 * passwords in connection URLs, AWS access keys and PEM private keys. Cheap enough for every line
 * of a window; the evidence store runs its full secret scan on captures on top of this.
 */
const RULES: Array<[RegExp, string]> = [
  [/(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1[REDACTED]'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[REDACTED:jwt]'],
  [/(\b(?:password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key|client[_-]?secret|auth)\b"?\s*[:=]\s*"?)[^\s",}&]{3,}/gi, '$1[REDACTED]'],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]+:)[^@\s/]+@/gi, '$1[REDACTED]@'],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, '[REDACTED:aws-key]'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[REDACTED:private-key]'],
];

export function maskSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) {
    pattern.lastIndex = 0;
    if (pattern.test(out)) {
      pattern.lastIndex = 0;
      out = out.replace(pattern, replacement);
    }
  }
  return out;
}
