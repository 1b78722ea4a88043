import '../testing/setup.ts';
import { describe, expect, it } from 'vitest';
import { GLANCE_IMAGE_STATUSES } from '../../../shared/glance.ts';
import { makeImage } from '../testing/fixtures.ts';
import { useAppStore } from './index.ts';
import { countByStatus, filterAndSortImages, isDeletable, isStuck } from './selectors.ts';

const state = () => useAppStore.getState();
const MIN = 60_000;
const NOW = Date.parse('2025-06-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('dashboard slice', () => {
  it('starts sorted by last update, newest first, with a 10 minute stuck threshold', () => {
    expect(state().sort).toEqual({ key: 'updatedAt', direction: 'desc' });
    expect(state().stuckAfterMinutes).toBe(10);
  });

  it('flips the direction for the same column; a new text column starts ascending', () => {
    state().sortImagesBy('name');
    expect(state().sort).toEqual({ key: 'name', direction: 'asc' });
    state().sortImagesBy('name');
    expect(state().sort).toEqual({ key: 'name', direction: 'desc' });
    state().sortImagesBy('createdAt');
    expect(state().sort).toEqual({ key: 'createdAt', direction: 'desc' });
  });

  it('keeps only selected images that are still listed after a refresh', () => {
    state().imagesReceived({ images: [makeImage({ id: 'a' }), makeImage({ id: 'b' })], pages: 1, fetchedAt: 1 });
    state().setSelectedImages(['a', 'b']);
    state().imagesReceived({ images: [makeImage({ id: 'b' })], pages: 2, fetchedAt: 2 });
    expect(state().selectedImageIds).toEqual(['b']);
    expect(state().imagesPages).toBe(2);
  });

  it('records delete outcomes and drops deleted images from the list and selection', () => {
    state().imagesReceived({ images: [makeImage({ id: 'a' }), makeImage({ id: 'b' })], pages: 1, fetchedAt: 1 });
    state().setSelectedImages(['a', 'b']);
    state().deleteStarted();
    expect(state().deleting).toBe(true);
    state().deleteFinished([
      { id: 'a', ok: true, name: 'A' },
      { id: 'b', ok: false, name: 'B', error: { code: 'auth/forbidden', message: 'No.', retryable: false } },
    ]);
    expect(state().images.map((i) => i.id)).toEqual(['b']);
    expect(state().selectedImageIds).toEqual(['b']);
    expect(state().deleteOutcomes).toHaveLength(2);
  });

  it('toggles a selection and clamps the stuck threshold to whole minutes ≥ 1', () => {
    state().toggleImageSelected('x');
    expect(state().selectedImageIds).toEqual(['x']);
    state().toggleImageSelected('x');
    expect(state().selectedImageIds).toEqual([]);
    state().setStuckAfterMinutes(0);
    expect(state().stuckAfterMinutes).toBe(1);
    state().setStuckAfterMinutes(25.7);
    expect(state().stuckAfterMinutes).toBe(25);
  });
});

describe('dashboard selectors', () => {
  const images = [
    makeImage({
      id: '1',
      name: 'beta',
      status: 'active',
      size: 300,
      createdAt: ago(50 * MIN),
      updatedAt: ago(40 * MIN),
    }),
    makeImage({
      id: '2',
      name: 'Alpha',
      status: 'queued',
      size: null,
      createdAt: ago(30 * MIN),
      updatedAt: ago(30 * MIN),
    }),
    makeImage({
      id: '3',
      name: 'gamma',
      status: 'saving',
      size: 100,
      createdAt: ago(20 * MIN),
      updatedAt: ago(5 * MIN),
    }),
    makeImage({
      id: '4',
      name: null,
      status: 'killed',
      size: 200,
      diskFormat: 'vmdk',
      createdAt: ago(10 * MIN),
      updatedAt: ago(MIN),
    }),
  ];
  const ids = (list: { id: string }[]) => list.map((i) => i.id);

  it('filters by each of the nine statuses and by text in name, id or disk format', () => {
    for (const status of GLANCE_IMAGE_STATUSES) {
      const result = filterAndSortImages(images, status, '', { key: 'name', direction: 'asc' });
      expect(result.every((i) => i.status === status)).toBe(true);
    }
    expect(ids(filterAndSortImages(images, 'queued', '', { key: 'name', direction: 'asc' }))).toEqual(['2']);
    expect(ids(filterAndSortImages(images, 'all', 'ALP', { key: 'name', direction: 'asc' }))).toEqual(['2']);
    expect(ids(filterAndSortImages(images, 'all', 'vmdk', { key: 'name', direction: 'asc' }))).toEqual(['4']);
    expect(ids(filterAndSortImages(images, 'all', '3', { key: 'name', direction: 'asc' }))).toEqual(['3']);
  });

  it('sorts by name, size, status, created and updated, both ways', () => {
    const sortBy = (key: 'name' | 'size' | 'status' | 'createdAt' | 'updatedAt', direction: 'asc' | 'desc' = 'asc') =>
      ids(filterAndSortImages(images, 'all', '', { key, direction }));
    expect(sortBy('name')).toEqual(['4', '2', '1', '3']);
    expect(sortBy('size')).toEqual(['2', '3', '4', '1']);
    expect(sortBy('size', 'desc')).toEqual(['1', '4', '3', '2']);
    expect(sortBy('status')).toEqual(['2', '3', '1', '4']);
    expect(sortBy('createdAt')).toEqual(['1', '2', '3', '4']);
    expect(sortBy('updatedAt', 'desc')).toEqual(['4', '3', '2', '1']);
  });

  it('calls queued or saving images stuck once they have not changed for longer than the threshold', () => {
    const threshold = 10 * MIN;
    expect(images.filter((i) => isStuck(i, NOW, threshold)).map((i) => i.id)).toEqual(['2']);
    expect(images.filter((i) => isStuck(i, NOW, 4 * MIN)).map((i) => i.id)).toEqual(['2', '3']);
    expect(isStuck(images[0]!, NOW, MIN)).toBe(false);
  });

  it('lets only owned, unprotected stuck images be deleted', () => {
    const stuck = makeImage({ status: 'queued', updatedAt: ago(60 * MIN) });
    expect(isDeletable(stuck, NOW, 10 * MIN)).toBe(true);
    expect(isDeletable({ ...stuck, ownedByProject: false }, NOW, 10 * MIN)).toBe(false);
    expect(isDeletable({ ...stuck, protected: true }, NOW, 10 * MIN)).toBe(false);
  });

  it('never calls stuck, nor lets delete, an image an upload of this app sends into, however idle it looks', () => {
    // A long or paused upload: Glance leaves updated_at alone while the data streams in.
    const uploading = makeImage({ status: 'saving', updatedAt: ago(60 * MIN), uploadingHere: true });
    expect(isStuck(uploading, NOW, 10 * MIN)).toBe(false);
    expect(isDeletable(uploading, NOW, 10 * MIN)).toBe(false);
    expect(isDeletable({ ...uploading, uploadingHere: false }, NOW, 10 * MIN)).toBe(true);
  });

  it('counts images per status', () => {
    expect(countByStatus(images)).toMatchObject({ active: 1, queued: 1, saving: 1, killed: 1, deleted: 0 });
  });
});
