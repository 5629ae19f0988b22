import { z } from 'zod';
import { SCENARIO_NAMES, type ContextHealth, type ContextList, type DrillStatus } from '../contexts';
import { NoInput, request, stream } from './define';

const ContextName = z.string().min(1).max(253);
/** A namespace name, or `""` for all namespaces. */
export const NamespaceChoice = z.union([z.literal(''), z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'is not a namespace name')]);

export const contextRequests = {
  'contexts:list': request(NoInput).returns<ContextList>(),
  'contexts:select': request(z.strictObject({ name: ContextName })).returns<ContextList>(),
  /** The namespace for the current context; `""` is all namespaces. */
  'contexts:selectNamespace': request(z.strictObject({ namespace: NamespaceChoice })).returns<ContextList>(),
  /** Checks a context now: server version, or the specific reason it is not reachable. */
  'contexts:checkHealth': request(z.strictObject({ name: ContextName })).returns<ContextHealth>(),
  /** The current context's namespaces, from its cluster. */
  'contexts:namespaces': request(NoInput).returns<string[]>(),

  'drill:status': request(NoInput).returns<DrillStatus>(),
  'drill:setScenario': request(z.strictObject({ name: z.enum(SCENARIO_NAMES), active: z.boolean() })).returns<DrillStatus>(),
} as const;

export const contextStreams = {
  /** The context list after any change: a selection, a kubeconfig edited on disk, a health check. */
  'contexts:changed': stream(NoInput).emits<ContextList>(),
} as const;
