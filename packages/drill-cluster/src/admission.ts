/**
 * Server-side validation of what clients write, the checks a runbook command can trip:
 * names, replica counts, container lists, resource quantities, secret data. Each failure is a
 * `StatusCause` in the real server's words; any cause makes the write a 422 Invalid.
 */
import type { StatusCause } from './status';
import type { KubeObject } from './types';

type Obj = Record<string, unknown>;
const asObj = (value: unknown): Obj => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {});

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** True when `text` is a Kubernetes resource quantity (`512Mi`, `0.5`, `250m`, `1e3`). */
export function isQuantity(text: unknown): boolean {
  return (typeof text === 'string' && QUANTITY.test(text)) || (typeof text === 'number' && Number.isFinite(text));
}

function invalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field };
}

function required(field: string): StatusCause {
  return { reason: 'FieldValueRequired', message: 'Required value', field };
}

function duplicate(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(value)}`, field };
}

function validateMetadata(object: KubeObject, causes: StatusCause[]): void {
  const meta = asObj(object.metadata);
  const name = meta.name;
  if (typeof name !== 'string' || name === '') {
    if (!meta.generateName) causes.push(required('metadata.name'));
  } else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    causes.push(
      invalid(
        'metadata.name',
        name,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      ),
    );
  }
  for (const [key, value] of Object.entries(asObj(meta.labels))) {
    if (!LABEL_NAME.test(key)) causes.push(invalid('metadata.labels', key, 'name part must consist of alphanumeric characters'));
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      causes.push(invalid('metadata.labels', value, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'"));
    }
  }
  for (const [key, value] of Object.entries(asObj(meta.annotations))) {
    if (typeof value !== 'string') causes.push(invalid(`metadata.annotations[${key}]`, value, 'must be a string'));
  }
}

function validateReplicas(value: unknown, field: string, causes: StatusCause[], minimum = 0): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    causes.push(invalid(field, value, 'must be an integer'));
  } else if (value < minimum) {
    causes.push(invalid(field, value, `must be greater than or equal to ${minimum}`));
  }
}

function validateContainers(list: unknown, field: string, causes: StatusCause[], requireOne: boolean): void {
  if (list === undefined || list === null) {
    if (requireOne) causes.push(required(field));
    return;
  }
  if (!Array.isArray(list)) {
    causes.push(invalid(field, list, 'must be a list'));
    return;
  }
  if (requireOne && list.length === 0) causes.push(required(field));
  const names = new Set<string>();
  list.forEach((entry, i) => {
    const container = asObj(entry);
    const at = `${field}[${i}]`;
    const name = container.name;
    if (typeof name !== 'string' || name === '') {
      causes.push(required(`${at}.name`));
    } else {
      if (!DNS_LABEL.test(name)) causes.push(invalid(`${at}.name`, name, 'a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\''));
      if (names.has(name)) causes.push(duplicate(`${at}.name`, name));
      names.add(name);
    }
    if (typeof container.image !== 'string' || container.image.trim() === '') causes.push(required(`${at}.image`));
    const resources = asObj(container.resources);
    for (const section of ['limits', 'requests'] as const) {
      for (const [resource, quantity] of Object.entries(asObj(resources[section]))) {
        if (!isQuantity(quantity)) {
          causes.push(invalid(`${at}.resources.${section}[${resource}]`, quantity, "must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
        }
      }
    }
    const env = container.env;
    if (env !== undefined && !Array.isArray(env)) causes.push(invalid(`${at}.env`, env, 'must be a list'));
    if (Array.isArray(env)) {
      env.forEach((variable, j) => {
        const varName = asObj(variable).name;
        if (typeof varName !== 'string' || varName === '') causes.push(required(`${at}.env[${j}].name`));
      });
    }
    const ports = container.ports;
    if (Array.isArray(ports)) {
      ports.forEach((port, j) => {
        const number = asObj(port).containerPort;
        if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 65535) {
          causes.push(invalid(`${at}.ports[${j}].containerPort`, number, 'must be between 1 and 65535, inclusive'));
        }
      });
    }
  });
}

function validatePodSpec(podSpec: unknown, field: string, causes: StatusCause[]): void {
  if (podSpec === undefined || podSpec === null) {
    causes.push(required(field));
    return;
  }
  const spec = asObj(podSpec);
  validateContainers(spec.containers, `${field}.containers`, causes, true);
  validateContainers(spec.initContainers, `${field}.initContainers`, causes, false);
}

/** The causes that make a write of `object` (of `kind`) invalid; empty when it may be stored. */
export function validateObject(kind: string, object: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  validateMetadata(object, causes);
  const spec = asObj(object.spec);
  switch (kind) {
    case 'Pod':
      validatePodSpec(object.spec, 'spec', causes);
      break;
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
      validateReplicas(spec.replicas, 'spec.replicas', causes);
      validatePodSpec(asObj(spec.template).spec, 'spec.template.spec', causes);
      break;
    case 'Job':
      validateReplicas(spec.parallelism, 'spec.parallelism', causes);
      validateReplicas(spec.completions, 'spec.completions', causes);
      validatePodSpec(asObj(spec.template).spec, 'spec.template.spec', causes);
      break;
    case 'CronJob':
      if (typeof spec.schedule !== 'string' || spec.schedule === '') causes.push(required('spec.schedule'));
      validatePodSpec(asObj(asObj(asObj(spec.jobTemplate).spec).template).spec, 'spec.jobTemplate.spec.template.spec', causes);
      break;
    case 'HorizontalPodAutoscaler': {
      validateReplicas(spec.minReplicas, 'spec.minReplicas', causes, 1);
      validateReplicas(spec.maxReplicas, 'spec.maxReplicas', causes, 1);
      if (typeof spec.minReplicas === 'number' && typeof spec.maxReplicas === 'number' && spec.maxReplicas < spec.minReplicas) {
        causes.push(invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
      }
      break;
    }
    case 'Secret':
      for (const [key, value] of Object.entries(asObj(object.data))) {
        if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) {
          causes.push(invalid(`data[${key}]`, '<secret contents redacted>', 'illegal base64 data'));
        }
      }
      break;
    case 'PersistentVolumeClaim':
    case 'PersistentVolume': {
      const storage = kind === 'PersistentVolume' ? asObj(spec.capacity).storage : asObj(asObj(spec.resources).requests).storage;
      if (storage !== undefined && !isQuantity(storage)) {
        causes.push(invalid(kind === 'PersistentVolume' ? 'spec.capacity[storage]' : 'spec.resources.requests[storage]', storage, 'must be a quantity'));
      }
      break;
    }
    case 'Scale':
      validateReplicas(spec.replicas, 'spec.replicas', causes);
      break;
  }
  return causes;
}

function randomClusterIp(): string {
  return `10.96.${Math.floor(Math.random() * 254) + 1}.${Math.floor(Math.random() * 254) + 1}`;
}

/**
 * Fills what the real API server defaults on create (and keeps on update): secret
 * `stringData` folded into base64 `data`, a Deployment's strategy and deadlines, a Service's
 * cluster IP, a Namespace's phase. Mutates `object`.
 */
export function applyDefaults(kind: string, object: KubeObject, existing?: KubeObject): void {
  const spec = asObj(object.spec);
  switch (kind) {
    case 'Secret': {
      object.type ??= 'Opaque';
      const stringData = asObj(object.stringData);
      if (Object.keys(stringData).length > 0) {
        const data = { ...asObj(object.data) };
        for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(String(value), 'utf8').toString('base64');
        object.data = data;
      }
      delete object.stringData;
      break;
    }
    case 'Deployment':
      if (object.spec === undefined) break;
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
      break;
    case 'ReplicaSet':
    case 'StatefulSet':
      if (object.spec !== undefined) spec.replicas ??= 1;
      break;
    case 'Service': {
      if (object.spec === undefined) break;
      spec.type ??= 'ClusterIP';
      const existingIp = asObj(existing?.spec).clusterIP;
      if (spec.clusterIP === undefined && spec.type !== 'ExternalName') spec.clusterIP = existingIp ?? randomClusterIp();
      if (Array.isArray(spec.ports)) {
        for (const port of spec.ports as Obj[]) {
          port.protocol ??= 'TCP';
          port.targetPort ??= port.port;
        }
      }
      break;
    }
    case 'Namespace':
      object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name };
      object.spec ??= { finalizers: ['kubernetes'] };
      object.status ??= { phase: 'Active' };
      break;
    case 'Pod':
      object.status ??= { phase: 'Pending' };
      break;
  }
}
