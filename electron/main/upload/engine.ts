// The upload engine: the only writer of upload state. A job runs check → create record →
// transfer → wait for `active` → verify, moving only through the pure phase table
// (shared/phases.ts). It pauses by holding the body (the connection stays open), turns a broken
// connection into `interrupted` with an honest resume plan, retries what is retryable with
// backoff, cancels by aborting and deleting only the records it created, and persists every job
// so that a restart loses nothing. It never imports electron.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { AppError } from '../../../shared/errors.ts';
import { IMAGEDROP_PROPERTY, type GlanceImage, type GlanceImageStatus } from '../../../shared/glance.ts';
import type { Inspection } from '../../../shared/inspect.ts';
import type { Unsubscribe, UploadSelection } from '../../../shared/ipc.ts';
import { canTransition, isFinished, nextPhase, type UploadEvent } from '../../../shared/phases.ts';
import type { LifecycleStep, UploadId, UploadRequest, UploadSnapshot } from '../../../shared/upload.ts';
import { percentOf } from '../../../shared/format.ts';
import { ImagedropError, toAppError } from '../errors.ts';
import type { GlanceClient } from '../openstack/glance.ts';
import { preflightFile } from '../openstack/preflight.ts';
import type { CloudFacts } from './cloud-facts.ts';
import {
  createFileBody,
  fileChangedError,
  fileIdentity,
  howChanged,
  openForUpload,
  sameFile,
  type FileIdentity,
} from './file-body.ts';
import { createStreamHasher, hashFile, type StreamHasher } from './hasher.ts';
import type { JobLog, JobRecord } from './job-log.ts';
import { ProgressMeter } from './progress-meter.ts';
import { createProgressPump, type ProgressPump } from './progress-pump.ts';
import { glancePutTransport, type UploadTransport } from './transport.ts';

/** What the engine needs from the signed-in session. */
export interface EngineContext {
  readonly glance: GlanceClient;
  /** Identifies cloud + project: a job only ever runs against the one it was queued for. */
  readonly cloudKey: string;
  readonly cloudName: string;
  /** The endpoint whose hashing facts apply. */
  readonly imageEndpoint: string;
  /** disk_format values the cloud accepts (empty: unknown, do not check). */
  readonly diskFormats: readonly string[];
  readonly sizeLimit: number;
}

export type Inspect = (
  path: string,
  options: { declaredFormat?: string; acceptedDiskFormats?: readonly string[]; signal?: AbortSignal },
) => Promise<Inspection>;

export interface RetryPolicy {
  /** Automatic attempts after the first failure. */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** No automatic retry starts later than this after the first failure of a run. */
  readonly maxTotalMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxTotalMs: 10 * 60_000,
};

export interface VerifyPolicy {
  readonly pollStartMs: number;
  readonly maxPollMs: number;
  /** Give up when the image's status has not changed for this long. */
  readonly stallTimeoutMs: number;
}

// The first read is immediate (Glance answers the PUT after it stored the data, so it usually finds
// `active`); later reads wait pollStartMs, growing by half each time up to maxPollMs.
export const DEFAULT_VERIFY: VerifyPolicy = { pollStartMs: 150, maxPollMs: 5_000, stallTimeoutMs: 30 * 60_000 };

/** How long after a broken connection Glance may still show `saving` before putting the image back to `queued`. */
export const SAVING_SETTLE_MS = 6_000;
/** While a PUT runs, the image's status is read this often for the views… */
export const STATUS_POLL_MS = 5_000;
/** …and this often while it still says `queued` (Glance says `saving` once the request is in). */
export const STATUS_POLL_EARLY_MS = 500;
/** Deleting a record this engine created is tried this many times on retryable failures. */
export const DELETE_ATTEMPTS = 5;
export const DELETE_RETRY_BASE_MS = 300;
/** Progress is written to the job log at most this often (phase changes at once). */
export const LOG_PROGRESS_EVERY_MS = 3_000;
/** An image create gets this long to answer, whatever else happens (a cancel waits for it). */
export const CREATE_TIMEOUT_MS = 60_000;
/** A create that got no answer is looked for this long before the record counts as never made. */
export const LATE_CREATE_WAIT_MS = 10_000;

export interface EngineOptions {
  readonly context: () => EngineContext | null;
  readonly inspect: Inspect;
  readonly cloudFacts: CloudFacts;
  readonly jobLog?: JobLog | null;
  readonly concurrency?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly verify?: Partial<VerifyPolicy>;
  /** Consent given up front to replace images stuck in `saving`/`killed` (the CLI's flag). */
  readonly autoRecreate?: boolean;
  readonly transport?: UploadTransport;
  /** How long an image create may take to answer (CREATE_TIMEOUT_MS). */
  readonly createTimeoutMs?: number;
  readonly progressIntervalMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly onWarning?: (message: string) => void;
}

interface Gate {
  open: boolean;
  waiters: (() => void)[];
}

interface Job {
  snap: Mutable<UploadSnapshot>;
  request: UploadRequest;
  cloudKey: string | null;
  cloudName: string | null;
  digests: Record<string, string> | null;
  transportState: unknown;
  // Runtime only:
  controller: AbortController | null;
  running: Promise<void> | null;
  gate: Gate;
  meter: ProgressMeter | null;
  retryTimer: NodeJS.Timeout | null;
  retries: number;
  firstFailureAt: number | null;
  recreateConsent: boolean;
  renewedAfter401: boolean;
  cancelling: boolean;
  /** The running cancel (abort, then delete the record), for whoever must wait for it. */
  cancelRun: Promise<void> | null;
  /** Every byte is in the PUT's body: a pause now would hold nothing. */
  bodyEnded: boolean;
  /** The cloud the job last ran against: cancel cleans up there, whatever is connected now. */
  ctx: EngineContext | null;
  /** The file as it was checked: the upload must send that same file. */
  identity: FileIdentity | null;
  /** The file the last transfer sent (kept in the log): a re-hash to verify must read that same file. */
  sentIdentity: FileIdentity | null;
  /** The connection broke while the user held the job paused: wait for the user, no automatic retry. */
  heldByUser: boolean;
  /** The last create got no answer (a deadline, a shutdown, a 5xx): Glance may still commit it. */
  createUncertain: boolean;
  lastLoggedAt: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

class CancelledError extends Error {
  override readonly name = 'AbortError';
}

/** A new job's snapshot, before anything has happened to it. */
export function emptySnapshot(id: UploadId, request: UploadRequest, now: number): Mutable<UploadSnapshot> {
  return {
    id,
    file: request.path,
    fileName: path.basename(request.path),
    imageName: request.name,
    diskFormat: request.diskFormat,
    containerFormat: request.containerFormat,
    visibility: request.visibility,
    store: request.store ?? null,
    cloudKey: null,
    cloudName: null,
    format: null,
    virtualSize: null,
    phase: 'queued',
    imageId: null,
    createdImage: false,
    glanceStatus: null,
    bytesSent: 0,
    bytesTotal: 0,
    bytesPerSecond: null,
    etaSeconds: null,
    attempt: 0,
    retryAt: null,
    resume: { kind: 'none' },
    error: null,
    timeline: {},
    checksums: { algorithm: null, local: null, server: null, md5Local: null, md5Server: null },
    verified: false,
    createdAt: now,
    updatedAt: now,
  };
}

export class UploadEngine {
  readonly #jobs = new Map<UploadId, Job>();
  readonly #options: EngineOptions;
  readonly #retry: RetryPolicy;
  readonly #verify: VerifyPolicy;
  readonly #transport: UploadTransport;
  readonly #pump: ProgressPump;
  readonly #listeners = new Set<(batch: readonly UploadSnapshot[]) => void>();
  readonly #phaseListeners = new Set<(snapshot: UploadSnapshot, previous: UploadSnapshot['phase']) => void>();
  readonly #removedListeners = new Set<(ids: readonly UploadId[]) => void>();
  readonly #now: () => number;
  readonly #random: () => number;
  #concurrency: number;
  #disposed = false;
  /** Aborted by dispose(): what a cancel must not abort (an image create) still stops on shutdown. */
  readonly #closing = new AbortController();

  constructor(options: EngineOptions) {
    this.#options = options;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#verify = { ...DEFAULT_VERIFY, ...options.verify };
    this.#transport = options.transport ?? glancePutTransport;
    this.#concurrency = Math.max(1, options.concurrency ?? 2);
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#pump = createProgressPump((batch) => {
      for (const l of this.#listeners) l(batch);
    }, options.progressIntervalMs);
  }

  // ── Queries and subscriptions ───────────────────────────────────────────────────────────────

  /** Throttled batches of changed snapshots (≤ 4 a second; phase changes at once). */
  onDidChange(listener: (batch: readonly UploadSnapshot[]) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Every phase change, unthrottled (notifications, the CLI). */
  onPhaseChange(listener: (snapshot: UploadSnapshot, previous: UploadSnapshot['phase']) => void): Unsubscribe {
    this.#phaseListeners.add(listener);
    return () => this.#phaseListeners.delete(listener);
  }

  /** Jobs removed from the queue by clear(). */
  onRemoved(listener: (ids: readonly UploadId[]) => void): Unsubscribe {
    this.#removedListeners.add(listener);
    return () => this.#removedListeners.delete(listener);
  }

  list(): UploadSnapshot[] {
    return [...this.#jobs.values()].map((j) => ({ ...j.snap }));
  }

  get(id: UploadId): UploadSnapshot | undefined {
    const job = this.#jobs.get(id);
    return job ? { ...job.snap } : undefined;
  }

  /** Image ids this engine created and still tracks (for the dashboard's "created by Imagedrop"). */
  createdImageIds(): Set<string> {
    const ids = new Set<string>();
    for (const j of this.#jobs.values()) if (j.snap.createdImage && j.snap.imageId) ids.add(j.snap.imageId);
    return ids;
  }

  /**
   * Image ids of unfinished jobs (running, paused, queued or waiting for the user): an upload may
   * still send data into them, so nothing else may delete them, however stuck they look (Glance
   * does not touch `updated_at` while data streams in).
   */
  activeImageIds(): Set<string> {
    const ids = new Set<string>();
    for (const j of this.#jobs.values()) {
      if (j.snap.imageId && (!isFinished(j.snap.phase) || j.cancelling)) ids.add(j.snap.imageId);
    }
    return ids;
  }

  setConcurrency(n: number): void {
    this.#concurrency = Math.max(1, Math.floor(n));
    this.#schedule();
  }

  // ── Restore ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Loads the job log. Jobs that were running when the process stopped come back `interrupted`
   * (their connection is gone); queued and finished ones come back as they were, except queued
   * ones that `hold` names, which wait as `interrupted`.
   */
  async restore(options: { hold?: (id: UploadId) => boolean } = {}): Promise<void> {
    const log = this.#options.jobLog;
    if (!log) return;
    const records = await log.load();
    for (const r of records) {
      if (this.#jobs.has(r.snapshot.id)) continue;
      const snap = { ...r.snapshot, bytesPerSecond: null, etaSeconds: null, retryAt: null } as Mutable<UploadSnapshot>;
      const job = this.#newJob(snap, r.request);
      job.cloudKey = r.cloudKey;
      job.cloudName = r.cloudName;
      snap.cloudKey = r.cloudKey;
      snap.cloudName = r.cloudName;
      job.digests = r.digests ? { ...r.digests } : null;
      job.sentIdentity = r.identity ?? null;
      // Stopped while its record was being created: Glance may have committed it after all.
      job.createUncertain = r.snapshot.phase === 'creating';
      job.transportState = r.transport?.name === this.#transport.name ? r.transport.state : null;
      if (!isFinished(snap.phase) && snap.phase !== 'queued' && snap.phase !== 'interrupted') {
        // Its connection died with the process; refreshInterrupted() looks at the image later.
        snap.phase = 'interrupted';
        snap.resume = { kind: 'restart' };
        snap.error ??= {
          code: 'upload/interrupted',
          message: 'Imagedrop stopped while this upload was running: resume it to send the file again.',
          retryable: true,
        };
      } else if (snap.phase === 'queued' && options.hold?.(snap.id)) {
        // Held: it waits for the user instead of starting on its own.
        snap.phase = 'interrupted';
        snap.resume = { kind: 'restart' };
        snap.error = {
          code: 'upload/interrupted',
          message: 'This upload has not started: resume it to send the file.',
          retryable: true,
        };
      }
      this.#jobs.set(snap.id, job);
    }
    this.#persist();
    for (const snapshot of this.list()) this.#pump.push(snapshot);
    this.#pump.flush();
  }

  /** Looks at the images of interrupted jobs of the current cloud, so their resume plans are true. */
  async refreshInterrupted(signal: AbortSignal): Promise<void> {
    const ctx = this.#options.context();
    if (!ctx) return;
    for (const job of this.#jobs.values()) {
      if (job.snap.phase !== 'interrupted' || job.cloudKey !== ctx.cloudKey || !job.snap.imageId) continue;
      let status: GlanceImageStatus | null | undefined; // undefined: could not be read
      try {
        status = (await ctx.glance.getImage(job.snap.imageId, signal)).status;
      } catch (e) {
        if (e instanceof ImagedropError && e.code === 'glance/not-found') status = null;
      }
      // The user may have resumed it (or cancelled it) while the image was being read.
      if (status === undefined || job.snap.phase !== 'interrupted' || job.cancelling) continue;
      this.#setPlanFromImage(job, status);
      this.#changed(job);
    }
    this.#schedule();
  }

  // ── Commands ────────────────────────────────────────────────────────────────────────────────

  /** Queues uploads for the current cloud. */
  add(requests: readonly UploadRequest[]): UploadId[] {
    const ctx = this.#options.context();
    if (!ctx) throw new ImagedropError('auth/not-connected', 'Connect to a cloud before adding uploads.');
    const ids: UploadId[] = [];
    for (const request of requests) {
      const id = randomUUID();
      const job = this.#newJob(emptySnapshot(id, request, this.#now()), request);
      job.cloudKey = job.snap.cloudKey = ctx.cloudKey;
      job.cloudName = job.snap.cloudName = ctx.cloudName;
      this.#jobs.set(id, job);
      ids.push(id);
      this.#changed(job, true);
    }
    this.#schedule();
    return ids;
  }

  pause(selection: UploadSelection): void {
    const jobs = this.#select(selection, 'pause').filter((job) => {
      if (!job.bodyEnded) return true;
      if (isBatch(selection)) return false;
      throw new ImagedropError(
        'ipc/invalid-request',
        `${job.snap.fileName} has sent every byte and the image service is storing it: there is nothing left to pause.`,
      );
    });
    for (const job of jobs) {
      job.gate.open = false;
      this.#transition(job, 'pause');
      job.snap.resume = { kind: 'continue', percent: percentOf(job.snap.bytesSent, job.snap.bytesTotal) };
      job.snap.bytesPerSecond = null;
      job.snap.etaSeconds = null;
      this.#changed(job, true);
    }
  }

  /**
   * Resumes paused jobs (same connection, same byte) and interrupted ones (again from byte 0, once
   * the image is back to `queued`; a stuck image is replaced only with `recreate` consent).
   */
  resume(selection: UploadSelection, options: { recreate?: boolean } = {}): void {
    const ctx = this.#options.context();
    const jobs = this.#select(selection, 'resume').filter((job) => {
      if (job.snap.phase === 'paused' || job.cloudKey === ctx?.cloudKey) return true;
      if (isBatch(selection)) return false;
      throw new ImagedropError(
        'auth/not-connected',
        `${job.snap.fileName} belongs to ${job.cloudName ?? 'another cloud'}: connect to it to resume this upload.`,
      );
    });
    for (const job of jobs) {
      if (
        job.snap.phase === 'interrupted' &&
        job.snap.resume.kind === 'recreate' &&
        !options.recreate &&
        !this.#options.autoRecreate
      ) {
        if (isBatch(selection)) continue;
        throw new ImagedropError(
          'upload/not-resumable',
          `The image for ${job.snap.fileName} is ${job.snap.resume.imageStatus === 'unknown' ? 'in an unknown state' : `stuck in ${job.snap.resume.imageStatus}`}: resuming replaces it with a new image record, which needs your consent.`,
        );
      }
    }
    for (const job of jobs) {
      if (job.snap.phase === 'paused') {
        this.#transition(job, 'resume');
        job.snap.resume = { kind: 'none' };
        job.meter?.restartWindow(this.#now());
        this.#openGate(job);
        this.#changed(job, true);
      } else if (job.snap.phase === 'interrupted') {
        if (job.snap.resume.kind === 'recreate' && !options.recreate && !this.#options.autoRecreate) continue;
        this.#clearRetryTimer(job);
        job.recreateConsent = job.recreateConsent || options.recreate === true;
        job.heldByUser = false;
        job.retries = 0;
        job.firstFailureAt = null;
        this.#transition(job, 'resume');
        this.#changed(job, true);
      }
    }
    this.#schedule();
  }

  /** Retries failed jobs from the start (the image record is reused when it still waits for data). */
  retry(selection: UploadSelection): void {
    for (const job of this.#select(selection, 'retry')) {
      job.renewedAfter401 = false;
      job.retries = 0;
      job.firstFailureAt = null;
      job.snap.error = null;
      job.snap.verified = false;
      this.#transition(job, 'retry');
      this.#changed(job, true);
    }
    this.#schedule();
  }

  /** Aborts jobs, then deletes the image records this engine created for them. */
  async cancel(selection: UploadSelection): Promise<void> {
    const jobs = this.#select(selection, 'cancel');
    await Promise.all(
      jobs.map((job) => {
        const run = this.#cancelJob(job).finally(() => {
          if (job.cancelRun === run) job.cancelRun = null;
        });
        job.cancelRun = run;
        return run;
      }),
    );
  }

  /** Removes finished jobs from the queue (their images stay on the server). */
  clear(selection: UploadSelection): void {
    const ids = selection === 'all' ? [...this.#jobs.keys()] : selection;
    const removed: UploadId[] = [];
    for (const id of ids) {
      const job = this.#jobs.get(id);
      if (job && isFinished(job.snap.phase)) {
        this.#jobs.delete(id);
        removed.push(id);
      }
    }
    this.#persist();
    if (removed.length) for (const l of this.#removedListeners) l(removed);
  }

  /** Waits until every job is finished, waits for the user, or belongs to another cloud. */
  async whenSettled(): Promise<void> {
    const isBusy = (j: Job, cloudKey: string | undefined) =>
      j.cancelling ||
      (!isFinished(j.snap.phase) &&
        !(j.snap.phase === 'interrupted' && j.retryTimer === null && !j.running) &&
        !(j.snap.phase === 'queued' && j.cloudKey !== cloudKey));
    for (;;) {
      const cloudKey = this.#options.context()?.cloudKey;
      const busy = [...this.#jobs.values()].filter((j) => isBusy(j, cloudKey));
      if (busy.length === 0) return;
      // Wake on the next phase change or job end; the timer (unref'd, so it never holds the
      // process open) only covers a retry timer that fires without a phase change first.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 1_000);
        timer.unref();
        const off = this.onPhaseChange(() => done());
        for (const j of busy) void (j.cancelRun ?? j.running)?.then(done, done);
        function done() {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    }
  }

  /** Stops timers and flushes the log and the last snapshots. Running transfers are aborted. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#closing.abort(new CancelledError('Imagedrop is closing.'));
    for (const job of this.#jobs.values()) {
      this.#clearRetryTimer(job);
      job.controller?.abort(new CancelledError('Imagedrop is closing.'));
      this.#openGate(job); // a paused body must wake up to notice the abort
    }
    await Promise.allSettled([...this.#jobs.values()].map((j) => j.running));
    this.#pump.dispose();
    await this.#options.jobLog?.idle();
  }

  // ── Internals: bookkeeping ─────────────────────────────────────────────────────────────────

  #newJob(snap: Mutable<UploadSnapshot>, request: UploadRequest): Job {
    return {
      snap,
      request,
      cloudKey: null,
      cloudName: null,
      digests: null,
      transportState: null,
      controller: null,
      running: null,
      gate: { open: true, waiters: [] },
      meter: null,
      retryTimer: null,
      retries: 0,
      firstFailureAt: null,
      recreateConsent: false,
      renewedAfter401: false,
      cancelling: false,
      cancelRun: null,
      bodyEnded: false,
      ctx: null,
      identity: null,
      sentIdentity: null,
      heldByUser: false,
      createUncertain: false,
      lastLoggedAt: 0,
    };
  }

  #select(selection: UploadSelection, event: UploadEvent): Job[] {
    // A job being cancelled is on its way out: nothing may start it again meanwhile.
    const able = (j: Job | undefined): j is Job => !!j && !j.cancelling && canTransition(j.snap.phase, event);
    if (selection === 'all') return [...this.#jobs.values()].filter(able);
    // "Resume all" in a view names the jobs it saw; one that moved on meanwhile (an automatic
    // retry started it, it finished) is passed over rather than failing the others.
    if (isBatch(selection)) return selection.map((id) => this.#jobs.get(id)).filter(able);
    return selection.map((id) => {
      const job = this.#jobs.get(id);
      if (!job)
        throw new ImagedropError('ipc/unknown-upload', 'That upload is not in the queue any more: refresh the queue.');
      if (job.cancelling) throw new ImagedropError('ipc/invalid-request', `${job.snap.fileName} is being cancelled.`);
      if (!canTransition(job.snap.phase, event)) {
        throw new ImagedropError(
          'ipc/invalid-request',
          `${job.snap.fileName} cannot ${event} while it is ${job.snap.phase}.`,
        );
      }
      return job;
    });
  }

  #transition(job: Job, event: UploadEvent): void {
    const previous = job.snap.phase;
    job.snap.phase = nextPhase(previous, event);
    job.snap.updatedAt = this.#now();
    if (job.snap.phase !== previous) {
      const copy = { ...job.snap };
      for (const l of this.#phaseListeners) l(copy, previous);
    }
  }

  #mark(job: Job, step: LifecycleStep): void {
    job.snap.timeline = { ...job.snap.timeline, [step]: job.snap.timeline[step] ?? this.#now() };
  }

  /** Publishes a job's state; `urgent` for phase changes. Persists on phase changes and now and then. */
  #changed(job: Job, urgent = false): void {
    job.snap.updatedAt = this.#now();
    this.#pump.push({ ...job.snap }, { urgent });
    if (urgent) this.#persist();
    else if (this.#now() - job.lastLoggedAt > LOG_PROGRESS_EVERY_MS) {
      job.lastLoggedAt = this.#now();
      this.#persist();
    }
  }

  #records(): JobRecord[] {
    return [...this.#jobs.values()].map((j) => ({
      snapshot: { ...j.snap, bytesPerSecond: null, etaSeconds: null },
      request: j.request,
      cloudKey: j.cloudKey,
      cloudName: j.cloudName,
      digests: j.digests,
      identity: j.sentIdentity,
      transport: j.transportState == null ? null : { name: this.#transport.name, state: j.transportState },
    }));
  }

  #persist(): void {
    if (!this.#options.jobLog) return;
    void this.#options.jobLog.save(() => this.#records());
  }

  #openGate(job: Job): void {
    job.gate.open = true;
    const waiting = job.gate.waiters;
    job.gate.waiters = [];
    for (const w of waiting) w();
  }

  #clearRetryTimer(job: Job): void {
    if (job.retryTimer) clearTimeout(job.retryTimer);
    job.retryTimer = null;
    job.snap.retryAt = null;
  }

  // ── Internals: the queue ────────────────────────────────────────────────────────────────────

  #schedule(): void {
    if (this.#disposed) return;
    const ctx = this.#options.context();
    if (!ctx) return;
    const holding = [...this.#jobs.values()].filter((j) =>
      ['checking', 'creating', 'uploading', 'paused'].includes(j.snap.phase),
    ).length;
    let free = this.#concurrency - holding;
    for (const job of this.#jobs.values()) {
      if (free <= 0) break;
      if (job.snap.phase !== 'queued' || job.running || job.cancelling || job.cloudKey !== ctx.cloudKey) continue;
      free -= 1;
      this.#transition(job, 'start');
      this.#changed(job, true);
      job.running = this.#run(job, ctx).finally(() => {
        job.running = null;
        this.#schedule();
      });
    }
  }

  async #run(job: Job, ctx: EngineContext): Promise<void> {
    const controller = new AbortController();
    job.controller = controller;
    job.ctx = ctx;
    const signal = controller.signal;
    try {
      await this.#check(job, ctx, signal);
      if (job.snap.phase === 'creating') await this.#create(job, ctx, signal);
      if (job.snap.phase === 'uploading') await this.#upload(job, ctx, signal);
      if (job.snap.phase === 'verifying') await this.#verifyJob(job, ctx, signal);
      job.retries = 0;
      job.firstFailureAt = null;
      job.renewedAfter401 = false;
    } catch (e) {
      // Cancelled is decided by this job's own signal: an abort error from anything shared (a
      // token renewal another job cancelled) is a failure like any other here.
      if (signal.aborted || job.cancelling) return; // #cancelJob finishes the job
      if (this.#disposed) return;
      await this.#handleFailure(job, ctx, e);
    } finally {
      job.controller = null;
      job.meter = null;
    }
  }

  // ── Internals: the steps ────────────────────────────────────────────────────────────────────

  /** File preflight, the inspector's verdict, and a look at the image when the job already has one. */
  async #check(job: Job, ctx: EngineContext, signal: AbortSignal): Promise<void> {
    job.snap.error = null;
    // The job already has a record: look at it first. If its data went in (the app stopped, or a
    // status read broke, after the PUT), only verifying is left: that needs the digests kept in
    // the log or the file as it was sent, never a new file check that could fail and cost the
    // image. A record whose create got no answer may still appear: give it a moment.
    let image: GlanceImage | null = null;
    if (job.snap.imageId) {
      image = await this.#getImageOrNull(ctx, job.snap.imageId, signal);
      if (!image && job.createUncertain) image = await this.#waitForLateCreate(ctx, job.snap.imageId, signal);
      if (image?.status === 'saving') image = await this.#waitWhileSaving(ctx, job.snap.imageId, signal);
      job.createUncertain = false;
      this.#setGlanceStatus(job, image?.status ?? null);
      if (image?.status === 'active' && job.snap.createdImage) {
        this.#transition(job, 'uploaded');
        this.#changed(job, true);
        return;
      }
    }
    job.digests = null; // whatever was sent before is not what the image holds
    const file = await preflightFile(job.request.path, ctx.sizeLimit);
    job.snap.bytesTotal = file.size;
    job.identity = file;
    const declared = job.request.diskFormat === 'auto' ? undefined : job.request.diskFormat;
    const inspection = await this.#options.inspect(job.request.path, {
      ...(declared ? { declaredFormat: declared } : {}),
      ...(ctx.diskFormats.length ? { acceptedDiskFormats: ctx.diskFormats } : {}),
      signal,
    });
    // The inspector opened the file on its own: make sure it saw the file that was stat'ed.
    const after = await fileIdentity(job.request.path);
    if (!sameFile(after, file)) {
      throw fileChangedError(job.request.path, `${howChanged(file, after)} while it was being checked`);
    }
    job.snap.format = inspection.format;
    job.snap.virtualSize = inspection.virtualSize;
    job.snap.diskFormat = declared ?? inspection.diskFormat;
    if (!inspection.safe) {
      const notAccepted = inspection.reasons.every((r) => r.code === 'format-not-accepted');
      throw new ImagedropError(
        notAccepted ? 'inspect/format-not-accepted' : 'inspect/unsafe',
        inspection.reasons[0]?.message ?? `${job.snap.fileName} failed the safety checks.`,
        { detail: inspection.reasons.map((r) => `${r.code}: ${r.message}`).join('\n') },
      );
    }
    this.#mark(job, 'checked');
    signal.throwIfAborted();

    // Gone, or not one of ours (Imagedrop never sends data into a record it did not create): new record.
    if (!image || image.status === 'deleted' || image.status === 'pending_delete' || !job.snap.createdImage) {
      job.snap.imageId = null;
      job.snap.createdImage = false;
      this.#transition(job, 'checked');
      this.#changed(job, true);
      return;
    }
    if (image.status === 'queued') {
      job.recreateConsent = false; // given for a stuck image; this one takes data again as it is
      this.#transition(job, 'reuse');
      this.#changed(job, true);
      return;
    }
    if (image.status === 'saving' || image.status === 'killed') {
      if (job.recreateConsent || this.#options.autoRecreate) {
        await this.#deleteOwnImage(ctx, job, signal);
        job.recreateConsent = false;
        this.#transition(job, 'checked');
        this.#changed(job, true);
        return;
      }
      job.snap.resume = { kind: 'recreate', imageStatus: image.status };
      job.snap.error = {
        code: 'upload/stuck-saving',
        message: `Image ${image.id} is stuck in ${image.status} and no upload of Imagedrop's is running: resume to delete it and upload again to a new image record.`,
        retryable: false,
      };
      this.#transition(job, 'hold');
      this.#changed(job, true);
      throw new HoldSignal();
    }
    throw new ImagedropError(
      'preflight/image-not-queued',
      `Image ${image.id} is ${image.status}, not waiting for data: upload the file to a new image instead.`,
    );
  }

  async #create(job: Job, ctx: EngineContext, signal: AbortSignal): Promise<void> {
    // The id is chosen here and saved before the request, so that a crash between Glance's
    // answer and the log write still leaves a record Imagedrop can find and clean up.
    const imageId = randomUUID();
    job.snap.imageId = imageId;
    job.snap.createdImage = true;
    job.transportState = null; // a new record: nothing sent before counts
    this.#persist();
    await this.#options.jobLog?.idle();
    const r = job.request;
    // A cancel does not abort the create: Glance may still commit a POST it has fully received
    // after the client went away, and the DELETE that follows a cancel could come first and find
    // nothing. Letting the create answer first means the DELETE always finds what it must remove.
    const createSignal = AbortSignal.any([
      this.#closing.signal,
      AbortSignal.timeout(this.#options.createTimeoutMs ?? CREATE_TIMEOUT_MS),
    ]);
    // Until Glance answers, the record may or may not exist; a 4xx answer is the only clear "no".
    job.createUncertain = true;
    const image = await ctx.glance
      .createImage(
        {
          id: imageId,
          name: r.name,
          diskFormat: job.snap.diskFormat,
          containerFormat: r.containerFormat,
          visibility: r.visibility,
          ...(r.minDisk !== undefined ? { minDisk: r.minDisk } : {}),
          ...(r.minRam !== undefined ? { minRam: r.minRam } : {}),
          ...(r.protected !== undefined ? { protected: r.protected } : {}),
          ...(r.tags ? { tags: r.tags } : {}),
          properties: { ...r.properties, [IMAGEDROP_PROPERTY]: job.snap.id },
        },
        createSignal,
      )
      .catch((e: unknown) => {
        const status = e instanceof ImagedropError ? e.httpStatus : undefined;
        if (status !== undefined && status < 500) job.createUncertain = false;
        throw e;
      });
    job.createUncertain = false;
    signal.throwIfAborted(); // cancelled while the create ran: #cancelJob deletes the record
    this.#setGlanceStatus(job, image.status);
    this.#mark(job, 'created');
    this.#transition(job, 'created');
    this.#changed(job, true);
  }

  async #upload(job: Job, ctx: EngineContext, signal: AbortSignal): Promise<void> {
    const imageId = job.snap.imageId!;
    // Parts sent from another version of the file must not be joined with this one's.
    if (job.transportState != null && job.sentIdentity && job.identity && !sameFile(job.sentIdentity, job.identity)) {
      job.transportState = null;
    }
    // A new attempt starts unpaused (a pause belonged to the connection that was lost).
    this.#openGate(job);
    job.bodyEnded = false;
    job.snap.attempt += 1;
    // Glance's PUT keeps nothing of a broken attempt (offset 0); a transport that sends parts may.
    job.snap.bytesSent = Math.min(this.#transport.resumeOffset(job.transportState), job.snap.bytesTotal);
    job.snap.resume = { kind: 'none' };
    job.digests = null;
    const meter = new ProgressMeter(this.#now());
    job.meter = meter;
    let hasher: StreamHasher | null = null;
    const handles: { close(): Promise<void> }[] = [];
    // Glance's status for the views: read soon and often until it leaves `queued`, then rarely.
    let statusTimer: NodeJS.Timeout | undefined;
    let polling = true;
    const pollStatus = async () => {
      await this.#pollStatusDuringUpload(job, ctx, signal);
      if (polling)
        statusTimer = setTimeout(
          pollStatus,
          job.snap.glanceStatus === 'queued' ? STATUS_POLL_EARLY_MS : STATUS_POLL_MS,
        );
    };
    statusTimer = setTimeout(pollStatus, STATUS_POLL_EARLY_MS);
    this.#mark(job, 'uploading');
    this.#changed(job, true);
    try {
      await this.#transport.transfer(ctx.glance, {
        imageId,
        path: job.request.path,
        size: job.snap.bytesTotal,
        store: job.request.store ?? null,
        signal,
        state: job.transportState,
        saveState: async (state) => {
          job.transportState = state;
          this.#persist();
        },
        openBody: async (range) => {
          const { handle, identity } = await openForUpload(job.request.path);
          handles.push(handle);
          const checked = job.identity;
          if (checked && !sameFile(identity, checked)) {
            throw fileChangedError(job.request.path, `${howChanged(checked, identity)} after it was checked`);
          }
          job.sentIdentity = identity;
          if (!range) {
            hasher = createStreamHasher(this.#options.cloudFacts.algorithmsFor(ctx.imageEndpoint));
          }
          const body: Readable = createFileBody({
            path: job.request.path,
            handle,
            identity,
            hasher: range ? null : hasher,
            ...(range ? { range } : {}),
            onBytes: (n) => {
              job.snap.bytesSent += n;
              // A read already in flight when Pause was pressed still lands: keep the plan true.
              if (job.snap.resume.kind === 'continue') {
                job.snap.resume = { kind: 'continue', percent: percentOf(job.snap.bytesSent, job.snap.bytesTotal) };
              }
              meter.add(n, this.#now());
              job.snap.bytesPerSecond = meter.speed;
              job.snap.etaSeconds = meter.eta(job.snap.bytesTotal);
              this.#changed(job);
            },
            gate: () => (job.gate.open ? Promise.resolve() : new Promise<void>((r) => job.gate.waiters.push(r))),
            onEnd: () => {
              if (!range || range.end === job.snap.bytesTotal) job.bodyEnded = true;
            },
          });
          signal.addEventListener('abort', () => body.destroy(signal.reason as Error), { once: true });
          return body;
        },
      });
      const h = hasher as StreamHasher | null;
      job.digests = h ? await h.digest() : null;
      hasher = null;
      // The 204 means Glance stored every byte: if no status read caught `saving`, it ended now.
      this.#mark(job, 'saving');
    } finally {
      polling = false;
      if (statusTimer) clearTimeout(statusTimer);
      (hasher as StreamHasher | null)?.dispose();
      await Promise.allSettled(handles.map((h) => h.close()));
    }
    job.snap.bytesPerSecond = null;
    job.snap.etaSeconds = null;
    job.snap.glanceStatus = null; // read again while verifying
    job.snap.resume = { kind: 'none' }; // a pause that came after the last byte held nothing
    job.transportState = null; // the transfer is complete: nothing of it is left to resume
    this.#transition(job, 'uploaded');
    this.#changed(job, true);
  }

  async #pollStatusDuringUpload(job: Job, ctx: EngineContext, signal: AbortSignal): Promise<void> {
    if (job.snap.phase !== 'uploading' && job.snap.phase !== 'paused') return;
    try {
      const image = await ctx.glance.getImage(job.snap.imageId!, signal);
      if (job.snap.phase === 'uploading' || job.snap.phase === 'paused') this.#setGlanceStatus(job, image.status);
    } catch {
      // A status read is for display only; the PUT itself reports real failures.
    }
  }

  /** Waits for `active`, then compares size and checksum with what was sent. */
  async #verifyJob(job: Job, ctx: EngineContext, signal: AbortSignal): Promise<void> {
    const imageId = job.snap.imageId!;
    let delay = this.#verify.pollStartMs;
    let lastStatus: string | null = null;
    let lastChange = this.#now();
    let image: GlanceImage;
    for (;;) {
      image = await ctx.glance.getImage(imageId, signal);
      this.#setGlanceStatus(job, image.status);
      if (image.status !== lastStatus) {
        lastStatus = image.status;
        lastChange = this.#now();
        this.#changed(job, true);
      }
      if (image.status === 'active') break;
      if (image.status === 'killed') {
        throw new ImagedropError(
          'upload/killed',
          'The image service could not store the data (the image is killed): try the upload again, and if it fails again ask the cloud administrator to check the store.',
        );
      }
      if (image.status === 'deleted' || image.status === 'pending_delete') {
        throw new ImagedropError(
          'glance/gone',
          'The image was deleted before it became active: upload the file again to a new image.',
        );
      }
      if (image.status === 'queued') {
        throw new ImagedropError(
          'upload/interrupted',
          'The image service does not have the data (the image is back to queued): upload the file again.',
          { retryable: true },
        );
      }
      if (this.#now() - lastChange > this.#verify.stallTimeoutMs) {
        throw new ImagedropError(
          'upload/verify-timeout',
          `The image has been ${image.status} for too long without becoming active: check it on the dashboard, or ask the cloud administrator.`,
        );
      }
      await sleep(delay, signal);
      delay = Math.min(this.#verify.maxPollMs, delay * 1.5);
    }
    this.#mark(job, 'active');
    if (await this.#compare(job, ctx, image, signal)) {
      this.#mark(job, 'verified');
      job.snap.verified = true;
    } else {
      // Done, but not called verified: the image stays, and the job says why (IMS, for one,
      // reports no checksum at all).
      job.snap.error = {
        code: 'upload/unverified',
        message:
          'The image is active, but the image service reports no checksum, so Imagedrop cannot verify it: check the image before you use it.',
        retryable: false,
      };
    }
    job.snap.resume = { kind: 'none' };
    this.#transition(job, 'verified');
    this.#changed(job, true);
  }

  /** True when size and checksum match; false when the server reports no checksum at all. Throws on a mismatch. */
  async #compare(job: Job, ctx: EngineContext, image: GlanceImage, signal: AbortSignal): Promise<boolean> {
    const sent = job.sentIdentity?.size ?? job.snap.bytesTotal;
    const algo = image.os_hash_algo;
    const value = image.os_hash_value;
    await this.#options.cloudFacts.remember(ctx.imageEndpoint, algo && value ? algo : null);
    const digest = async (a: string) => {
      const kept = job.digests?.[a];
      if (kept === undefined) return hashFile(job.request.path, a, { sent: job.sentIdentity, signal });
      await this.#assertFileAsSent(job);
      return kept;
    };
    const checksums = {
      ...job.snap.checksums,
      algorithm: algo ?? null,
      server: value ?? null,
      md5Server: image.checksum ?? null,
    };
    const mismatch = (what: string) =>
      new ImagedropError(
        'upload/integrity',
        `INTEGRITY ERROR: the image service stored different data than Imagedrop sent (${what}). The image was not used; upload it again and check the network path.`,
        { detail: what },
      );
    if (image.size !== null && image.size !== sent) {
      job.snap.checksums = checksums;
      throw mismatch(`size ${image.size} bytes on the server, ${sent} bytes sent`);
    }
    if (algo && value) {
      const local = await digest(algo);
      checksums.local = local;
      if (job.digests?.md5) checksums.md5Local = job.digests.md5;
      job.snap.checksums = checksums;
      if (local.toLowerCase() !== value.toLowerCase())
        throw mismatch(`${algo} ${value.slice(0, 16)}… on the server, ${local.slice(0, 16)}… sent`);
      return true;
    }
    if (image.checksum) {
      const md5 = await digest('md5');
      checksums.md5Local = md5;
      job.snap.checksums = checksums;
      if (md5.toLowerCase() !== image.checksum.toLowerCase())
        throw mismatch(`md5 ${image.checksum} on the server, ${md5} sent`);
      return true;
    }
    job.snap.checksums = checksums;
    return false;
  }

  /**
   * Digests kept from the transfer say what was sent. The file at the path must still be that file
   * (size, mtime, inode, change time) for "verified" to mean the image equals it; a file moved away
   * leaves only what was sent to compare.
   */
  async #assertFileAsSent(job: Job): Promise<void> {
    const sent = job.sentIdentity;
    if (!sent) return;
    let now: FileIdentity;
    try {
      now = await fileIdentity(job.request.path);
    } catch (e) {
      if (e instanceof ImagedropError && e.code === 'file/not-found') return;
      throw e;
    }
    if (!sameFile(sent, now)) {
      throw fileChangedError(
        job.request.path,
        `${howChanged(sent, now)} after it was sent, so the upload cannot be checked against it`,
      );
    }
  }

  // ── Internals: failures, retries, cancel ────────────────────────────────────────────────────

  async #handleFailure(job: Job, ctx: EngineContext, e: unknown): Promise<void> {
    if (e instanceof HoldSignal) return; // #check already put the job on hold for the user
    let error = toAppError(e);
    // A 401 on a data PUT: the token was refused after all; authenticate again and go once more.
    if (error.httpStatus === 401 && !job.renewedAfter401) {
      job.renewedAfter401 = true;
      try {
        await ctx.glance.session.renew(AbortSignal.any([this.#closing.signal, AbortSignal.timeout(60_000)]));
        error = { ...error, retryable: true };
      } catch (renewError) {
        error = toAppError(renewError);
      }
    }
    const phase = job.snap.phase;
    if (error.retryable && canTransition(phase, 'connection-lost')) {
      if (phase === 'paused') {
        // The user holds this job: an automatic retry would send the whole file again behind
        // their back. It waits for their Resume, which says it starts again from 0.
        job.heldByUser = true;
        error = {
          code: 'upload/interrupted',
          message:
            'The connection closed while this upload was paused (the image service drops a connection that stays silent too long): resume sends the file again from 0.',
          retryable: true,
          detail: error.message,
          ...(error.httpStatus ? { httpStatus: error.httpStatus } : {}),
        };
      }
      job.snap.error = error;
      job.snap.bytesPerSecond = null;
      job.snap.etaSeconds = null;
      // A broken upload cannot continue; what the image looks like now is read just below.
      job.snap.resume = { kind: 'restart' };
      job.snap.glanceStatus = null;
      this.#transition(job, 'connection-lost');
      this.#changed(job, true);
      await this.#probeImage(job, ctx);
      this.#maybeScheduleRetry(job);
      return;
    }
    await this.#fail(job, ctx, error);
  }

  /** After a broken connection: what will a resume do? Glance needs up to ~0.4 s to put the image back to queued. */
  async #probeImage(job: Job, ctx: EngineContext): Promise<void> {
    if (!job.snap.imageId) {
      job.snap.resume = { kind: 'restart' };
      return;
    }
    const signal = AbortSignal.timeout(SAVING_SETTLE_MS + 5_000);
    try {
      let image = await this.#getImageOrNull(ctx, job.snap.imageId, signal);
      if (image?.status === 'saving') image = await this.#waitWhileSaving(ctx, job.snap.imageId, signal);
      this.#setPlanFromImage(job, image?.status ?? null);
    } catch {
      // The service cannot be asked now: the plan is decided when the job is checked again.
      job.snap.glanceStatus = null;
      job.snap.resume = { kind: 'restart' };
    }
    this.#changed(job, true);
  }

  #setPlanFromImage(job: Job, status: GlanceImageStatus | null): void {
    this.#setGlanceStatus(job, status);
    const offset = this.#transport.resumeOffset(job.transportState);
    if (status === 'saving' || status === 'killed') {
      job.snap.resume = { kind: 'recreate', imageStatus: status };
    } else if (status === 'active' && job.snap.createdImage) {
      job.snap.resume = { kind: 'verify' };
    } else if (status === 'queued' && offset > 0) {
      job.snap.resume = { kind: 'continue', percent: percentOf(offset, job.snap.bytesTotal) };
    } else {
      job.snap.resume = { kind: 'restart' };
    }
  }

  #maybeScheduleRetry(job: Job): void {
    // The probe before this awaited: a resume, a cancel or a shutdown may have come meanwhile.
    if (job.snap.phase !== 'interrupted' || job.cancelling || this.#disposed) return;
    this.#clearRetryTimer(job);
    if (job.heldByUser) {
      this.#changed(job, true);
      return;
    }
    const now = this.#now();
    job.firstFailureAt ??= now;
    const plan = job.snap.resume;
    const allowed =
      job.retries < this.#retry.maxRetries &&
      now - job.firstFailureAt < this.#retry.maxTotalMs &&
      (plan.kind !== 'recreate' || this.#options.autoRecreate === true);
    if (!allowed) {
      this.#changed(job, true);
      return;
    }
    job.retries += 1;
    const exp = Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** (job.retries - 1));
    const delay = Math.round(exp / 2 + (this.#random() * exp) / 2); // "equal jitter"
    job.snap.retryAt = now + delay;
    const timer = setTimeout(() => {
      if (job.retryTimer !== timer) return; // replaced or cleared meanwhile
      job.retryTimer = null;
      job.snap.retryAt = null;
      if (job.snap.phase !== 'interrupted' || job.cancelling || this.#disposed) return;
      this.#transition(job, 'resume');
      this.#changed(job, true);
      this.#schedule();
    }, delay);
    job.retryTimer = timer;
    this.#changed(job, true);
  }

  async #fail(job: Job, ctx: EngineContext | null, error: AppError): Promise<void> {
    // A record this engine created must not stay behind half-done: delete it (the job keeps its id).
    let finalError = error;
    // Keep the record when its data may be good: after the PUT, only a mismatch or a killed image
    // is bad data; anything else there failed the checking, not the image. And an internal
    // error is a bug of Imagedrop's, never a reason to destroy what the user uploaded.
    const gone = error.code === 'glance/not-found' || error.code === 'glance/gone';
    const keep =
      error.code === 'internal' ||
      (job.snap.phase === 'verifying' && error.code !== 'upload/integrity' && error.code !== 'upload/killed');
    if (gone && job.snap.imageId) {
      // Someone else deleted it: nothing is left to keep or to delete.
      job.snap.createdImage = false;
      job.snap.glanceStatus = 'deleted';
    } else if (keep && job.snap.createdImage && job.snap.imageId) {
      finalError = {
        ...error,
        detail: `${error.detail ? `${error.detail}\n` : ''}Image ${job.snap.imageId} was kept.`,
      };
    } else if (job.snap.createdImage && job.snap.imageId && ctx) {
      try {
        await this.#deleteOwnImage(ctx, job, AbortSignal.timeout(30_000), { keepId: true });
        if (error.code === 'upload/integrity') {
          finalError = { ...error, message: `${error.message} The mismatching image was deleted.` };
        }
      } catch (deleteError) {
        const d = toAppError(deleteError);
        finalError = {
          ...error,
          detail: `${error.detail ? `${error.detail}\n` : ''}The image record ${job.snap.imageId} could not be deleted (${d.message}); delete it from the dashboard.`,
        };
      }
    }
    job.snap.error = finalError;
    job.snap.resume = { kind: 'none' };
    job.snap.bytesPerSecond = null;
    job.snap.etaSeconds = null;
    this.#clearRetryTimer(job);
    if (canTransition(job.snap.phase, 'fail')) this.#transition(job, 'fail');
    this.#changed(job, true);
  }

  async #cancelJob(job: Job): Promise<void> {
    job.cancelling = true;
    this.#clearRetryTimer(job);
    job.controller?.abort(new CancelledError('Cancelled by the user.'));
    this.#openGate(job); // a paused body must wake up to notice the abort
    await job.running?.catch(() => {});
    // Clean up on the cloud the job ran against, even if another one is connected now.
    const current = this.#options.context();
    const ctx = job.ctx ?? (current?.cloudKey === job.cloudKey ? current : null);
    let error: AppError | null = null;
    if (job.snap.createdImage && job.snap.imageId) {
      if (ctx) {
        try {
          await this.#deleteOwnImage(ctx, job, AbortSignal.timeout(30_000), { keepId: true });
        } catch (e) {
          error = {
            ...toAppError(e),
            message: `The upload was cancelled, but its image record ${job.snap.imageId} could not be deleted: delete it from the dashboard.`,
          };
        }
      } else {
        error = {
          code: 'auth/not-connected',
          message: `The upload was cancelled; its image record ${job.snap.imageId} is on ${job.cloudName ?? 'another cloud'}: connect to it to delete the record.`,
          retryable: false,
        };
      }
    }
    job.cancelling = false;
    job.snap.error = error;
    job.snap.resume = { kind: 'none' };
    job.snap.bytesPerSecond = null;
    job.snap.etaSeconds = null;
    if (canTransition(job.snap.phase, 'cancel')) this.#transition(job, 'cancel');
    this.#changed(job, true);
  }

  /** Deletes the job's image, only when this engine created it. A 404 counts as deleted. */
  async #deleteOwnImage(
    ctx: EngineContext,
    job: Job,
    signal: AbortSignal,
    options: { keepId?: boolean } = {},
  ): Promise<void> {
    const id = job.snap.imageId;
    if (!id || !job.snap.createdImage) return;
    // A record must not stay behind because of one 500 or 503: retry what is retryable.
    for (let attempt = 1; ; attempt++) {
      try {
        await ctx.glance.deleteImage(id, signal);
        break;
      } catch (e) {
        if (e instanceof ImagedropError && e.code === 'glance/not-found') {
          // Not there (yet?): a create that got no answer may still land; wait for it, then delete it.
          if (job.createUncertain) {
            job.createUncertain = false;
            if (await this.#waitForLateCreate(ctx, id, signal)) continue;
          }
          break;
        }
        if (!(e instanceof ImagedropError && e.retryable) || attempt >= DELETE_ATTEMPTS) throw e;
        await sleep(DELETE_RETRY_BASE_MS * 2 ** (attempt - 1), signal);
      }
    }
    // The job may have moved on meanwhile (a new record after a retry): only forget what was deleted.
    if (job.snap.imageId !== id) return;
    job.snap.glanceStatus = 'deleted';
    job.snap.createdImage = false;
    if (!options.keepId) job.snap.imageId = null;
    this.#persist();
  }

  async #getImageOrNull(ctx: EngineContext, id: string, signal: AbortSignal): Promise<GlanceImage | null> {
    try {
      return await ctx.glance.getImage(id, signal);
    } catch (e) {
      if (e instanceof ImagedropError && e.code === 'glance/not-found') return null;
      throw e;
    }
  }

  /**
   * After a create that got no answer: looks for the record for a while (Glance may commit a POST
   * it received after the client gave up on it). Returns it when it appears; null when it did not.
   */
  async #waitForLateCreate(ctx: EngineContext, id: string, signal: AbortSignal): Promise<GlanceImage | null> {
    const until = this.#now() + LATE_CREATE_WAIT_MS;
    for (;;) {
      const image = await this.#getImageOrNull(ctx, id, signal);
      if (image || this.#now() >= until) return image;
      await sleep(500, signal);
    }
  }

  /** Glance shows `saving` for a moment after a broken upload; wait for it to settle. */
  async #waitWhileSaving(ctx: EngineContext, id: string, signal: AbortSignal): Promise<GlanceImage | null> {
    const until = this.#now() + SAVING_SETTLE_MS;
    let image = await this.#getImageOrNull(ctx, id, signal);
    while (image?.status === 'saving' && this.#now() < until) {
      await sleep(250, signal);
      image = await this.#getImageOrNull(ctx, id, signal);
    }
    return image;
  }

  /** Records the image's status and publishes a change (a paused job has no byte ticks to carry it). */
  #setGlanceStatus(job: Job, status: GlanceImageStatus | null): void {
    if (job.snap.glanceStatus === status) return;
    job.snap.glanceStatus = status;
    if (status === 'saving') this.#mark(job, 'saving');
    this.#changed(job);
  }
}

/** 'all', or several named jobs: commands pass over the jobs they cannot apply to; one named job gets an error. */
function isBatch(selection: UploadSelection): boolean {
  return selection === 'all' || selection.length > 1;
}

/** Thrown by #check when a job needs the user; not a failure. */
class HoldSignal extends Error {}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
