import { NoInput, request } from './define';
export const appRequests = {
    'app:diagnostics': request(NoInput).returns(),
    'app:info': request(NoInput).returns(),
    'runbook:get': request(NoInput).returns(),
};
export const appStreams = {};
