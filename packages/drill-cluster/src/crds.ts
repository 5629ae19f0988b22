/**
 * The CustomResourceDefinition of cert-manager's `Certificate`, as the drill cluster serves it
 * under `apiextensions.k8s.io/v1` (a trimmed copy of cert-manager v1.x's schema with its
 * printer columns), so tools that read CRDs find the kind and can validate objects against it.
 */
import type { KubeObject } from './types';

const CONDITION_SCHEMA = {
  type: 'object',
  required: ['status', 'type'],
  properties: {
    lastTransitionTime: { type: 'string', format: 'date-time' },
    message: { type: 'string' },
    observedGeneration: { type: 'integer', format: 'int64' },
    reason: { type: 'string' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    type: { type: 'string' },
  },
};

/** The `openAPIV3Schema` of `cert-manager.io/v1` `Certificate`. */
export const CERTIFICATE_SCHEMA = {
  type: 'object',
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['issuerRef', 'secretName'],
      properties: {
        commonName: { type: 'string' },
        dnsNames: { type: 'array', items: { type: 'string' } },
        duration: { type: 'string' },
        emailAddresses: { type: 'array', items: { type: 'string' } },
        ipAddresses: { type: 'array', items: { type: 'string' } },
        isCA: { type: 'boolean' },
        issuerRef: {
          type: 'object',
          required: ['name'],
          properties: { group: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' } },
        },
        privateKey: {
          type: 'object',
          properties: {
            algorithm: { type: 'string', enum: ['RSA', 'ECDSA', 'Ed25519'] },
            encoding: { type: 'string', enum: ['PKCS1', 'PKCS8'] },
            rotationPolicy: { type: 'string', enum: ['Never', 'Always'] },
            size: { type: 'integer' },
          },
        },
        renewBefore: { type: 'string' },
        revisionHistoryLimit: { type: 'integer', format: 'int32' },
        secretName: { type: 'string' },
        secretTemplate: {
          type: 'object',
          properties: {
            annotations: { type: 'object', additionalProperties: { type: 'string' } },
            labels: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
        subject: {
          type: 'object',
          properties: {
            countries: { type: 'array', items: { type: 'string' } },
            organizations: { type: 'array', items: { type: 'string' } },
            organizationalUnits: { type: 'array', items: { type: 'string' } },
          },
        },
        uris: { type: 'array', items: { type: 'string' } },
        usages: { type: 'array', items: { type: 'string' } },
      },
    },
    status: {
      type: 'object',
      properties: {
        conditions: { type: 'array', items: CONDITION_SCHEMA },
        failedIssuanceAttempts: { type: 'integer' },
        lastFailureTime: { type: 'string', format: 'date-time' },
        nextPrivateKeySecretName: { type: 'string' },
        notAfter: { type: 'string', format: 'date-time' },
        notBefore: { type: 'string', format: 'date-time' },
        renewalTime: { type: 'string', format: 'date-time' },
        revision: { type: 'integer' },
      },
    },
  },
};

/** The CRD object served at `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/certificates.cert-manager.io`. */
export function certificateCrd(): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: 'certificates.cert-manager.io',
      labels: { app: 'cert-manager', 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/instance': 'cert-manager' },
    },
    spec: {
      group: 'cert-manager.io',
      names: {
        kind: 'Certificate',
        listKind: 'CertificateList',
        plural: 'certificates',
        singular: 'certificate',
        shortNames: ['cert', 'certs'],
        categories: ['cert-manager'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { jsonPath: '.status.conditions[?(@.type=="Ready")].status', name: 'Ready', type: 'string' },
            { jsonPath: '.spec.secretName', name: 'Secret', type: 'string' },
            { jsonPath: '.spec.issuerRef.name', name: 'Issuer', priority: 1, type: 'string' },
            { jsonPath: '.status.conditions[?(@.type=="Ready")].message', name: 'Status', priority: 1, type: 'string' },
            {
              jsonPath: '.metadata.creationTimestamp',
              description:
                'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.',
              name: 'Age',
              type: 'date',
            },
          ],
          schema: { openAPIV3Schema: CERTIFICATE_SCHEMA },
        },
      ],
      conversion: { strategy: 'None' },
    },
    status: {
      acceptedNames: {
        kind: 'Certificate',
        listKind: 'CertificateList',
        plural: 'certificates',
        singular: 'certificate',
        shortNames: ['cert', 'certs'],
        categories: ['cert-manager'],
      },
      conditions: [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
      ],
      storedVersions: ['v1'],
    },
  };
}
