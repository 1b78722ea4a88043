// Wires the store to main once, at start: upload batches, files opened from the OS and the
// application menu's commands flow in, and the queue, session and cloud list are read. Subscribes before it reads, so no batch
// is lost; the uploads slice keeps the newer of a listed and a pushed snapshot.
import type { Unsubscribe } from '../../../shared/ipc.ts';
import { addPaths, getApi, loadClouds, loadSecretsAvailability, loadSession, refreshUploads } from '../bridge.ts';
import { runCommand } from '../components/shortcuts.ts';
import { useAppStore } from './index.ts';

export function connectBridge(): Unsubscribe {
  const api = getApi();
  const offUploads = api.onUploadsChanged((batch) => useAppStore.getState().applySnapshots(batch));
  const offRemoved = api.onUploadsRemoved((ids) => useAppStore.getState().removeUploads(ids));
  const offFiles = api.onFilesOpened((paths) => {
    useAppStore.getState().setView('add');
    void addPaths(paths);
  });
  const offMenu = api.onMenuCommand((command) => runCommand(command));
  void start();
  return () => {
    offUploads();
    offRemoved();
    offFiles();
    offMenu();
  };
}

/** Restored jobs appear as they were left; a live session skips the Connect view. */
async function start(): Promise<void> {
  await Promise.all([refreshUploads(), loadSession(), loadClouds(), loadSecretsAvailability()]);
  const state = useAppStore.getState();
  if (state.view === 'connect' && state.session !== null) {
    state.setView(state.uploadOrder.length > 0 ? 'queue' : 'add');
  }
}
