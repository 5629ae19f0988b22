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

/** The start of each rule's match, repeated: every attempt begins and none completes. */
const RULE_PREFIXES = [
  '-----BEGIN PRIVATE KEY-----\n',
  '-----BEGIN A A A A ',
  'client-key-data: ',
  'Bearer eyJa',
  'Authorization: Bearer ',
  'token: ',
  'token=token=',
  'AUTH ',
  '> auth ',
  'requirepass ',
  'x://u:',
  'postgresql://',
  'PGPASSWORD=',
  'aws_secret_access_key=',
  'db_password="',
  'password=password',
  'AKIA',
  'ghp_',
  'https://hooks.slack.com/services/',
  'xoxb-',
];

for (const prefix of RULE_PREFIXES) {
  WORST_CASE_INPUTS[`"${prefix.trim()}" repeated`] = (n) => prefix.repeat(Math.ceil(n / prefix.length)).slice(0, n);
}
