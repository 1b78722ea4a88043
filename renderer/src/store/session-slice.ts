// The signed-in session as main reports it. The token and the password never reach the
// renderer: this slice holds only SessionInfo and the list of known clouds.
import type { StateCreator } from 'zustand';
import type { AppError } from '../../../shared/errors.ts';
import type { CloudEntry, SessionInfo } from '../../../shared/session.ts';
import type { AppState } from './types.ts';

/** 'unknown' until getSession() answers at start. */
export type ConnectionStatus = 'unknown' | 'disconnected' | 'connecting' | 'connected' | 'disconnecting';

export interface SessionSlice {
  session: SessionInfo | null;
  connection: ConnectionStatus;
  /** The last connect() error, exactly as main returned it. */
  connectError: AppError | null;
  clouds: readonly CloudEntry[];
  cloudsLoaded: boolean;
  cloudsError: AppError | null;
  /** Whether main can keep a password (an OS keychain); null until it answered. */
  canRememberSecrets: boolean | null;
  secretsAnswered(can: boolean): void;
  cloudsReceived(clouds: readonly CloudEntry[]): void;
  cloudsFailed(error: AppError): void;
  sessionLoaded(session: SessionInfo | null): void;
  connectStarted(): void;
  connectSucceeded(session: SessionInfo): void;
  connectFailed(error: AppError): void;
  disconnectStarted(): void;
  /** Disconnected (or the disconnect failed and the session is still there: pass it back). */
  disconnectFinished(stillConnected: SessionInfo | null): void;
}

/** The dashboard as it is before any list: what a session that ends (or changes cloud) leaves. */
const EMPTY_DASHBOARD = {
  images: [],
  imagesLoading: false,
  imagesFetchedAt: null,
  imagesPages: 0,
  imagesError: null,
  selectedImageIds: [],
  deleteOutcomes: [],
} satisfies Partial<AppState>;

export const createSessionSlice: StateCreator<AppState, [], [], SessionSlice> = (set) => ({
  session: null,
  connection: 'unknown',
  connectError: null,
  clouds: [],
  cloudsLoaded: false,
  cloudsError: null,
  canRememberSecrets: null,
  secretsAnswered: (canRememberSecrets) => set({ canRememberSecrets }),
  cloudsReceived: (clouds) => set({ clouds, cloudsLoaded: true, cloudsError: null }),
  cloudsFailed: (error) => set({ cloudsLoaded: true, cloudsError: error }),
  sessionLoaded: (session) =>
    set((state) =>
      // A connect() that finished first wins over the start-up getSession() answer.
      state.connection === 'connecting' || state.connection === 'connected'
        ? {}
        : { session, connection: session ? 'connected' : 'disconnected' },
    ),
  connectStarted: () => set({ connection: 'connecting', connectError: null }),
  connectSucceeded: (session) =>
    set((state) =>
      // Another cloud (the switcher): the dashboard's list was the old cloud's.
      state.session && state.session.cloudKey !== session.cloudKey
        ? { session, connection: 'connected', connectError: null, ...EMPTY_DASHBOARD }
        : { session, connection: 'connected', connectError: null },
    ),
  connectFailed: (error) =>
    set((state) =>
      // Overtaken by a later choice, which is still on its way (or done): that one decides.
      error.code === 'auth/superseded'
        ? {}
        : { connectError: error, connection: state.session ? 'connected' : 'disconnected' },
    ),
  disconnectStarted: () => set({ connection: 'disconnecting' }),
  disconnectFinished: (stillConnected) =>
    set(
      stillConnected
        ? { session: stillConnected, connection: 'connected' }
        : { session: null, connection: 'disconnected', ...EMPTY_DASHBOARD },
    ),
});
