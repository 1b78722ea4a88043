import '../testing/setup.ts';
import { describe, expect, it, vi } from 'vitest';
import { makeSnapshot } from '../testing/fixtures.ts';
import { useAppStore } from './index.ts';

const state = () => useAppStore.getState();

describe('uploads slice', () => {
  it('adds new jobs in the order they first appear and keeps that order on updates', () => {
    const a = makeSnapshot({ id: 'a' });
    const b = makeSnapshot({ id: 'b' });
    state().applySnapshots([a, b]);
    state().applySnapshots([makeSnapshot({ id: 'c' }), makeSnapshot({ id: 'a', bytesSent: 1 })]);
    expect(state().uploadOrder).toEqual(['a', 'b', 'c']);
    expect(state().uploads.a?.bytesSent).toBe(1);
  });

  it('keeps the object of every job the batch did not change, so its row does not re-render', () => {
    const a = makeSnapshot({ id: 'a' });
    const b = makeSnapshot({ id: 'b' });
    state().applySnapshots([a, b]);
    const order = state().uploadOrder;
    state().applySnapshots([makeSnapshot({ id: 'a', bytesSent: 5 })]);
    expect(state().uploads.b).toBe(b);
    expect(state().uploadOrder).toBe(order);
  });

  it('never replaces a newer snapshot of a job with an older one', () => {
    const newer = makeSnapshot({ id: 'a', phase: 'paused', updatedAt: 2000 });
    state().applySnapshots([newer]);
    state().applySnapshots([makeSnapshot({ id: 'a', phase: 'uploading', updatedAt: 1000 })]);
    expect(state().uploads.a).toBe(newer);
  });

  it('does not notify subscribers for a batch that changes nothing', () => {
    const a = makeSnapshot({ id: 'a' });
    state().applySnapshots([a]);
    const listener = vi.fn();
    const off = useAppStore.subscribe(listener);
    state().applySnapshots([a]);
    state().applySnapshots([]);
    off();
    expect(listener).not.toHaveBeenCalled();
  });

  it('replaceUploads takes the listed jobs, drops cleared ones and keeps a newer pushed snapshot', () => {
    const pushed = makeSnapshot({ id: 'a', bytesSent: 900, updatedAt: 5000 });
    state().applySnapshots([pushed, makeSnapshot({ id: 'gone' })]);
    state().replaceUploads([
      makeSnapshot({ id: 'a', bytesSent: 100, updatedAt: 4000 }),
      makeSnapshot({ id: 'restored', phase: 'interrupted' }),
    ]);
    expect(state().uploadOrder).toEqual(['a', 'restored']);
    expect(state().uploads.a).toBe(pushed);
    expect(state().uploads.gone).toBeUndefined();
    expect(state().uploadsLoaded).toBe(true);
  });
});

describe('removeUploads', () => {
  it('drops the removed jobs and keeps the order of the others', () => {
    const { applySnapshots, removeUploads } = useAppStore.getState();
    applySnapshots([makeSnapshot({ id: 'a' }), makeSnapshot({ id: 'b' }), makeSnapshot({ id: 'c' })]);
    removeUploads(['b', 'missing']);
    expect(useAppStore.getState().uploadOrder).toEqual(['a', 'c']);
    expect(Object.keys(useAppStore.getState().uploads).sort()).toEqual(['a', 'c']);
  });
});
