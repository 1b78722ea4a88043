import { describe, expect, it } from 'vitest';
import { i18n } from '../i18n/index.ts';
import { GIB, MIB, makeError, makeInspection, makeSession } from '../testing/fixtures.ts';
import { messageText, type DraftMessage } from './draft-message.ts';
import {
  baseName,
  draftVerdict,
  minDiskGiB,
  nameFromFileName,
  newDraft,
  parseTags,
  prefillForm,
  type Draft,
  type DraftForm,
} from './draft-form.ts';

/** The sentences as an English reader sees them. */
const texts = (messages: readonly DraftMessage[]) => messages.map((m) => messageText(m, i18n.getFixedT('en', 'add')));

function inspected(path: string, inspection = makeInspection(), form: Partial<DraftForm> = {}): Draft {
  const draft = newDraft(path);
  return {
    ...draft,
    status: 'inspected',
    inspection,
    form: { ...prefillForm(draft.fileName, inspection), ...form },
  };
}

describe('pre-fill rules', () => {
  it('names the image after the file, without its extension', () => {
    expect(nameFromFileName('ubuntu-24.04.qcow2')).toBe('ubuntu-24.04');
    expect(nameFromFileName('disk')).toBe('disk');
    expect(nameFromFileName('.hidden')).toBe('.hidden');
    expect(baseName('/srv/images/cirros.img')).toBe('cirros.img');
    expect(baseName('C:\\Images\\win.vhdx')).toBe('win.vhdx');
  });

  it('rounds min_disk up to whole GiB of the virtual size', () => {
    expect(minDiskGiB(2 * GIB)).toBe(2);
    expect(minDiskGiB(2 * GIB + 1)).toBe(3);
    expect(minDiskGiB(1)).toBe(1);
    expect(minDiskGiB(0)).toBe(0);
    expect(minDiskGiB(null)).toBe(0);
  });

  it('fills name, detected disk_format, bare, min_disk and private', () => {
    const form = prefillForm('focal.vmdk', makeInspection({ diskFormat: 'vmdk', virtualSize: 10 * GIB + 5 }));
    expect(form).toMatchObject({
      name: 'focal',
      diskFormat: 'vmdk',
      containerFormat: 'bare',
      minDisk: '11',
      visibility: 'private',
      minRam: '',
      tags: '',
      properties: [],
      protected: false,
      store: '',
      route: 'auto',
      osVersion: '',
      useImport: false,
    });
  });

  it('uses the file size for min_disk when the header has no virtual size', () => {
    expect(prefillForm('a.raw', makeInspection({ virtualSize: null, size: 3 * GIB + 1 })).minDisk).toBe('4');
  });

  it('splits tags on commas, trims and drops duplicates', () => {
    expect(parseTags(' a, b ,,a ')).toEqual(['a', 'b']);
  });
});

describe('draftVerdict', () => {
  const session = makeSession();

  it('is inspecting until the inspector answers', () => {
    expect(draftVerdict(newDraft('/x.qcow2'), session).kind).toBe('inspecting');
  });

  it('blocks an unsafe file with every reason', () => {
    const unsafe = makeInspection({
      safe: false,
      reasons: [
        { code: 'backing-file', message: 'The image refers to a backing file.' },
        { code: 'data-file', message: 'The image has an external data file.' },
      ],
    });
    const verdict = draftVerdict(inspected('/bad.qcow2', unsafe), session);
    expect(verdict.kind).toBe('blocked');
    expect(verdict.kind === 'blocked' && texts(verdict.reasons)).toEqual([
      'The image refers to a backing file.',
      'The image has an external data file.',
    ]);
  });

  it('blocks a file the inspector could not read, with its error', () => {
    const draft: Draft = { ...newDraft('/gone'), status: 'error', error: makeError({ message: 'The file is gone.' }) };
    const verdict = draftVerdict(draft, session);
    expect(verdict.kind === 'blocked' && texts(verdict.reasons)).toEqual(['The file is gone.']);
  });

  it('blocks a file larger than the cloud accepts', () => {
    const small = makeSession({ capabilities: { ...session.capabilities, sizeLimit: 100 * MIB } });
    const verdict = draftVerdict(inspected('/big.qcow2'), small);
    expect(verdict.kind).toBe('blocked');
  });

  it('builds the request of a ready file from the form', () => {
    const draft = inspected('/img/focal.qcow2', makeInspection(), {
      minRam: '512',
      tags: 'ci, base',
      protected: true,
      properties: [
        { key: 'os_distro', value: 'ubuntu' },
        { key: '', value: '' },
      ],
      store: 'ceph',
    });
    expect(draftVerdict(draft, session)).toEqual({
      kind: 'ready',
      warnings: [],
      bytes: 700 * MIB,
      request: {
        path: '/img/focal.qcow2',
        name: 'focal',
        diskFormat: 'qcow2',
        containerFormat: 'bare',
        visibility: 'private',
        minDisk: 10,
        minRam: 512,
        protected: true,
        tags: ['ci', 'base'],
        properties: { os_distro: 'ubuntu' },
        store: 'ceph',
      },
    });
  });

  it('lists form problems by field', () => {
    const draft = inspected('/a.qcow2', makeInspection(), {
      name: '  ',
      minDisk: '1.5',
      minRam: 'lots',
      properties: [
        { key: 'a', value: '1' },
        { key: 'a', value: '2' },
      ],
    });
    const verdict = draftVerdict(draft, session);
    expect(verdict.kind).toBe('invalid');
    if (verdict.kind !== 'invalid') return;
    expect(Object.keys(verdict.problems).sort()).toEqual(['minDisk', 'minRam', 'name', 'properties']);
  });

  it('warns when the detected disk_format is not among the cloud’s accepted formats', () => {
    const strict = makeSession({ capabilities: { ...session.capabilities, diskFormats: ['raw'] } });
    const verdict = draftVerdict(inspected('/a.qcow2'), strict);
    expect(verdict.kind).toBe('ready');
    if (verdict.kind !== 'ready') return;
    expect(texts(verdict.warnings)[0]).toMatch(/does not list disk_format "qcow2"/);
  });

  it('warns when the chosen disk_format differs from the detected one', () => {
    const verdict = draftVerdict(inspected('/a.qcow2', makeInspection(), { diskFormat: 'raw' }), session);
    expect(verdict.kind === 'ready' && texts(verdict.warnings).some((w) => w.includes('differs'))).toBe(true);
  });

  it('shows the inspector’s advice (a file newer Glance refuses) as a warning, not a block', () => {
    const advice = 'Glance 2025.1 and later see a fixed VHD as raw: convert it with qemu-img convert -f vpc -O qcow2.';
    const verdict = draftVerdict(
      inspected('/a.vhd', makeInspection({ advice: [{ code: 'glance-refuses', message: advice }] })),
      session,
    );
    expect(verdict.kind).toBe('ready');
    if (verdict.kind !== 'ready') return;
    expect(texts(verdict.warnings)).toContain(advice);
  });
});
