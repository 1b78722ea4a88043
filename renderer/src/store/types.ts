// The shape of the one renderer store: the union of its slices. Each slice keeps its own
// invariants next to its state; views select the smallest piece they need.
import type { DashboardSlice } from './dashboard-slice.ts';
import type { DraftsSlice } from './drafts-slice.ts';
import type { SessionSlice } from './session-slice.ts';
import type { UiSlice } from './ui-slice.ts';
import type { UploadsSlice } from './uploads-slice.ts';

export type AppState = SessionSlice & UploadsSlice & DraftsSlice & DashboardSlice & UiSlice;
