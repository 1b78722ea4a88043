// The durable job log: every job's request and where it stands, written atomically on every phase
// change (and every few seconds of progress), so that after a crash or restart the queue comes
// back and interrupted jobs can be resumed. A log that cannot be read is set aside, never fatal.
import { readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { VISIBILITIES } from '../../../shared/glance.ts';
import { IMAGE_FORMATS } from '../../../shared/inspect.ts';
import { LIFECYCLE_STEPS, UPLOAD_PHASES, type UploadRequest, type UploadSnapshot } from '../../../shared/upload.ts';
import { SerialWriter, whyUnwritable, writeFileAtomic, type FileWriter } from '../core/atomic-file.ts';
import { ImagedropError } from '../errors.ts';

export const JOB_LOG_VERSION = 1;

/** What is kept of a job across restarts. */
export interface JobRecord {
  readonly snapshot: UploadSnapshot;
  readonly request: UploadRequest;
  /** Which cloud the job belongs to: Keystone, project and region (core/context.ts cloudKeyOf). */
  readonly cloudKey: string | null;
  readonly cloudName: string | null;
  /** Digests of what was sent, once the PUT completed (so a restart can still verify). */
  readonly digests: Readonly<Record<string, string>> | null;
  /** The file the last transfer sent: a re-hash after a restart must read that same file. */
  readonly identity?: { readonly size: number; readonly mtimeMs: number; readonly ino: number } | null;
  /** A transport's own resume state (for example a multipart upload id and its finished parts). */
  readonly transport?: { readonly name: string; readonly state: unknown } | null;
}

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

const snapshotSchema = z.object({
  id: z.string().min(1),
  file: z.string().min(1),
  fileName: z.string(),
  imageName: z.string(),
  diskFormat: z.string(),
  containerFormat: z.string(),
  visibility: z.enum(VISIBILITIES),
  store: nullableString,
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
  bytesPerSecond: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  attempt: z.number(),
  retryAt: z.number().nullable(),
  resume: resumeSchema,
  error: errorSchema.nullable(),
  timeline: z.partialRecord(z.enum(LIFECYCLE_STEPS), z.number()),
  checksums: z.object({
    algorithm: nullableString,
    local: nullableString,
    server: nullableString,
    md5Local: nullableString,
    md5Server: nullableString,
  }),
  verified: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

const recordSchema = z.object({
  snapshot: snapshotSchema,
  request: z.object({
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
  }),
  cloudKey: nullableString,
  cloudName: nullableString,
  digests: z.record(z.string(), z.string()).nullable(),
  identity: z.object({ size: z.number(), mtimeMs: z.number(), ino: z.number() }).nullable().optional(),
  transport: z.object({ name: z.string(), state: z.unknown() }).nullable().optional(),
});

// The envelope is checked first and each job on its own, so that one damaged job does not cost
// the others (and the image records they know about).
const logSchema = z.object({ version: z.literal(JOB_LOG_VERSION), savedAt: z.number(), jobs: z.array(z.unknown()) });

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
  async load(): Promise<JobRecord[]> {
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
    const kept: JobRecord[] = [];
    const lostImages: string[] = [];
    let damaged = 0;
    for (const raw of envelope.data.jobs) {
      const r = recordSchema.safeParse(raw);
      if (r.success) {
        kept.push(r.data as JobRecord);
        continue;
      }
      damaged += 1;
      const imageId = (raw as { snapshot?: { imageId?: unknown } } | null)?.snapshot?.imageId;
      if (typeof imageId === 'string') lostImages.push(imageId);
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
  async save(records: () => readonly JobRecord[]): Promise<void> {
    try {
      await this.#writer.write(() =>
        JSON.stringify({ version: JOB_LOG_VERSION, savedAt: Date.now(), jobs: records() }),
      );
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
