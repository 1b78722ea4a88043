// The application menu: Open…, Pause all, Resume all, Find, Preferences, with their accelerators,
// beside the platform's usual Edit, View and Window menus. A choice is sent to the window as a
// MenuCommand (EVENT_CHANNELS.onMenuCommand); the renderer runs it, exactly as its own keyboard
// shortcuts do (renderer/src/components/shortcuts.ts), so the keys work where there is no menu
// (imagedrop serve). To run each command once per key press, the menu shows the accelerators but
// leaves the keys to the renderer (registerAccelerator: false; macOS menus always take their keys
// first, and the renderer never sees them there).
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../../shared/ipc.ts';

/** Each command's accelerator: the same keys renderer/src/components/shortcuts.ts answers. */
export const MENU_ACCELERATORS: Readonly<Record<MenuCommand, string>> = {
  'open-files': 'CmdOrCtrl+O',
  'pause-all': 'CmdOrCtrl+Shift+P',
  'resume-all': 'CmdOrCtrl+Shift+R',
  find: 'CmdOrCtrl+F',
  preferences: 'CmdOrCtrl+,',
};

export interface MenuOptions {
  readonly platform: NodeJS.Platform;
  /** Developer tools in the View menu (not in packaged builds). */
  readonly devTools: boolean;
  readonly send: (command: MenuCommand) => void;
}

export function applicationMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const item = (command: MenuCommand, label: string): MenuItemConstructorOptions => ({
    id: command,
    label,
    accelerator: MENU_ACCELERATORS[command],
    registerAccelerator: mac,
    click: () => options.send(command),
  });
  const preferences = item('preferences', mac ? 'Settings…' : 'Preferences…');
  return [
    ...(mac
      ? [
          {
            role: 'appMenu',
            submenu: [
              { role: 'about' },
              { type: 'separator' },
              preferences,
              { type: 'separator' },
              { role: 'services' },
              { type: 'separator' },
              { role: 'hide' },
              { role: 'hideOthers' },
              { role: 'unhide' },
              { type: 'separator' },
              { role: 'quit' },
            ],
          } satisfies MenuItemConstructorOptions,
        ]
      : []),
    {
      label: '&File',
      submenu: [
        item('open-files', 'Open…'),
        ...(mac ? [] : [{ type: 'separator' } as const, preferences]),
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit', label: 'Quit' },
      ],
    },
    {
      label: '&Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
        { type: 'separator' },
        item('find', 'Find…'),
      ],
    },
    {
      label: '&Uploads',
      submenu: [item('pause-all', 'Pause all'), item('resume-all', 'Resume all')],
    },
    {
      label: '&View',
      submenu: [
        ...(options.devTools ? [{ role: 'toggleDevTools' } as const, { type: 'separator' } as const] : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
}

/** Every item of a template, submenus included (for tests and lookups). */
export function menuItems(template: readonly MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? menuItems(i.submenu) : [])]);
}
