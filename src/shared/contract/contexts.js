import { z } from 'zod';
import { SCENARIO_NAMES } from '../contexts';
import { NoInput, request } from './define';
export const contextRequests = {
    'contexts:list': request(NoInput).returns(),
    'contexts:select': request(z.strictObject({ name: z.string().min(1).max(253) })).returns(),
    'drill:status': request(NoInput).returns(),
    'drill:setScenario': request(z.strictObject({ name: z.enum(SCENARIO_NAMES), active: z.boolean() })).returns(),
};
export const contextStreams = {};
