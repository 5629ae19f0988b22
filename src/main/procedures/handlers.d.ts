import type { procedureRequests } from '../../shared/contract/procedures';
import { CockpitFailure } from '../../shared/result';
import type { HandlersOf, StreamProviders } from '../host/dispatcher';
import type { ProcedureService } from './procedure-service';
/** `procedures:`: preview, run, confirm, abort and resume runbook steps, and follow the runs. */
export declare function procedureHandlers(procedures: ProcedureService | undefined, unavailable: CockpitFailure | undefined): {
    handlers: HandlersOf<keyof typeof procedureRequests>;
    providers: Pick<StreamProviders, 'procedures:runs'>;
};
