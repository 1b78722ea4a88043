// The reasons that compare content with names: the file's extension, the disk_format the user chose,
// and the disk_formats the cloud accepts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectFile } from './index.ts';
import { Scratch, isoImage, requireQemuImg, zvhdImage } from './test-images.ts';

/** Upstream Glance's default disk_formats: no qed, qcow, zvhd or zvhd2. */
const GLANCE_DEFAULT = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'];

describe('extension, declared format and accepted formats', () => {
  let s: Scratch;
  beforeAll(() => {
    requireQemuImg();
    s = new Scratch();
    s.create('disk.qcow2', 'qcow2', '16M');
    s.create('disk.qed', 'qed', '16M');
    s.create('fixed.vhd', 'vpc', '16M', '-o', 'subformat=fixed');
    s.write('disk.raw', Buffer.alloc(64 * 1024));
  });
  afterAll(() => s.remove());

  const codes = async (path: string, options = {}) => (await inspectFile(path, options)).reasons.map((r) => r.code);

  describe('extension', () => {
    it('never disagrees for generic extensions or none', async () => {
      for (const name of ['disk.img', 'disk.bin', 'disk.disk', 'disk', 'disk.IMG']) {
        s.edit('disk.qcow2', name, () => undefined);
        expect(await codes(s.path(name))).toEqual([]);
      }
    });

    it('disagrees when the extension names another format, whatever its case', async () => {
      s.edit('disk.raw', 'RAW-BUT-NAMED.QCOW2', () => undefined);
      const report = await inspectFile(s.path('RAW-BUT-NAMED.QCOW2'));
      expect(report.reasons).toEqual([{ code: 'extension-mismatch', message: expect.stringContaining('.qcow2') }]);
      expect(report.safe).toBe(false);
      s.edit('disk.qcow2', 'v2.qcow', () => undefined);
      expect(await codes(s.path('v2.qcow'))).toEqual(['extension-mismatch']); // .qcow is QCOW version 1
    });

    it('agrees when the extension matches the content, fixed VHD included', async () => {
      expect(await codes(s.path('fixed.vhd'))).toEqual([]);
      expect(await codes(s.path('disk.raw'))).toEqual([]);
      expect(await codes(s.write('cd.iso', isoImage()))).toEqual([]);
      expect(await codes(s.write('h.zvhd2', zvhdImage('zvhd2')))).toEqual([]);
    });
  });

  describe('declared disk_format', () => {
    it("ignores 'auto' and an absent choice", async () => {
      expect(await codes(s.path('disk.qcow2'), { declaredFormat: 'auto' })).toEqual([]);
      expect(await codes(s.path('disk.qcow2'), {})).toEqual([]);
    });

    it('accepts the detected format in any case', async () => {
      expect(await codes(s.path('disk.qcow2'), { declaredFormat: 'QCOW2' })).toEqual([]);
      expect(await codes(s.path('fixed.vhd'), { declaredFormat: 'vhd' })).toEqual([]);
    });

    it('refuses raw for a qcow2 and names CVE-2024-40767', async () => {
      const report = await inspectFile(s.path('disk.qcow2'), { declaredFormat: 'raw' });
      expect(report.reasons).toEqual([
        { code: 'declared-format-mismatch', message: expect.stringMatching(/CVE-2024-40767.*choose qcow2/) },
      ]);
    });

    it('refuses another format and says which to choose', async () => {
      const report = await inspectFile(s.path('fixed.vhd'), { declaredFormat: 'vmdk' });
      expect(report.reasons[0]).toEqual({
        code: 'declared-format-mismatch',
        message: expect.stringContaining('choose vhd'),
      });
    });

    it('lets raw content go as ami, ari, aki or ploop (Glance does not inspect those)', async () => {
      for (const declaredFormat of ['ami', 'ari', 'aki', 'ploop'])
        expect(await codes(s.path('disk.raw'), { declaredFormat })).toEqual([]);
      expect(await codes(s.path('disk.qcow2'), { declaredFormat: 'ploop' })).toEqual(['declared-format-mismatch']);
    });
  });

  describe('accepted disk_formats', () => {
    it('says how to convert a QED for a cloud with Glance defaults', async () => {
      const report = await inspectFile(s.path('disk.qed'), { acceptedDiskFormats: GLANCE_DEFAULT });
      expect(report.diskFormat).toBe('qed');
      expect(report.reasons).toEqual([
        {
          code: 'format-not-accepted',
          message:
            'QED is not accepted by this cloud; convert it with `qemu-img convert -f qed -O qcow2 disk.qed disk.qcow2` and upload the qcow2 file.',
        },
      ]);
    });

    it('names the vpc driver for a VHD, which qemu-img would otherwise probe as raw', async () => {
      const report = await inspectFile(s.path('fixed.vhd'), { acceptedDiskFormats: ['raw', 'qcow2'] });
      expect(report.reasons[0]?.message).toContain('qemu-img convert -f vpc -O qcow2 fixed.vhd fixed.qcow2');
    });

    it("points ZVHD users to Huawei's qemu-img-hw", async () => {
      const report = await inspectFile(s.write('h.zvhd', zvhdImage('zvhd')), { acceptedDiskFormats: GLANCE_DEFAULT });
      expect(report.reasons[0]?.message).toMatch(
        /^ZVHD is not accepted.*qemu-img-hw convert -f zvhd -O qcow2 h.zvhd h.qcow2/,
      );
    });

    it('quotes file names that need it', async () => {
      s.edit('disk.qed', "my disk's.qed", () => undefined);
      const report = await inspectFile(s.path("my disk's.qed"), { acceptedDiskFormats: ['qcow2'] });
      expect(report.reasons[0]?.message).toContain(`'my disk'\\''s.qed' 'my disk'\\''s.qcow2'`);
    });

    it('asks the operator when nothing convertible is accepted', async () => {
      const report = await inspectFile(s.path('disk.qed'), { acceptedDiskFormats: ['ami'] });
      expect(report.reasons[0]?.message).toMatch(/ask the cloud's operator/);
    });

    it('checks nothing when the schema lists no disk formats (an empty list is not "accepts nothing")', async () => {
      expect(await codes(s.path('disk.qed'), { acceptedDiskFormats: [] })).toEqual([]);
      expect(await codes(s.path('disk.raw'), { acceptedDiskFormats: [] })).toEqual([]);
    });

    it('has nothing to say when the format is accepted', async () => {
      expect(await codes(s.path('disk.qcow2'), { acceptedDiskFormats: GLANCE_DEFAULT })).toEqual([]);
    });
  });

  it('puts content reasons before name reasons, and all of them make the file unsafe', async () => {
    s.create('backed.vmdk', 'qcow2', '16M', '-b', 'disk.qcow2', '-F', 'qcow2');
    const report = await inspectFile(s.path('backed.vmdk'), { declaredFormat: 'vmdk', acceptedDiskFormats: ['raw'] });
    expect(report.reasons.map((r) => r.code)).toEqual([
      'backing-file',
      'extension-mismatch',
      'declared-format-mismatch',
      'format-not-accepted',
    ]);
    expect(report.safe).toBe(false);
  });
});
