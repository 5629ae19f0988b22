import { generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * A corpus of secrets the way they show up in incident work, generated fresh on every run (so
 * no secret-shaped literal sits in the repository). `secrets` must never survive redaction;
 * `rules` are markers the output must carry.
 */
export interface CorpusEntry {
  name: string;
  text: string;
  secrets: string[];
  rules: string[];
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const pick = (alphabet: string, n: number): string =>
  Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join('');
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: Record<string, unknown>): string =>
  `${b64url({ alg: 'RS256', kid: pick(ALNUM, 12) })}.${b64url(claims)}.${randomBytes(64).toString('base64url')}`;

export function secretCorpus(): CorpusEntry[] {
  const kubeToken = pick(ALNUM, 48);
  const clientKey = randomBytes(300).toString('base64');
  const clientCert = randomBytes(300).toString('base64');
  const userJwt = jwt({ sub: 'alice@example.com', iss: 'https://login.example.com', exp: 1999999999 });
  const saJwt = jwt({
    iss: 'kubernetes/serviceaccount',
    'kubernetes.io/serviceaccount/namespace': 'codesign',
    'kubernetes.io/serviceaccount/service-account.name': 'deployer',
    sub: 'system:serviceaccount:codesign:deployer',
  });
  const awsId = `AKIA${pick(UPPER, 16)}`;
  const awsSecret = pick(ALNUM + '/+', 40);
  const ghToken = `ghp_${pick(ALNUM, 36)}`;
  const rsaPem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const redisPw = pick(ALNUM, 20);
  const redisPw2 = pick(ALNUM, 20);
  const redisPw3 = pick(ALNUM, 20);
  const pgPw = pick(ALNUM, 18);
  const pgPw2 = pick(ALNUM, 18);
  const pgPw3 = pick(ALNUM, 18);
  const slackHook = `https://hooks.slack.com/services/T${pick(UPPER, 10)}/B${pick(UPPER, 10)}/${pick(ALNUM, 24)}`;
  const slackToken = `xoxb-${pick('0123456789', 12)}-${pick('0123456789', 13)}-${pick(ALNUM, 24)}`;
  const opaqueBearer = pick(ALNUM, 40);
  const npmToken = `npm_${pick(ALNUM, 36)}`;
  const pemBody = (pem: string): string[] => pem.split('\n').filter((l) => l.length > 0 && !l.startsWith('-----'));
  return [
    {
      name: 'kubeconfig token',
      text: `users:\n- name: admin@codesign-production\n  user:\n    token: ${kubeToken}\n`,
      secrets: [kubeToken],
      rules: ['kubeconfig-token'],
    },
    {
      name: 'kubeconfig client-key-data and client-certificate-data',
      text: `  user:\n    client-certificate-data: ${clientCert}\n    client-key-data: ${clientKey}\n`,
      secrets: [clientKey, clientCert],
      rules: ['kubeconfig-client-key-data', 'kubeconfig-client-certificate-data'],
    },
    {
      name: 'bearer JWT',
      text: `curl -sS -H "Authorization: Bearer ${userJwt}" https://api.codesign.example/health`,
      secrets: [userJwt, userJwt.split('.')[2]!],
      rules: ['bearer-jwt'],
    },
    {
      name: 'Kubernetes service-account token',
      text: `$ kubectl -n codesign create token deployer\n${saJwt}\n`,
      secrets: [saJwt, saJwt.split('.')[1]!],
      rules: ['k8s-service-account-token'],
    },
    {
      name: 'Kubernetes service-account token as a bearer header',
      text: `GET /api/v1/pods HTTP/1.1\nAuthorization: Bearer ${saJwt}\n`,
      secrets: [saJwt],
      rules: ['k8s-bearer-token'],
    },
    {
      name: 'opaque bearer token',
      text: `Authorization: Bearer ${opaqueBearer}`,
      secrets: [opaqueBearer],
      rules: ['bearer-token'],
    },
    {
      name: 'AWS access key',
      text: `[default]\naws_access_key_id = ${awsId}\naws_secret_access_key = ${awsSecret}\n`,
      secrets: [awsId, awsSecret],
      rules: ['aws-access-key-id'],
    },
    {
      name: 'GitHub token',
      text: `export GITHUB_TOKEN=${ghToken}\n`,
      secrets: [ghToken],
      rules: [],
    },
    {
      name: 'RSA private key PEM',
      text: `here is the key that leaked:\n${rsaPem}end of paste\n`,
      secrets: pemBody(rsaPem),
      rules: [],
    },
    {
      name: 'EC private key PEM (PKCS#8)',
      text: `tls.key: |\n${ecPem}`,
      secrets: pemBody(ecPem),
      rules: [],
    },
    {
      name: 'Redis AUTH, redis-cli -a, requirepass',
      text: `redis-cli -h redis-0 -a ${redisPw} INFO memory\n127.0.0.1:6379> AUTH ${redisPw2}\nOK\nrequirepass ${redisPw3}\n`,
      secrets: [redisPw, redisPw2, redisPw3],
      rules: ['redis-password', 'redis-auth', 'redis-requirepass'],
    },
    {
      name: 'PostgreSQL URL, PGPASSWORD, password=',
      text: `DATABASE_URL=postgres://codesign:${pgPw}@postgres-0.codesign:5432/codesign\nPGPASSWORD=${pgPw2} psql -h 127.0.0.1 -U codesign\nhost=db user=app password=${pgPw3} sslmode=require\n`,
      secrets: [pgPw, pgPw2, pgPw3],
      rules: ['postgres-url-password', 'pgpassword', 'password'],
    },
    {
      name: 'Slack webhook and token',
      text: `ALERT_WEBHOOK=${slackHook}\nSLACK_BOT=${slackToken}\n`,
      secrets: [slackHook.split('/').at(-1)!, slackToken],
      rules: [],
    },
    {
      name: 'npm token (found by secretlint, not by our own rules)',
      text: `//registry.npmjs.org/:_authToken=${npmToken}\n`,
      secrets: [npmToken],
      rules: ['npm'],
    },
  ];
}

/** Text that looks close to secrets but is not, and must come through unchanged. */
export const HARMLESS_LINES = [
  'kubectl -n codesign get pods -o wide',
  'auth-failure burst: 412 failed logins in 5m',
  'kubectl get secret db-credentials -o yaml',
  'SELECT state, count(*) FROM pg_stat_activity GROUP BY state;',
  'redis_memory_used_bytes 734003200',
];
