/**
 * The drill API server's TLS identity: a self-signed certificate for 127.0.0.1 / localhost.
 * TLS is not decoration here: client-go (kubectl) sends bearer tokens only over TLS, so a
 * plain-http server would never see the token. The kubeconfig carries the certificate as its CA.
 */
import { generateKeyPair } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface ServingCertificate {
  /** PEM certificate; also the CA clients trust. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** Creates a fresh self-signed certificate valid for `127.0.0.1`, `::1` and `localhost`. */
export async function createServingCertificate(): Promise<ServingCertificate> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(8))}`;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + 365 * 24 * 60 * 60 * 1000);
  const name = [
    { name: 'commonName', value: 'codesign-drill' },
    { name: 'organizationName', value: 'Incident Cockpit drill cluster' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}

let shared: Promise<ServingCertificate> | undefined;

/** One certificate per process, made on first use: drill clusters started in one process share it. */
export function sharedServingCertificate(): Promise<ServingCertificate> {
  shared ??= createServingCertificate();
  return shared;
}

/** What a drill cluster keeps to be the same cluster to its clients across restarts. */
export interface DrillIdentity {
  tls: ServingCertificate;
  token: string;
  /** The port it listened on last; tried first next time. */
  port?: number;
}

/**
 * The identity kept in `file` (0600): reused while its certificate has more than a day left, so
 * kubeconfigs written earlier (in shells, in the cockpit) keep working; else a new one.
 */
export async function loadOrCreateIdentity(file: string, makeToken: () => string): Promise<DrillIdentity> {
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as DrillIdentity;
    const notAfter = forge.pki.certificateFromPem(saved.tls.cert).validity.notAfter.getTime();
    if (typeof saved.token === 'string' && saved.token.length >= 32 && notAfter - Date.now() > 24 * 60 * 60 * 1000) {
      forge.pki.privateKeyFromPem(saved.tls.key);
      return saved;
    }
  } catch {
    // absent or unreadable: a new identity
  }
  const identity: DrillIdentity = { tls: await createServingCertificate(), token: makeToken() };
  await saveIdentity(file, identity);
  return identity;
}

export async function saveIdentity(file: string, identity: DrillIdentity): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.tmp`;
  await writeFile(temp, JSON.stringify(identity), { mode: 0o600 });
  await rename(temp, file);
}
