// The test helpers' own guarantees: qemu-img's LUKS writer sometimes fails under load with
// "Unable to get accurate CPU usage"; runQemuImg retries that one failure, a bounded number of times.
import { chmodSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QEMU_ATTEMPTS, QEMU_CPU_TIMING_ERROR, Scratch, runQemuImg } from './test-images.ts';

describe('runQemuImg', () => {
  let s: Scratch;
  beforeAll(() => {
    s = new Scratch();
  });
  afterAll(() => s.remove());

  /** A stand-in for qemu-img that counts its runs and fails the first `failures` of them with `message`. */
  function fakeQemuImg(name: string, failures: number, message: string): { path: string; runs: () => number } {
    const counter = s.path(`${name}.runs`);
    const path = s.write(
      name,
      [
        '#!/bin/sh',
        `n=$(cat '${counter}' 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > '${counter}'`,
        `if [ "$n" -le ${failures} ]; then echo "qemu-img: disk.img: ${message}" >&2; exit 1; fi`,
        'exit 0',
        '',
      ].join('\n'),
    );
    chmodSync(path, 0o755);
    return { path, runs: () => Number(readFileSync(counter, 'utf8')) };
  }

  it('tries again after the CPU timing failure and succeeds', () => {
    const fake = fakeQemuImg('flaky', 2, QEMU_CPU_TIMING_ERROR);
    expect(() => runQemuImg(['create'], s.dir, fake.path)).not.toThrow();
    expect(fake.runs()).toBe(3);
  });

  it(`gives up after ${QEMU_ATTEMPTS} attempts`, () => {
    const fake = fakeQemuImg('broken', 100, QEMU_CPU_TIMING_ERROR);
    expect(() => runQemuImg(['create'], s.dir, fake.path)).toThrow(QEMU_CPU_TIMING_ERROR);
    expect(fake.runs()).toBe(QEMU_ATTEMPTS);
  });

  it('never retries any other failure', () => {
    const fake = fakeQemuImg('refused', 100, 'Invalid parameter');
    expect(() => runQemuImg(['create'], s.dir, fake.path)).toThrow('Invalid parameter');
    expect(fake.runs()).toBe(1);
  });
});
