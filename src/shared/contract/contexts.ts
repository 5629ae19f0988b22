import { z } from 'zod';
import { SCENARIO_NAMES, type ContextList, type DrillStatus } from '../contexts';
import { NoInput, request } from './define';

export const contextRequests = {
  'contexts:list': request(NoInput).returns<ContextList>(),
  'contexts:select': request(z.strictObject({ name: z.string().min(1).max(253) })).returns<ContextList>(),
  'drill:status': request(NoInput).returns<DrillStatus>(),
  'drill:setScenario': request(z.strictObject({ name: z.enum(SCENARIO_NAMES), active: z.boolean() })).returns<DrillStatus>(),
} as const;

export const contextStreams = {} as const;
