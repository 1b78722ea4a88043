import '../testing/setup.ts';
import { describe, expect, it } from 'vitest';
import { makeError } from '../testing/fixtures.ts';
import { useAppStore } from './index.ts';
import { MAX_NOTICES } from './ui-slice.ts';

const state = () => useAppStore.getState();

describe('ui slice', () => {
  it('switches views and selects a job', () => {
    expect(state().view).toBe('connect');
    state().setView('dashboard');
    state().selectUpload('job-1');
    expect(state().view).toBe('dashboard');
    expect(state().selectedUploadId).toBe('job-1');
  });

  it('reports an error with its context, code and detail', () => {
    state().reportError(
      makeError({ code: 'glance/unavailable', message: 'The image service is down.', detail: '503' }),
      'Could not pause',
    );
    expect(state().notices).toEqual([
      {
        id: 1,
        tone: 'error',
        message: 'Could not pause: The image service is down.',
        code: 'glance/unavailable',
        detail: '503',
      },
    ]);
  });

  it('uses the server message as detail when there is no detail', () => {
    state().reportError(makeError({ serverMessage: 'Image storage media is full' }));
    expect(state().notices[0]?.detail).toBe('Image storage media is full');
  });

  it('keeps the newest notices only, and dismisses by id', () => {
    for (let i = 0; i < MAX_NOTICES + 2; i++) state().notify(`note ${i}`);
    expect(state().notices).toHaveLength(MAX_NOTICES);
    expect(state().notices[0]?.message).toBe('note 2');
    const id = state().notices[0]?.id ?? -1;
    state().dismissNotice(id);
    expect(state().notices.map((n) => n.id)).not.toContain(id);
  });

  it('holds one confirmation at a time', () => {
    state().askConfirmation({ kind: 'cancel-all' });
    state().askConfirmation({ kind: 'delete-images', imageIds: ['x'] });
    expect(state().confirmation).toEqual({ kind: 'delete-images', imageIds: ['x'] });
    state().closeConfirmation();
    expect(state().confirmation).toBeNull();
  });

  it('opens Preferences, but never over a question another dialog is asking', () => {
    state().openPreferences();
    expect(state().preferencesOpen).toBe(true);
    state().closePreferences();
    state().askConfirmation({ kind: 'cancel-all' });
    state().openPreferences();
    expect(state().preferencesOpen).toBe(false);
    state().closeConfirmation();
    state().openFileBrowser('images');
    state().openPreferences();
    expect(state().preferencesOpen).toBe(false);
  });

  it('holds the theme choice, "system" unless one was remembered', () => {
    expect(state().theme).toBe('system');
    state().setTheme('dark');
    expect(state().theme).toBe('dark');
  });
});
