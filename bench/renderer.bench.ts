// Renderer benchmark: the time the renderer spends on one progress tick with 200 active rows, and
// how many rows the virtualized queue puts in the DOM while it scrolls.
//
//   node bench/renderer.bench.ts [--no-build] [--rows N] [--ticks N] [--fast-ticks N]
//   (BENCH_CPU_PROFILE=file.cpuprofile also records a CPU profile of the fast run;
//    BENCH_SCREENSHOT=file.png takes a picture of the page before the ticks)
//
// It builds dist/renderer (unless --no-build), opens it from file:// in Debian's Chromium under
// the page's own Content-Security-Policy, and installs a fake window.imagedrop (addInitScript)
// that holds 200 uploads (--rows) in the `uploading` phase. The page opens on the Queue with its
// rows and the details drawer of one job. Then it pumps batches of 200 changed snapshots, exactly as the
// preload delivers them (onUploadsChanged listeners), in two modes:
//   paced  4 batches a second (main's PROGRESS_INTERVAL_MS = 250), waiting for each frame;
//   fast   back to back: the next batch as soon as the previous one is rendered and laid out.
//
// What one tick measures (all on the renderer's main thread, with performance.now()):
//   work   = listener call → zustand update → React render + commit (a sync-lane update from
//            useSyncExternalStore, flushed in a microtask; a MessageChannel task after the
//            dispatch runs once that and any scheduler task queued before it are done) → a forced
//            style recalculation + layout of the changed DOM (reading offsetHeight).
//            This is the renderer's cost of a tick; the target (< 16 ms, one 60 Hz frame) is on
//            its p95.
//   frame  = the same start → the first task after the next requestAnimationFrame, i.e. after the
//            frame that shows the batch. It includes waiting for vsync (up to 16.7 ms with no
//            work at all), so it is reported, not judged.
// Cross-checks: Chromium's own main-thread counters (CDP Performance.getMetrics TaskDuration,
// ScriptDuration, LayoutDuration, RecalcStyleDuration) over each run, per tick; and the number
// of long tasks (> 50 ms) the page saw.
//
// Scrolling: the queue is virtualized (renderer/src/views/queue/virtual.ts), so after the ticks the
// bench scrolls its box from top to bottom in steps of a third of a view and, after each frame,
// counts the rows in the DOM: never more than the rows that fit in the view plus the overscan
// margin (OVERSCAN_ROWS above and below), and always the rows at that scroll position. The time
// of each scroll step (scroll → React's commit → layout) is reported too.
//
// Prints a markdown table, writes reports/bench/renderer.json, and exits 1 if a mode misses the
// target, if scrolling rendered more rows than allowed, or if the page did not render the batches
// (or broke its CSP).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium.ts';
import { OVERSCAN_ROWS, ROW_HEIGHT } from '../renderer/src/views/queue/virtual.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST_INDEX = path.join(ROOT, 'dist/renderer/index.html');
const REPORT = path.join(ROOT, 'reports/bench/renderer.json');
const DEFAULT_ROWS = 200;
const TARGET_MS = 16;
const PACED_INTERVAL_MS = 250;
const WARMUP_TICKS = 60;

interface Options {
  build: boolean;
  rows: number;
  ticks: number;
  fastTicks: number;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { build: true, rows: DEFAULT_ROWS, ticks: 200, fastTicks: 300 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-build') options.build = false;
    else if (arg === '--rows') options.rows = Math.max(1, Number(argv[++i]));
    else if (arg === '--ticks') options.ticks = Math.max(1, Number(argv[++i]));
    else if (arg === '--fast-ticks') options.fastTicks = Math.max(1, Number(argv[++i]));
    else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

// ── in the page ──

interface PageTick {
  work: number;
  dispatch: number;
  commit: number;
  frame: number | null;
}

interface PageScroll {
  steps: { scrollTop: number; rows: number; ms: number }[];
  viewportHeight: number;
  scrollHeight: number;
  /** Rows in view that were missing from the DOM, over all steps (must be 0). */
  wrongRows: number;
}

interface ScrollResult {
  steps: number;
  viewportHeight: number;
  /** Rows that fit in the view (partly visible ones included) plus the overscan above and below. */
  allowedRows: number;
  maxRows: number;
  minRows: number;
  wrongRows: number;
  stepMs: Stats;
  pass: boolean;
}

interface PageRun {
  ticks: PageTick[];
  elapsedMs: number;
  longTasks: number;
  missedCommits: number;
  rendered: boolean;
  renderedDetail: string;
}

/**
 * Runs in the page before any of its scripts: the fake preload API and the tick driver. It must
 * be self-contained (Playwright sends its source text).
 */
function installBench(args: { rows: number; rowHeight: number }): void {
  const GIB = 1024 ** 3;
  const MIB = 1024 ** 2;
  const start = Date.now();
  type Listener = (batch: readonly Record<string, unknown>[]) => void;
  const listeners = new Set<Listener>();
  let clock = start;
  let jobs: Record<string, unknown>[] = [];
  for (let i = 0; i < args.rows; i++) {
    const total = 100 * GIB + i * 7 * MIB;
    jobs.push({
      id: `job-${i}`,
      file: `/srv/images/image-${String(i).padStart(3, '0')}.qcow2`,
      fileName: `image-${String(i).padStart(3, '0')}.qcow2`,
      imageName: `image-${String(i).padStart(3, '0')}`,
      diskFormat: 'qcow2',
      containerFormat: 'bare',
      visibility: 'private',
      store: null,
      cloudKey: 'https://keystone.bench.invalid/v3|p|RegionOne',
      cloudName: 'bench',
      userName: 'bench',
      format: 'qcow2',
      virtualSize: 200 * GIB,
      target: 'glance',
      phase: 'uploading',
      imageId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      createdImage: true,
      imageStatus: 'saving',
      bytesSent: i * 3 * MIB,
      bytesTotal: total,
      bytesPerSecond: 40 * MIB,
      etaSeconds: 2000,
      attempt: 1,
      retryAt: null,
      resume: { kind: 'none' },
      error: null,
      // As shared/targets.ts stepViews() makes them (this function runs in the page: no imports).
      steps: [
        { step: 'checked', state: 'done', startedAt: start - 9500, endedAt: start - 9000, percent: null },
        { step: 'created', state: 'done', startedAt: start - 8500, endedAt: start - 8000, percent: null },
        { step: 'uploading', state: 'running', startedAt: start - 7000, endedAt: null, percent: null },
        ...['saving', 'active', 'verified'].map((step) => ({
          step,
          state: 'pending',
          startedAt: null,
          endedAt: null,
          percent: null,
        })),
      ],
      checksums: { algorithm: 'sha512', local: null, server: null, md5Local: null, md5Server: null },
      verified: false,
      verifiedBy: null,
      object: null,
      remoteJob: null,
      stores: null,
      leftover: null,
      createdAt: start - 10_000,
      startedAt: start - 9500,
      finishedAt: null,
      averageSpeed: null,
      updatedAt: start,
    });
  }
  const session = {
    cloud: 'bench',
    cloudKey: 'https://keystone.bench.invalid/v3|p|RegionOne',
    authUrl: 'https://keystone.bench.invalid/v3',
    user: { id: 'u', name: 'bench', domain: 'Default' },
    project: { id: 'p', name: 'bench', domain: 'Default' },
    region: 'RegionOne',
    interface: 'public',
    imageEndpoint: 'https://glance.bench.invalid',
    imageService: {
      kind: 'glance',
      reason: 'the default: nothing in the configuration names Huawei Cloud IMS',
      inferred: true,
    },
    imageApiVersion: '2.16',
    roles: ['member'],
    expiresAt: new Date(start + 3_600_000).toISOString(),
    warnings: [],
    capabilities: {
      diskFormats: ['raw', 'qcow2'],
      containerFormats: ['bare'],
      stores: [],
      importMethods: [],
      sizeLimit: 1024 * GIB,
    },
  };
  const ok = (value: unknown) => Promise.resolve({ ok: true, value });
  const api = {
    listClouds: () => ok([]),
    connect: () => ok(session),
    disconnect: () => ok(null),
    getSession: () => ok(session),
    canRememberSecrets: () => ok(true),
    forgetConnection: () => ok(null),
    pickCaFile: () => ok(null),
    pickFiles: () => ok([]),
    pathForFile: (file: { name: string }) => `/bench/${file.name}`,
    inspectFiles: () => ok([]),
    startUploads: () => ok([]),
    pauseUploads: () => ok(null),
    resumeUploads: () => ok(null),
    cancelUploads: () => ok(null),
    retryUploads: () => ok(null),
    clearUploads: () => ok(null),
    listUploads: () => ok(jobs.slice()),
    listImages: () => ok({ images: [], pages: 1, fetchedAt: Date.now() }),
    deleteImages: () => ok([]),
    copyText: () => ok(null),
    onUploadsChanged(listener: Listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onUploadsRemoved() {
      return () => undefined;
    },
    onFilesOpened() {
      return () => undefined;
    },
    onMenuCommand() {
      return () => undefined;
    },
    getUsage: () =>
      ok({
        service: 'glance',
        source: 'image-sum',
        usedBytes: 0,
        limitBytes: null,
        limitFrom: null,
        pendingBytes: 0,
        images: null,
        fetchedAt: Date.now(),
      }),
  };
  (window as unknown as Record<string, unknown>).imagedrop = api;

  let longTasks = 0;
  try {
    new PerformanceObserver((list) => {
      longTasks += list.getEntries().length;
    }).observe({ type: 'longtask', buffered: false });
  } catch {
    // not supported: reported as 0
  }

  /** A new snapshot of every job: more bytes, a new speed and ETA (what main's pump sends). */
  function nextBatch(tick: number): Record<string, unknown>[] {
    clock += 250;
    jobs = jobs.map((job, i) => {
      const chunk = (8 + ((tick * 7 + i * 13) % 9)) * MIB;
      const sent = Math.min((job.bytesSent as number) + chunk, (job.bytesTotal as number) - 1);
      const speed = chunk * 4;
      return {
        ...job,
        bytesSent: sent,
        bytesPerSecond: speed,
        etaSeconds: ((job.bytesTotal as number) - sent) / speed,
        updatedAt: clock,
      };
    });
    return jobs;
  }

  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  /** A task after everything queued so far (React's microtask flush and scheduler tasks). */
  const nextTask = () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
  const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

  // Mutations of the queue since the last look: proof that React committed inside the measurement.
  let observer: MutationObserver | null = null;
  let missedCommits = 0;

  async function tick(n: number, waitForFrame: boolean): Promise<PageTick> {
    if (observer === null) {
      observer = new MutationObserver(() => undefined);
      observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    }
    const batch = nextBatch(n);
    observer.takeRecords();
    const t0 = performance.now();
    for (const listener of listeners) listener(batch);
    const tDispatch = performance.now();
    // React renders and commits a useSyncExternalStore update in a microtask queued during the
    // dispatch; this await resumes after it, before the browser can run anything else.
    await Promise.resolve();
    const tCommit = performance.now();
    if (observer.takeRecords().length === 0) missedCommits += 1;
    void document.body.offsetHeight; // style + layout of what changed, now, on this thread
    const tWork = performance.now();
    let frame: number | null = null;
    if (waitForFrame) {
      await nextFrame();
      await nextTask();
      frame = performance.now() - t0;
    } else {
      await nextTask(); // let the browser paint between batches, as it would between IPC messages
    }
    return { work: tWork - t0, dispatch: tDispatch - t0, commit: tCommit - t0, frame };
  }

  /** The queue shows the latest batch: each row in the DOM shows its job's last snapshot. */
  function renderedCheck(): { rendered: boolean; renderedDetail: string } {
    const rows = [...document.querySelectorAll<HTMLElement>('.upload-list > li')];
    const byId = new Map(jobs.map((j) => [j.id as string, j]));
    let wrong = 0;
    for (const row of rows) {
      const job = byId.get(row.dataset.uploadId ?? '');
      const bar = row.querySelector<HTMLProgressElement>('progress');
      const expected = job ? Math.floor(((job.bytesSent as number) / (job.bytesTotal as number)) * 100) : -1;
      if (!bar || bar.value !== expected) wrong += 1;
    }
    return {
      rendered: rows.length > 0 && wrong === 0,
      renderedDetail: `${rows.length} rows in the DOM; ${wrong} of them not showing their job's last snapshot`,
    };
  }

  /** Scrolls the queue top to bottom in steps of a third of its height; rows in the DOM after each frame. */
  async function scroll(): Promise<PageScroll> {
    const box = document.querySelector<HTMLElement>('.queue-scroll');
    if (!box) return { steps: [], viewportHeight: 0, scrollHeight: 0, wrongRows: -1 };
    const steps: PageScroll['steps'] = [];
    let wrongRows = 0;
    const step = Math.max(1, Math.floor(box.clientHeight / 3));
    for (let top = 0; ; top += step) {
      const t0 = performance.now();
      box.scrollTop = top;
      box.dispatchEvent(new Event('scroll'));
      await Promise.resolve();
      void document.body.offsetHeight;
      const ms = performance.now() - t0;
      await nextFrame();
      const rows = [...document.querySelectorAll<HTMLElement>('.upload-list > li')];
      // The rows in view must be among those rendered.
      const firstInView = Math.floor(box.scrollTop / args.rowHeight);
      const lastInView = Math.min(jobs.length - 1, Math.floor((box.scrollTop + box.clientHeight - 1) / args.rowHeight));
      const ids = new Set(rows.map((r) => r.dataset.uploadId));
      for (let i = firstInView; i <= lastInView; i++) if (!ids.has(jobs[i]?.id as string)) wrongRows += 1;
      steps.push({ scrollTop: box.scrollTop, rows: rows.length, ms });
      if (box.scrollTop + box.clientHeight >= box.scrollHeight - 1) break;
    }
    box.scrollTop = 0;
    box.dispatchEvent(new Event('scroll'));
    await nextFrame();
    return { steps, viewportHeight: box.clientHeight, scrollHeight: box.scrollHeight, wrongRows };
  }

  async function run(mode: 'paced' | 'fast', count: number, intervalMs: number): Promise<PageRun> {
    const ticks: PageTick[] = [];
    longTasks = 0;
    missedCommits = 0;
    const begin = performance.now();
    for (let n = 0; n < count; n++) {
      const due = begin + n * intervalMs;
      if (mode === 'paced') {
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      ticks.push(await tick(n, mode === 'paced'));
    }
    await nextFrame();
    return { ticks, elapsedMs: performance.now() - begin, longTasks, missedCommits, ...renderedCheck() };
  }

  (window as unknown as Record<string, unknown>).__bench = { run, scroll };
}

// ── in Node ──

interface Stats {
  median: number;
  p95: number;
  max: number;
  mean: number;
}

function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    median: round(at(0.5)),
    p95: round(at(0.95)),
    max: round(sorted[sorted.length - 1] ?? NaN),
    mean: round(values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)),
  };
}

type Metrics = Record<string, number>;

async function metrics(cdp: CDPSession): Promise<Metrics> {
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

interface ModeResult {
  mode: 'paced' | 'fast';
  ticks: number;
  batchesPerSecond: number;
  work: Stats;
  dispatch: Stats;
  commit: Stats;
  frame: Stats | null;
  chromiumPerTickMs: { task: number; script: number; layout: number; style: number };
  longTasks: number;
  /** Ticks whose DOM had not changed when the measurement ended (must be 0). */
  missedCommits: number;
  rendered: boolean;
  renderedDetail: string;
  pass: boolean;
  /** work ms of every tick, in order. */
  samples: number[];
}

async function runMode(page: Page, cdp: CDPSession, mode: 'paced' | 'fast', count: number): Promise<ModeResult> {
  const before = await metrics(cdp);
  const result = await page.evaluate(
    ([m, n, interval]) =>
      (
        window as unknown as {
          __bench: { run(mode: string, count: number, interval: number): Promise<PageRun> };
        }
      ).__bench.run(m, n, interval),
    [mode, count, PACED_INTERVAL_MS] as const,
  );
  const after = await metrics(cdp);
  const perTick = (name: string) => Math.round((((after[name] ?? 0) - (before[name] ?? 0)) * 1000 * 100) / count) / 100;
  const work = stats(result.ticks.map((t) => t.work));
  const frames = result.ticks.map((t) => t.frame).filter((f): f is number => f !== null);
  return {
    mode,
    ticks: result.ticks.length,
    batchesPerSecond: Math.round((result.ticks.length / result.elapsedMs) * 1000 * 10) / 10,
    work,
    dispatch: stats(result.ticks.map((t) => t.dispatch)),
    commit: stats(result.ticks.map((t) => t.commit)),
    frame: frames.length > 0 ? stats(frames) : null,
    chromiumPerTickMs: {
      task: perTick('TaskDuration'),
      script: perTick('ScriptDuration'),
      layout: perTick('LayoutDuration'),
      style: perTick('RecalcStyleDuration'),
    },
    longTasks: result.longTasks,
    missedCommits: result.missedCommits,
    rendered: result.rendered,
    renderedDetail: result.renderedDetail,
    pass: result.rendered && result.missedCommits === 0 && work.p95 < TARGET_MS,
    samples: result.ticks.map((t) => Math.round(t.work * 100) / 100),
  };
}

function scrollResult(run: PageScroll): ScrollResult {
  const allowedRows = Math.ceil(run.viewportHeight / ROW_HEIGHT) + 1 + 2 * OVERSCAN_ROWS;
  const counts = run.steps.map((s) => s.rows);
  const maxRows = Math.max(0, ...counts);
  const minRows = counts.length ? Math.min(...counts) : 0;
  return {
    steps: run.steps.length,
    viewportHeight: run.viewportHeight,
    allowedRows,
    maxRows,
    minRows,
    wrongRows: run.wrongRows,
    stepMs: stats(run.steps.map((s) => s.ms)),
    pass: run.steps.length > 1 && minRows > 0 && maxRows <= allowedRows && run.wrongRows === 0,
  };
}

function build(): void {
  const vite = path.join(ROOT, 'node_modules/vite/bin/vite.js');
  const done = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (done.status !== 0) throw new Error(`vite build failed (exit ${done.status})`);
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  if (options.build || !existsSync(DIST_INDEX)) build();

  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    const ROWS = options.rows;
    await page.addInitScript(installBench, { rows: ROWS, rowHeight: ROW_HEIGHT });
    await page.goto(pathToFileURL(DIST_INDEX).href);
    // The app opens the Queue by itself (a session and restored jobs); show one job's details too.
    await page.getByRole('button', { name: `All (${ROWS})` }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Details of image-000.qcow2' }).click();
    await page.getByRole('region', { name: 'Lifecycle of image-000.qcow2' }).waitFor();

    if (process.env.BENCH_SCREENSHOT) await page.screenshot({ path: process.env.BENCH_SCREENSHOT });

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    await runMode(page, cdp, 'fast', WARMUP_TICKS); // not counted: lets V8 optimise the hot paths
    const paced = await runMode(page, cdp, 'paced', options.ticks);
    const profilePath = process.env.BENCH_CPU_PROFILE;
    if (profilePath) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const fast = await runMode(page, cdp, 'fast', options.fastTicks);
    if (profilePath) {
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: unknown };
      writeFileSync(profilePath, JSON.stringify(profile));
    }
    const modes = [paced, fast];
    const scrolled = scrollResult(
      await page.evaluate(() => (window as unknown as { __bench: { scroll(): Promise<PageScroll> } }).__bench.scroll()),
    );
    const ok = problems.length === 0 && modes.every((m) => m.pass) && scrolled.pass;

    const fmt = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(2));
    const lines = [
      `### Renderer time per progress tick (${ROWS} active rows, batches of ${ROWS} snapshots)`,
      '',
      '| mode | ticks | batches/s | median ms | p95 ms | max ms | target | result | frame p95 ms | Chromium task ms/tick | long tasks |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: |',
      ...modes.map(
        (m) =>
          `| ${m.mode === 'paced' ? 'paced 4/s' : 'as fast as possible'} | ${m.ticks} | ${m.batchesPerSecond} | ${fmt(m.work.median)} | ${fmt(m.work.p95)} | ${fmt(m.work.max)} | p95 < ${TARGET_MS} ms | ${m.pass ? 'PASS' : 'FAIL'} | ${fmt(m.frame?.p95)} | ${fmt(m.chromiumPerTickMs.task)} | ${m.longTasks} |`,
      ),
      '',
      'ms per tick = batch delivered to the onUploadsChanged listener → store update → React render and commit → forced style and layout.',
      'frame = the same until after the next animation frame (includes waiting for vsync; not judged).',
      '',
      `### Scrolling the ${ROWS} rows (${ROW_HEIGHT} px each, view ${scrolled.viewportHeight} px, overscan ${OVERSCAN_ROWS} rows each side)`,
      '',
      '| steps | rows in the DOM (min–max) | allowed (in view + margin) | rows in view missing | step ms median / p95 | result |',
      '| ---: | ---: | ---: | ---: | ---: | --- |',
      `| ${scrolled.steps} | ${scrolled.minRows}–${scrolled.maxRows} | ≤ ${scrolled.allowedRows} | ${scrolled.wrongRows} | ${fmt(scrolled.stepMs.median)} / ${fmt(scrolled.stepMs.p95)} | ${scrolled.pass ? 'PASS' : 'FAIL'} |`,
      ...modes
        .filter((m) => !m.rendered)
        .map((m) => `\n**${m.mode}: the page did not show the last batch** (${m.renderedDetail})`),
      ...modes
        .filter((m) => m.missedCommits > 0)
        .map(
          (m) => `\n**${m.mode}: ${m.missedCommits} ticks ended before React committed: the measurement is invalid**`,
        ),
      ...problems.map((p) => `\n**${p}**`),
    ];
    console.log(lines.join('\n'));

    mkdirSync(path.dirname(REPORT), { recursive: true });
    writeFileSync(
      REPORT,
      `${JSON.stringify(
        {
          benchmark: 'renderer time per progress tick',
          date: new Date().toISOString(),
          browser: `${CHROMIUM_PATH} ${browser.version()}`,
          rows: ROWS,
          batchSize: ROWS,
          pacedIntervalMs: PACED_INTERVAL_MS,
          targetMs: TARGET_MS,
          judgedOn: 'p95 of work ms per tick, each mode; rows in the DOM while scrolling',
          modes,
          scroll: scrolled,
          problems,
          pass: ok,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`\nwrote ${path.relative(ROOT, REPORT)}`);
    return ok ? 0 : 1;
  } finally {
    await browser.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
