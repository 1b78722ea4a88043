// Files dropped or picked, from "being inspected" to a filled-in metadata form. A draft leaves
// this slice when its upload starts (the job then lives in the uploads slice) or when removed.
import type { StateCreator } from 'zustand';
import type { AppError } from '../../../shared/errors.ts';
import type { InspectOutcome } from '../../../shared/ipc.ts';
import { newDraft, prefillForm, type Draft, type DraftForm } from './draft-form.ts';
import type { AppState } from './types.ts';

export interface DraftsSlice {
  drafts: Readonly<Record<string, Draft>>;
  draftOrder: readonly string[];
  /** startUploads() is in flight. */
  submitting: boolean;
  /** New drafts in the 'inspecting' state; a path already listed is checked again. */
  draftsAdded(paths: readonly string[]): void;
  /** Outcomes of inspectFiles(): each safe or unsafe file gets its pre-filled form. */
  inspectionsReceived(outcomes: readonly InspectOutcome[]): void;
  /** The whole inspectFiles() call failed. */
  inspectionsFailed(paths: readonly string[], error: AppError): void;
  updateDraftForm(id: string, patch: Partial<DraftForm>): void;
  removeDrafts(ids: readonly string[]): void;
  setSubmitting(submitting: boolean): void;
}

export const createDraftsSlice: StateCreator<AppState, [], [], DraftsSlice> = (set) => ({
  drafts: {},
  draftOrder: [],
  submitting: false,
  draftsAdded: (paths) =>
    set((state) => {
      const drafts = { ...state.drafts };
      const order = [...state.draftOrder];
      for (const path of new Set(paths)) {
        if (!(path in drafts)) order.push(path);
        drafts[path] = newDraft(path);
      }
      return { drafts, draftOrder: order };
    }),
  inspectionsReceived: (outcomes) =>
    set((state) => {
      const drafts = { ...state.drafts };
      for (const outcome of outcomes) {
        const draft = drafts[outcome.path];
        if (!draft) continue; // removed while it was being inspected
        drafts[outcome.path] = outcome.ok
          ? {
              ...draft,
              status: 'inspected',
              inspection: outcome.inspection,
              error: null,
              form: prefillForm(draft.fileName, outcome.inspection),
            }
          : { ...draft, status: 'error', inspection: null, error: outcome.error };
      }
      return { drafts };
    }),
  inspectionsFailed: (paths, error) =>
    set((state) => {
      const drafts = { ...state.drafts };
      for (const path of paths) {
        const draft = drafts[path];
        if (draft && draft.status === 'inspecting') drafts[path] = { ...draft, status: 'error', error };
      }
      return { drafts };
    }),
  updateDraftForm: (id, patch) =>
    set((state) => {
      const draft = state.drafts[id];
      if (!draft) return state;
      return { drafts: { ...state.drafts, [id]: { ...draft, form: { ...draft.form, ...patch } } } };
    }),
  removeDrafts: (ids) =>
    set((state) => {
      const gone = new Set(ids);
      const drafts = { ...state.drafts };
      for (const id of gone) delete drafts[id];
      return { drafts, draftOrder: state.draftOrder.filter((id) => !gone.has(id)) };
    }),
  setSubmitting: (submitting) => set({ submitting }),
});
