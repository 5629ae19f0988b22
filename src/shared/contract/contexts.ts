import { z } from 'zod';
import { SCENARIO_NAMES, type ContextList, type DrillStatus } from '../contexts';
import { NoInput, request, stream } from './define';

export const contextRequests = {
  'contexts:list': request(NoInput).returns<ContextList>(),
  'contexts:select': request(z.strictObject({ name: z.string().min(1).max(253) })).returns<ContextList>(),
  'drill:status': request(NoInput).returns<DrillStatus>(),
  'drill:setScenario': request(z.strictObject({ name: z.enum(SCENARIO_NAMES), active: z.boolean() })).returns<DrillStatus>(),
  /** Stops the drill's process and starts a new one (after a crash, or to unstick it). */
  'drill:restart': request(NoInput).returns<DrillStatus>(),
  /** Rebuilds the drill cluster from its seed (what it resets: `DrillStatus.resetDescription`). */
  'drill:reset': request(NoInput).returns<DrillStatus>(),
} as const;

export const contextStreams = {
  /** The drill's status now, then after every change: process state, scenarios switched on, cleared or ended by a fix. */
  'drill:changed': stream(NoInput).emits<DrillStatus>(),
} as const;
