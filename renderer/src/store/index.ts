// The one renderer store, built from typed slices (zustand). Middleware, if any, goes here on
// the combined store only. Tests reset it with resetStore() between cases.
import { create } from 'zustand';
import { createDashboardSlice } from './dashboard-slice.ts';
import { createDraftsSlice } from './drafts-slice.ts';
import { createSessionSlice } from './session-slice.ts';
import type { AppState } from './types.ts';
import { createUiSlice } from './ui-slice.ts';
import { createUploadsSlice } from './uploads-slice.ts';

export type { AppState } from './types.ts';

export const useAppStore = create<AppState>()((...a) => ({
  ...createSessionSlice(...a),
  ...createUploadsSlice(...a),
  ...createDraftsSlice(...a),
  ...createDashboardSlice(...a),
  ...createUiSlice(...a),
}));

/** Back to the state the store had when the app started. */
export function resetStore(): void {
  useAppStore.setState(useAppStore.getInitialState(), true);
}
