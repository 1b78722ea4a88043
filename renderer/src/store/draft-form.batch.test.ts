import { describe, expect, it } from 'vitest';
import { makeInspection } from '../testing/fixtures.ts';
import { EMPTY_BATCH, applyBatchToForm, batchProblems, isBatchEmpty, parseBatchFields } from './draft-form.batch.ts';
import { prefillForm } from './draft-form.ts';

const form = {
  ...prefillForm('a.qcow2', makeInspection()),
  tags: 'own, ci',
  minRam: '256',
  properties: [
    { key: 'os_distro', value: 'debian' },
    { key: 'keep', value: 'me' },
  ],
};

describe('the batch fields', () => {
  it('leave a form as it is when empty', () => {
    expect(isBatchEmpty(EMPTY_BATCH)).toBe(true);
    expect(applyBatchToForm(form, EMPTY_BATCH)).toEqual(form);
    expect(isBatchEmpty({ ...EMPTY_BATCH, properties: [{ key: ' ', value: '' }] })).toBe(true);
  });

  it('set what they name, add tags without doubles, and replace a property of the same key', () => {
    const next = applyBatchToForm(form, {
      visibility: 'shared',
      minRam: ' 1024 ',
      tags: 'ci, new',
      properties: [
        { key: 'os_distro', value: 'ubuntu' },
        { key: 'hw_disk_bus', value: 'scsi' },
      ],
      store: '',
      protected: 'yes',
    });
    expect(next).toMatchObject({
      visibility: 'shared',
      minRam: '1024',
      tags: 'own, ci, new',
      store: '',
      protected: true,
    });
    expect(next.properties).toEqual([
      { key: 'os_distro', value: 'ubuntu' },
      { key: 'keep', value: 'me' },
      { key: 'hw_disk_bus', value: 'scsi' },
    ]);
    expect(applyBatchToForm({ ...form, protected: true }, { ...EMPTY_BATCH, protected: 'no' }).protected).toBe(false);
  });

  it('find what cannot be applied', () => {
    expect(Object.keys(batchProblems({ ...EMPTY_BATCH, minRam: '1.5' }))).toEqual(['minRam']);
    expect(
      Object.keys(
        batchProblems({
          ...EMPTY_BATCH,
          properties: [
            { key: 'a', value: '1' },
            { key: 'a', value: '2' },
          ],
        }),
      ),
    ).toEqual(['properties']);
  });

  it('are read back from storage only when they have the shape this app writes', () => {
    expect(parseBatchFields(EMPTY_BATCH)).toEqual(EMPTY_BATCH);
    expect(parseBatchFields({ ...EMPTY_BATCH, protected: 'maybe' })).toBeNull();
    expect(parseBatchFields({ ...EMPTY_BATCH, properties: [{ key: 1, value: 'x' }] })).toBeNull();
    expect(parseBatchFields({ ...EMPTY_BATCH, store: 3 })).toBeNull();
    expect(parseBatchFields(null)).toBeNull();
  });
});
