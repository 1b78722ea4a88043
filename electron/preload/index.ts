// The sandboxed preload: exposes window.imagedrop (shared/ipc.ts's ImagedropApi) built by
// shared/api-client.ts over ipcRenderer. It may import only electron and shared/; the renderer
// never sees ipcRenderer itself, a token or a password. Bundled into one CommonJS file.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { createImagedropApi } from '../../shared/api-client.ts';
import { EVENT_CHANNELS, GRANT_DROPPED_PATH_CHANNEL, INVOKE_CHANNELS } from '../../shared/ipc.ts';

const api = createImagedropApi(
  {
    invoke: (channel, args) => ipcRenderer.invoke(channel, ...args),
    on: (channel, listener) => {
      const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      ipcRenderer.on(channel, handler);
      return () => {
        ipcRenderer.removeListener(channel, handler);
      };
    },
    // File.path is gone from current Electron; this is its replacement for dropped files. Only a
    // real dropped file has a path (a File made in the page gives ''), and main is told of it at
    // once, synchronously, before the renderer can name it in a call.
    pathForFile: (file) => {
      const path = webUtils.getPathForFile(file as File);
      if (path) ipcRenderer.sendSync(GRANT_DROPPED_PATH_CHANNEL, path);
      return path;
    },
  },
  { invoke: INVOKE_CHANNELS, events: EVENT_CHANNELS },
);

contextBridge.exposeInMainWorld('imagedrop', api);
