// Inspector benchmark: `node bench/inspect.bench.ts [iterations]`.
// Makes (in a temporary folder, with qemu-img) a small qcow2, 20 GiB sparse qcow2, raw and vhdx files,
// runs inspectFile on each N times after a warm-up, and prints the median and p95 time per inspection
// and the bytes read, against the targets: under 10 ms and at most 1 MiB, whatever the file's size.
// Writes the same figures to reports/bench/inspect.json and exits 1 when a target is missed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { formatBytes } from '../shared/format.ts';
import { inspectFile } from '../electron/main/inspect/index.ts';
import { READ_BUDGET_BYTES } from '../electron/main/inspect/region-reader.ts';
import { Scratch, requireQemuImg } from '../electron/main/inspect/test-images.ts';

const TARGET_MS = 10;
const TARGET_BYTES = READ_BUDGET_BYTES;
const WARMUP = 20;
const ITERATIONS = Number(process.argv[2] ?? 200);

interface Row {
  readonly file: string;
  readonly format: string;
  readonly size: number;
  readonly virtualSize: number | null;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly bytesRead: number;
  readonly pass: boolean;
}

function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

async function measure(file: string, path: string): Promise<Row> {
  let report = await inspectFile(path);
  for (let i = 0; i < WARMUP; i++) await inspectFile(path);
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const start = performance.now();
    report = await inspectFile(path);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const medianMs = percentile(times, 50);
  const p95Ms = percentile(times, 95);
  const bytesRead = report.bytesRead ?? Number.POSITIVE_INFINITY;
  return {
    file,
    format: report.format,
    size: report.size,
    virtualSize: report.virtualSize,
    medianMs,
    p95Ms,
    bytesRead,
    pass: p95Ms < TARGET_MS && bytesRead <= TARGET_BYTES,
  };
}

async function main(): Promise<number> {
  console.log(`inspector benchmark: ${requireQemuImg()}, node ${process.version}, ${ITERATIONS} runs per file`);
  const scratch = new Scratch('imagedrop-bench-');
  try {
    const files: [string, string][] = [
      ['small.qcow2 (1 GiB virtual)', scratch.create('small.qcow2', 'qcow2', '1G')],
      ['sparse.qcow2 (20 GiB virtual)', scratch.create('sparse.qcow2', 'qcow2', '20G')],
      ['sparse.raw (20 GiB sparse)', scratch.create('sparse.raw', 'raw', '20G')],
      ['small.vhdx (1 GiB virtual)', scratch.create('small.vhdx', 'vhdx', '1G')],
      ['sparse.vhdx (20 GiB virtual)', scratch.create('sparse.vhdx', 'vhdx', '20G')],
    ];
    const rows: Row[] = [];
    for (const [label, path] of files) rows.push(await measure(label, path));

    console.log('');
    console.log(
      `| file | format | size on disk | median ms | p95 ms (target < ${TARGET_MS}) | bytes read (target ≤ 1 MiB) | result |`,
    );
    console.log('|---|---|---:|---:|---:|---:|---|');
    for (const r of rows) {
      console.log(
        `| ${r.file} | ${r.format} | ${formatBytes(r.size)} | ${r.medianMs.toFixed(3)} | ${r.p95Ms.toFixed(3)} | ${r.bytesRead} (${formatBytes(r.bytesRead)}) | ${r.pass ? 'PASS' : 'FAIL'} |`,
      );
    }
    const pass = rows.every((r) => r.pass);
    console.log('');
    console.log(pass ? 'PASS: every file met both targets.' : 'FAIL: a target was missed.');

    const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'reports', 'bench', 'inspect.json');
    mkdirSync(dirname(out), { recursive: true });
    const json = {
      benchmark: 'inspect',
      node: process.version,
      iterations: ITERATIONS,
      targets: { p95Ms: TARGET_MS, bytesRead: TARGET_BYTES },
      pass,
      files: rows,
    };
    writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`figures written to ${out}`);
    return pass ? 0 : 1;
  } finally {
    scratch.remove();
  }
}

process.exitCode = await main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  return 1;
});
