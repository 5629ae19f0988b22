/**
 * Crafted inputs that made the redaction rules backtrack (issue 14): each repeats a prefix a rule
 * starts matching but never completes. The linear-time test and the bench run every rule on them.
 */
export const WORST_CASE_INPUTS: Record<string, (size: number) => string> = {
  'password rule (a. repeated)': (n) => 'a.'.repeat(Math.ceil(n / 2)).slice(0, n),
  'url password rule (a- repeated)': (n) => 'a-'.repeat(Math.ceil(n / 2)).slice(0, n),
  'jwt rule (eyJaaaaaaaaa- repeated)': (n) => 'eyJaaaaaaaaa-'.repeat(Math.ceil(n / 13)).slice(0, n),
  'redis-cli without -a': (n) => 'redis-cli '.repeat(Math.ceil(n / 10)).slice(0, n),
  'postgres url without password': (n) => 'postgresql://u@'.repeat(Math.ceil(n / 16)).slice(0, n),
  'long token-like run': (n) => 'A'.repeat(n),
  'key = value without end': (n) => 'password='.padEnd(n, 'x'),
};
