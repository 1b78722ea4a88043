// What the window shows: the current view, the selected job, notices (errors and short
// confirmations of what happened) and the one open confirmation dialog.
import type { StateCreator } from 'zustand';
import type { AppError } from '../../../shared/errors.ts';
import type { UploadId } from '../../../shared/upload.ts';
import { savedTheme, type ThemeChoice } from '../components/theme.ts';
import type { AppState } from './types.ts';

export const VIEWS = ['connect', 'add', 'queue', 'dashboard'] as const;
export type ViewName = (typeof VIEWS)[number];

export const MAX_NOTICES = 5;

export interface Notice {
  readonly id: number;
  readonly tone: 'error' | 'info';
  readonly message: string;
  readonly detail?: string;
  readonly code?: string;
}

/** A question that needs the user's explicit yes before a destructive or costly command. */
export type Confirmation =
  | { readonly kind: 'resume-recreate'; readonly uploadIds: readonly UploadId[] }
  | { readonly kind: 'delete-images'; readonly imageIds: readonly string[] }
  | { readonly kind: 'cancel-all' }
  /** Cancelling a job whose bytes have all been sent deletes an image that is nearly done. */
  | { readonly kind: 'cancel-uploaded'; readonly uploadId: UploadId }
  /** Dashboard: the stores to copy an image to (views/dashboard/CopyToStoresDialog.tsx). */
  | { readonly kind: 'copy-to-stores'; readonly imageId: string }
  /** Dashboard, IMS: aborting unfinished multipart uploads deletes their stored parts. */
  | { readonly kind: 'abort-uploads'; readonly uploadIds: readonly string[] };

/** What the host file browser (imagedrop serve) is open for: disk images, or one CA certificate file. */
export type FileBrowserPurpose = 'images' | 'ca';

export interface UiSlice {
  view: ViewName;
  selectedUploadId: UploadId | null;
  notices: readonly Notice[];
  nextNoticeId: number;
  confirmation: Confirmation | null;
  fileBrowser: FileBrowserPurpose | null;
  /** The Preferences dialog (language, theme) is open. */
  preferencesOpen: boolean;
  theme: ThemeChoice;
  setView(view: ViewName): void;
  selectUpload(id: UploadId | null): void;
  /** Shows an error as main returned it (its message already says what to do). */
  reportError(error: AppError, context?: string): void;
  notify(message: string): void;
  dismissNotice(id: number): void;
  askConfirmation(confirmation: Confirmation): void;
  closeConfirmation(): void;
  openFileBrowser(purpose: FileBrowserPurpose): void;
  closeFileBrowser(): void;
  openPreferences(): void;
  closePreferences(): void;
  setTheme(theme: ThemeChoice): void;
}

export const createUiSlice: StateCreator<AppState, [], [], UiSlice> = (set) => ({
  view: 'connect',
  selectedUploadId: null,
  notices: [],
  nextNoticeId: 1,
  confirmation: null,
  fileBrowser: null,
  preferencesOpen: false,
  theme: savedTheme(),
  setView: (view) => set({ view }),
  selectUpload: (selectedUploadId) => set({ selectedUploadId }),
  reportError: (error, context) =>
    set((state) => {
      const notice: Notice = {
        id: state.nextNoticeId,
        tone: 'error',
        message: context ? `${context}: ${error.message}` : error.message,
        code: error.code,
        ...(error.detail || error.serverMessage ? { detail: error.detail ?? error.serverMessage } : {}),
      };
      return { notices: [...state.notices, notice].slice(-MAX_NOTICES), nextNoticeId: state.nextNoticeId + 1 };
    }),
  notify: (message) =>
    set((state) => ({
      notices: [...state.notices, { id: state.nextNoticeId, tone: 'info' as const, message }].slice(-MAX_NOTICES),
      nextNoticeId: state.nextNoticeId + 1,
    })),
  dismissNotice: (id) => set((state) => ({ notices: state.notices.filter((n) => n.id !== id) })),
  askConfirmation: (confirmation) => set({ confirmation }),
  closeConfirmation: () => set({ confirmation: null }),
  openFileBrowser: (fileBrowser) => set({ fileBrowser }),
  closeFileBrowser: () => set({ fileBrowser: null }),
  // Never over another dialog: the question asked first is answered first.
  openPreferences: () => set((state) => (state.confirmation || state.fileBrowser ? {} : { preferencesOpen: true })),
  closePreferences: () => set({ preferencesOpen: false }),
  setTheme: (theme) => set({ theme }),
});
