// Serves the core over ipcMain: one handler per INVOKE_CHANNELS entry, each checking the sender
// before dispatchChannel validates the payload and answers a Result; core events go to the
// window with webContents.send. The engine already throttles progress, so no timers here.
import { ipcMain, type BrowserWindow, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { EVENT_CHANNELS, GRANT_DROPPED_PATH_CHANNEL, INVOKE_CHANNELS, type Unsubscribe } from '../../../shared/ipc.ts';
import { fail, type Result } from '../../../shared/result.ts';
import { dispatchChannel } from '../core/dispatch.ts';
import type { ImagedropCore } from '../core/service.ts';
import { isTrustedSender } from './trust.ts';

/** What the IPC service needs of the core (a fake in tests). */
export type ServedCore = Pick<
  ImagedropCore,
  'handlers' | 'onUploadsChanged' | 'onUploadsRemoved' | 'onFilesOpened' | 'grantPaths'
>;

export interface ServeOptions {
  /** Our renderer's app:// URL: the only document allowed to call. */
  readonly rendererUrl: string;
}

export const UNTRUSTED_SENDER: Result<never> = fail({
  code: 'ipc/untrusted-sender',
  message: 'Imagedrop ignored a request that did not come from its own window.',
  retryable: false,
});

/** Sends an event to the window if it is still there; a closed window is not an error. */
export function sendToWindow(win: BrowserWindow | null, channel: string, payload: unknown): boolean {
  if (!win || win.isDestroyed() || win.webContents.isDestroyed()) return false;
  win.webContents.send(channel, payload);
  return true;
}

export function serveIpc(core: ServedCore, getWindow: () => BrowserWindow | null, options: ServeOptions): Unsubscribe {
  const channels = Object.values(INVOKE_CHANNELS);
  for (const channel of channels) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      if (!isTrustedSender(event.sender, event.senderFrame, getWindow(), options.rendererUrl)) {
        return UNTRUSTED_SENDER;
      }
      return dispatchChannel(core.handlers, channel, args);
    });
  }
  // The preload reports each dropped file's path (sendSync): only then may the renderer name it.
  ipcMain.on(GRANT_DROPPED_PATH_CHANNEL, (event: IpcMainEvent, path: unknown) => {
    const trusted = isTrustedSender(event.sender, event.senderFrame, getWindow(), options.rendererUrl);
    if (trusted && typeof path === 'string' && path.length > 0 && path.length <= 4096) core.grantPaths([path]);
    event.returnValue = trusted;
  });
  const unsubscribes = [
    core.onUploadsChanged((batch) => sendToWindow(getWindow(), EVENT_CHANNELS.onUploadsChanged, batch)),
    core.onUploadsRemoved((ids) => sendToWindow(getWindow(), EVENT_CHANNELS.onUploadsRemoved, ids)),
    core.onFilesOpened((paths) => sendToWindow(getWindow(), EVENT_CHANNELS.onFilesOpened, paths)),
  ];
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
    ipcMain.removeAllListeners(GRANT_DROPPED_PATH_CHANNEL);
    for (const off of unsubscribes) off();
  };
}
