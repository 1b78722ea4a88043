import '../testing/setup.ts';
import { describe, expect, it, vi } from 'vitest';
import { makeSnapshot } from '../testing/fixtures.ts';
import { useAppStore } from './index.ts';
import { MAX_SPEED_SAMPLES, MIN_SAMPLE_GAP_MS } from './uploads-slice-throughput.ts';

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

describe('throughput history', () => {
  it('keeps each job’s speed while it uploads, a zero when it stops, and the queue’s total', () => {
    const { applySnapshots } = useAppStore.getState();
    applySnapshots([
      makeSnapshot({ id: 'a', bytesPerSecond: 10, updatedAt: 1000 }),
      makeSnapshot({ id: 'b', bytesPerSecond: 30, updatedAt: 1000 }),
    ]);
    applySnapshots([makeSnapshot({ id: 'a', bytesPerSecond: 20, updatedAt: 2000 })]);
    applySnapshots([makeSnapshot({ id: 'a', phase: 'paused', bytesPerSecond: null, updatedAt: 2600 })]);
    const s = useAppStore.getState();
    expect(s.throughput.a?.samples).toEqual([
      { t: 1000, bps: 10 },
      { t: 2000, bps: 20 },
      { t: 2600, bps: 0 },
    ]);
    expect(s.queueThroughput.samples).toEqual([
      { t: 1000, bps: 40 },
      { t: 2000, bps: 50 },
      { t: 2600, bps: 30 },
    ]);
  });

  it('stays bounded however long the upload: thinned to every other sample, covering the whole transfer', () => {
    const { applySnapshots } = useAppStore.getState();
    for (let i = 0; i < 1000; i++)
      applySnapshots([makeSnapshot({ id: 'a', bytesPerSecond: i, updatedAt: 10_000 + i * 500 })]);
    const series = useAppStore.getState().throughput.a!;
    expect(series.samples.length).toBeLessThanOrEqual(MAX_SPEED_SAMPLES);
    expect(series.samples[0]?.t).toBe(10_000);
    expect(series.samples.at(-1)?.t).toBeGreaterThan(10_000 + 990 * 500);
    expect(series.gapMs).toBeGreaterThan(MIN_SAMPLE_GAP_MS);
  });

  it('drops samples closer than the gap, and forgets a removed job’s history and tick', () => {
    const { applySnapshots, toggleChecked, removeUploads } = useAppStore.getState();
    applySnapshots([makeSnapshot({ id: 'a', bytesPerSecond: 1, updatedAt: 1000 })]);
    applySnapshots([makeSnapshot({ id: 'a', bytesPerSecond: 2, updatedAt: 1100 })]);
    expect(useAppStore.getState().throughput.a?.samples).toHaveLength(1);
    toggleChecked('a');
    removeUploads(['a']);
    expect(useAppStore.getState().throughput.a).toBeUndefined();
    expect(useAppStore.getState().checkedUploadIds).toEqual({});
  });
});

describe('queue view state', () => {
  it('sorting by the same key again turns the direction round', () => {
    const { setQueueSort } = useAppStore.getState();
    setQueueSort('name');
    expect(useAppStore.getState().queueSort).toEqual({ key: 'name', direction: 'asc' });
    setQueueSort('name');
    expect(useAppStore.getState().queueSort).toEqual({ key: 'name', direction: 'desc' });
    setQueueSort('speed');
    expect(useAppStore.getState().queueSort).toEqual({ key: 'speed', direction: 'asc' });
  });

  it('ticks only jobs it knows', () => {
    const { applySnapshots, setChecked, toggleChecked } = useAppStore.getState();
    applySnapshots([makeSnapshot({ id: 'a' })]);
    setChecked(['a', 'ghost'], true);
    toggleChecked('ghost');
    expect(useAppStore.getState().checkedUploadIds).toEqual({ a: true });
  });
});
