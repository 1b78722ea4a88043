// The upload engine: the only writer of upload state. It owns the queue, the commands, the phases
// (moving only through the pure table in shared/phases.ts), retries, clean-up after a failure or a
// cancel, and the job log, so that a restart loses nothing. Everything that differs between image
// services sits behind the job's ImageTarget (target.ts): the engine names none of them. Each job's
// durable JobState changes only through #update, which also decides what is urgent and what is
// persisted; the snapshots the views see are derived from it (snapshot.ts). It never imports electron.
import { randomUUID } from 'node:crypto';
import type { AppError } from '../../../shared/errors.ts';
import type { Inspection } from '../../../shared/inspect.ts';
import type { Unsubscribe, UploadSelection } from '../../../shared/ipc.ts';
import { canTransition, isFinished, nextPhase, type UploadEvent } from '../../../shared/phases.ts';
import { percentOf } from '../../../shared/format.ts';
import { TARGETS, type StepRecord } from '../../../shared/targets.ts';
import type { LifecycleStep, UploadId, UploadRequest, UploadSnapshot } from '../../../shared/upload.ts';
import { ImagedropError, toAppError } from '../errors.ts';
import { fileChangedError, fileIdentity, howChanged, sameFile, type FileIdentity } from '../files/identity.ts';
import { checkLocalFile } from '../files/local-file.ts';
import { FileSource } from './file-source.ts';
import type { JobLog } from './job-log.ts';
import { newJobState, type JobState } from './job-state.ts';
import { afterFailure } from './policy/failure.ts';
import { restoredJob } from './policy/restore.ts';
import { DEFAULT_RETRY, retryDelay, type RetryPolicy } from './policy/retry.ts';
import { ProgressMeter } from './progress-meter.ts';
import { createProgressPump, type ProgressPump } from './progress-pump.ts';
import { toSnapshot, type JobRuntime } from './snapshot.ts';
import type { EngineCloud, ImageTarget, TargetChange, TargetJob, TargetRun } from './target.ts';

export { DEFAULT_RETRY, type RetryPolicy } from './policy/retry.ts';

export type Inspect = (
  path: string,
  options: { declaredFormat?: string; acceptedDiskFormats?: readonly string[]; signal?: AbortSignal },
) => Promise<Inspection>;

/** Progress is written to the job log at most this often (phase changes at once). */
export const LOG_PROGRESS_EVERY_MS = 3_000;
/** How long a target may take to tell what a resume will do after a break. */
export const RESUME_PLAN_TIMEOUT_MS = 11_000;
/** Cleaning up after a failure or a cancel gets this long. */
export const CLEAN_UP_TIMEOUT_MS = 30_000;
/** A 401 renewal gets this long. */
export const RENEW_TIMEOUT_MS = 60_000;

export interface EngineOptions {
  readonly context: () => EngineCloud | null;
  readonly inspect: Inspect;
  readonly jobLog?: JobLog | null;
  readonly concurrency?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Consent given up front to replace records stuck on the server (the CLI's --recreate-stuck). */
  readonly autoRecreate?: boolean;
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
  state: JobState;
  /** The projection of `state` the views last got (recomputed after each change). */
  snapshot: UploadSnapshot | null;
  // Runtime only:
  controller: AbortController | null;
  running: Promise<void> | null;
  gate: Gate;
  meter: ProgressMeter | null;
  bytesPerSecond: number | null;
  etaSeconds: number | null;
  retryTimer: NodeJS.Timeout | null;
  retryAt: number | null;
  retries: number;
  firstFailureAt: number | null;
  recreateConsent: boolean;
  renewedAfter401: boolean;
  cancelling: boolean;
  /** The running cancel (abort, then clean up), for whoever must wait for it. */
  cancelRun: Promise<void> | null;
  /** Every byte is on its way: a pause now would hold nothing. */
  bodyEnded: boolean;
  /** The cloud the job last ran against: cancel cleans up there, whatever is connected now. */
  cloud: EngineCloud | null;
  /** The file as it was checked: the transfer must send that same file. */
  identity: FileIdentity | null;
  /** The connection broke while the user held the job paused: wait for the user, no automatic retry. */
  heldByUser: boolean;
  lastLoggedAt: number;
}

class CancelledError extends Error {
  override readonly name = 'AbortError';
}

/** Aborts a transfer for a pause of a target that cannot hold its connection. */
class PauseSignal extends Error {
  override readonly name = 'AbortError';
}

export class UploadEngine {
  readonly #jobs = new Map<UploadId, Job>();
  readonly #options: EngineOptions;
  readonly #retry: RetryPolicy;
  readonly #pump: ProgressPump;
  readonly #listeners = new Set<(batch: readonly UploadSnapshot[]) => void>();
  readonly #phaseListeners = new Set<(snapshot: UploadSnapshot, previous: UploadSnapshot['phase']) => void>();
  readonly #removedListeners = new Set<(ids: readonly UploadId[]) => void>();
  readonly #now: () => number;
  readonly #random: () => number;
  #concurrency: number;
  #disposed = false;
  /** Aborted by dispose(): what a cancel must not abort (a record's creation) still stops on shutdown. */
  readonly #closing = new AbortController();

  constructor(options: EngineOptions) {
    this.#options = options;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
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
    return [...this.#jobs.values()].map((j) => this.#snapshot(j));
  }

  get(id: UploadId): UploadSnapshot | undefined {
    const job = this.#jobs.get(id);
    return job ? this.#snapshot(job) : undefined;
  }

  /** Image ids this engine created and still tracks (for the dashboard's "created by Imagedrop"). */
  createdImageIds(): Set<string> {
    const ids = new Set<string>();
    for (const j of this.#jobs.values()) if (j.state.image.owned && j.state.image.id) ids.add(j.state.image.id);
    return ids;
  }

  /**
   * Image ids of unfinished jobs (running, paused, queued or waiting for the user): an upload may
   * still send data into them, so nothing else may delete them, however stuck they look (an image
   * service need not touch `updated_at` while data streams in).
   */
  activeImageIds(): Set<string> {
    const ids = new Set<string>();
    for (const j of this.#jobs.values()) {
      if (j.state.image.id && (!isFinished(j.state.phase) || j.cancelling)) ids.add(j.state.image.id);
    }
    return ids;
  }

  /**
   * Each job that may still use what its target holds on the server (unfinished, or with a
   * leftover), with that target's own state, opaque here: the services above read their part of it
   * (an unfinished object upload a job can still resume must not be aborted from elsewhere).
   */
  heldTargetStates(): { readonly id: UploadId; readonly targetState: unknown }[] {
    const held: { id: UploadId; targetState: unknown }[] = [];
    for (const j of this.#jobs.values()) {
      if (!isFinished(j.state.phase) || j.state.leftover || j.cancelling)
        held.push({ id: j.state.id, targetState: j.state.targetState });
    }
    return held;
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
    for (const saved of await log.load()) {
      if (this.#jobs.has(saved.id)) continue;
      const restored = restoredJob(saved, options.hold?.(saved.id) ?? false);
      const job = this.#newJob({ ...saved, ...restored });
      this.#jobs.set(saved.id, job);
    }
    this.#persist();
    for (const job of this.#jobs.values()) this.#pump.push(this.#snapshot(job));
    this.#pump.flush();
  }

  /** Asks the targets of interrupted jobs of the current cloud what a resume will do, so the plans are true. */
  async refreshInterrupted(signal: AbortSignal): Promise<void> {
    const cloud = this.#options.context();
    if (!cloud) return;
    for (const job of this.#jobs.values()) {
      if (job.state.phase !== 'interrupted' || job.state.cloudKey !== cloud.key) continue;
      if (!job.state.image.id && job.state.targetState == null) continue;
      const target = cloud.target(job.state.target);
      if (!target) continue;
      // The user may resume (or cancel) it while the server is read: only a job still waiting takes the result.
      const stillWaiting = () => job.state.phase === 'interrupted' && !job.cancelling;
      try {
        const plan = await target.resumePlan(this.#run(job, target, signal, stillWaiting));
        if (stillWaiting()) this.#update(job, { resume: plan });
      } catch {
        // The service cannot be asked now: the plan is decided when the job is checked again.
      }
    }
    this.#schedule();
  }

  // ── Commands ────────────────────────────────────────────────────────────────────────────────

  /** Queues uploads for the current cloud. */
  add(requests: readonly UploadRequest[]): UploadId[] {
    const cloud = this.#options.context();
    if (!cloud) throw new ImagedropError('auth/not-connected', 'Connect to a cloud before adding uploads.');
    const kinds = requests.map((r) => cloud.targetKindFor(r)); // refuses the whole batch before queueing any
    const ids: UploadId[] = [];
    for (const [i, request] of requests.entries()) {
      const id = randomUUID();
      const state = newJobState(
        id,
        request,
        kinds[i]!,
        { key: cloud.key, name: cloud.name, userName: cloud.userName },
        this.#now(),
      );
      const job = this.#newJob(state);
      this.#jobs.set(id, job);
      ids.push(id);
      this.#publish(job, true);
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
        `${this.#name(job)} has sent every byte and the image service is storing it: there is nothing left to pause.`,
      );
    });
    for (const job of jobs) {
      job.gate.open = false;
      job.bytesPerSecond = null;
      job.etaSeconds = null;
      this.#transition(job, 'pause', {
        resume: { kind: 'continue', percent: percentOf(job.state.bytesSent, job.state.bytesTotal) },
      });
      // A target that cannot hold its connection stops now; resume continues from what the service kept.
      if (this.#targetOf(job)?.pauseMode === 'abort') job.controller?.abort(new PauseSignal('Paused by the user.'));
    }
  }

  /**
   * Resumes paused jobs (same connection, same byte; or, for a target that stopped, from what the
   * service kept) and interrupted ones (as their resume plan says; a record stuck on the server
   * is replaced only with `recreate` consent).
   */
  resume(selection: UploadSelection, options: { recreate?: boolean } = {}): void {
    const cloud = this.#options.context();
    const jobs = this.#select(selection, 'resume').filter((job) => {
      if (job.state.phase === 'paused' || job.state.cloudKey === cloud?.key) return true;
      if (isBatch(selection)) return false;
      throw new ImagedropError(
        'auth/not-connected',
        `${this.#name(job)} belongs to ${job.state.cloudName ?? 'another cloud'}: connect to it to resume this upload.`,
      );
    });
    const consented = (job: Job) =>
      job.state.resume.kind !== 'recreate' || options.recreate === true || this.#options.autoRecreate === true;
    for (const job of jobs) {
      if (job.state.phase === 'interrupted' && !consented(job) && !isBatch(selection)) {
        const plan = job.state.resume;
        const status = plan.kind === 'recreate' ? plan.imageStatus : 'unknown';
        throw new ImagedropError(
          'upload/not-resumable',
          `The image for ${this.#name(job)} is ${status === 'unknown' ? 'in an unknown state' : `stuck in ${status}`}: resuming replaces it with a new image record, which needs your consent.`,
        );
      }
    }
    for (const job of jobs) {
      if (job.state.phase === 'paused') {
        job.meter?.restartWindow(this.#now());
        this.#transition(job, 'resume', { resume: { kind: 'none' } });
        if (job.running) this.#openGate(job);
        else this.#start(job); // its transfer stopped at the pause: go on from what the service kept
      } else if (job.state.phase === 'interrupted') {
        if (!consented(job)) continue;
        this.#clearRetryTimer(job);
        job.recreateConsent = job.recreateConsent || options.recreate === true;
        job.heldByUser = false;
        job.retries = 0;
        job.firstFailureAt = null;
        this.#transition(job, 'resume');
      }
    }
    this.#schedule();
  }

  /** Retries failed jobs from the start (the record is reused when it still waits for data). */
  retry(selection: UploadSelection): void {
    for (const job of this.#select(selection, 'retry')) {
      job.renewedAfter401 = false;
      job.retries = 0;
      job.firstFailureAt = null;
      this.#transition(job, 'retry', { error: null, verified: false, verifiedBy: null });
    }
    this.#schedule();
  }

  /** Aborts jobs, then removes what the engine created for them. */
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

  /** Tries again to remove what finished jobs left behind (a record a failed DELETE could not remove). */
  async cleanUpLeftovers(selection: UploadSelection): Promise<void> {
    const ids = selection === 'all' ? [...this.#jobs.keys()] : selection;
    for (const id of ids) {
      const job = this.#jobs.get(id);
      if (!job || !job.state.leftover || !isFinished(job.state.phase) || job.cancelling) continue;
      const cloud = this.#cloudFor(job);
      const target = cloud?.target(job.state.target);
      if (!cloud || !target) {
        if (!isBatch(selection)) {
          throw new ImagedropError(
            'auth/not-connected',
            `${job.state.leftover} is on ${job.state.cloudName ?? 'another cloud'}: connect to it to delete it.`,
          );
        }
        continue;
      }
      try {
        await target.cleanUp(this.#run(job, target, AbortSignal.timeout(CLEAN_UP_TIMEOUT_MS)), 'failure');
        // A cancel's error said what was left; it is gone now. A failure keeps its reason.
        this.#update(job, { leftover: null, ...(job.state.phase === 'cancelled' ? { error: null } : {}) });
      } catch (e) {
        if (!isBatch(selection)) throw e;
      }
    }
  }

  /** Removes finished jobs from the queue (their images stay on the server); never one with a leftover. */
  clear(selection: UploadSelection): void {
    const ids = selection === 'all' ? [...this.#jobs.keys()] : selection;
    const removed: UploadId[] = [];
    for (const id of ids) {
      const job = this.#jobs.get(id);
      if (job && isFinished(job.state.phase) && !job.state.leftover && !job.cancelling) {
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
      (!isFinished(j.state.phase) &&
        !(j.state.phase === 'interrupted' && j.retryTimer === null && !j.running) &&
        !(j.state.phase === 'paused' && !j.running) &&
        !(j.state.phase === 'queued' && j.state.cloudKey !== cloudKey));
    for (;;) {
      const cloudKey = this.#options.context()?.key;
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

  // ── Internals: the one update path ──────────────────────────────────────────────────────────

  #newJob(state: JobState): Job {
    return {
      state,
      snapshot: null,
      controller: null,
      running: null,
      gate: { open: true, waiters: [] },
      meter: null,
      bytesPerSecond: null,
      etaSeconds: null,
      retryTimer: null,
      retryAt: null,
      retries: 0,
      firstFailureAt: null,
      recreateConsent: false,
      renewedAfter401: false,
      cancelling: false,
      cancelRun: null,
      bodyEnded: false,
      cloud: null,
      identity: null,
      heldByUser: false,
      lastLoggedAt: 0,
    };
  }

  #snapshot(job: Job): UploadSnapshot {
    const runtime: JobRuntime = {
      bytesPerSecond: job.bytesPerSecond,
      etaSeconds: job.etaSeconds,
      retryAt: job.retryAt,
    };
    job.snapshot ??= toSnapshot(job.state, runtime);
    return job.snapshot;
  }

  /**
   * The only way a job's state changes. It decides what is urgent (a phase, a plan, an error, a
   * leftover or the image's status: the views get it at the end of this tick) and what is
   * persisted (urgent changes at once, progress every few seconds).
   */
  #update(job: Job, patch: Partial<JobState>, options: { urgent?: boolean } = {}): void {
    const before = job.state;
    const state: JobState = { ...before, ...patch, updatedAt: this.#now() };
    job.state = state;
    const urgent =
      options.urgent === true ||
      state.phase !== before.phase ||
      state.resume.kind !== before.resume.kind ||
      state.error !== before.error ||
      state.leftover !== before.leftover ||
      state.image.status !== before.image.status;
    this.#publish(job, urgent);
  }

  /** Publishes the job's snapshot (after a change to its state or runtime) and persists as due. */
  #publish(job: Job, urgent: boolean): void {
    job.snapshot = null;
    this.#pump.push(this.#snapshot(job), { urgent });
    if (urgent) this.#persist();
    else if (this.#now() - job.lastLoggedAt > LOG_PROGRESS_EVERY_MS) {
      job.lastLoggedAt = this.#now();
      this.#persist();
    }
  }

  #transition(job: Job, event: UploadEvent, patch: Partial<JobState> = {}): void {
    const previous = job.state.phase;
    const phase = nextPhase(previous, event);
    const now = this.#now();
    const timing: Partial<JobState> =
      event === 'start' ? { startedAt: now, finishedAt: null } : isFinished(phase) ? { finishedAt: now } : {};
    this.#update(job, { ...patch, ...timing, phase });
    if (phase !== previous) {
      const copy = this.#snapshot(job);
      for (const l of this.#phaseListeners) l(copy, previous);
    }
  }

  /** Marks a step of the job's target: start (clears an earlier end), end, or skip. */
  #step(job: Job, step: LifecycleStep, event: 'start' | 'end' | 'skip' | { percent: number }): void {
    const now = this.#now();
    const prev = job.state.steps[step];
    let record: StepRecord;
    if (event === 'start') record = { startedAt: now, endedAt: null, percent: null };
    else if (event === 'end')
      record = { startedAt: prev?.startedAt ?? now, endedAt: now, percent: prev?.percent ?? null };
    else if (event === 'skip') record = { startedAt: null, endedAt: null, skipped: true };
    else record = { startedAt: prev?.startedAt ?? now, endedAt: prev?.endedAt ?? null, percent: event.percent };
    this.#update(job, { steps: { ...job.state.steps, [step]: record } }, { urgent: typeof event === 'string' });
  }

  /** Forgets the records of `step` and every step after it in the target's order: they will happen again. */
  #clearStepsFrom(job: Job, step: LifecycleStep): void {
    const order = TARGETS[job.state.target].steps;
    const from = order.indexOf(step);
    if (from < 0) return;
    const steps = { ...job.state.steps };
    for (const s of order.slice(from)) delete steps[s];
    this.#update(job, { steps });
  }

  /** The step after `step` in the job's target, or null. */
  #stepAfter(job: Job, step: LifecycleStep): LifecycleStep | null {
    const order = TARGETS[job.state.target].steps;
    const i = order.indexOf(step);
    return i >= 0 && i + 1 < order.length ? order[i + 1]! : null;
  }

  #records(): JobState[] {
    return [...this.#jobs.values()].map((j) => j.state);
  }

  #persist(): void {
    if (!this.#options.jobLog) return;
    void this.#options.jobLog.save(() => this.#records());
  }

  /**
   * Writes the log now and waits for the disk: before a side effect a crash must not lose (a
   * record created, an upload started). A log that cannot be written throws joblog/unwritable,
   * and the side effect does not happen.
   */
  async #persistNow(): Promise<void> {
    const log = this.#options.jobLog;
    if (!log) return;
    await log.save(() => this.#records());
    await log.flush();
  }

  #name(job: Job): string {
    return this.#snapshot(job).fileName;
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
    job.retryAt = null;
  }

  #select(selection: UploadSelection, event: UploadEvent): Job[] {
    // A job being cancelled is on its way out: nothing may start it again meanwhile.
    const able = (j: Job | undefined): j is Job => !!j && !j.cancelling && canTransition(j.state.phase, event);
    if (selection === 'all') return [...this.#jobs.values()].filter(able);
    // "Resume all" in a view names the jobs it saw; one that moved on meanwhile (an automatic
    // retry started it, it finished) is passed over rather than failing the others.
    if (isBatch(selection)) return selection.map((id) => this.#jobs.get(id)).filter(able);
    return selection.map((id) => {
      const job = this.#jobs.get(id);
      if (!job)
        throw new ImagedropError('ipc/unknown-upload', 'That upload is not in the queue any more: refresh the queue.');
      if (job.cancelling) throw new ImagedropError('ipc/invalid-request', `${this.#name(job)} is being cancelled.`);
      if (!canTransition(job.state.phase, event)) {
        throw new ImagedropError(
          'ipc/invalid-request',
          `${this.#name(job)} cannot ${event} while it is ${job.state.phase}.`,
        );
      }
      return job;
    });
  }

  /** The cloud to clean up a job on: the one it ran against, or the connected one if it is the job's. */
  #cloudFor(job: Job): EngineCloud | null {
    const current = this.#options.context();
    return job.cloud ?? (current?.key === job.state.cloudKey ? current : null);
  }

  #targetOf(job: Job): ImageTarget | null {
    return this.#cloudFor(job)?.target(job.state.target) ?? null;
  }

  /** The handle a target works through. `live` false drops its changes (the job moved on meanwhile). */
  #run(job: Job, target: ImageTarget, signal: AbortSignal, live: () => boolean = () => true): TargetRun<unknown> {
    let parsed: { raw: unknown; value: unknown } | null = null;
    const stateOf = (raw: unknown) => {
      if (raw == null) return null;
      if (parsed?.raw !== raw) parsed = { raw, value: target.parseState(raw) };
      return parsed.value;
    };
    return {
      get job(): TargetJob<unknown> {
        const s = job.state;
        return {
          id: s.id,
          request: s.request,
          phase: s.phase,
          diskFormat: s.diskFormat,
          format: s.format,
          virtualSize: s.virtualSize,
          bytesTotal: s.bytesTotal,
          image: s.image,
          checksums: s.checksums,
          digests: s.digests,
          sentIdentity: s.sentIdentity,
          checked: job.identity,
          state: stateOf(s.targetState),
        };
      },
      signal,
      closing: this.#closing.signal,
      update: (change: TargetChange<unknown>) => {
        if (!live()) return;
        const patch: { -readonly [K in keyof JobState]?: JobState[K] } = {};
        if (change.image) patch.image = { ...job.state.image, ...change.image };
        if (change.checksums) patch.checksums = change.checksums;
        if (change.object !== undefined) patch.object = change.object;
        if (change.remoteJob !== undefined) patch.remoteJob = change.remoteJob;
        if (change.stores !== undefined) patch.stores = change.stores;
        if (change.state !== undefined) patch.targetState = change.state;
        this.#update(job, patch);
      },
      step: (step, event) => {
        if (live()) this.#step(job, step, event);
      },
      stepPercent: (step, percent) => {
        if (live()) this.#step(job, step, { percent });
      },
      persist: () => this.#persistNow(),
      now: () => this.#now(),
    };
  }

  // ── Internals: the queue ────────────────────────────────────────────────────────────────────

  #schedule(): void {
    if (this.#disposed) return;
    const cloud = this.#options.context();
    if (!cloud) return;
    const holding = [...this.#jobs.values()].filter((j) =>
      ['checking', 'creating', 'uploading', 'paused'].includes(j.state.phase),
    ).length;
    let free = this.#concurrency - holding;
    for (const job of this.#jobs.values()) {
      if (free <= 0) break;
      if (job.state.phase !== 'queued' || job.running || job.cancelling || job.state.cloudKey !== cloud.key) continue;
      free -= 1;
      this.#transition(job, 'start');
      this.#start(job, cloud);
    }
  }

  #start(job: Job, cloud: EngineCloud | null = this.#cloudFor(job)): void {
    job.running = this.#runJob(job, cloud).finally(() => {
      job.running = null;
      this.#schedule();
    });
  }

  async #runJob(job: Job, cloud: EngineCloud | null): Promise<void> {
    const controller = new AbortController();
    job.controller = controller;
    const signal = controller.signal;
    const target = cloud?.target(job.state.target) ?? null;
    try {
      if (!cloud || !target) {
        throw new ImagedropError(
          'auth/not-connected',
          `${this.#name(job)} belongs to ${job.state.cloudName ?? 'another cloud'}: connect to it to run this upload.`,
        );
      }
      job.cloud = cloud;
      const run = this.#run(job, target, signal);
      if (job.state.phase === 'checking') await this.#check(job, target, run);
      if (job.state.phase === 'creating') await this.#prepare(job, target, run);
      if (job.state.phase === 'uploading') await this.#transfer(job, target, run);
      if (job.state.phase === 'verifying') await this.#finishAndVerify(job, target, run);
      job.retries = 0;
      job.firstFailureAt = null;
      job.renewedAfter401 = false;
    } catch (e) {
      // A pause of a target that stops its transfer: the job waits, paused, for the user.
      if (signal.aborted && signal.reason instanceof PauseSignal) return;
      // Cancelled is decided by this job's own signal: an abort error from anything shared (a
      // token renewal another job cancelled) is a failure like any other here.
      if (signal.aborted || job.cancelling) return; // #cancelJob finishes the job
      if (this.#disposed) return;
      await this.#handleFailure(job, target, e);
    } finally {
      job.controller = null;
      job.meter = null;
    }
  }

  // ── Internals: the steps ────────────────────────────────────────────────────────────────────

  /** What the server holds, the local file, the inspector's verdict, the target's own checks. */
  async #check(job: Job, target: ImageTarget, run: TargetRun<unknown>): Promise<void> {
    this.#update(job, { error: null });
    this.#step(job, 'checked', 'start');
    // What the server already has comes first. If every byte went in (the app stopped, or a
    // status read broke, after the transfer), only finishing and verifying are left: that needs
    // the digests kept in the log or the file as it was sent, never a new file check that could
    // fail and cost the image.
    const found = await target.reconcile(run);
    if (found.kind === 'finish') {
      this.#step(job, 'checked', 'end');
      const next = this.#stepAfter(job, 'uploading');
      if (next) this.#clearStepsFrom(job, next);
      this.#transition(job, 'uploaded');
      return;
    }
    this.#update(job, { digests: null }); // whatever was sent before is not what the record holds
    const file = await checkLocalFile(job.state.request.path, target.sizeLimit);
    this.#update(job, { bytesTotal: file.size });
    job.identity = file;
    const request = job.state.request;
    const declared = request.diskFormat === 'auto' ? undefined : request.diskFormat;
    const inspection = await this.#options.inspect(request.path, {
      ...(declared ? { declaredFormat: declared } : {}),
      ...(target.acceptedDiskFormats.length ? { acceptedDiskFormats: target.acceptedDiskFormats } : {}),
      signal: run.signal,
    });
    // The inspector opened the file on its own: make sure it saw the file that was stat'ed.
    const after = await fileIdentity(request.path);
    if (!sameFile(after, file)) {
      throw fileChangedError(request.path, `${howChanged(file, after)} while it was being checked`);
    }
    this.#update(job, {
      format: inspection.format,
      virtualSize: inspection.virtualSize,
      diskFormat: declared ?? inspection.diskFormat,
    });
    if (!inspection.safe) {
      const notAccepted = inspection.reasons.every((r) => r.code === 'format-not-accepted');
      throw new ImagedropError(
        notAccepted ? 'inspect/format-not-accepted' : 'inspect/unsafe',
        inspection.reasons[0]?.message ?? `${this.#name(job)} failed the safety checks.`,
        { detail: inspection.reasons.map((r) => `${r.code}: ${r.message}`).join('\n') },
      );
    }
    await target.check(run);
    this.#step(job, 'checked', 'end');
    run.signal.throwIfAborted();

    switch (found.kind) {
      case 'new':
        this.#clearStepsFrom(job, this.#stepAfter(job, 'checked') ?? 'uploading');
        this.#transition(job, 'checked');
        return;
      case 'reuse':
        job.recreateConsent = false; // given for a stuck record; this one takes data again as it is
        this.#clearStepsFrom(job, 'uploading');
        this.#transition(job, 'reuse');
        return;
      case 'replace':
        if (job.recreateConsent || this.#options.autoRecreate) {
          await target.cleanUp(run, 'replace');
          job.recreateConsent = false;
          this.#clearStepsFrom(job, this.#stepAfter(job, 'checked') ?? 'uploading');
          this.#transition(job, 'checked');
          return;
        }
        this.#transition(job, 'hold', { resume: found.plan, error: found.error });
        return;
      case 'refuse':
        throw found.error;
    }
  }

  async #prepare(job: Job, target: ImageTarget, run: TargetRun<unknown>): Promise<void> {
    await target.prepare(run);
    run.signal.throwIfAborted(); // cancelled while it ran: #cancelJob cleans up
    this.#transition(job, 'created');
  }

  async #transfer(job: Job, target: ImageTarget, run: TargetRun<unknown>): Promise<void> {
    // A new attempt starts unpaused (a pause belonged to the connection that was lost).
    this.#openGate(job);
    job.bodyEnded = false;
    const kept = Math.min(target.keptBytes(run), job.state.bytesTotal);
    const meter = new ProgressMeter(this.#now(), kept);
    job.meter = meter;
    const startedAt = this.#now();
    this.#update(job, { attempt: job.state.attempt + 1, bytesSent: kept, resume: { kind: 'none' }, digests: null });
    this.#step(job, 'uploading', 'start');
    // Another attempt may find the file changed since the job was checked (a restart between them).
    const checked = job.identity ?? (await checkLocalFile(job.state.request.path, target.sizeLimit));
    job.identity = checked;
    const source = new FileSource({
      path: job.state.request.path,
      checked,
      gate: () => (job.gate.open ? Promise.resolve() : new Promise<void>((r) => job.gate.waiters.push(r))),
      onProgress: (delta) => {
        const bytesSent = Math.max(0, job.state.bytesSent + delta);
        if (delta > 0) meter.add(delta, this.#now());
        job.bytesPerSecond = meter.speed;
        job.etaSeconds = meter.eta(job.state.bytesTotal);
        // A read already in flight when Pause was pressed still lands: keep the plan true.
        const resume =
          job.state.resume.kind === 'continue'
            ? ({ kind: 'continue', percent: percentOf(bytesSent, job.state.bytesTotal) } as const)
            : job.state.resume;
        this.#update(job, { bytesSent, resume });
      },
      onLastByte: () => {
        job.bodyEnded = true;
      },
    });
    let digests: Readonly<Record<string, string>> | null;
    try {
      ({ digests } = await target.transfer(run, { source }));
    } finally {
      if (source.sentIdentity) this.#update(job, { sentIdentity: source.sentIdentity });
      await source.close();
    }
    const seconds = (this.#now() - startedAt) / 1000;
    job.bytesPerSecond = null;
    job.etaSeconds = null;
    this.#step(job, 'uploading', 'end');
    this.#transition(job, 'uploaded', {
      digests,
      resume: { kind: 'none' }, // a pause that came after the last byte held nothing
      averageSpeed: seconds > 0 ? (job.state.bytesTotal - kept) / seconds : null,
    });
  }

  /** The target finishes (waits for the image, runs the service's job) and verifies. */
  async #finishAndVerify(job: Job, target: ImageTarget, run: TargetRun<unknown>): Promise<void> {
    await target.finish(run);
    // Digests kept from the transfer say what was sent; the file at the path must still be that
    // file for "verified" to mean the image equals it (a file moved away leaves only what was sent).
    if (job.state.digests) await this.#assertFileAsSent(job);
    const result = await target.verify(run);
    if (result.verified) {
      this.#step(job, 'verified', 'end');
      this.#transition(job, 'verified', { verified: true, verifiedBy: result.by, resume: { kind: 'none' } });
    } else {
      // Done, but not called verified: the image stays, and the job says why.
      this.#step(job, 'verified', 'skip');
      this.#transition(job, 'verified', {
        verified: false,
        verifiedBy: null,
        resume: { kind: 'none' },
        error: {
          code: 'upload/unverified',
          message:
            result.reason ??
            'The image is active, but the image service reports no checksum, so Imagedrop cannot verify it: check the image before you use it.',
          retryable: false,
        },
      });
    }
  }

  async #assertFileAsSent(job: Job): Promise<void> {
    const sent = job.state.sentIdentity;
    if (!sent) return;
    let now: FileIdentity;
    try {
      now = await fileIdentity(job.state.request.path);
    } catch (e) {
      if (e instanceof ImagedropError && e.code === 'file/not-found') return;
      throw e;
    }
    if (!sameFile(sent, now)) {
      throw fileChangedError(
        job.state.request.path,
        `${howChanged(sent, now)} after it was sent, so the upload cannot be checked against it`,
      );
    }
  }

  // ── Internals: failures, retries, cancel ────────────────────────────────────────────────────

  async #handleFailure(job: Job, target: ImageTarget | null, e: unknown): Promise<void> {
    let error = toAppError(e);
    // A 401: the token was refused after all; authenticate again and go once more.
    if (error.httpStatus === 401 && !job.renewedAfter401 && target) {
      job.renewedAfter401 = true;
      try {
        await target.renewAuth(AbortSignal.any([this.#closing.signal, AbortSignal.timeout(RENEW_TIMEOUT_MS)]));
        error = { ...error, retryable: true };
      } catch (renewError) {
        error = toAppError(renewError);
      }
    }
    const phase = job.state.phase;
    if (error.retryable && canTransition(phase, 'connection-lost') && target) {
      if (phase === 'paused') {
        // The user holds this job: an automatic retry would send the file again behind their
        // back. It waits for their Resume, whose plan says what it will do.
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
      job.bytesPerSecond = null;
      job.etaSeconds = null;
      // A broken attempt: what the server holds now decides what a resume does (read just below).
      this.#transition(job, 'connection-lost', {
        error,
        resume: { kind: 'restart' },
        image: { ...job.state.image, status: null },
      });
      let plan = job.state.resume;
      try {
        plan = await target.resumePlan(this.#run(job, target, AbortSignal.timeout(RESUME_PLAN_TIMEOUT_MS)));
      } catch {
        // The service cannot be asked now: the plan is decided when the job is checked again.
      }
      if (job.state.phase === 'interrupted' && !job.cancelling) this.#update(job, { resume: plan });
      this.#maybeScheduleRetry(job);
      return;
    }
    await this.#fail(job, target, error);
  }

  #maybeScheduleRetry(job: Job): void {
    // The plan before this awaited: a resume, a cancel or a shutdown may have come meanwhile.
    if (job.state.phase !== 'interrupted' || job.cancelling || this.#disposed) return;
    this.#clearRetryTimer(job);
    const now = this.#now();
    job.firstFailureAt ??= now;
    const delay = retryDelay(
      {
        retries: job.retries,
        firstFailureAt: job.firstFailureAt,
        now,
        plan: job.state.resume,
        autoRecreate: this.#options.autoRecreate === true,
        heldByUser: job.heldByUser,
      },
      this.#retry,
      this.#random(),
    );
    if (delay === null) {
      this.#publish(job, true);
      return;
    }
    job.retries += 1;
    job.retryAt = now + delay;
    const timer = setTimeout(() => {
      if (job.retryTimer !== timer) return; // replaced or cleared meanwhile
      job.retryTimer = null;
      job.retryAt = null;
      if (job.state.phase !== 'interrupted' || job.cancelling || this.#disposed) return;
      this.#transition(job, 'resume');
      this.#schedule();
    }, delay);
    job.retryTimer = timer;
    this.#publish(job, true);
  }

  async #fail(job: Job, target: ImageTarget | null, error: AppError): Promise<void> {
    let finalError = error;
    const image = job.state.image;
    const hasRecord = image.id !== null || job.state.targetState != null;
    const classified = target?.classify(error) ?? { recordGone: false, badData: false };
    const outcome = afterFailure({
      phase: job.state.phase,
      code: error.code,
      hasRecord,
      ownsRecord: image.owned || (image.id === null && job.state.targetState != null),
      ...classified,
    });
    const record = target?.describeRecord(this.#run(job, target, new AbortController().signal).job) ?? 'image record';
    let leftover: string | null = null;
    if (outcome === 'forget') {
      // Someone else deleted it: nothing is left to keep or to delete.
      this.#update(job, { image: { ...image, owned: false, status: 'deleted' } });
    } else if (outcome === 'keep') {
      finalError = { ...error, detail: joinDetail(error.detail, `${capitalize(record)} was kept.`) };
    } else if (outcome === 'delete' && target) {
      try {
        await target.cleanUp(this.#run(job, target, AbortSignal.timeout(CLEAN_UP_TIMEOUT_MS)), 'failure');
        if (error.code === 'upload/integrity') {
          finalError = { ...error, message: `${error.message} The mismatching image was deleted.` };
        }
      } catch (deleteError) {
        const d = toAppError(deleteError);
        leftover = capitalize(record);
        finalError = {
          ...error,
          detail: joinDetail(
            error.detail,
            `The ${record} could not be deleted (${d.message}); delete it from the dashboard.`,
          ),
        };
      }
    }
    this.#clearRetryTimer(job);
    job.bytesPerSecond = null;
    job.etaSeconds = null;
    const patch: Partial<JobState> = { error: finalError, resume: { kind: 'none' }, leftover };
    if (canTransition(job.state.phase, 'fail')) this.#transition(job, 'fail', patch);
    else this.#update(job, patch);
  }

  async #cancelJob(job: Job): Promise<void> {
    job.cancelling = true;
    this.#clearRetryTimer(job);
    job.controller?.abort(new CancelledError('Cancelled by the user.'));
    this.#openGate(job); // a paused body must wake up to notice the abort
    await job.running?.catch(() => {});
    // Clean up on the cloud the job ran against, even if another one is connected now.
    const cloud = this.#cloudFor(job);
    const target = cloud?.target(job.state.target) ?? null;
    const image = job.state.image;
    const hasOwn = (image.owned && image.id !== null) || job.state.targetState != null;
    let error: AppError | null = null;
    let leftover: string | null = null;
    if (hasOwn) {
      const record = target?.describeRecord(this.#run(job, target, new AbortController().signal).job) ?? null;
      if (target) {
        try {
          await target.cleanUp(this.#run(job, target, AbortSignal.timeout(CLEAN_UP_TIMEOUT_MS)), 'cancel');
        } catch (e) {
          leftover = record ? capitalize(record) : null;
          error = {
            ...toAppError(e),
            message: `The upload was cancelled, but its ${record ?? 'image record'} could not be deleted: delete it from the dashboard.`,
          };
        }
      } else if (record !== null || image.id !== null) {
        const what = record ?? `image record ${image.id}`;
        leftover = capitalize(what);
        error = {
          code: 'auth/not-connected',
          message: `The upload was cancelled; its ${what} is on ${job.state.cloudName ?? 'another cloud'}: connect to it to delete the record.`,
          retryable: false,
        };
      }
    }
    job.cancelling = false;
    job.bytesPerSecond = null;
    job.etaSeconds = null;
    const patch: Partial<JobState> = { error, resume: { kind: 'none' }, leftover };
    if (canTransition(job.state.phase, 'cancel')) this.#transition(job, 'cancel', patch);
    else this.#update(job, patch, { urgent: true });
    // The slot frees only now: when the aborted run settled (#start's schedule), the job still
    // held it, uploading until its clean-up ended. The next waiting job starts here.
    this.#schedule();
  }
}

/** 'all', or several named jobs: commands pass over the jobs they cannot apply to; one named job gets an error. */
function isBatch(selection: UploadSelection): boolean {
  return selection === 'all' || selection.length > 1;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function joinDetail(detail: string | undefined, more: string): string {
  return detail ? `${detail}\n${more}` : more;
}
