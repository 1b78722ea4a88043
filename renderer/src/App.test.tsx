import './testing/setup.ts';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { App } from './App.tsx';
import { INFO_NOTICE_MS } from './components/Notices.tsx';
import { connectBridge } from './store/connect-bridge.ts';
import { useAppStore } from './store/index.ts';
import { addPaths } from './bridge.ts';
import { makeError, makeImage, makeInspection, makeSession, makeSnapshot } from './testing/fixtures.ts';
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

describe('App', () => {
  it('has a banner, a navigation with four tabs, a main region and a level-one heading', async () => {
    await start();
    expect(screen.getByRole('banner')).toBeTruthy();
    expect(screen.getByRole('navigation', { name: 'Views' })).toBeTruthy();
    expect(screen.getByRole('main')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Imagedrop' })).toBeTruthy();
    expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual([
      'Connect',
      'Add images',
      'Queue',
      'Dashboard',
    ]);
    expect(screen.getByRole('tabpanel', { name: 'Connect' })).toBeTruthy();
  });

  it('moves between views with the arrow keys, Home and End (roving focus)', async () => {
    await start();
    const tablist = screen.getByRole('tablist');
    const tab = (name: string) => screen.getByRole('tab', { name });
    tab('Connect').focus();
    fireEvent.keyDown(tablist, { key: 'ArrowRight' });
    expect(tab('Add images').getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(tab('Add images'));
    expect(screen.getByRole('heading', { level: 2, name: 'Add images' })).toBeTruthy();
    fireEvent.keyDown(tablist, { key: 'End' });
    expect(document.activeElement).toBe(tab('Dashboard'));
    fireEvent.keyDown(tablist, { key: 'ArrowRight' });
    expect(document.activeElement).toBe(tab('Connect'));
    fireEvent.keyDown(tablist, { key: 'ArrowLeft' });
    expect(tab('Dashboard').getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(tablist, { key: 'Home' });
    expect(tab('Connect').getAttribute('tabindex')).toBe('0');
    expect(tab('Queue').getAttribute('tabindex')).toBe('-1');
    fireEvent.click(tab('Queue'));
    expect(screen.getByRole('tabpanel', { name: 'Queue' })).toBeTruthy();
  });

  it('keeps every control a native, focusable element in each view (so Tab, Enter and Space work)', async () => {
    await start({
      connected: true,
      uploads: [makeSnapshot({ id: 'a', fileName: 'a.qcow2' })],
      images: [makeImage({ id: 'q', name: 'stuck', status: 'queued', updatedAt: '2020-01-01T00:00:00Z' })],
      files: { '/f.qcow2': makeInspection() },
    });
    await act(() => addPaths(['/f.qcow2']));
    for (const view of ['connect', 'add', 'queue', 'dashboard'] as const) {
      await act(async () => state().setView(view));
      const controls = [
        ...document.querySelectorAll<HTMLElement>('button, input, select, [role="button"], [tabindex]'),
      ];
      expect(controls.length).toBeGreaterThan(3);
      for (const control of controls) {
        expect(['BUTTON', 'INPUT', 'SELECT']).toContain(control.tagName);
        if (control.getAttribute('role') !== 'tab') expect(control.tabIndex).toBe(0);
      }
    }
  });

  it('opens the queue at start when a session and restored jobs exist, with counts on the tabs', async () => {
    await start({ connected: true, uploads: [makeSnapshot({ id: 'r', fileName: 'r.qcow2', phase: 'interrupted' })] });
    const queue = screen.getByRole('tab', { name: 'Queue' });
    expect(queue.getAttribute('aria-selected')).toBe('true');
    expect(queue.textContent).toBe('Queue (1)');
    expect(screen.getByRole('listitem', { name: 'r.qcow2' }).textContent).toContain('Interrupted');
    expect(screen.getByRole('banner').textContent).toContain('alice · demo · RegionOne');
  });

  it('shows errors until dismissed, and notes for a few seconds', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await start();
    act(() => state().reportError(makeError({ message: 'The image service is down.', detail: 'HTTP 503' })));
    act(() => state().notify('2 uploads started.'));
    const region = screen.getByRole('region', { name: 'Notifications' });
    expect(within(region).getByRole('alert').textContent).toContain('The image service is down.HTTP 503');
    act(() => {
      vi.advanceTimersByTime(INFO_NOTICE_MS + 1);
    });
    expect(within(region).queryByText('2 uploads started.')).toBeNull();
    fireEvent.click(within(region).getByRole('button', { name: 'Dismiss: The image service is down.' }));
    expect(within(region).queryByRole('alert')).toBeNull();
  });

  it('announces phase changes (not progress) in a polite live region', async () => {
    const api = await start({ uploads: [makeSnapshot({ id: 'a', fileName: 'a.qcow2' })] });
    const live = screen
      .getAllByRole('status')
      .find((el) => el.getAttribute('aria-live') === 'polite' && el.className === 'visually-hidden')!;
    act(() => api.emit([makeSnapshot({ id: 'a', fileName: 'a.qcow2', bytesSent: 1 })]));
    expect(live.textContent).toBe('');
    act(() => api.emit([makeSnapshot({ id: 'a', fileName: 'a.qcow2', phase: 'verifying' })]));
    expect(live.textContent).toBe('a.qcow2: Verifying');
    act(() => api.emit([makeSnapshot({ id: 'b', fileName: 'b.qcow2', phase: 'queued' })]));
    expect(live.textContent).toBe('1 upload added');
  });

  it('makes the page inert behind a confirmation, keeps Tab inside it, and returns focus', async () => {
    await start({ connected: true, uploads: [makeSnapshot({ id: 'u', fileName: 'u.img' })] });
    act(() => state().connectSucceeded(makeSession()));
    const cancelAll = screen.getByRole('button', { name: 'Cancel all' });
    cancelAll.focus();
    fireEvent.click(cancelAll);
    const dialog = screen.getByRole('alertdialog', { name: 'Cancel every upload?' });
    expect(document.querySelector('.app')?.hasAttribute('inert')).toBe(true);
    const keep = within(dialog).getByRole('button', { name: 'Keep uploading' });
    const confirm = within(dialog).getByRole('button', { name: 'Cancel all uploads' });
    expect(document.activeElement).toBe(keep);
    confirm.focus();
    fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(document.activeElement).toBe(keep);
    fireEvent.keyDown(dialog, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(confirm);
    fireEvent.click(keep);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(document.querySelector('.app')?.hasAttribute('inert')).toBe(false);
    expect(document.activeElement).toBe(cancelAll);
  });
});
