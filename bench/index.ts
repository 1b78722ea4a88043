// `npm run bench`: every benchmark, one after the other, each in its own process (so timings
// and memory are its own). Each prints its table; this prints which met their targets.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BENCHES = ['inspect.bench.ts', 'upload.bench.ts', 'objstore.bench.ts', 'ims.bench.ts', 'renderer.bench.ts'];
const only = process.argv.slice(2);
const results: [string, number][] = [];
for (const bench of BENCHES.filter((b) => only.length === 0 || only.some((o) => b.startsWith(o)))) {
  process.stdout.write(`\n## ${bench}\n\n`);
  const r = spawnSync(process.execPath, [path.join(import.meta.dirname, bench)], { stdio: 'inherit' });
  results.push([bench, r.status ?? 1]);
}
process.stdout.write('\n');
for (const [bench, code] of results)
  process.stdout.write(`${code === 0 ? 'met its targets' : 'MISSED a target'}: ${bench}\n`);
process.exitCode = results.some(([, code]) => code !== 0) ? 1 : 0;
