import { describe, expect, it } from 'vitest';
import { UPLOAD_PHASES, type UploadPhase, type UploadSnapshot } from '../../../shared/upload.ts';
import { closeQuestion } from './close-guard.ts';

function job(fileName: string, phase: UploadPhase): UploadSnapshot {
  return { id: fileName, fileName, phase } as unknown as UploadSnapshot;
}

describe('closeQuestion', () => {
  it.each(['uploading', 'paused', 'checking', 'creating', 'verifying'] as const)('asks while a job is %s', (phase) => {
    expect(closeQuestion([job('a.qcow2', phase)])).not.toBeNull();
  });

  it('lets the window close when no job would be stopped', () => {
    const idle = UPLOAD_PHASES.filter((p) => !['uploading', 'paused', 'checking', 'creating', 'verifying'].includes(p));
    expect(idle).toEqual(['queued', 'interrupted', 'done', 'failed', 'cancelled']);
    expect(closeQuestion(idle.map((p) => job(`${p}.img`, p)))).toBeNull();
    expect(closeQuestion([])).toBeNull();
  });

  it('names the uploads it would stop and says what resuming will do', () => {
    const q = closeQuestion([job('a.qcow2', 'uploading'), job('b.vmdk', 'paused'), job('c.iso', 'done')]);
    expect(q).toMatchObject({
      message: 'Stop 2 uploads and quit Imagedrop?',
      buttons: ['Keep uploading', 'Stop uploads and quit'],
      keepButton: 0,
      closeButton: 1,
    });
    expect(q?.detail).toContain('Still in progress: a.qcow2 and b.vmdk.');
    expect(q?.detail).toContain('again from the start');
  });

  it('keeps a long list short', () => {
    const q = closeQuestion(['a', 'b', 'c', 'd', 'e'].map((n) => job(`${n}.raw`, 'uploading')));
    expect(q?.message).toBe('Stop 5 uploads and quit Imagedrop?');
    expect(q?.detail).toContain('a.raw, b.raw, c.raw and 2 more.');
  });

  it('speaks of one upload in the singular', () => {
    const q = closeQuestion([job('only.qcow2', 'verifying')]);
    expect(q?.message).toBe('Stop 1 upload and quit Imagedrop?');
    expect(q?.detail).toContain(
      'Still in progress: only.qcow2. If you quit now, the upload stops and stays in the queue',
    );
  });
});
