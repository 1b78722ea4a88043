// Huawei Cloud IMS as ImageTargets, one per route:
//   native    metadata (POST /v2/images) → one PUT /v2/images/{id}/file with a token → active.
//             IMS reports no checksum, so the image is active but not called verified.
//   register  the file into an OBS bucket (resumable multipart, its composite ETag checked) →
//             metadata → PUT /v1/cloudimages/{id}/upload → the job → active (seed 002).
//   create    the same object → POST /v2/cloudimages/action → the job, whose result names a new
//             image → active (the API Huawei now recommends).
//   quick     the same, through the quick import (RAW with its .mf bitmap, or ZVHD2, up to 1 TiB).
// Every record this app creates carries the tag imagedrop_upload_id=<job id>: IMS takes no
// client-chosen id, and the tag is how a job finds its record again after a crash. The job id is
// in the job log as soon as IMS answers, so a restart goes back to polling and never re-sends.
import { formatBytes } from '../../../../shared/format.ts';
import type { AppError } from '../../../../shared/errors.ts';
import { GLANCE_IMAGE_STATUSES } from '../../../../shared/glance.ts';
import type { ImageStatus, ImsRouteChoice, ResumePlan, TargetKind } from '../../../../shared/upload.ts';
import { ImagedropError } from '../../errors.ts';
import { sleep } from '../../sleep.ts';
import {
  METADATA_DISK_FORMATS,
  uploadTag,
  waitForJob,
  type ImsClient,
  type ImsImage,
  type ImsJob,
  type MetadataDiskFormat,
} from '../../huawei/ims.ts';
import { IMS_MAX_QUICK_IMPORT_BYTES, imsPreflight, suggestedMinDisk, type ImsRoute } from '../../huawei/preflight.ts';
import type { HuaweiSession } from '../../huawei/session.ts';
import type { ObjectStoreClient } from '../../objstore/client.ts';
import type { MultipartOptions, MultipartState } from '../../objstore/multipart.ts';
import { resumePlanFor, type ServerView } from '../../upload/policy/resume.ts';
import type {
  CleanUpReason,
  ImageTarget,
  Reconciliation,
  TargetJob,
  TargetRun,
  TransferIO,
  TransferResult,
  Verification,
} from '../../upload/target.ts';
import { confirmedBytes, defaultObjectKey, objectView, removeObject, sendObject } from './object-leg.ts';

/** The disk formats IMS takes from a file (seeds 000–002), in the inspector's disk_format words. */
export const IMS_DISK_FORMATS = ['qcow2', 'vmdk', 'vhd', 'raw', 'vhdx', 'qed', 'vdi', 'qcow', 'zvhd2', 'zvhd', 'iso'];

export const KIND_OF_ROUTE: Readonly<Record<ImsRoute, TargetKind>> = {
  native: 'ims-native',
  register: 'ims-register',
  create: 'ims-create',
  quick: 'ims-quick',
};

/** What an IMS target keeps in the job log. */
export interface ImsState {
  readonly route: ImsRoute;
  readonly bucket: string | null;
  readonly key: string | null;
  /** The multipart upload, as the uploader last saved it (its upload id before any part). */
  readonly multipart: MultipartState | null;
  /** The object is complete, and its composite ETag equalled the local one. */
  readonly objectEtag: string | null;
  /** The object was deleted (after the image became active, or on cancel). */
  readonly objectRemoved: boolean;
  /** A metadata create was sent and its answer not written down yet: find the record by its tag. */
  readonly metadataSentAt: number | null;
  /** A register, create or quick-import request was sent and its job id not written down yet. */
  readonly jobSentAt: number | null;
  readonly jobId: string | null;
  /** The settings the checks settled (the request's, or the defaults from the file). */
  readonly osVersion: string | null;
  readonly minDisk: number | null;
}

const FRESH = (route: ImsRoute): ImsState => ({
  route,
  bucket: null,
  key: null,
  multipart: null,
  objectEtag: null,
  objectRemoved: false,
  metadataSentAt: null,
  jobSentAt: null,
  jobId: null,
  osVersion: null,
  minDisk: null,
});

export interface ImsTargetOptions {
  readonly session: HuaweiSession;
  readonly ims: ImsClient;
  /** The OBS client (null: the cloud has no access key or no OBS endpoint). */
  readonly objstore: ObjectStoreClient | null;
  /** The cloud's default bucket (obs_bucket). */
  readonly bucket: string | null;
  /** The cloud's OS versions (null: it gave no list). */
  readonly osVersions: readonly string[] | null;
  readonly nativeLimit: number;
  /** Between two reads of a job or an image. */
  readonly pollMs?: number;
  readonly multipart?: MultipartOptions;
}

/** Route words for sentences. */
const ROUTE_WORDS: Readonly<Record<ImsRoute, string>> = {
  native: 'the native upload',
  register: 'register from OBS',
  create: 'create from OBS',
  quick: 'quick import',
};

export class ImsTarget implements ImageTarget<ImsState> {
  readonly kind: TargetKind;
  readonly route: ImsRoute;
  readonly pauseMode: 'hold' | 'abort';
  readonly sizeLimit = IMS_MAX_QUICK_IMPORT_BYTES; // the largest of any route; check() says each route's own
  readonly acceptedDiskFormats = IMS_DISK_FORMATS;
  readonly #o: ImsTargetOptions;
  readonly #pollMs: number;

  constructor(route: ImsRoute, options: ImsTargetOptions) {
    this.route = route;
    this.kind = KIND_OF_ROUTE[route];
    this.pauseMode = route === 'native' ? 'hold' : 'abort';
    this.#o = options;
    this.#pollMs = options.pollMs ?? 5_000;
  }

  get #viaObject(): boolean {
    return this.route !== 'native';
  }

  parseState(raw: unknown): ImsState | null {
    if (typeof raw !== 'object' || raw === null) return null;
    const r = raw as Partial<ImsState>;
    if (r.route !== this.route) return null;
    return { ...FRESH(this.route), ...r };
  }

  #state(run: TargetRun<ImsState>): ImsState {
    return run.job.state ?? FRESH(this.route);
  }

  #set(run: TargetRun<ImsState>, change: Partial<ImsState>): ImsState {
    const next = { ...this.#state(run), ...change };
    run.update({ state: next });
    return next;
  }

  // ── What the server holds ──────────────────────────────────────────────────────────────────

  async reconcile(run: TargetRun<ImsState>): Promise<Reconciliation> {
    const s = this.#state(run);
    if (this.#viaObject) {
      // The job (or the request for it) went out: go back to following it, never send again.
      if (s.jobId || s.jobSentAt) return { kind: 'finish' };
      if (run.job.image.id && run.job.image.owned) {
        const image = await this.#imageOrNull(run.job.image.id, run.signal);
        run.update({ image: { status: toImageStatus(image?.status) } });
        if (image?.status === 'active') return { kind: 'finish' };
      }
      if (s.objectEtag && !s.objectRemoved) return { kind: 'finish' };
      if (s.multipart && !s.objectRemoved) return { kind: 'reuse' };
      return { kind: 'new' };
    }
    // native: like Glance's PUT, the image's status is the truth.
    let image = run.job.image.id ? await this.#imageOrNull(run.job.image.id, run.signal) : null;
    if (!image && s.metadataSentAt) image = await this.#findByTag(run);
    if (image) this.#setStatus(run, image.status);
    if (image?.status === 'active') return { kind: 'finish' };
    if (!image || image.status === 'deleted' || image.status === 'pending_delete') {
      run.update({ image: { id: null, owned: false, status: null } });
      this.#set(run, { metadataSentAt: null });
      return { kind: 'new' };
    }
    if (image.status === 'queued') return { kind: 'reuse' };
    if (image.status === 'saving' || image.status === 'killed') {
      return {
        kind: 'replace',
        plan: { kind: 'recreate', imageStatus: image.status },
        error: {
          code: 'upload/stuck-saving',
          message: `IMS image ${image.id} is stuck in ${image.status} and no upload of Imagedrop's is running: resume to delete it and upload again to a new image record.`,
          retryable: false,
        },
      };
    }
    return {
      kind: 'refuse',
      error: new ImagedropError(
        'preflight/image-not-queued',
        `IMS image ${image.id} is ${image.status}, not waiting for data: upload the file to a new image instead.`,
      ).toAppError(),
    };
  }

  // ── Before a byte is sent ──────────────────────────────────────────────────────────────────

  async check(run: TargetRun<ImsState>): Promise<void> {
    const job = run.job;
    const r = job.request;
    const minDisk = r.minDisk ?? suggestedMinDisk(job.virtualSize, this.route);
    const osVersion = r.osVersion ?? '';
    let object: Parameters<typeof imsPreflight>[0]['object'];
    let bucket: string | null = null;
    let key: string | null = null;
    if (this.#viaObject) {
      const store = this.#store();
      bucket = r.bucket ?? this.#o.bucket;
      if (!bucket) {
        throw new ImagedropError(
          'config/missing-field',
          `IMS's ${ROUTE_WORDS[this.route]} needs an OBS bucket in the IMS region: set obs_bucket for cloud '${this.#o.session.config.name}', or name one for this upload.`,
        );
      }
      key = this.#state(run).key ?? r.objectKey ?? defaultObjectKey(job.id, fileNameOf(r.path));
      // The bucket exists, can be read, and its region and class are what IMS needs.
      const facts = await store.checkBucket(bucket, run.signal);
      object = {
        bucket,
        key,
        bucketRegion: facts.region,
        bucketClass: facts.storageClass ?? null,
      };
    }
    const problems = imsPreflight({
      route: this.route,
      format: job.format ?? job.diskFormat,
      size: job.bytesTotal,
      virtualSize: job.virtualSize,
      minDisk,
      osVersion,
      acceptedOsVersions: this.#o.osVersions,
      imsRegion: this.#o.session.region,
      nativeUploadLimit: this.#o.nativeLimit,
      ...(object ? { object } : {}),
    });
    if (this.route === 'native' && this.#o.session.auth !== 'token') {
      await this.#o.session.token(run.signal); // the one sentence: the native PUT needs a token
    }
    if (problems.length > 0) {
      const [first, ...rest] = problems;
      throw new ImagedropError(first!.code, first!.message, {
        ...(rest.length ? { detail: rest.map((p) => p.message).join('\n') } : {}),
      });
    }
    this.#set(run, { osVersion, minDisk, bucket, key });
  }

  /** The native route creates its record before the data; the others after the object is complete. */
  async prepare(run: TargetRun<ImsState>): Promise<void> {
    if (this.route === 'native') await this.#createMetadata(run);
  }

  keptBytes(): number {
    return 0; // the object leg reports the parts the store kept as it checks them
  }

  // ── The bytes ──────────────────────────────────────────────────────────────────────────────

  async transfer(run: TargetRun<ImsState>, { source }: TransferIO): Promise<TransferResult> {
    if (this.route === 'native') {
      const { body } = await source.openBody(null, [], run.signal);
      await this.#o.ims.uploadImageFile(run.job.image.id!, body, { size: run.job.bytesTotal, signal: run.signal });
      run.step('saving', 'start');
      return { digests: null };
    }
    const s = this.#state(run);
    const bucket = s.bucket!;
    const key = s.key!;
    const total = Math.ceil(run.job.bytesTotal / Math.max(1, s.multipart?.partSize ?? run.job.bytesTotal));
    run.update({ object: objectView(s.multipart, null, total) ?? { bucket, key, etag: null, parts: null } });
    const result = await sendObject({
      client: this.#store(),
      bucket,
      key,
      source,
      checked: run.job.checked!,
      state: s.multipart?.bucket === bucket && s.multipart.key === key ? s.multipart : null,
      saveState: async (multipart) => {
        this.#set(run, { multipart });
        const parts = Math.ceil(run.job.bytesTotal / multipart.partSize);
        run.update({ object: objectView(multipart, null, parts) });
        await run.persist();
      },
      signal: run.signal,
      ...(this.#o.multipart ? { options: this.#o.multipart } : {}),
    });
    this.#set(run, { multipart: result.state, objectEtag: result.etag, objectRemoved: false });
    run.update({ object: { bucket, key, etag: result.etag, parts: { done: result.parts, total: result.parts } } });
    await run.persist();
    return { digests: null };
  }

  // ── After the bytes: IMS's own steps ───────────────────────────────────────────────────────

  async finish(run: TargetRun<ImsState>): Promise<void> {
    if (this.route === 'native') {
      await this.#waitForActive(run);
      return;
    }
    let s = this.#state(run);
    if (!s.objectEtag && !s.jobId && !s.jobSentAt && run.job.image.status !== 'active') {
      throw new ImagedropError(
        'upload/interrupted',
        'The object in OBS is not complete: resume to send what it lacks.',
        { retryable: true },
      );
    }
    if (run.job.image.status === 'active' && run.job.image.id) {
      await this.#waitForActive(run);
      return;
    }
    // register fills a record of ours: a new one when there is none (or a failed job's was deleted).
    if (this.route === 'register' && !(run.job.image.id && run.job.image.owned) && !s.jobId) {
      await this.#createMetadata(run);
    }
    s = this.#state(run);
    if (!s.jobId && s.jobSentAt) {
      // The request went out and its answer was lost (a crash, a cut): what did it start?
      if (await this.#recoverJob(run)) return;
      s = this.#state(run);
    }
    if (!s.jobId) await this.#startJob(run);
    await this.#followJob(run);
    await this.#waitForActive(run);
  }

  async verify(run: TargetRun<ImsState>): Promise<Verification> {
    if (this.route === 'native') {
      return {
        verified: false,
        by: null,
        reason:
          'The image is active, but IMS reports no checksum for an image uploaded in one request, so Imagedrop cannot verify it: check the image before you use it, or upload through an OBS bucket (the register route is verified by the object’s ETag).',
      };
    }
    const s = this.#state(run);
    if (!s.objectEtag) {
      return {
        verified: false,
        by: null,
        reason:
          'The image is active, but the object it was made from was not checked by this run, so Imagedrop cannot call it verified: check the image before you use it.',
      };
    }
    // The object's composite ETag equalled the local bytes, and IMS made an active image of it.
    if (!run.job.request.keepObject && !s.objectRemoved && s.multipart) {
      try {
        await removeObject(this.#store(), s.multipart, run.signal);
        this.#set(run, { objectRemoved: true });
      } catch {
        // The image is fine; the object stays, listed on the dashboard, for the user to remove.
      }
    }
    return { verified: true, by: 'etag' };
  }

  async resumePlan(run: TargetRun<ImsState>): Promise<ResumePlan> {
    const s = this.#state(run);
    if (this.#viaObject) {
      const view: ServerView =
        s.jobId || s.jobSentAt || (s.objectEtag && !s.objectRemoved)
          ? { kind: 'complete' }
          : s.multipart
            ? { kind: 'waiting', offset: confirmedBytes(s.multipart, run.job.bytesTotal) }
            : { kind: 'none' };
      return resumePlanFor(view, run.job.bytesTotal);
    }
    const id = run.job.image.id;
    const image = id ? await this.#imageOrNull(id, run.signal) : null;
    const status = image?.status ?? null;
    if (image) this.#setStatus(run, image.status);
    const view: ServerView =
      status === 'saving' || status === 'killed'
        ? { kind: 'stuck', status }
        : status === 'active'
          ? { kind: 'complete' }
          : status === 'queued'
            ? { kind: 'waiting', offset: 0 }
            : { kind: 'none' };
    return resumePlanFor(view, run.job.bytesTotal);
  }

  /**
   * Removes what this app created for the job. After a failure the object is kept (a retry
   * registers it again without sending it), and so are parts already stored (a retry sends only
   * the rest); a cancel removes everything. A job IMS is running cannot be stopped: removing its
   * object and record makes it fail instead.
   */
  async cleanUp(run: TargetRun<ImsState>, reason: CleanUpReason): Promise<void> {
    const s = this.#state(run);
    // A finished upload only ever leaves its object behind.
    if (run.job.phase === 'done') {
      if (s.multipart && !s.objectRemoved) {
        await removeObject(this.#store(), s.multipart, run.signal);
        this.#set(run, { objectRemoved: true });
      }
      return;
    }
    // The records: the job's own, and any a lost answer may have made (found by the job's tag).
    const ids = new Set<string>();
    if (run.job.image.id && run.job.image.owned) ids.add(run.job.image.id);
    if (s.jobSentAt || s.metadataSentAt || (s.jobId && this.route !== 'register')) {
      for (const image of await this.#o.ims.findImagesByTag(uploadTag(run.job.id), run.signal)) ids.add(image.id);
    }
    for (const id of ids) await this.#deleteImage(id, run.signal);
    if (ids.size) run.update({ image: { owned: false, status: 'deleted' } });
    this.#set(run, { jobId: null, jobSentAt: null, metadataSentAt: null });
    // A failure keeps the object (or the parts stored so far): Retry registers it again, or sends
    // only what is missing. A cancel or a replacement removes it; a job IMS may still be running
    // then fails for want of it instead of making an image nobody tracks.
    if (reason !== 'failure' && s.multipart && !s.objectRemoved) {
      await removeObject(this.#store(), s.multipart, run.signal);
      this.#set(run, {
        objectRemoved: true,
        multipart: null,
        objectEtag: null,
        key: reason === 'replace' ? null : s.key,
      });
      run.update({ object: null });
    }
  }

  describeRecord(job: TargetJob<ImsState>): string | null {
    const s = job.state;
    const parts: string[] = [];
    if (job.image.id) parts.push(`IMS image record ${job.image.id}`);
    if (s?.multipart && !s.objectRemoved) {
      parts.push(
        s.objectEtag
          ? `object ${s.multipart.bucket}:${s.multipart.key}`
          : `multipart upload of ${s.multipart.bucket}:${s.multipart.key}`,
      );
    }
    return parts.length ? parts.join(' and ') : null;
  }

  classify(error: AppError): { recordGone: boolean; badData: boolean } {
    return { recordGone: error.code === 'ims/image-not-found', badData: error.code === 'ims/job-failed' };
  }

  async renewAuth(signal: AbortSignal): Promise<void> {
    await this.#o.session.keystone?.renew(signal);
  }

  // ── Helpers ────────────────────────────────────────────────────────────────────────────────

  #store(): ObjectStoreClient {
    if (!this.#o.objstore) {
      throw new ImagedropError(
        'config/missing-field',
        `IMS's ${ROUTE_WORDS[this.route]} goes through OBS, and cloud '${this.#o.session.config.name}' has no OBS access key: set ak and sk (or S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY), or use the native route for files under ${formatBytes(this.#o.nativeLimit)}.`,
      );
    }
    return this.#o.objstore;
  }

  async #createMetadata(run: TargetRun<ImsState>): Promise<void> {
    const s = this.#state(run);
    if (s.metadataSentAt) {
      const found = await this.#findByTag(run);
      if (found) {
        run.update({ image: { id: found.id, owned: true, status: toImageStatus(found.status) } });
        this.#set(run, { metadataSentAt: null });
        return;
      }
    }
    const r = run.job.request;
    run.step('created', 'start');
    this.#set(run, { metadataSentAt: run.now() });
    await run.persist();
    const image = await this.#o.ims.createImageMetadata(
      {
        name: r.name,
        osVersion: s.osVersion ?? r.osVersion ?? '',
        diskFormat: metadataFormat(run.job.diskFormat),
        minDisk: s.minDisk ?? suggestedMinDisk(run.job.virtualSize, this.route),
        ...(r.minRam !== undefined ? { minRam: r.minRam } : {}),
        ...(r.protected !== undefined ? { protected: r.protected } : {}),
        tags: [...(r.tags ?? []), uploadTag(run.job.id)],
      },
      run.signal,
    );
    run.update({ image: { id: image.id, owned: true, status: null } });
    this.#setStatus(run, image.status);
    this.#set(run, { metadataSentAt: null });
    await run.persist();
    run.step('created', 'end');
  }

  /** Sends the register, create or quick-import request; its job id is written down at once. */
  async #startJob(run: TargetRun<ImsState>): Promise<void> {
    const s = this.#state(run);
    const r = run.job.request;
    const object = { bucket: s.bucket!, key: s.key! };
    this.#set(run, { jobSentAt: run.now() });
    await run.persist();
    let jobId: string;
    if (this.route === 'register') {
      ({ jobId } = await this.#o.ims.registerImage(run.job.image.id!, object, run.signal));
    } else {
      const common = {
        name: r.name,
        object,
        minDisk: s.minDisk ?? suggestedMinDisk(run.job.virtualSize, this.route),
        tags: [...(r.tags ?? []), uploadTag(run.job.id)],
      };
      ({ jobId } =
        this.route === 'quick'
          ? await this.#o.ims.quickImport({ ...common, osVersion: s.osVersion ?? r.osVersion ?? '' }, run.signal)
          : await this.#o.ims.createImageFromObs(
              { ...common, ...(s.osVersion ? { osVersion: s.osVersion } : {}) },
              run.signal,
            ));
    }
    this.#set(run, { jobId, jobSentAt: null });
    run.update({ remoteJob: { id: jobId, status: 'INIT', percent: 0 } });
    await run.persist();
  }

  /**
   * A request whose answer was lost: register's record tells by its status (queued: nothing
   * started, send again); create's image is found by its tag once the job has made it. Returns
   * true when the image was found active (nothing more to follow).
   */
  async #recoverJob(run: TargetRun<ImsState>): Promise<boolean> {
    if (this.route === 'register') {
      const image = run.job.image.id ? await this.#imageOrNull(run.job.image.id, run.signal) : null;
      if (!image || image.status === 'queued') {
        this.#set(run, { jobSentAt: null });
        return false;
      }
      this.#setStatus(run, image.status);
      this.#set(run, { jobSentAt: null });
      await this.#waitForActive(run);
      return true;
    }
    const [image] = await this.#o.ims.findImagesByTag(uploadTag(run.job.id), run.signal);
    if (!image) {
      this.#set(run, { jobSentAt: null });
      return false;
    }
    run.update({ image: { id: image.id, owned: true, status: null } });
    this.#setStatus(run, image.status);
    this.#set(run, { jobSentAt: null });
    await this.#waitForActive(run);
    return true;
  }

  async #followJob(run: TargetRun<ImsState>): Promise<void> {
    const jobId = this.#state(run).jobId!;
    run.step('registering', 'start');
    let job: ImsJob;
    try {
      // Soon at first (a small image's job ends in seconds), then every pollMs (a big one's takes
      // minutes to an hour).
      job = await waitForJob(this.#o.ims, jobId, {
        signal: run.signal,
        intervalMs: Math.min(500, this.#pollMs),
        maxIntervalMs: this.#pollMs,
        onUpdate: (j) => {
          const percent = j.processPercent === null ? null : Math.floor(Math.min(1, j.processPercent) * 100);
          run.update({ remoteJob: { id: jobId, status: j.status, percent } });
          if (percent !== null) run.stepPercent('registering', percent);
        },
      });
    } catch (e) {
      if (e instanceof ImagedropError && e.detail?.startsWith(`job ${jobId}`)) {
        // The job FAILed: it cannot be followed again. Retry registers anew (the object is kept).
        this.#set(run, { jobId: null });
        throw new ImagedropError('ims/job-failed', e.message, {
          detail: `${e.code}; ${e.detail}`,
          ...(e.serverMessage ? { serverMessage: e.serverMessage } : {}),
        });
      }
      throw e;
    }
    run.step('registering', 'end');
    if (this.route !== 'register' && job.imageId) {
      run.update({ image: { id: job.imageId, owned: true, status: null } });
    }
    if (!run.job.image.id) {
      throw new ImagedropError(
        'ims/unexpected-response',
        `IMS job ${jobId} succeeded without naming its image: look for the image tagged ${uploadTag(run.job.id)} on the dashboard.`,
      );
    }
  }

  /** Polls the image to `active`; killed or deleted are failures. */
  async #waitForActive(run: TargetRun<ImsState>): Promise<void> {
    const id = run.job.image.id!;
    let wait = Math.min(250, this.#pollMs);
    for (;;) {
      const image = await this.#o.ims.getImage(id, run.signal);
      this.#setStatus(run, image.status);
      if (image.status === 'active') {
        if (this.route === 'native') run.step('saving', 'end');
        run.step('active', 'start');
        run.step('active', 'end');
        return;
      }
      if (image.status === 'killed') {
        throw new ImagedropError(
          'upload/killed',
          `IMS could not make image ${id} of the file (the image is killed): try the upload again, and if it fails again ask Huawei Cloud support.`,
        );
      }
      if (image.status === 'deleted' || image.status === 'pending_delete') {
        throw new ImagedropError(
          'ims/image-not-found',
          `IMS image ${id} was deleted before it became active: upload the file again.`,
        );
      }
      await sleep(wait, run.signal);
      wait = Math.min(this.#pollMs, Math.round(wait * 1.5));
    }
  }

  #setStatus(run: TargetRun<ImsState>, status: string): void {
    const known = toImageStatus(status);
    if (run.job.image.status === known) return;
    run.update({ image: { status: known } });
  }

  async #imageOrNull(id: string, signal: AbortSignal): Promise<ImsImage | null> {
    try {
      return await this.#o.ims.getImage(id, signal);
    } catch (e) {
      if (e instanceof ImagedropError && e.code === 'ims/image-not-found') return null;
      throw e;
    }
  }

  async #findByTag(run: TargetRun<ImsState>): Promise<ImsImage | null> {
    const [image] = await this.#o.ims.findImagesByTag(uploadTag(run.job.id), run.signal);
    if (image) run.update({ image: { id: image.id, owned: true, status: null } });
    return image ?? null;
  }

  async #deleteImage(id: string, signal: AbortSignal): Promise<void> {
    try {
      await this.#o.ims.deleteImage(id, signal);
    } catch (e) {
      if (e instanceof ImagedropError && e.code === 'ims/image-not-found') return;
      throw e;
    }
  }
}

/** The route a request asks for, made concrete (auto is decided by the caller: core/ims-routes.ts). */
export function routeOf(choice: ImsRouteChoice | undefined): ImsRoute | null {
  return !choice || choice === 'auto' ? null : choice;
}

/** IMS reports Glance's statuses; anything else is shown as unknown. */
function toImageStatus(status: string | null | undefined): ImageStatus | null {
  return status && (GLANCE_IMAGE_STATUSES as readonly string[]).includes(status) ? (status as ImageStatus) : null;
}

function metadataFormat(diskFormat: string): MetadataDiskFormat {
  if ((METADATA_DISK_FORMATS as readonly string[]).includes(diskFormat)) return diskFormat as MetadataDiskFormat;
  throw new ImagedropError(
    'ims/format-not-accepted',
    `IMS's metadata takes disk formats ${METADATA_DISK_FORMATS.join(', ')}, not ${diskFormat}: upload it with the create route, where IMS reads the format itself.`,
  );
}

function fileNameOf(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
