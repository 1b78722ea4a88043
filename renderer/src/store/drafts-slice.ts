// Files dropped or picked, from "being inspected" to a filled-in metadata form. A draft leaves
// this slice when its upload starts (the job then lives in the uploads slice) or when removed.
import type { StateCreator } from 'zustand';
import type { AppError } from '../../../shared/errors.ts';
import type { InspectOutcome } from '../../../shared/ipc.ts';
import type { UsageReport } from '../../../shared/quota.ts';
import { EMPTY_BATCH, applyBatchToForm, type BatchFields } from './draft-form.batch.ts';
import { draftVerdict, newDraft, prefillForm, type Draft, type DraftForm } from './draft-form.ts';
import { readPresets, writePresets, type MetadataPreset } from './drafts-slice.presets.ts';
import type { AppState } from './types.ts';

/** Up to this many files, each card opens with its whole form; more, and they start collapsed. */
export const EXPAND_UP_TO = 3;

/** The project's usage as last read for a cloud (getUsage). */
export interface UsageState {
  /** The session it was read for (SessionInfo.cloudKey); null: never read. */
  readonly cloudKey: string | null;
  readonly report: UsageReport | null;
  readonly error: AppError | null;
  readonly loading: boolean;
}

export const NO_USAGE: UsageState = { cloudKey: null, report: null, error: null, loading: false };

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

  /** Files ticked for "Apply to selected". */
  selectedDrafts: readonly string[];
  /** Cards open on their whole form (the others show name and verdict). */
  expandedDrafts: readonly string[];
  /** The batch editor's fields. */
  batch: BatchFields;
  presets: readonly MetadataPreset[];
  /** The stored presets could not be read and were ignored. */
  presetsCorrupt: boolean;
  usage: UsageState;
  setDraftsSelected(ids: readonly string[], selected: boolean): void;
  setDraftsExpanded(ids: readonly string[], expanded: boolean): void;
  updateBatch(patch: Partial<BatchFields>): void;
  clearBatch(): void;
  /** Applies the batch to every file, or to the selected ones, that has a form; answers how many. */
  applyBatch(scope: 'all' | 'selected'): number;
  /** Removes every file the inspector refused (or could not read); answers how many. */
  removeBlockedDrafts(): number;
  /** Reads the presets saved in this browser (a corrupt entry is ignored, and flagged). */
  loadPresets(): void;
  /** Saves the batch editor's fields under `name` (replacing a preset of that name); false if storage refused. */
  savePreset(name: string): boolean;
  /** Fills the batch editor from a preset. */
  applyPreset(name: string): void;
  deletePreset(name: string): boolean;
  usageRequested(cloudKey: string): void;
  usageReceived(cloudKey: string, report: UsageReport): void;
  usageFailed(cloudKey: string, error: AppError): void;
}

const without = (list: readonly string[], gone: ReadonlySet<string>) => list.filter((id) => !gone.has(id));

export const createDraftsSlice: StateCreator<AppState, [], [], DraftsSlice> = (set, get) => ({
  drafts: {},
  draftOrder: [],
  submitting: false,
  selectedDrafts: [],
  expandedDrafts: [],
  batch: EMPTY_BATCH,
  presets: [],
  presetsCorrupt: false,
  usage: NO_USAGE,
  draftsAdded: (paths) =>
    set((state) => {
      const drafts = { ...state.drafts };
      const order = [...state.draftOrder];
      const added: string[] = [];
      for (const path of new Set(paths)) {
        if (!(path in drafts)) {
          order.push(path);
          added.push(path);
        }
        drafts[path] = newDraft(path);
      }
      // A few files open on their forms; past EXPAND_UP_TO the list collapses to name and verdict.
      const expandedDrafts =
        order.length <= EXPAND_UP_TO
          ? [...state.expandedDrafts, ...added]
          : state.draftOrder.length <= EXPAND_UP_TO
            ? []
            : state.expandedDrafts;
      return { drafts, draftOrder: order, expandedDrafts };
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
      return {
        drafts,
        draftOrder: without(state.draftOrder, gone),
        selectedDrafts: without(state.selectedDrafts, gone),
        expandedDrafts: without(state.expandedDrafts, gone),
      };
    }),
  setSubmitting: (submitting) => set({ submitting }),
  setDraftsSelected: (ids, selected) =>
    set((state) => {
      const change = new Set(ids.filter((id) => id in state.drafts));
      const kept = without(state.selectedDrafts, change);
      return { selectedDrafts: selected ? state.draftOrder.filter((id) => change.has(id) || kept.includes(id)) : kept };
    }),
  setDraftsExpanded: (ids, expanded) =>
    set((state) => {
      const change = new Set(ids.filter((id) => id in state.drafts));
      const kept = without(state.expandedDrafts, change);
      return { expandedDrafts: expanded ? state.draftOrder.filter((id) => change.has(id) || kept.includes(id)) : kept };
    }),
  updateBatch: (patch) => set((state) => ({ batch: { ...state.batch, ...patch } })),
  clearBatch: () => set({ batch: EMPTY_BATCH }),
  applyBatch: (scope) => {
    const state = get();
    const targets = scope === 'all' ? state.draftOrder : state.selectedDrafts;
    const drafts = { ...state.drafts };
    let applied = 0;
    for (const id of targets) {
      const draft = drafts[id];
      if (!draft) continue;
      const kind = draftVerdict(draft, state.session).kind;
      if (kind !== 'ready' && kind !== 'invalid') continue; // no form: checking, or blocked
      drafts[id] = { ...draft, form: applyBatchToForm(draft.form, state.batch) };
      applied += 1;
    }
    if (applied > 0) set({ drafts });
    return applied;
  },
  removeBlockedDrafts: () => {
    const state = get();
    const blocked = state.draftOrder.filter((id) => {
      const draft = state.drafts[id];
      return draft !== undefined && draftVerdict(draft, state.session).kind === 'blocked';
    });
    if (blocked.length > 0) state.removeDrafts(blocked);
    return blocked.length;
  },
  loadPresets: () => {
    const { presets, corrupt } = readPresets();
    set({ presets, presetsCorrupt: corrupt });
  },
  savePreset: (name) => {
    const state = get();
    const preset: MetadataPreset = { name, fields: state.batch };
    const presets = [...state.presets.filter((p) => p.name !== name), preset].sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    if (!writePresets(presets)) return false;
    set({ presets, presetsCorrupt: false });
    return true;
  },
  applyPreset: (name) => {
    const preset = get().presets.find((p) => p.name === name);
    if (preset) set({ batch: preset.fields });
  },
  deletePreset: (name) => {
    const presets = get().presets.filter((p) => p.name !== name);
    if (!writePresets(presets)) return false;
    set({ presets });
    return true;
  },
  usageRequested: (cloudKey) =>
    set((state) => ({
      usage: {
        ...(state.usage.cloudKey === cloudKey ? state.usage : NO_USAGE),
        cloudKey,
        loading: true,
      },
    })),
  usageReceived: (cloudKey, report) => set({ usage: { cloudKey, report, error: null, loading: false } }),
  usageFailed: (cloudKey, error) =>
    set((state) => ({
      usage: {
        cloudKey,
        report: state.usage.cloudKey === cloudKey ? state.usage.report : null,
        error,
        loading: false,
      },
    })),
});
