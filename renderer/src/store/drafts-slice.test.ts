import '../testing/setup.ts';
import { describe, expect, it } from 'vitest';
import { makeError, makeInspection } from '../testing/fixtures.ts';
import { useAppStore } from './index.ts';

const state = () => useAppStore.getState();

describe('drafts slice', () => {
  it('adds one draft per path, checking a path again when it is added twice', () => {
    state().draftsAdded(['/a.qcow2', '/b.raw', '/a.qcow2']);
    expect(state().draftOrder).toEqual(['/a.qcow2', '/b.raw']);
    expect(state().drafts['/a.qcow2']?.status).toBe('inspecting');
    expect(state().drafts['/a.qcow2']?.fileName).toBe('a.qcow2');
  });

  it('pre-fills the form from each inspection, and records errors', () => {
    state().draftsAdded(['/a.qcow2', '/missing']);
    state().inspectionsReceived([
      { path: '/a.qcow2', ok: true, inspection: makeInspection() },
      { path: '/missing', ok: false, error: makeError({ code: 'file/not-found', message: 'No such file.' }) },
    ]);
    expect(state().drafts['/a.qcow2']?.form.name).toBe('a');
    expect(state().drafts['/a.qcow2']?.form.diskFormat).toBe('qcow2');
    expect(state().drafts['/missing']?.status).toBe('error');
    expect(state().drafts['/missing']?.error?.message).toBe('No such file.');
  });

  it('ignores an outcome for a draft removed meanwhile', () => {
    state().draftsAdded(['/a.qcow2']);
    state().removeDrafts(['/a.qcow2']);
    state().inspectionsReceived([{ path: '/a.qcow2', ok: true, inspection: makeInspection() }]);
    expect(state().drafts).toEqual({});
    expect(state().draftOrder).toEqual([]);
  });

  it('marks every still-inspecting draft as failed when the whole call fails', () => {
    state().draftsAdded(['/a', '/b']);
    state().inspectionsFailed(['/a', '/b'], makeError({ message: 'Main did not answer.' }));
    expect(state().drafts['/b']?.status).toBe('error');
  });

  it('updates one field of one draft only', () => {
    state().draftsAdded(['/a', '/b']);
    const b = state().drafts['/b'];
    state().updateDraftForm('/a', { name: 'renamed' });
    expect(state().drafts['/a']?.form.name).toBe('renamed');
    expect(state().drafts['/b']).toBe(b);
  });
});

describe('drafts slice: many files', () => {
  const paths = (n: number) => Array.from({ length: n }, (_, i) => `/img/d${i}.qcow2`);

  it('opens the cards of up to three files, and collapses them all once the list grows past that', () => {
    state().draftsAdded(paths(3));
    expect(state().expandedDrafts).toEqual(paths(3));
    state().draftsAdded(['/img/more.qcow2']);
    expect(state().expandedDrafts).toEqual([]);
    state().setDraftsExpanded(['/img/d1.qcow2'], true);
    state().draftsAdded(['/img/later.qcow2']);
    expect(state().expandedDrafts).toEqual(['/img/d1.qcow2']);
  });

  it('keeps selection and open cards in list order, and forgets removed files', () => {
    state().draftsAdded(paths(5));
    state().setDraftsSelected(['/img/d3.qcow2', '/img/d0.qcow2', '/nowhere'], true);
    expect(state().selectedDrafts).toEqual(['/img/d0.qcow2', '/img/d3.qcow2']);
    state().removeDrafts(['/img/d3.qcow2']);
    expect(state().selectedDrafts).toEqual(['/img/d0.qcow2']);
    state().setDraftsSelected(['/img/d0.qcow2'], false);
    expect(state().selectedDrafts).toEqual([]);
  });

  it('applies the batch only to files with a form, and Remove blocked removes only blocked ones', () => {
    state().draftsAdded(['/a.qcow2', '/b.qcow2', '/bad.qcow2', '/slow.qcow2']);
    state().inspectionsReceived([
      { path: '/a.qcow2', ok: true, inspection: makeInspection() },
      { path: '/b.qcow2', ok: true, inspection: makeInspection() },
      { path: '/bad.qcow2', ok: false, error: makeError({ message: 'Unreadable.' }) },
    ]);
    state().updateBatch({ visibility: 'public', tags: 'x' });
    expect(state().applyBatch('all')).toBe(2);
    expect(state().drafts['/a.qcow2']?.form).toMatchObject({ visibility: 'public', tags: 'x' });
    expect(state().drafts['/slow.qcow2']?.form.visibility).toBe('private'); // still being checked
    expect(state().applyBatch('selected')).toBe(0);
    expect(state().removeBlockedDrafts()).toBe(1);
    expect(state().draftOrder).toEqual(['/a.qcow2', '/b.qcow2', '/slow.qcow2']);
  });

  it('keeps the usage per cloud: an answer for another session replaces nothing of this one', () => {
    state().usageRequested('cloud-a');
    expect(state().usage).toMatchObject({ cloudKey: 'cloud-a', loading: true, report: null });
    const report = {
      service: 'glance' as const,
      source: 'image-sum' as const,
      usedBytes: 1,
      limitBytes: null,
      limitFrom: null,
      pendingBytes: 0,
      images: null,
      fetchedAt: 1,
    };
    state().usageReceived('cloud-a', report);
    state().usageFailed('cloud-a', makeError({ message: 'later failure' }));
    expect(state().usage).toMatchObject({ report, loading: false });
    state().usageRequested('cloud-b');
    expect(state().usage.report).toBeNull();
  });
});
