/**
 * A small cert-manager: issues Certificates that have no status yet (Issuing, then Ready with a
 * fresh 90-day validity and a new TLS Secret), and recreates a deleted Certificate that the
 * world's ingress asks for, which is how the runbook's renewal procedure works.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { RESOURCE_KEYS } from '../resources';
import type { KubeObject } from '../types';
import { writeStatus, type ControllerContext } from './controller-context';
import { rfc3339 } from './object-names';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Let's Encrypt validity and cert-manager's default renewal point (2/3 through). */
const VALIDITY_MS = 90 * DAY_MS;
const RENEW_BEFORE_MS = 30 * DAY_MS;
const RECREATE_AFTER_MS = 2_000;
const ISSUE_AFTER_MS = 5_000;
const SOURCE = { component: 'cert-manager-certificates-issuing' };

interface CertificateSpec {
  secretName: string;
  dnsNames?: string[];
  commonName?: string;
  issuerRef?: { name: string; kind?: string; group?: string };
}

/** A PEM block with `label` around random bytes: looks like a certificate, is not one. */
function placeholderPem(label: string, bytes: number): string {
  const body = randomBytes(bytes).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** `tls.crt` / `tls.key` for a Secret of type kubernetes.io/tls (base64, as Secret data holds it). */
export function tlsSecretData(): Record<string, string> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const crt = placeholderPem('CERTIFICATE', 900) + placeholderPem('CERTIFICATE', 860);
  return { 'tls.crt': Buffer.from(crt).toString('base64'), 'tls.key': Buffer.from(key).toString('base64') };
}

/** The Ready status of a certificate valid from `notBefore` for 90 days. */
export function issuedStatus(notBefore: number, revision: number, generation: number): Record<string, unknown> {
  const notAfter = notBefore + VALIDITY_MS;
  return {
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Ready',
        message: 'Certificate is up to date and has not expired',
        lastTransitionTime: rfc3339(notBefore),
        observedGeneration: generation,
      },
    ],
    notBefore: rfc3339(notBefore),
    notAfter: rfc3339(notAfter),
    renewalTime: rfc3339(notAfter - RENEW_BEFORE_MS),
    revision,
  };
}

export class CertificateController {
  /** Certificates the world's ingress requests: recreated when deleted. Keyed `namespace/name`. */
  private readonly wanted = new Map<string, { spec: CertificateSpec; labels?: Record<string, string> }>();
  private readonly issuing = new Set<string>();

  constructor(private readonly ctx: ControllerContext) {}

  /** Declares a certificate the ingress needs (ingress-shim): it comes back when deleted. */
  want(certificate: KubeObject): void {
    const key = `${certificate.metadata.namespace}/${certificate.metadata.name}`;
    this.wanted.set(key, { spec: structuredClone(certificate.spec as CertificateSpec), labels: certificate.metadata.labels });
  }

  onDeleted(certificate: KubeObject): void {
    const namespace = certificate.metadata.namespace ?? 'default';
    const name = certificate.metadata.name;
    const wanted = this.wanted.get(`${namespace}/${name}`);
    if (!wanted) return;
    this.ctx.clock.after(RECREATE_AFTER_MS, () => {
      if (this.ctx.store.get(RESOURCE_KEYS.certificates, namespace, name)) return;
      this.ctx.store.create(RESOURCE_KEYS.certificates, {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name, namespace, ...(wanted.labels ? { labels: { ...wanted.labels } } : {}) },
        spec: structuredClone(wanted.spec),
      });
    });
  }

  reconcile(namespace: string, name: string): void {
    const { store, clock, events } = this.ctx;
    const certificate = store.get(RESOURCE_KEYS.certificates, namespace, name);
    if (!certificate) return;
    const status = (certificate.status ?? {}) as Record<string, unknown>;
    const conditions = (status.conditions ?? []) as Array<{ type: string }>;
    const key = `${namespace}/${name}/${certificate.metadata.uid}`;
    if (conditions.length > 0 || this.issuing.has(key)) return;
    this.issuing.add(key);
    const now = clock.now();
    const spec = certificate.spec as CertificateSpec;
    const secretExists = store.get(RESOURCE_KEYS.secrets, namespace, spec.secretName) !== undefined;
    const reason = secretExists ? 'Issuing certificate as Secret was previously issued by a different Certificate' : 'Issuing certificate as Secret does not exist';
    writeStatus(store, RESOURCE_KEYS.certificates, certificate, {
      conditions: [
        { type: 'Ready', status: 'False', reason: secretExists ? 'IncorrectCertificate' : 'DoesNotExist', message: reason, lastTransitionTime: rfc3339(now), observedGeneration: certificate.metadata.generation ?? 1 },
        { type: 'Issuing', status: 'True', reason: secretExists ? 'IncorrectCertificate' : 'DoesNotExist', message: reason, lastTransitionTime: rfc3339(now), observedGeneration: certificate.metadata.generation ?? 1 },
      ],
    });
    events.record(certificate, 'Normal', 'Issuing', reason, SOURCE);
    events.record(certificate, 'Normal', 'Generated', `Stored new private key in temporary Secret resource "${name}-${randomBytes(3).toString('hex').slice(0, 5)}"`, { component: 'cert-manager-certificates-key-manager' });
    events.record(certificate, 'Normal', 'Requested', `Created new CertificateRequest resource "${name}-1"`, { component: 'cert-manager-certificates-request-manager' });
    clock.after(ISSUE_AFTER_MS, () => this.issue(namespace, name, certificate.metadata.uid ?? ''));
  }

  /** Writes the new key pair to the Secret and marks the certificate Ready for 90 days. */
  issue(namespace: string, name: string, uid: string): void {
    const { store, clock, events } = this.ctx;
    const certificate = store.get(RESOURCE_KEYS.certificates, namespace, name);
    if (!certificate || certificate.metadata.uid !== uid) return;
    const spec = certificate.spec as CertificateSpec;
    const now = clock.now();
    this.writeSecret(certificate, spec);
    const revision = (((certificate.status ?? {}) as Record<string, unknown>).revision as number | undefined) ?? 0;
    writeStatus(store, RESOURCE_KEYS.certificates, certificate, issuedStatus(now, revision + 1, certificate.metadata.generation ?? 1));
    events.record(certificate, 'Normal', 'Issuing', 'The certificate has been successfully issued', SOURCE);
  }

  private writeSecret(certificate: KubeObject, spec: CertificateSpec): void {
    const { store } = this.ctx;
    const namespace = certificate.metadata.namespace ?? 'default';
    const annotations = {
      'cert-manager.io/alt-names': (spec.dnsNames ?? []).join(','),
      'cert-manager.io/certificate-name': certificate.metadata.name,
      'cert-manager.io/common-name': spec.commonName ?? spec.dnsNames?.[0] ?? '',
      'cert-manager.io/ip-sans': '',
      'cert-manager.io/issuer-group': spec.issuerRef?.group ?? 'cert-manager.io',
      'cert-manager.io/issuer-kind': spec.issuerRef?.kind ?? 'Issuer',
      'cert-manager.io/issuer-name': spec.issuerRef?.name ?? '',
      'cert-manager.io/uri-sans': '',
    };
    const data = tlsSecretData();
    if (store.get(RESOURCE_KEYS.secrets, namespace, spec.secretName)) {
      store.mutate(RESOURCE_KEYS.secrets, namespace, spec.secretName, (secret) => {
        secret.metadata.annotations = { ...(secret.metadata.annotations ?? {}), ...annotations };
        secret.data = data;
      });
    } else {
      store.create(RESOURCE_KEYS.secrets, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: spec.secretName, namespace, annotations, labels: { 'controller.cert-manager.io/fao': 'true' } },
        type: 'kubernetes.io/tls',
        data,
      });
    }
  }

  /** expiring-certificate: the certificate runs out in `days` and its renewal keeps failing. */
  markExpiring(namespace: string, name: string, days: number): void {
    const { store, clock, events } = this.ctx;
    const certificate = store.get(RESOURCE_KEYS.certificates, namespace, name);
    if (!certificate) return;
    const now = clock.now();
    const notAfter = now + days * DAY_MS;
    const notBefore = notAfter - VALIDITY_MS;
    const failing = 'The certificate request has failed to complete and will be retried: Failed to wait for order resource "codesign-tls-1-3520436215" to become ready: order is in "errored" state: Failed to finalize Order: 429 urn:ietf:params:acme:error:rateLimited: Error finalizing order :: too many certificates already issued for "example.com"';
    const generation = certificate.metadata.generation ?? 1;
    writeStatus(store, RESOURCE_KEYS.certificates, certificate, {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Ready',
          message: `Certificate expires in ${days} days (${rfc3339(notAfter)}); renewal has been failing since ${rfc3339(notAfter - RENEW_BEFORE_MS)}`,
          lastTransitionTime: rfc3339(notBefore),
          observedGeneration: generation,
        },
        { type: 'Issuing', status: 'False', reason: 'Failed', message: failing, lastTransitionTime: rfc3339(now), observedGeneration: generation },
      ],
      notBefore: rfc3339(notBefore),
      notAfter: rfc3339(notAfter),
      renewalTime: rfc3339(notAfter - RENEW_BEFORE_MS),
      lastFailureTime: rfc3339(now),
      failedIssuanceAttempts: 7,
      revision: ((certificate.status as Record<string, unknown> | undefined)?.revision as number | undefined) ?? 1,
    });
    events.record(certificate, 'Warning', 'Failed', failing, SOURCE);
  }

  /** Undoes `markExpiring`: a freshly renewed certificate. */
  renew(namespace: string, name: string): void {
    const certificate = this.ctx.store.get(RESOURCE_KEYS.certificates, namespace, name);
    if (certificate) this.issue(namespace, name, certificate.metadata.uid ?? '');
  }
}
