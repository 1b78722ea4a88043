// The durable job log: every job's JobState, written atomically on every urgent change (and every
// few seconds of progress), so that after a crash or restart the queue comes back and interrupted
// jobs can be resumed. A log written by the first version (v1: the UI snapshot itself) is read and
// migrated. A log that cannot be read is set aside, never fatal; one damaged job costs only itself.
// Before a record is created the engine flushes the log: no record exists that the log does not know.
import { readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { VISIBILITIES } from '../../../shared/glance.ts';
import { IMAGE_FORMATS } from '../../../shared/inspect.ts';
import { isFinished } from '../../../shared/phases.ts';
import { TARGETS, type StepRecord } from '../../../shared/targets.ts';
import {
  IMS_ROUTES,
  LIFECYCLE_STEPS,
  TARGET_KINDS,
  UPLOAD_PHASES,
  type LifecycleStep,
  type UploadPhase,
} from '../../../shared/upload.ts';
import { ImagedropError } from '../errors.ts';
import { SerialWriter, whyUnwritable, writeFileAtomic, type FileWriter } from '../files/atomic-file.ts';
import type { JobState } from './job-state.ts';

export const JOB_LOG_VERSION = 2;

const errorSchema = z.object({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
  httpStatus: z.number().optional(),
  serverMessage: z.string().optional(),
  detail: z.string().optional(),
});

const resumeSchema = z.union([
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('continue'), percent: z.number() }),
  z.object({ kind: z.literal('restart') }),
  z.object({ kind: z.literal('recreate'), imageStatus: z.string() }),
  z.object({ kind: z.literal('verify') }),
]);

const nullableString = z.string().nullable();

const checksumsSchema = z.object({
  algorithm: nullableString,
  local: nullableString,
  server: nullableString,
  md5Local: nullableString,
  md5Server: nullableString,
});

const requestSchema = z.object({
  path: z.string(),
  name: z.string(),
  diskFormat: z.string(),
  containerFormat: z.string(),
  visibility: z.enum(VISIBILITIES),
  minDisk: z.number().optional(),
  minRam: z.number().optional(),
  protected: z.boolean().optional(),
  tags: z.array(z.string()).optional(),
  properties: z.record(z.string(), z.string()).optional(),
  store: z.string().optional(),
  route: z.enum(IMS_ROUTES).optional(),
  bucket: z.string().optional(),
  objectKey: z.string().optional(),
  osVersion: z.string().optional(),
  keepObject: z.boolean().optional(),
  import: z.object({ stores: z.union([z.literal('all'), z.array(z.string())]), allowFailure: z.boolean() }).optional(),
});

const identitySchema = z.object({
  size: z.number(),
  mtimeMs: z.number(),
  ino: z.number(),
  ctimeMs: z.number().optional(),
});

const stepRecordSchema = z.object({
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  percent: z.number().nullable().optional(),
  skipped: z.boolean().optional(),
});

const stateSchema = z.object({
  id: z.string().min(1),
  request: requestSchema,
  target: z.enum(TARGET_KINDS),
  cloudKey: nullableString,
  cloudName: nullableString,
  userName: nullableString,
  phase: z.enum(UPLOAD_PHASES),
  error: errorSchema.nullable(),
  resume: resumeSchema,
  attempt: z.number(),
  format: z.enum(IMAGE_FORMATS).nullable(),
  virtualSize: z.number().nullable(),
  diskFormat: z.string(),
  bytesSent: z.number(),
  bytesTotal: z.number(),
  steps: z.partialRecord(z.enum(LIFECYCLE_STEPS), stepRecordSchema),
  image: z.object({ id: nullableString, owned: z.boolean(), status: nullableString }),
  checksums: checksumsSchema,
  verified: z.boolean(),
  verifiedBy: nullableString,
  object: z
    .object({
      bucket: z.string(),
      key: z.string(),
      etag: nullableString,
      parts: z.object({ done: z.number(), total: z.number() }).nullable(),
    })
    .nullable(),
  remoteJob: z.object({ id: z.string(), status: z.string(), percent: z.number().nullable() }).nullable(),
  stores: z
    .array(z.object({ store: z.string(), state: z.enum(['pending', 'importing', 'done', 'failed']) }))
    .nullable(),
  digests: z.record(z.string(), z.string()).nullable(),
  sentIdentity: identitySchema.nullable(),
  leftover: nullableString,
  targetState: z.unknown(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  averageSpeed: z.number().nullable(),
  updatedAt: z.number(),
});

// ── Version 1: the first version kept each job's UI snapshot and a few fields beside it ─────────

const V1_STEPS = ['checked', 'created', 'uploading', 'saving', 'active', 'verified'] as const;

const v1RecordSchema = z.object({
  snapshot: z.object({
    id: z.string().min(1),
    file: z.string().min(1),
    diskFormat: z.string(),
    // Added after the first logs were written: an older log reads as null (the record's own copy fills it).
    cloudKey: nullableString.default(null),
    cloudName: nullableString.default(null),
    format: z.enum(IMAGE_FORMATS).nullable(),
    virtualSize: z.number().nullable(),
    phase: z.enum(UPLOAD_PHASES),
    imageId: nullableString,
    createdImage: z.boolean(),
    glanceStatus: nullableString,
    bytesSent: z.number(),
    bytesTotal: z.number(),
    attempt: z.number(),
    resume: resumeSchema,
    error: errorSchema.nullable(),
    timeline: z.partialRecord(z.enum(V1_STEPS), z.number()),
    checksums: checksumsSchema,
    verified: z.boolean(),
    createdAt: z.number(),
    updatedAt: z.number(),
  }),
  request: requestSchema,
  cloudKey: nullableString,
  cloudName: nullableString,
  digests: z.record(z.string(), z.string()).nullable(),
  identity: identitySchema.nullable().optional(),
  transport: z.object({ name: z.string(), state: z.unknown() }).nullable().optional(),
});

type V1Record = z.infer<typeof v1RecordSchema>;

/**
 * Version 1 kept the time each step was reached. A step that lasts (uploading, saving) ended when
 * the next one was reached; the others are points.
 */
function stepsFromTimeline(
  timeline: V1Record['snapshot']['timeline'],
  phase: UploadPhase,
): Partial<Record<LifecycleStep, StepRecord>> {
  const steps: Partial<Record<LifecycleStep, StepRecord>> = {};
  V1_STEPS.forEach((step, i) => {
    const at = timeline[step];
    if (at === undefined) return;
    const next = V1_STEPS.slice(i + 1)
      .map((s) => timeline[s])
      .find((t) => t !== undefined);
    const lasting = step === 'uploading' || step === 'saving';
    const endedAt = !lasting ? at : (next ?? (phase === 'done' ? at : null));
    steps[step] = { startedAt: at, endedAt, percent: null };
  });
  return steps;
}

/** A job as version 1 logged it, as a JobState of the Glance target. */
export function fromV1(r: V1Record): JobState {
  const s = r.snapshot;
  const by = s.verified ? (s.checksums.algorithm ?? (s.checksums.md5Server ? 'md5' : null)) : null;
  return {
    id: s.id,
    request: r.request,
    target: 'glance',
    cloudKey: r.cloudKey ?? s.cloudKey,
    cloudName: r.cloudName ?? s.cloudName,
    userName: null,
    phase: s.phase,
    error: s.error as JobState['error'],
    resume: s.resume as JobState['resume'],
    attempt: s.attempt,
    format: s.format,
    virtualSize: s.virtualSize,
    diskFormat: s.diskFormat,
    bytesSent: s.bytesSent,
    bytesTotal: s.bytesTotal,
    steps: stepsFromTimeline(s.timeline, s.phase),
    image: { id: s.imageId, owned: s.createdImage, status: s.glanceStatus as JobState['image']['status'] },
    checksums: s.checksums,
    verified: s.verified,
    verifiedBy: by,
    object: null,
    remoteJob: null,
    stores: null,
    digests: r.digests,
    sentIdentity: r.identity ?? null,
    leftover: null,
    // Stopped while its record was being created: Glance may have committed it after all.
    targetState: { createUncertain: s.phase === 'creating', transport: r.transport ?? null },
    createdAt: s.createdAt,
    startedAt: s.timeline.checked ?? null,
    finishedAt: isFinished(s.phase) ? s.updatedAt : null,
    averageSpeed: null,
    updatedAt: s.updatedAt,
  };
}

// The envelope is checked first and each job on its own, so that one damaged job does not cost
// the others (and the image records they know about).
const logSchema = z.object({
  version: z.union([z.literal(1), z.literal(JOB_LOG_VERSION)]),
  savedAt: z.number(),
  jobs: z.array(z.unknown()),
});

function parseJob(version: 1 | 2, raw: unknown): JobState | null {
  if (version === 1) {
    const r = v1RecordSchema.safeParse(raw);
    return r.success ? fromV1(r.data) : null;
  }
  const r = stateSchema.safeParse(raw);
  if (!r.success) return null;
  // Steps the job's target does not have are dropped (a damaged or hand-edited log).
  const order = TARGETS[r.data.target].steps;
  const steps = Object.fromEntries(Object.entries(r.data.steps).filter(([k]) => order.includes(k as LifecycleStep)));
  return { ...(r.data as JobState), steps };
}

/** The image id a damaged job knew about, in either version's shape. */
function imageIdOf(raw: unknown): string | null {
  const r = raw as { snapshot?: { imageId?: unknown }; image?: { id?: unknown } } | null;
  const id = r?.image?.id ?? r?.snapshot?.imageId;
  return typeof id === 'string' ? id : null;
}

export interface JobLogOptions {
  /**
   * Told when a corrupt log was set aside, and when a save fails (once per distinct failure, not
   * once per save), with a sentence for the user.
   */
  readonly onWarning?: (message: string) => void;
  /** How the log reaches the disk (writeFileAtomic; a test passes one that hangs or fails). */
  readonly write?: FileWriter;
}

/** How long flush() waits for the log to reach the disk before it gives up. */
export const JOB_LOG_FLUSH_DEADLINE_MS = 15_000;

export class JobLog {
  readonly file: string;
  readonly #writer: SerialWriter;
  readonly #onWarning: (message: string) => void;
  #lastWarned: string | null = null;

  constructor(file: string, options: JobLogOptions = {}) {
    this.file = file;
    this.#onWarning = options.onWarning ?? (() => {});
    this.#writer = new SerialWriter(
      file,
      (e) => {
        const warning = `The upload queue could not be saved to ${file} (${whyUnwritable(e)}).`;
        if (warning === this.#lastWarned) return;
        this.#lastWarned = warning;
        this.#onWarning(warning);
      },
      options.write ?? writeFileAtomic,
    );
  }

  /** The folder the log lives in (the one to name when it cannot be written). */
  get folder(): string {
    return path.dirname(this.file);
  }

  #unwritable(why: string, cause?: unknown): ImagedropError {
    return new ImagedropError(
      'joblog/unwritable',
      `Imagedrop cannot save its job log in ${this.folder} (${why}), so it creates no image record it could lose track of: make that folder writable, or set IMAGEDROP_DATA_DIR to a folder you can write.`,
      { detail: this.file, ...(cause === undefined ? {} : { cause }) },
    );
  }

  /**
   * Reads the log. Missing → []. Unreadable or invalid → set aside as <file>.corrupt-<time> with a
   * warning, and [] (the next save would otherwise overwrite it). A log whose envelope is sound but
   * holds damaged jobs keeps the sound ones; the file is still set aside, and the warning names the
   * image records the damaged jobs knew about, so none is lost unseen.
   */
  async load(): Promise<JobState[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      await this.#setAside(`it cannot be read: ${(e as Error).message}`, 'the queue starts empty');
      return [];
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      await this.#setAside('it is not valid JSON', 'the queue starts empty');
      return [];
    }
    const envelope = logSchema.safeParse(parsed);
    if (!envelope.success) {
      const why = `it does not have the expected shape (${envelope.error.issues[0]?.message ?? 'invalid'})`;
      await this.#setAside(why, 'the queue starts empty');
      return [];
    }
    const kept: JobState[] = [];
    const lostImages: string[] = [];
    let damaged = 0;
    for (const raw of envelope.data.jobs) {
      const job = parseJob(envelope.data.version, raw);
      if (job) {
        kept.push(job);
        continue;
      }
      damaged += 1;
      const imageId = imageIdOf(raw);
      if (imageId) lostImages.push(imageId);
    }
    if (damaged > 0) {
      const images = lostImages.length ? `; check these image records on the dashboard: ${lostImages.join(', ')}` : '';
      await this.#setAside(
        `${damaged} of its ${envelope.data.jobs.length} jobs could not be read`,
        `${kept.length ? 'the other jobs were kept' : 'the queue starts empty'}${images}`,
      );
    }
    return kept;
  }

  /**
   * Reads the log and changes nothing on disk (for a lookup by another process or view, which must
   * never set aside a log its owner may still be writing). Missing → []; null when it cannot be
   * read whole (unreadable, invalid, or one job damaged).
   */
  async peek(): Promise<JobState[] | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT' ? [] : null;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return null;
    }
    const envelope = logSchema.safeParse(parsed);
    if (!envelope.success) return null;
    const jobs = envelope.data.jobs.map((raw) => parseJob(envelope.data.version, raw));
    return jobs.every((j) => j !== null) ? jobs : null;
  }

  async #setAside(why: string, outcome: string): Promise<void> {
    const aside = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(this.file, aside);
      this.#onWarning(`The saved upload queue was damaged (${why}); it was moved to ${aside} and ${outcome}.`);
    } catch (e) {
      this.#onWarning(
        `The saved upload queue was damaged (${why}) and could not be moved aside (${(e as Error).message}); ${outcome}.`,
      );
    }
  }

  /**
   * Writes the current jobs (coalesced: the latest content wins). Never rejects: a failure goes to
   * onWarning, and flush() reports it to whoever must not go on without the log on disk.
   */
  async save(jobs: () => readonly JobState[]): Promise<void> {
    try {
      await this.#writer.write(() => JSON.stringify({ version: JOB_LOG_VERSION, savedAt: Date.now(), jobs: jobs() }));
      this.#lastWarned = null;
    } catch {
      // told to onWarning; flush() rejects with it
    }
  }

  /** Resolves when every save asked for so far has finished, whether it reached the disk or not. */
  idle(): Promise<void> {
    return this.#writer.idle();
  }

  /**
   * Resolves when everything saved so far is on disk. Rejects with 'joblog/unwritable' when the
   * last save failed, or when the saves have not finished within `deadlineMs` (a hung disk or
   * network share): the engine awaits it before it creates an image record, so that no record
   * exists that the log does not know about.
   */
  async flush(deadlineMs: number = JOB_LOG_FLUSH_DEADLINE_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), deadlineMs);
    });
    try {
      const outcome = await Promise.race([this.#writer.idle().then(() => 'done' as const), late]);
      if (outcome === 'late') {
        const seconds = Math.round(deadlineMs / 100) / 10;
        throw this.#unwritable(`saving it did not finish within ${seconds} s; the disk or network share may hang`);
      }
    } finally {
      clearTimeout(timer);
    }
    const error = this.#writer.lastError;
    if (error) throw this.#unwritable(whyUnwritable(error), error);
  }

  /**
   * Removes the log file (a run whose jobs all finished). Rejects with 'joblog/unwritable' when it
   * cannot, for the caller to warn: the uploads themselves are not affected.
   */
  async remove(): Promise<void> {
    await this.#writer.idle();
    try {
      await rm(this.file, { force: true });
    } catch (e) {
      throw new ImagedropError(
        'joblog/unwritable',
        `The finished job log ${this.file} could not be removed (${whyUnwritable(e)}): its jobs are finished, so delete it yourself.`,
        { detail: this.file, cause: e },
      );
    }
  }
}
