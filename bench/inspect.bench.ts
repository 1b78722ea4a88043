// Inspector benchmark: `node bench/inspect.bench.ts [iterations]`.
// Makes (in a temporary folder, with qemu-img) each format the benchmark covers twice, small and as a
// 20 GiB sparse file (qcow2, raw, vhdx), runs inspectFile on each N times after a warm-up, the two
// sizes alternating so that drift hits both alike, and prints the median and p95 time per inspection
// and the bytes read, against the targets: under 10 ms and at most 1 MiB, and both sizes alike (the
// same bytes read, p95 within a small factor), since the inspector reads only headers and footers.
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
/** "Alike": the slower size's p95 is at most this many times the faster one's … */
const ALIKE_FACTOR = 3;
/** … with both counted as at least this much, so that microsecond jitter cannot fail it. */
const ALIKE_FLOOR_MS = 0.1;
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

interface Pair {
  readonly format: string;
  readonly small: Row;
  readonly large: Row;
  readonly sameBytes: boolean;
  /** The slower p95 over the faster one (both at least ALIKE_FLOOR_MS). */
  readonly p95Ratio: number;
  readonly alike: boolean;
}

function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

async function timeOnce(path: string, times: number[]) {
  const start = performance.now();
  const report = await inspectFile(path);
  times.push(performance.now() - start);
  return report;
}

function row(file: string, report: Awaited<ReturnType<typeof inspectFile>>, times: number[]): Row {
  const sorted = [...times].sort((a, b) => a - b);
  const p95Ms = percentile(sorted, 95);
  const bytesRead = report.bytesRead ?? Number.POSITIVE_INFINITY;
  return {
    file,
    format: report.format,
    size: report.size,
    virtualSize: report.virtualSize,
    medianMs: percentile(sorted, 50),
    p95Ms,
    bytesRead,
    pass: p95Ms < TARGET_MS && bytesRead <= TARGET_BYTES,
  };
}

/** Both sizes of one format, measured in alternating order. */
async function measurePair(format: string, small: [string, string], large: [string, string]): Promise<Pair> {
  for (let i = 0; i < WARMUP; i++) {
    await inspectFile(small[1]);
    await inspectFile(large[1]);
  }
  const smallTimes: number[] = [];
  const largeTimes: number[] = [];
  let smallReport = await inspectFile(small[1]);
  let largeReport = await inspectFile(large[1]);
  for (let i = 0; i < ITERATIONS; i++) {
    if (i % 2 === 0) {
      smallReport = await timeOnce(small[1], smallTimes);
      largeReport = await timeOnce(large[1], largeTimes);
    } else {
      largeReport = await timeOnce(large[1], largeTimes);
      smallReport = await timeOnce(small[1], smallTimes);
    }
  }
  const s = row(small[0], smallReport, smallTimes);
  const l = row(large[0], largeReport, largeTimes);
  const [lo, hi] = [s.p95Ms, l.p95Ms].map((ms) => Math.max(ms, ALIKE_FLOOR_MS)).sort((a, b) => a - b);
  const p95Ratio = (hi ?? Number.NaN) / (lo ?? Number.NaN);
  const sameBytes = s.bytesRead === l.bytesRead;
  return { format, small: s, large: l, sameBytes, p95Ratio, alike: sameBytes && p95Ratio <= ALIKE_FACTOR };
}

async function main(): Promise<number> {
  console.log(`inspector benchmark: ${requireQemuImg()}, node ${process.version}, ${ITERATIONS} runs per file`);
  const scratch = new Scratch('imagedrop-bench-');
  try {
    const pairs: Pair[] = [];
    for (const [format, driver, small] of [
      ['qcow2', 'qcow2', '1G'],
      ['raw', 'raw', '1M'],
      ['vhdx', 'vhdx', '1G'],
    ] as const) {
      const smallPath = scratch.create(`small.${format}`, driver, small);
      const largePath = scratch.create(`sparse.${format}`, driver, '20G');
      pairs.push(
        await measurePair(
          format,
          [`small.${format} (${small === '1M' ? '1 MiB' : '1 GiB virtual'})`, smallPath],
          [`sparse.${format} (20 GiB ${format === 'raw' ? 'sparse' : 'virtual'})`, largePath],
        ),
      );
    }
    const rows = pairs.flatMap((p) => [p.small, p.large]);

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
    console.log('');
    console.log(
      `| both sizes alike | bytes read, small / 20 GiB | p95 ms, small / 20 GiB | p95 ratio (target ≤ ${ALIKE_FACTOR}) | result |`,
    );
    console.log('|---|---:|---:|---:|---|');
    for (const p of pairs) {
      console.log(
        `| ${p.format} | ${p.small.bytesRead} / ${p.large.bytesRead}${p.sameBytes ? '' : ' (differ)'} | ${p.small.p95Ms.toFixed(3)} / ${p.large.p95Ms.toFixed(3)} | ${p.p95Ratio.toFixed(2)} | ${p.alike ? 'PASS' : 'FAIL'} |`,
      );
    }
    const pass = rows.every((r) => r.pass) && pairs.every((p) => p.alike);
    console.log('');
    console.log(pass ? 'PASS: every file met every target.' : 'FAIL: a target was missed.');

    const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'reports', 'bench', 'inspect.json');
    mkdirSync(dirname(out), { recursive: true });
    const json = {
      benchmark: 'inspect',
      node: process.version,
      iterations: ITERATIONS,
      targets: {
        p95Ms: TARGET_MS,
        bytesRead: TARGET_BYTES,
        alikeP95Factor: ALIKE_FACTOR,
        alikeFloorMs: ALIKE_FLOOR_MS,
      },
      pass,
      files: rows,
      pairs: pairs.map((p) => ({
        format: p.format,
        small: p.small.file,
        large: p.large.file,
        sameBytes: p.sameBytes,
        p95Ratio: p.p95Ratio,
        alike: p.alike,
      })),
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
