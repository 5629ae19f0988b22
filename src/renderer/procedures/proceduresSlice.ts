import type { StepAccessMap, StepPreviewView } from '../../shared/contract/procedures';
import type { IDisposable } from '../../shared/lifetimes';
import type { ProcedureRun } from '../../shared/procedures/model';
import { activeIncidentId } from '../incidents/incidentsSlice';
import { asError, attempt, type CockpitSlice } from '../state/slice';
import type { CockpitError } from '../../shared/result';

/** The run dialog: a step's form and preview before it starts, then the run it started. */
export interface RunDialog {
  /** The step the dialog was opened for (absent for a procedure or a revert). */
  stepId?: string;
  title: string;
  values: Record<string, string>;
  preview?: StepPreviewView;
  previewing: boolean;
  runId?: string;
  typedName: string;
  /** A refused confirmation or start (wrong name, invalid values), shown in the dialog. */
  error?: CockpitError;
}

export interface ProceduresSlice {
  /** Runs main knows, by id (kept across a page reload: main sends them again). */
  runs: Record<string, ProcedureRun>;
  runDialog?: RunDialog;
  /** Whether the selected context may run each step (asked before the Run button is offered). */
  stepAccess: StepAccessMap;
  /** The context `stepAccess` was asked for; another context asks again. */
  stepAccessContext?: string;
  /** Asks main about steps not yet known (the ones a panel shows). */
  loadStepAccess(stepIds: string[]): Promise<void>;
  /** Follows `procedures:runs` for the store's life. */
  startProcedureStream(lifetime: { add(item: IDisposable): IDisposable }): void;
  /** Opens the dialog for a step, with values over the runbook's (a checklist link pre-fills it). */
  openStepDialog(stepId: string, values?: Record<string, string>): Promise<void>;
  setRunValue(name: string, value: string): void;
  refreshPreview(): Promise<void>;
  /** Starts the dialog's step in the active incident (or the session log). */
  startDialogRun(): Promise<void>;
  setTypedName(text: string): void;
  confirmDialogRun(): Promise<void>;
  abortRun(runId: string): Promise<void>;
  resumeRun(runId: string): Promise<void>;
  /** Runs a whole procedure; the dialog follows it. */
  startProcedure(procedureId: string): Promise<void>;
  /** Starts the revert a recorded run offers; previewed and confirmed like any change. */
  startRevert(logId: string, seq: number, step: number, title: string): Promise<void>;
  /** Shows a run in the dialog (a reloaded page's waiting run). */
  showRun(runId: string): void;
  closeRunDialog(): void;
  applyRun(run: ProcedureRun): void;
}

export const createProceduresSlice: CockpitSlice<ProceduresSlice> = (bridge) => (set, get) => {
  const patchDialog = (patch: Partial<RunDialog>) => set((s) => (s.runDialog ? { runDialog: { ...s.runDialog, ...patch } } : {}));
  const started = async (start: () => Promise<ProcedureRun>) => {
    try {
      const run = await start();
      get().applyRun(run);
      patchDialog({ runId: run.id, error: undefined, typedName: '' });
    } catch (error) {
      patchDialog({ error: asError(error) });
    }
  };

  return {
    runs: {},
    stepAccess: {},

    async loadStepAccess(stepIds) {
      const context = get().contexts?.current;
      if (context !== get().stepAccessContext) set({ stepAccess: {}, stepAccessContext: context });
      const unknown = stepIds.filter((id) => !Object.hasOwn(get().stepAccess, id)).slice(0, 200);
      if (unknown.length === 0) return;
      try {
        const answer = await bridge.call('procedures:access', { stepIds: unknown, ...(context ? { context } : {}) });
        if (get().stepAccessContext === context) set((s) => ({ stepAccess: { ...s.stepAccess, ...answer } }));
      } catch {
        // Not knowing is not forbidding: the preview asks again and says why.
      }
    },

    startProcedureStream(lifetime) {
      const unsubscribe = bridge.subscribe(
        'procedures:runs',
        {},
        {
          events: (runs) => runs.forEach((run) => get().applyRun(run)),
          error: (error) => set({ notice: error }),
        },
      );
      lifetime.add({ dispose: unsubscribe });
    },

    async openStepDialog(stepId, values = {}) {
      set({ runDialog: { stepId, title: stepId, values, previewing: true, typedName: '' } });
      await get().refreshPreview();
    },

    setRunValue(name, value) {
      const dialog = get().runDialog;
      if (dialog) patchDialog({ values: { ...dialog.values, [name]: value } });
    },

    async refreshPreview() {
      const dialog = get().runDialog;
      if (!dialog?.stepId) return;
      patchDialog({ previewing: true });
      try {
        const preview = await bridge.call('procedures:preview', { stepId: dialog.stepId, values: dialog.values });
        if (get().runDialog?.stepId === dialog.stepId) patchDialog({ preview, title: preview.title, previewing: false, error: undefined });
      } catch (error) {
        patchDialog({ previewing: false, error: asError(error) });
      }
    },

    async startDialogRun() {
      const dialog = get().runDialog;
      if (!dialog?.stepId) return;
      const incidentId = activeIncidentId(get());
      await started(() => bridge.call('procedures:run', { stepId: dialog.stepId!, values: dialog.values, ...(incidentId ? { incidentId } : {}) }));
    },

    setTypedName: (typedName) => patchDialog({ typedName }),

    async confirmDialogRun() {
      const dialog = get().runDialog;
      if (!dialog?.runId) return;
      try {
        const run = await bridge.call('procedures:confirm', { runId: dialog.runId, typedName: dialog.typedName });
        get().applyRun(run);
        patchDialog({ error: undefined, typedName: '' });
      } catch (error) {
        patchDialog({ error: asError(error) });
      }
    },

    async abortRun(runId) {
      await attempt(set, async () => get().applyRun(await bridge.call('procedures:abort', { runId })));
    },

    async resumeRun(runId) {
      await attempt(set, async () => get().applyRun(await bridge.call('procedures:resume', { runId })));
    },

    async startProcedure(procedureId) {
      set({ runDialog: { title: procedureId, values: {}, previewing: false, typedName: '' } });
      const incidentId = activeIncidentId(get());
      await started(() => bridge.call('procedures:run', { procedureId, ...(incidentId ? { incidentId } : {}) }));
    },

    async startRevert(logId, seq, step, title) {
      set({ runDialog: { title, values: {}, previewing: false, typedName: '' } });
      const incidentId = logId === 'session' ? undefined : logId;
      await started(() =>
        bridge.call('procedures:run', { revertOf: { logId: logId as `inc-${string}`, seq, step }, ...(incidentId ? { incidentId } : {}) }),
      );
    },

    showRun(runId) {
      const run = get().runs[runId];
      if (run) set({ runDialog: { title: run.title, values: {}, previewing: false, typedName: '', runId } });
    },

    closeRunDialog: () => set({ runDialog: undefined }),

    applyRun(run) {
      set((s) => {
        const known = s.runs[run.id];
        // A snapshot answered by a request can arrive after a newer one from the stream.
        if (known && known.version > run.version) return {};
        return { runs: { ...s.runs, [run.id]: run } };
      });
    },
  };
};

