// The window's commands, from the application menu (main sends them, onMenuCommand) or from the
// keyboard (the same accelerators electron/main/shell/menu.ts shows: Ctrl/Cmd+O, Ctrl/Cmd+F,
// Ctrl/Cmd+, and Ctrl/Cmd+Shift+P / R). The keys are handled here in every shell, so they also
// work where there is no menu (imagedrop serve in a browser).
import type { MenuCommand } from '../../../shared/ipc.ts';
import { pauseUploads, pickFiles, resumeUploads } from '../bridge.ts';
import { useAppStore } from '../store/index.ts';

/** The queue's filter box (QueueView): what Find focuses. */
export const QUEUE_FIND_ID = 'queue-find';

/** The command a key press stands for, or null. */
export function commandForKey(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>,
): MenuCommand | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const key = event.key.toLowerCase();
  if (event.shiftKey) {
    if (key === 'p') return 'pause-all';
    if (key === 'r') return 'resume-all';
    return null;
  }
  if (key === 'o') return 'open-files';
  if (key === 'f') return 'find';
  if (key === ',') return 'preferences';
  return null;
}

/** Focuses an element once the view that holds it has rendered (a few frames at most). */
function focusWhenThere(id: string, triesLeft = 30): void {
  const el = document.getElementById(id);
  if (el) {
    el.focus();
    if (el instanceof HTMLInputElement) el.select();
    return;
  }
  if (triesLeft > 0) setTimeout(() => focusWhenThere(id, triesLeft - 1), 16);
}

/** Runs a command. While a dialog asks its question, nothing else starts (the dialog answers first). */
export function runCommand(command: MenuCommand): void {
  const state = useAppStore.getState();
  if (state.confirmation !== null || state.fileBrowser !== null) return;
  if (state.preferencesOpen && command !== 'preferences') return;
  switch (command) {
    case 'open-files':
      state.setView('add');
      void pickFiles();
      return;
    case 'pause-all':
      void pauseUploads('all');
      return;
    case 'resume-all':
      void resumeUploads('all');
      return;
    case 'find':
      state.setView('queue');
      focusWhenThere(QUEUE_FIND_ID);
      return;
    case 'preferences':
      state.openPreferences();
      return;
  }
}

/** The keydown handler for the whole window; returns whether it took the key. */
export function handleShortcut(event: KeyboardEvent): boolean {
  const command = commandForKey(event);
  if (command === null) return false;
  event.preventDefault(); // the browser's own Open, Find…
  runCommand(command);
  return true;
}
