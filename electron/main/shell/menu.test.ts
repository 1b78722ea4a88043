// The application menu: each command is there once, with its accelerator, and choosing it sends
// that command to the window; the keys stay the renderer's on Windows and Linux (no double run).
import { describe, expect, it } from 'vitest';
import { MENU_COMMANDS, type MenuCommand } from '../../../shared/ipc.ts';
import { MENU_ACCELERATORS, applicationMenuTemplate, menuItems } from './menu.ts';

function build(platform: NodeJS.Platform, devTools = false) {
  const sent: MenuCommand[] = [];
  const items = menuItems(applicationMenuTemplate({ platform, devTools, send: (c) => sent.push(c) }));
  return { items, sent };
}

describe('the application menu', () => {
  for (const platform of ['linux', 'win32', 'darwin'] as const) {
    it(`${platform}: every command once, with its accelerator; a click sends it`, () => {
      const { items, sent } = build(platform);
      for (const command of MENU_COMMANDS) {
        const found = items.filter((i) => i.id === command);
        expect(found, command).toHaveLength(1);
        expect(found[0]!.accelerator).toBe(MENU_ACCELERATORS[command]);
        found[0]!.click!(undefined as never, undefined, undefined as never);
      }
      expect(sent).toEqual([...MENU_COMMANDS]);
    });
  }

  it('the keys are the renderer’s on Windows and Linux, the menu’s on macOS', () => {
    for (const [platform, registered] of [
      ['linux', false],
      ['win32', false],
      ['darwin', true],
    ] as const) {
      const ours = build(platform).items.filter((i) => MENU_COMMANDS.includes(i.id as MenuCommand));
      expect(ours.every((i) => i.registerAccelerator === registered)).toBe(true);
    }
  });

  it('the accelerators are the ones the issue names: Ctrl/Cmd+O, F and comma, all distinct', () => {
    expect(MENU_ACCELERATORS['open-files']).toBe('CmdOrCtrl+O');
    expect(MENU_ACCELERATORS.find).toBe('CmdOrCtrl+F');
    expect(MENU_ACCELERATORS.preferences).toBe('CmdOrCtrl+,');
    expect(new Set(Object.values(MENU_ACCELERATORS)).size).toBe(MENU_COMMANDS.length);
  });

  it('developer tools only when asked (not in packaged builds); Preferences in the app menu on macOS', () => {
    expect(build('linux').items.some((i) => i.role === 'toggleDevTools')).toBe(false);
    expect(build('linux', true).items.some((i) => i.role === 'toggleDevTools')).toBe(true);
    const mac = applicationMenuTemplate({ platform: 'darwin', devTools: false, send: () => {} });
    expect(mac[0]!.role).toBe('appMenu');
    expect(menuItems([mac[0]!]).some((i) => i.id === 'preferences')).toBe(true);
  });
});
