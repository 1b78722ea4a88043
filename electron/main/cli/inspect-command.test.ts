// `inspect FILE... [--json] [--disk-format FMT]`
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from './command.ts';
import { errorReasonCode, inspectCommand } from './inspect-command.ts';
import { Scratch, requireQemuImg } from '../inspect/test-images.ts';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** The keys every --json line has, in this order (issue 3). */
const CONTRACT_KEYS = ['file', 'format', 'subformat', 'virtualSize', 'size', 'safe', 'reasons', 'diskFormat'];

async function run(argv: string[], cwd: string) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: CliIo = { stdout, stderr, env: {}, cwd };
  const code = await inspectCommand.run(argv, io, new AbortController().signal);
  const lines = stdout.text.split('\n').filter(Boolean);
  return { code, stdout: stdout.text, stderr: stderr.text, lines };
}

describe('inspect command', () => {
  let s: Scratch;
  beforeAll(() => {
    requireQemuImg();
    s = new Scratch();
    s.create('good.qcow2', 'qcow2', '16M');
    s.create('base.raw', 'raw', '1M');
    s.create('backed.qcow2', 'qcow2', '16M', '-b', 'base.raw', '-F', 'raw');
    s.create('fixed.vhd', 'vpc', '16M', '-o', 'subformat=fixed');
  });
  afterAll(() => s.remove());

  it('prints one JSON object per file with exactly the contract keys, in order, and exits 0 when all are safe', async () => {
    const r = await run(['good.qcow2', 'base.raw', '--json'], s.dir);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(2);
    const first = JSON.parse(r.lines[0] ?? '{}') as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(CONTRACT_KEYS);
    expect(first).toEqual({
      file: 'good.qcow2',
      format: 'qcow2',
      subformat: 'compat-1.1',
      virtualSize: 16 * 1024 * 1024,
      size: expect.any(Number),
      safe: true,
      reasons: [],
      diskFormat: 'qcow2',
    });
  });

  it('exits 1 when a file is unsafe, with {code, message} reasons', async () => {
    const r = await run(['--json', 'good.qcow2', 'backed.qcow2'], s.dir);
    expect(r.code).toBe(1);
    const backed = JSON.parse(r.lines[1] ?? '{}') as { reasons: { code: string; message: string }[] };
    expect(backed.reasons.map((x) => Object.keys(x))).toEqual([['code', 'message']]);
    expect(backed.reasons[0]?.code).toBe('backing-file');
  });

  it('reports a file it cannot inspect with the contract keys, a reason and the error, and exits 1', async () => {
    execFileSync('mkfifo', [s.path('pipe')]);
    mkdirSync(s.path('folder.qcow2'));
    const r = await run(['--json', 'missing.qcow2', 'pipe', 'folder.qcow2', 'good.qcow2'], s.dir);
    expect(r.code).toBe(1);
    const objects = r.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const unreadable = (file: string, code: string, words: string) => {
      const message = expect.stringContaining(words) as unknown;
      return {
        file,
        format: null,
        subformat: null,
        virtualSize: null,
        size: null,
        safe: false,
        reasons: [{ code, message }],
        diskFormat: null,
        error: { code: `file/${code}`, message },
      };
    };
    expect(objects).toEqual([
      unreadable('missing.qcow2', 'not-found', 'does not exist'),
      unreadable('pipe', 'not-a-file', 'named pipe'),
      unreadable('folder.qcow2', 'not-a-file', 'a folder'),
      expect.objectContaining({ file: 'good.qcow2', safe: true }),
    ]);
    for (const o of objects.slice(0, 3)) expect(Object.keys(o)).toEqual([...CONTRACT_KEYS, 'error']);
  });

  it('exits 1 when the only file cannot be inspected', async () => {
    expect((await run(['--json', 'missing.qcow2'], s.dir)).code).toBe(1);
    expect((await run(['missing.qcow2'], s.dir)).code).toBe(1);
  });

  it('names the error code after its prefix', () => {
    expect(errorReasonCode('file/unreadable')).toBe('unreadable');
    expect(errorReasonCode('upload/cancelled')).toBe('cancelled');
    expect(errorReasonCode('internal')).toBe('internal');
  });

  it('adds advice after the contract keys where newer Glance refuses a safe file, and still exits 0', async () => {
    const r = await run(['--json', 'fixed.vhd', 'good.qcow2'], s.dir);
    expect(r.code).toBe(0);
    const [vhd, qcow2] = r.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(Object.keys(vhd ?? {})).toEqual([...CONTRACT_KEYS, 'advice']);
    expect(vhd).toMatchObject({ format: 'vhd', subformat: 'fixed', safe: true, reasons: [] });
    expect(vhd?.advice).toEqual([
      {
        code: 'glance-refuses',
        message: expect.stringContaining('qemu-img convert -f vpc -O qcow2 fixed.vhd fixed.qcow2'),
      },
    ]);
    expect(Object.keys(qcow2 ?? {})).toEqual(CONTRACT_KEYS);
    const text = await run(['fixed.vhd'], s.dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^fixed\.vhd: vhd \(fixed\), .*: safe, disk_format vhd\n {2}advice \(glance-refuses\): Newer Glance/m,
    );
  });

  it('checks the declared format with --disk-format', async () => {
    const r = await run(['--json', '--disk-format', 'raw', 'good.qcow2'], s.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('declared-format-mismatch');
    expect((await run(['--json', '--disk-format', 'auto', 'good.qcow2'], s.dir)).code).toBe(0);
  });

  it('prints readable lines without --json, and errors on stderr', async () => {
    const r = await run(['good.qcow2', 'backed.qcow2', 'missing.img'], s.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^good\.qcow2: qcow2 \(compat-1\.1\), virtual 16\.0 MiB, file .*: safe, disk_format qcow2$/m,
    );
    expect(r.stdout).toMatch(/^backed\.qcow2: .*NOT SAFE/m);
    expect(r.stdout).toMatch(/^ {2}backing-file: This qcow2 image needs the backing file "base\.raw"/m);
    expect(r.stderr).toMatch(/^missing\.img: cannot inspect: .*does not exist/m);
  });

  it('exits 2 on bad usage', async () => {
    expect((await run([], s.dir)).code).toBe(2);
    expect((await run(['--bogus', 'good.qcow2'], s.dir)).code).toBe(2);
    const bad = await run(['--disk-format', 'vpc', 'good.qcow2'], s.dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown disk format');
  });

  it('prints its usage with --help', async () => {
    const r = await run(['--help'], s.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(inspectCommand.usage);
  });
});
