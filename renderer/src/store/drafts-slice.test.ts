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
