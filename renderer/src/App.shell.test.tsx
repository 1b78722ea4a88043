// The window's shell (issue 12): the header's cloud switcher, drops anywhere on the window, the
// keyboard shortcuts and the menu's commands, Preferences (language and theme).
import './testing/setup.ts';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from './App.tsx';
import { QUEUE_FIND_ID, commandForKey } from './components/shortcuts.ts';
import { currentLocale } from './i18n/index.ts';
import { connectBridge } from './store/connect-bridge.ts';
import { useAppStore } from './store/index.ts';
import { makeCloud, makeError, makeInspection, makeSession, makeSnapshot } from './testing/fixtures.ts';
import { installFakeApi } from './testing/setup.ts';

const state = () => useAppStore.getState();

async function start(options: Parameters<typeof installFakeApi>[0] = {}) {
  const api = installFakeApi(options);
  await act(async () => {
    connectBridge();
    render(<App />);
  });
  return api;
}

afterEach(() => {
  delete document.documentElement.dataset.theme;
  localStorage.clear();
});

const clouds = [
  makeCloud({ name: 'prod', region: 'RegionOne', imageService: 'glance' }),
  makeCloud({ name: 'hw', region: 'cn-north-4', imageService: 'ims' }),
];

describe('the cloud switcher', () => {
  it('names the cloud, its region and its kind; choosing another connects to it without a disconnect', async () => {
    const api = await start({ clouds, connected: true, session: makeSession({ cloud: 'prod', region: 'RegionOne' }) });
    const button = screen.getByRole('button', { name: 'Cloud: prod, RegionOne, Glance' });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(button);
    const menu = screen.getByRole('menu', { name: 'Clouds' });
    const items = within(menu).getAllByRole('menuitemradio');
    expect(items.map((i) => i.textContent)).toEqual(['✓prodRegionOne · Glance', 'hwcn-north-4 · IMS']);
    expect(items[0]!.getAttribute('aria-checked')).toBe('true');
    await act(async () => fireEvent.click(items[1]!));
    expect(api.callsOf('connect')).toEqual([[{ kind: 'cloud', cloud: 'hw' }]]);
    expect(api.callsOf('disconnect')).toEqual([]);
    expect(state().session?.cloud).toBe('hw');
    expect(screen.queryByRole('menu')).toBeNull();
    const notices = screen.getByRole('region', { name: 'Notifications' });
    expect(within(notices).getByText('Connected to hw.')).toBeTruthy();
  });

  it('works from the keyboard: arrows open and move, Escape closes and gives the focus back', async () => {
    await start({ clouds, connected: true, session: makeSession({ cloud: 'prod' }) });
    const button = screen.getByRole('button', { name: /^Cloud: prod/ });
    button.focus();
    await act(async () => {
      fireEvent.keyDown(button, { key: 'ArrowDown' });
      await new Promise((r) => setTimeout(r, 5));
    });
    const menu = screen.getByRole('menu');
    const [first, second] = within(menu).getAllByRole('menuitemradio');
    expect(document.activeElement).toBe(first);
    fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(second);
    fireEvent.keyDown(menu, { key: 'End' });
    expect(document.activeElement?.textContent).toBe('Disconnect');
    fireEvent.keyDown(menu, { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it('a failed switch keeps the session and says why in a notice', async () => {
    const api = await start({ clouds, connected: true, session: makeSession({ cloud: 'prod' }) });
    api.failNext('connect', makeError({ code: 'auth/invalid-credentials', message: 'IAM refused the password.' }));
    fireEvent.click(screen.getByRole('button', { name: /^Cloud: prod/ }));
    await act(async () => fireEvent.click(screen.getByRole('menuitemradio', { name: /^hw/ })));
    expect(state().session?.cloud).toBe('prod');
    expect(screen.getByRole('alert').textContent).toContain('Could not connect to hw: IAM refused the password.');
  });

  it('an overtaken connect (a later choice won) is not shown as an error', async () => {
    const api = await start({ clouds, connected: true, session: makeSession({ cloud: 'prod' }) });
    api.failNext('connect', makeError({ code: 'auth/superseded', message: 'overtaken' }));
    fireEvent.click(screen.getByRole('button', { name: /^Cloud: prod/ }));
    await act(async () => fireEvent.click(screen.getByRole('menuitemradio', { name: /^hw/ })));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(state().connectError).toBeNull();
  });

  it('not connected: it offers the clouds to connect to', async () => {
    const api = await start({ clouds });
    fireEvent.click(screen.getByRole('button', { name: 'Choose a cloud' }));
    await act(async () => fireEvent.click(screen.getByRole('menuitemradio', { name: /^prod/ })));
    expect(api.callsOf('connect')).toEqual([[{ kind: 'cloud', cloud: 'prod' }]]);
  });
});

describe('drops anywhere on the window', () => {
  const files = [{ name: 'a.qcow2', size: 1 }];

  it('shows the overlay while files are dragged over, and a drop adds them to Add images', async () => {
    const api = await start({ files: { '/dropped/a.qcow2': makeInspection({ file: '/dropped/a.qcow2' }) } });
    expect(state().view).toBe('connect');
    fireEvent.dragEnter(screen.getByRole('banner'), { dataTransfer: { types: ['Files'], files } });
    expect(screen.getByText('Drop to add these files')).toBeTruthy();
    await act(async () => fireEvent.drop(screen.getByRole('banner'), { dataTransfer: { types: ['Files'], files } }));
    expect(screen.queryByText('Drop to add these files')).toBeNull();
    expect(state().view).toBe('add');
    expect(api.callsOf('inspectFiles')).toEqual([[['/dropped/a.qcow2']]]);
  });

  it('leaving the window hides the overlay; a drag of text shows none', async () => {
    await start();
    const banner = screen.getByRole('banner');
    fireEvent.dragEnter(banner, { dataTransfer: { types: ['Files'], files } });
    fireEvent.dragLeave(banner, { dataTransfer: { types: ['Files'], files } });
    expect(screen.queryByText('Drop to add these files')).toBeNull();
    fireEvent.dragEnter(banner, { dataTransfer: { types: ['text/plain'], files: [] } });
    expect(screen.queryByText('Drop to add these files')).toBeNull();
  });

  it('a drop on the Add images zone is taken once, by the zone', async () => {
    const api = await start({ files: { '/dropped/a.qcow2': makeInspection({ file: '/dropped/a.qcow2' }) } });
    act(() => state().setView('add'));
    const zone = screen.getByRole('region', { name: 'Drop zone' });
    await act(async () => fireEvent.drop(zone, { dataTransfer: { types: ['Files'], files } }));
    expect(api.callsOf('inspectFiles')).toHaveLength(1);
  });

  it('while a dialog is open, a drop adds nothing', async () => {
    const api = await start();
    act(() => state().openPreferences());
    await act(async () => fireEvent.drop(document.body, { dataTransfer: { types: ['Files'], files } }));
    expect(api.callsOf('inspectFiles')).toEqual([]);
  });
});

describe('shortcuts and the menu', () => {
  it.each([
    [{ key: 'o', ctrlKey: true }, 'open-files'],
    [{ key: 'O', metaKey: true }, 'open-files'],
    [{ key: 'f', ctrlKey: true }, 'find'],
    [{ key: ',', ctrlKey: true }, 'preferences'],
    [{ key: 'P', ctrlKey: true, shiftKey: true }, 'pause-all'],
    [{ key: 'R', metaKey: true, shiftKey: true }, 'resume-all'],
    [{ key: 'o' }, null],
    [{ key: 'f', ctrlKey: true, altKey: true }, null],
    [{ key: 'x', ctrlKey: true }, null],
  ] as const)('%o → %s', (event, command) => {
    expect(commandForKey({ ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...event })).toBe(command);
  });

  it('Ctrl+O opens the file picker and shows Add images; the browser’s own Open is kept out', async () => {
    const api = await start({ picked: ['/images/a.qcow2'], files: { '/images/a.qcow2': makeInspection() } });
    let prevented = false;
    await act(async () => {
      prevented = !fireEvent.keyDown(window, { key: 'o', ctrlKey: true });
    });
    expect(prevented).toBe(true);
    expect(api.callsOf('pickFiles')).toHaveLength(1);
    expect(state().view).toBe('add');
  });

  it('Ctrl+F shows the queue and focuses its filter box', async () => {
    await start();
    const find = document.createElement('input');
    find.id = QUEUE_FIND_ID;
    document.body.append(find);
    try {
      await act(async () => {
        fireEvent.keyDown(window, { key: 'f', ctrlKey: true });
        await new Promise((r) => setTimeout(r, 5));
      });
      expect(state().view).toBe('queue');
      expect(document.activeElement).toBe(find);
    } finally {
      find.remove();
    }
  });

  it('the menu’s Pause all and Resume all reach every job', async () => {
    const api = await start({ uploads: [makeSnapshot({ phase: 'uploading' })] });
    await act(async () => api.menuCommand('pause-all'));
    expect(api.callsOf('pauseUploads')).toEqual([['all']]);
    await act(async () => api.menuCommand('resume-all'));
    expect(api.callsOf('resumeUploads')).toEqual([['all']]);
  });

  it('no command starts while a confirmation asks its question', async () => {
    const api = await start();
    act(() => state().askConfirmation({ kind: 'cancel-all' }));
    await act(async () => {
      fireEvent.keyDown(window, { key: 'o', ctrlKey: true });
      api.menuCommand('preferences');
    });
    expect(api.callsOf('pickFiles')).toEqual([]);
    expect(state().preferencesOpen).toBe(false);
  });
});

describe('Preferences', () => {
  it('Ctrl+, opens it; the language switches every view to Chinese and back', async () => {
    await start();
    await act(async () => {
      fireEvent.keyDown(window, { key: ',', ctrlKey: true });
    });
    const dialog = screen.getByRole('dialog', { name: 'Preferences' });
    expect(document.activeElement).toBe(within(dialog).getByRole('radio', { name: 'English' }));
    await act(async () => fireEvent.click(within(dialog).getByRole('radio', { name: '简体中文' })));
    expect(currentLocale()).toBe('zh-CN');
    expect(document.documentElement.lang).toBe('zh-CN');
    expect(screen.getByRole('dialog', { name: '偏好设置' })).toBeTruthy();
    expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual(['连接', '添加镜像', '队列', '仪表板']);
    expect(screen.getByRole('heading', { name: '连接到云' })).toBeTruthy();
    expect(localStorage.getItem('imagedrop.locale')).toBe('zh-CN');
    await act(async () => fireEvent.click(screen.getByRole('radio', { name: 'English' })));
    expect(screen.getByRole('heading', { name: 'Connect to a cloud' })).toBeTruthy();
  });

  it('the theme: dark and light by choice on <html>, remembered; "as the system" removes the choice', async () => {
    await start();
    act(() => state().openPreferences());
    fireEvent.click(screen.getByRole('radio', { name: 'Dark' }));
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(localStorage.getItem('imagedrop.theme')).toBe('dark');
    fireEvent.click(screen.getByRole('radio', { name: 'Light' }));
    expect(document.documentElement.dataset.theme).toBe('light');
    fireEvent.click(screen.getByRole('radio', { name: 'As the system' }));
    expect(document.documentElement.dataset.theme).toBeUndefined();
    expect(localStorage.getItem('imagedrop.theme')).toBe('system');
  });

  it('the header’s Preferences… button opens it too, and focus comes back to it on close', async () => {
    await start();
    const button = screen.getByRole('button', { name: 'Preferences…' });
    button.focus();
    fireEvent.click(button);
    expect(screen.getByRole('dialog', { name: 'Preferences' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it('Escape closes it and the rest of the window is inert while it is open', async () => {
    await start();
    act(() => state().openPreferences());
    expect(document.querySelector('.app')?.hasAttribute('inert')).toBe(true);
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.querySelector('.app')?.hasAttribute('inert')).toBe(false);
  });
});
