// OpenStack Glance as an ImageTarget: create the record (with a client-chosen id saved first),
// one PUT of the whole file hashed as it streams, wait for `active`, compare size and
// os_hash_value (or md5) with what was sent. Resume truth comes from the image's status: Glance
// keeps nothing of a broken PUT, puts the image back to `queued`, and leaves an image stuck in
// `saving` when glance-api died; clean-up deletes only a record this app created.
import { randomUUID } from 'node:crypto';
import {
  IMAGEDROP_PROPERTY,
  storeList,
  type GlanceImage,
  type GlanceImageStatus,
  type GlanceStore,
} from '../../../../shared/glance.ts';
import type { StoreOutcome } from '../../../../shared/upload.ts';
import { unknownStoreError } from '../../openstack/preflight.ts';
import type { AppError } from '../../../../shared/errors.ts';
import type { ResumePlan } from '../../../../shared/upload.ts';
import { ImagedropError } from '../../errors.ts';
import { sleep } from '../../sleep.ts';
import { sameFile } from '../../files/identity.ts';
import type { GlanceClient } from '../../openstack/glance.ts';
import { hashFile, type SourceBody } from '../../upload/file-source.ts';
import { resumePlanFor, type ServerView } from '../../upload/policy/resume.ts';
import type {
  CleanUpReason,
  ImageTarget,
  Reconciliation,
  TargetRun,
  TransferIO,
  TransferResult,
  Verification,
} from '../../upload/target.ts';
import type { CloudFacts } from './cloud-facts.ts';
import { glancePutTransport, glanceStageTransport, type GlanceTransport } from './transport.ts';

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
/** Deleting a record this app created is tried this many times on retryable failures. */
export const DELETE_ATTEMPTS = 5;
export const DELETE_RETRY_BASE_MS = 300;
/** An image create gets this long to answer, whatever else happens (a cancel waits for it). */
export const CREATE_TIMEOUT_MS = 60_000;
/** A create that got no answer is looked for this long before the record counts as not there (yet). */
export const LATE_CREATE_WAIT_MS = 10_000;

/** What the Glance target keeps in the job log. */
export interface GlanceState {
  /**
   * The last create got no answer (a deadline, a shutdown, a 5xx): Glance may still commit it.
   * The next create reuses the same id, so a late one can never become a second record.
   */
  readonly createUncertain: boolean;
  /** A transport's own resume state (a test transport's parts). */
  readonly transport: { readonly name: string; readonly state: unknown } | null;
  /** Import only: every byte is staged. */
  readonly staged?: boolean;
  /** Import only: POST …/import was accepted; what is left is following it. */
  readonly importStarted?: boolean;
}

export interface GlanceTargetOptions {
  readonly glance: GlanceClient;
  readonly facts: CloudFacts;
  /** The endpoint whose hashing facts apply. */
  readonly imageEndpoint: string;
  /** disk_format values the cloud accepts (empty: unknown, do not check). */
  readonly diskFormats: readonly string[];
  readonly sizeLimit: number;
  readonly verify?: Partial<VerifyPolicy>;
  readonly createTimeoutMs?: number;
  readonly transport?: GlanceTransport;
  /**
   * The interoperable import instead of one PUT: stage the file, then import it with glance-direct
   * to the request's stores (the 'glance-import' target).
   */
  readonly import?: {
    /** What GET /v2/info/import lists. */
    readonly methods: readonly string[];
    /** The cloud's stores (GET /v2/info/stores). */
    readonly stores: readonly GlanceStore[];
  };
}

const EMPTY: GlanceState = { createUncertain: false, transport: null };

/** What a Glance image's status says for a resume (pure; the policy makes the plan from it). */
export function glanceServerView(status: GlanceImageStatus | null, owned: boolean, keptBytes: number): ServerView {
  if (status === 'saving' || status === 'killed') return { kind: 'stuck', status };
  if (status === 'active' && owned) return { kind: 'complete' };
  if (status === 'queued') return { kind: 'waiting', offset: keptBytes };
  return { kind: 'none' };
}

export class GlanceTarget implements ImageTarget<GlanceState> {
  readonly kind: 'glance' | 'glance-import';
  readonly pauseMode = 'hold' as const;
  readonly sizeLimit: number;
  readonly acceptedDiskFormats: readonly string[];
  readonly glance: GlanceClient;
  readonly #options: GlanceTargetOptions;
  readonly #verify: VerifyPolicy;
  readonly #transport: GlanceTransport;
  /** The image as finish() last read it, for verify() to compare. */
  readonly #finished = new Map<string, GlanceImage>();

  constructor(options: GlanceTargetOptions) {
    this.#options = options;
    this.glance = options.glance;
    this.sizeLimit = options.sizeLimit;
    this.acceptedDiskFormats = options.diskFormats;
    this.#verify = { ...DEFAULT_VERIFY, ...options.verify };
    this.kind = options.import ? 'glance-import' : 'glance';
    this.#transport = options.transport ?? (options.import ? glanceStageTransport : glancePutTransport);
  }

  get #importing(): boolean {
    return this.#options.import !== undefined;
  }

  parseState(raw: unknown): GlanceState | null {
    if (typeof raw !== 'object' || raw === null) return null;
    const r = raw as Partial<GlanceState>;
    const transport =
      r.transport && typeof r.transport === 'object' && typeof r.transport.name === 'string' ? r.transport : null;
    return {
      createUncertain: r.createUncertain === true,
      transport,
      ...(r.staged ? { staged: true } : {}),
      ...(r.importStarted ? { importStarted: true } : {}),
    };
  }

  async reconcile(run: TargetRun<GlanceState>): Promise<Reconciliation> {
    const { image: known } = run.job;
    const state = run.job.state ?? EMPTY;
    if (!known.id) return { kind: 'new' };
    let image = await this.#getImageOrNull(known.id, run.signal);
    if (!image && state.createUncertain) image = await this.#waitForLateCreate(known.id, run.signal);
    if (image?.status === 'saving') image = await this.#waitWhileSaving(known.id, run.signal);
    run.update({ image: { status: image?.status ?? null } });
    if (image) run.update({ state: { ...state, createUncertain: false } });
    if (image?.status === 'active' && known.owned) return { kind: 'finish' };
    // An import under way (or fully staged and waiting for it): follow it, never stage again.
    if (
      this.#importing &&
      known.owned &&
      (image?.status === 'importing' || (image?.status === 'uploading' && state.staged))
    ) {
      return { kind: 'finish' };
    }
    if (!image || image.status === 'deleted' || image.status === 'pending_delete' || !known.owned) {
      // Gone, or not one of ours (Imagedrop never sends data into a record it did not create): a
      // new record. One whose creation is still uncertain keeps its id for the next create.
      const uncertain = !image && state.createUncertain;
      run.update({ image: { id: uncertain ? known.id : null, owned: uncertain } });
      return { kind: 'new' };
    }
    if (image.status === 'queued') return { kind: 'reuse' };
    if (image.status === 'saving' || image.status === 'killed' || image.status === 'uploading') {
      return {
        kind: 'replace',
        plan: { kind: 'recreate', imageStatus: image.status },
        error: {
          code: 'upload/stuck-saving',
          message: `Image ${image.id} is stuck in ${image.status} and no upload of Imagedrop's is running: resume to delete it and upload again to a new image record.`,
          retryable: false,
        },
      };
    }
    return {
      kind: 'refuse',
      error: new ImagedropError(
        'preflight/image-not-queued',
        `Image ${image.id} is ${image.status}, not waiting for data: upload the file to a new image instead.`,
      ).toAppError(),
    };
  }

  /** The import route: offered only where Glance lists glance-direct, to stores it has. */
  async check(run: TargetRun<GlanceState>): Promise<void> {
    const wanted = run.job.request.import;
    const info = this.#options.import;
    if (!wanted || !info) return;
    if (!info.methods.includes('glance-direct')) {
      throw new ImagedropError(
        'glance/import-unavailable',
        `This cloud's Glance does not offer the glance-direct import (it lists ${info.methods.length ? info.methods.join(', ') : 'no import method'}): upload the file without --import.`,
      );
    }
    if (wanted.stores !== 'all') {
      for (const store of wanted.stores) {
        if (!info.stores.some((s) => s.id === store)) throw unknownStoreError(store, info.stores, run.job.request.name);
      }
    } else if (info.stores.length === 0) {
      throw new ImagedropError(
        'glance/import-unavailable',
        'This cloud has no stores to choose from (it lists none), so there is no "all stores" to import into: leave out --all-stores.',
      );
    }
  }

  async prepare(run: TargetRun<GlanceState>): Promise<void> {
    const state = run.job.state ?? EMPTY;
    // A create that got no answer may still land: the next one uses the same id, so that either
    // this one or the late one fails with 409 and there is never a second record.
    const retrying = state.createUncertain && run.job.image.id ? run.job.image.id : null;
    // The id is chosen here and saved before the request, so that a crash between Glance's answer
    // and the log write still leaves a record Imagedrop can find and clean up.
    const imageId = retrying ?? randomUUID();
    run.step('created', 'start');
    run.update({
      image: { id: imageId, owned: true, status: null },
      state: { createUncertain: true, transport: null }, // a new record: nothing sent before counts
    });
    await run.persist();
    const r = run.job.request;
    // A cancel does not abort the create: Glance may still commit a POST it has fully received
    // after the client went away, and the DELETE that follows a cancel could come first and find
    // nothing. Letting the create answer first means the DELETE always finds what it must remove.
    const createSignal = AbortSignal.any([
      run.closing,
      AbortSignal.timeout(this.#options.createTimeoutMs ?? CREATE_TIMEOUT_MS),
    ]);
    let image: GlanceImage;
    let methods: string[] | null = null;
    try {
      ({ image, importMethods: methods } = await this.glance.createImageDetailed(
        {
          id: imageId,
          name: r.name,
          diskFormat: run.job.diskFormat,
          containerFormat: r.containerFormat,
          visibility: r.visibility,
          ...(r.minDisk !== undefined ? { minDisk: r.minDisk } : {}),
          ...(r.minRam !== undefined ? { minRam: r.minRam } : {}),
          ...(r.protected !== undefined ? { protected: r.protected } : {}),
          ...(r.tags ? { tags: r.tags } : {}),
          properties: { ...r.properties, [IMAGEDROP_PROPERTY]: run.job.id },
        },
        createSignal,
      ));
    } catch (e) {
      const adopted = retrying && e instanceof ImagedropError && e.code === 'glance/conflict';
      if (!adopted) {
        // Until Glance answers, the record may or may not exist; a 4xx answer is the only clear "no".
        const status = e instanceof ImagedropError ? e.httpStatus : undefined;
        if (status !== undefined && status < 500) run.update({ state: { createUncertain: false, transport: null } });
        throw e;
      }
      // The earlier create landed after all: this record is the job's.
      image = await this.glance.getImage(imageId, run.signal);
      run.update({ state: { createUncertain: false, transport: null } });
      if (image.status !== 'queued') {
        throw new ImagedropError(
          'preflight/image-not-queued',
          `Image ${image.id} is ${image.status}, not waiting for data: upload the file to a new image instead.`,
        );
      }
    }
    run.update({ state: { createUncertain: false, transport: null }, image: { status: image.status } });
    // The record's own answer must agree that it can be imported this way.
    if (this.#importing && methods !== null && !methods.includes('glance-direct')) {
      throw new ImagedropError(
        'glance/import-unavailable',
        `Glance created image ${image.id} but says it can be imported only by ${methods.join(', ') || 'no method'}, not glance-direct: upload the file without --import.`,
      );
    }
    run.step('created', 'end');
  }

  /** Parts sent from another version of the file must not be joined with this one's. */
  #transportState(run: TargetRun<GlanceState>): GlanceState['transport'] {
    const t = run.job.state?.transport ?? null;
    if (!t || t.name !== this.#transport.name) return null;
    const { sentIdentity, checked } = run.job;
    if (sentIdentity && checked && !sameFile(sentIdentity, checked)) return null;
    return t;
  }

  keptBytes(run: TargetRun<GlanceState>): number {
    return this.#transport.resumeOffset(this.#transportState(run)?.state ?? null);
  }

  async transfer(run: TargetRun<GlanceState>, { source }: TransferIO): Promise<TransferResult> {
    const imageId = run.job.image.id!;
    const signal = run.signal;
    let whole: SourceBody | null = null;
    // The image's status for the views: read soon and often until it leaves `queued`, then rarely.
    let timer: NodeJS.Timeout | undefined;
    let polling = true;
    const poll = async () => {
      try {
        const image = await this.glance.getImage(imageId, signal);
        const phase = run.job.phase;
        if (polling && (phase === 'uploading' || phase === 'paused')) this.#setStatus(run, image.status);
      } catch {
        // A status read is for display only; the PUT itself reports real failures.
      }
      if (polling) timer = setTimeout(poll, run.job.image.status === 'queued' ? STATUS_POLL_EARLY_MS : STATUS_POLL_MS);
    };
    timer = setTimeout(poll, STATUS_POLL_EARLY_MS);
    let transportState: unknown = this.#transportState(run)?.state ?? null;
    try {
      await this.#transport.transfer(this.glance, {
        imageId,
        path: run.job.request.path,
        size: run.job.bytesTotal,
        store: run.job.request.store ?? null,
        signal,
        state: transportState,
        saveState: async (next) => {
          transportState = next;
          run.update({ state: { createUncertain: false, transport: { name: this.#transport.name, state: next } } });
        },
        openBody: async (range) => {
          const algorithms = range ? [] : this.#options.facts.algorithmsFor(this.#options.imageEndpoint);
          const body = await source.openBody(range ?? null, algorithms, signal);
          if (!range) whole = body;
          return body.body;
        },
      });
    } finally {
      polling = false;
      if (timer) clearTimeout(timer);
    }
    const digests = whole ? await (whole as SourceBody).digests() : null;
    if (this.#importing) {
      // Every byte is staged: what is left is the import (never a second stage).
      run.step('staged', 'start');
      run.step('staged', 'end');
      run.update({ image: { status: null }, state: { createUncertain: false, transport: null, staged: true } });
      await run.persist();
    } else {
      run.update({
        image: { status: null }, // read again while finishing
        state: { createUncertain: false, transport: null }, // the transfer is complete: nothing of it is left to resume
      });
    }
    return { digests: digests && Object.keys(digests).length ? digests : null };
  }

  /** Waits for `active` (the import route first asks for the import, then follows it store by store). */
  async finish(run: TargetRun<GlanceState>): Promise<void> {
    if (this.#importing) return this.#finishImport(run);
    // Glance has every byte and is storing them: Saving starts here, after the engine ended
    // Uploading, and ends at `active`.
    run.step('saving', 'start');
    const imageId = run.job.image.id!;
    let delay = this.#verify.pollStartMs;
    let lastStatus: string | null = null;
    let lastChange = run.now();
    for (;;) {
      const image = await this.glance.getImage(imageId, run.signal);
      this.#setStatus(run, image.status);
      if (image.status !== lastStatus) {
        lastStatus = image.status;
        lastChange = run.now();
      }
      if (image.status === 'active') return this.#reachedActive(run, 'saving', image);
      throwIfEnded(image.status);
      if (image.status === 'queued') {
        throw new ImagedropError(
          'upload/interrupted',
          'The image service does not have the data (the image is back to queued): upload the file again.',
          { retryable: true },
        );
      }
      if (run.now() - lastChange > this.#verify.stallTimeoutMs) {
        throw new ImagedropError(
          'upload/verify-timeout',
          `The image has been ${image.status} for too long without becoming active: check it on the dashboard, or ask the cloud administrator.`,
        );
      }
      await sleep(delay, run.signal);
      delay = Math.min(this.#verify.maxPollMs, delay * 1.5);
    }
  }

  /** glance-direct import of the staged data, then each store's outcome as Glance reports it. */
  async #finishImport(run: TargetRun<GlanceState>): Promise<void> {
    const imageId = run.job.image.id!;
    const wanted = run.job.request.import!;
    const state = run.job.state ?? EMPTY;
    const all = this.#options.import!.stores.map((s) => s.id);
    const targets = wanted.stores === 'all' ? all : wanted.stores.length ? wanted.stores : [];
    if (!state.importStarted) {
      run.step('importing', 'start');
      await this.glance.importImage(imageId, { name: 'glance-direct' }, run.signal, {
        ...(wanted.stores === 'all' ? { allStores: true } : wanted.stores.length ? { stores: wanted.stores } : {}),
        ...(targets.length ? { allStoresMustSucceed: !wanted.allowFailure } : {}),
      });
      run.update({ state: { ...state, importStarted: true } });
      await run.persist();
    }
    let delay = this.#verify.pollStartMs;
    let lastChange = run.now();
    let last = '';
    for (;;) {
      const image = await this.glance.getImage(imageId, run.signal);
      this.#setStatus(run, image.status);
      const outcome = storeOutcomes(image, targets);
      run.update({ stores: outcome.stores });
      if (outcome.total > 0) run.stepPercent('importing', Math.floor((outcome.settled / outcome.total) * 100));
      const seen = `${image.status}|${outcome.settled}`;
      if (seen !== last) {
        last = seen;
        lastChange = run.now();
      }
      if (image.status === 'active' && outcome.importing === 0) {
        if (outcome.failed.length && !wanted.allowFailure) {
          throw importFailed(outcome.failed, imageId);
        }
        return this.#reachedActive(run, 'importing', image);
      }
      throwIfEnded(image.status);
      // A store failed and nothing is importing any more: Glance (Zed) leaves such an image in
      // `importing` with os_glance_failed_import set and its task failed; it will not move again.
      if (outcome.failed.length && outcome.importing === 0 && image.status !== 'active') {
        throw importFailed(outcome.failed, imageId);
      }
      if (run.now() - lastChange > this.#verify.stallTimeoutMs) {
        throw new ImagedropError(
          'upload/verify-timeout',
          `The import of image ${imageId} has not moved for too long (${image.status}): check its import task on the dashboard, or ask the cloud administrator.`,
        );
      }
      await sleep(delay, run.signal);
      delay = Math.min(this.#verify.maxPollMs, delay * 1.5);
    }
  }

  /** Size and checksum match: verified; no checksum at all: not verified. Throws on a mismatch. */
  async verify(run: TargetRun<GlanceState>): Promise<Verification> {
    const image = this.#finished.get(run.job.id) ?? (await this.glance.getImage(run.job.image.id!, run.signal));
    this.#finished.delete(run.job.id);
    const job = run.job;
    const sent = job.sentIdentity?.size ?? job.bytesTotal;
    const algo = image.os_hash_algo;
    const value = image.os_hash_value;
    await this.#options.facts.remember(this.#options.imageEndpoint, algo && value ? algo : null);
    const digest = async (a: string) =>
      job.digests?.[a] ?? (await hashFile(job.request.path, a, { sent: job.sentIdentity, signal: run.signal }));
    const checksums = {
      ...job.checksums,
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
      run.update({ checksums });
      throw mismatch(`size ${image.size} bytes on the server, ${sent} bytes sent`);
    }
    if (algo && value) {
      const local = await digest(algo);
      checksums.local = local;
      if (job.digests?.md5) checksums.md5Local = job.digests.md5;
      run.update({ checksums });
      if (local.toLowerCase() !== value.toLowerCase())
        throw mismatch(`${algo} ${value.slice(0, 16)}… on the server, ${local.slice(0, 16)}… sent`);
      return { verified: true, by: algo };
    }
    if (image.checksum) {
      const md5 = await digest('md5');
      checksums.md5Local = md5;
      run.update({ checksums });
      if (md5.toLowerCase() !== image.checksum.toLowerCase())
        throw mismatch(`md5 ${image.checksum} on the server, ${md5} sent`);
      return { verified: true, by: 'md5' };
    }
    run.update({ checksums });
    return { verified: false, by: null };
  }

  /** After a broken connection: Glance needs up to ~0.4 s to put the image back to queued. */
  async resumePlan(run: TargetRun<GlanceState>): Promise<ResumePlan> {
    const { image: known } = run.job;
    if (!known.id) return { kind: 'restart' };
    let image = await this.#getImageOrNull(known.id, run.signal);
    if (image?.status === 'saving') image = await this.#waitWhileSaving(known.id, run.signal);
    const status = image?.status ?? null;
    run.update({ image: { status } });
    if (this.#importing && known.owned) {
      const state = run.job.state ?? EMPTY;
      if (status === 'importing' || (status === 'uploading' && state.staged)) return { kind: 'verify' };
    }
    return resumePlanFor(glanceServerView(status, known.owned, this.keptBytes(run)), run.job.bytesTotal);
  }

  /** Deletes the job's image, only when this app created it. A 404 counts as deleted. */
  async cleanUp(run: TargetRun<GlanceState>, reason: CleanUpReason): Promise<void> {
    const id = run.job.image.id;
    if (!id || !run.job.image.owned) return;
    let uncertain = run.job.state?.createUncertain === true;
    // A record must not stay behind because of one 500 or 503: retry what is retryable.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.glance.deleteImage(id, run.signal);
        break;
      } catch (e) {
        if (e instanceof ImagedropError && e.code === 'glance/not-found') {
          // Not there (yet?): a create that got no answer may still land; wait for it, then delete it.
          if (uncertain) {
            uncertain = false;
            if (await this.#waitForLateCreate(id, run.signal)) continue;
            if (reason !== 'replace') {
              throw new ImagedropError(
                'upload/record-uncertain',
                `The creation of image record ${id} got no answer and it has not appeared: Imagedrop looks for it again when it next connects, and deletes it if it does.`,
              );
            }
          }
          break;
        }
        if (!(e instanceof ImagedropError && e.retryable) || attempt >= DELETE_ATTEMPTS) throw e;
        await sleep(DELETE_RETRY_BASE_MS * 2 ** (attempt - 1), run.signal);
      }
    }
    // The job may have moved on meanwhile (a new record after a retry): only forget what was deleted.
    if (run.job.image.id !== id) return;
    run.update({
      image: { id: reason === 'replace' ? null : id, owned: false, status: 'deleted' },
      state: { createUncertain: false, transport: null },
    });
  }

  describeRecord(job: { readonly image: { readonly id: string | null } }): string | null {
    return job.image.id ? `image record ${job.image.id}` : null;
  }

  classify(error: AppError): { recordGone: boolean; badData: boolean } {
    return {
      recordGone: error.code === 'glance/not-found' || error.code === 'glance/gone',
      // An import that failed where it had to succeed leaves a record that holds nothing usable.
      badData: error.code === 'glance/import-failed',
    };
  }

  renewAuth(signal: AbortSignal): Promise<void> {
    return this.glance.session.renew(signal).then(() => undefined);
  }

  /** The image is `active`: the step that led there ends, `active` is reached, verify reads this image. */
  #reachedActive(run: TargetRun<GlanceState>, from: 'saving' | 'importing', image: GlanceImage): void {
    run.step(from, 'end');
    run.step('active', 'start');
    run.step('active', 'end');
    this.#finished.set(run.job.id, image);
  }

  /**
   * Records the image's status. Glance says `saving` from the first byte it receives, but the
   * Saving step starts only once the transfer has ended (finish()): the lifecycle reads in order,
   * Uploading then Saving, never both under way.
   */
  #setStatus(run: TargetRun<GlanceState>, status: GlanceImageStatus): void {
    if (run.job.image.status === status) return;
    run.update({ image: { status } });
  }

  async #getImageOrNull(id: string, signal: AbortSignal): Promise<GlanceImage | null> {
    try {
      return await this.glance.getImage(id, signal);
    } catch (e) {
      if (e instanceof ImagedropError && e.code === 'glance/not-found') return null;
      throw e;
    }
  }

  /**
   * After a create that got no answer: looks for the record for a while (Glance may commit a POST
   * it received after the client gave up on it). Returns it when it appears; null when it did not.
   */
  async #waitForLateCreate(id: string, signal: AbortSignal): Promise<GlanceImage | null> {
    const until = Date.now() + LATE_CREATE_WAIT_MS;
    for (;;) {
      const image = await this.#getImageOrNull(id, signal);
      if (image || Date.now() >= until) return image;
      await sleep(500, signal);
    }
  }

  /** Glance shows `saving` for a moment after a broken upload; wait for it to settle. */
  async #waitWhileSaving(id: string, signal: AbortSignal): Promise<GlanceImage | null> {
    const until = Date.now() + SAVING_SETTLE_MS;
    let image = await this.#getImageOrNull(id, signal);
    while (image?.status === 'saving' && Date.now() < until) {
      await sleep(250, signal);
      image = await this.#getImageOrNull(id, signal);
    }
    return image;
  }
}

/** Killed or deleted: the image will never become active. */
function throwIfEnded(status: GlanceImageStatus): void {
  if (status === 'killed') {
    throw new ImagedropError(
      'upload/killed',
      'The image service could not store the data (the image is killed): try the upload again, and if it fails again ask the cloud administrator to check the store.',
    );
  }
  if (status === 'deleted' || status === 'pending_delete') {
    throw new ImagedropError(
      'glance/gone',
      'The image was deleted before it became active: upload the file again to a new image.',
    );
  }
}

/** Each wanted store's state, from the image's own properties. */
export function storeOutcomes(
  image: GlanceImage,
  wanted: readonly string[],
): { stores: StoreOutcome[]; settled: number; importing: number; total: number; failed: string[] } {
  const done = storeList(image.stores);
  const importing = storeList(image['os_glance_importing_to_stores']);
  const failed = storeList(image['os_glance_failed_import']);
  const names = wanted.length ? wanted : done; // the default store: whichever Glance used
  const stores = names.map((store): StoreOutcome => ({
    store,
    state: failed.includes(store)
      ? 'failed'
      : done.includes(store)
        ? 'done'
        : importing.includes(store)
          ? 'importing'
          : 'pending',
  }));
  const settled = stores.filter((s) => s.state === 'done' || s.state === 'failed').length;
  return { stores, settled, importing: importing.length, total: stores.length, failed };
}

function importFailed(stores: readonly string[], imageId: string): ImagedropError {
  return new ImagedropError(
    'glance/import-failed',
    `Glance could not import image ${imageId} into ${stores.length === 1 ? `store ${stores[0]}` : `stores ${stores.join(', ')}`} (its import task failed there): check that store with the cloud's administrator, or import again with --allow-failure to keep the image where it did land.`,
    { detail: `os_glance_failed_import: ${stores.join(',')}` },
  );
}
