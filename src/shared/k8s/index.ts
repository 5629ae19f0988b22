/** The shared Kubernetes model: descriptors, printers, watch application, summary and change rules. */
export * from './objects';
export * from './resources';
export * from './printers';
export * from './watch';
export * from './quantities';
export * from './thresholds';
export * from './kube-events';
export * from './summary';
export * from './changes';
export * from './label-selector';
