// The operator dashboard's service: the project's images (with what this app knows of each), the
// guarded delete of stuck or killed ones, exports of the images and of this app's upload history,
// copy-image to more stores, and (on IMS) the unfinished multipart uploads in the bucket.
import path from 'node:path';
import {
  STUCK_STATUSES,
  type DeleteImagesOptions,
  type DeleteOutcome,
  type ExportFile,
  type ExportRequest,
  type ImageList,
  type ImageSummary,
} from '../../../shared/ipc.ts';
import { deletableBecause } from '../../../shared/image-rules.ts';
import { ImagedropError, toAppError } from '../errors.ts';
import type { UploadEngine } from '../upload/engine.ts';
import type { CloudContext } from './context.ts';
import { buildExport } from './dashboard-export.ts';
import { dashboardImages, withUnlisted, type DashboardImage } from './dashboard-images.ts';
import { ImageCopies } from './image-copies.ts';
import {
  abortMultipartUploads,
  listMultipartUploads,
  uploadsHeldBy,
  uploadsHeldByCliLogs,
} from './multipart-uploads.ts';

const CALL_TIMEOUT_MS = 60_000;

export type DashboardEngine = Pick<UploadEngine, 'createdImageIds' | 'activeImageIds' | 'heldTargetStates' | 'list'>;

export class Dashboard {
  readonly #engine: DashboardEngine;
  /** The session's cloud; throws when not connected. */
  readonly #context: () => CloudContext;
  readonly #contextName: () => string | null;
  /** Where the CLI's job logs live (cli-jobs/ beside the app's data). */
  readonly #dataDir: string;
  readonly #copies = new ImageCopies();

  constructor(options: {
    engine: DashboardEngine;
    context: () => CloudContext;
    contextName: () => string | null;
    dataDir: string;
  }) {
    this.#engine = options.engine;
    this.#context = options.context;
    this.#contextName = options.contextName;
    this.#dataDir = options.dataDir;
  }

  dispose(): void {
    this.#copies.dispose();
  }

  async export(request: ExportRequest): Promise<ExportFile> {
    return request.what === 'history'
      ? buildExport(request, { uploads: this.#engine.list() }, null, Date.now())
      : buildExport(request, { images: await this.#listedImages(request.imageIds) }, this.#contextName(), Date.now());
  }

  copyToStores(imageId: string, stores: readonly string[]) {
    return this.#copies.start(this.#context(), imageId, stores);
  }

  listCopies() {
    return this.#copies.list();
  }

  listMultipartUploads() {
    return listMultipartUploads(this.#context(), () => this.#heldUploads());
  }

  abortMultipartUploads(ids: readonly string[]) {
    return abortMultipartUploads(this.#context(), ids, () => this.#heldUploads());
  }

  #summary(
    image: DashboardImage,
    projectId: string,
    ours: ReadonlySet<string>,
    active: ReadonlySet<string>,
  ): ImageSummary {
    return {
      id: image.id,
      name: image.name,
      status: image.status,
      size: image.size,
      diskFormat: image.diskFormat,
      containerFormat: image.containerFormat,
      visibility: image.visibility,
      owner: image.owner,
      protected: image.protected,
      createdAt: image.createdAt,
      updatedAt: image.updatedAt,
      checksum: image.checksum,
      osHashAlgo: image.osHashAlgo,
      osHashValue: image.osHashValue,
      minDisk: image.minDisk,
      stores: image.stores,
      importingToStores: image.importingToStores,
      failedImportStores: image.failedImportStores,
      osVersion: image.osVersion,
      imageSourceType: image.imageSourceType,
      createdByImagedrop: image.markedByImagedrop || ours.has(image.id),
      ownedByProject: image.owner === projectId,
      uploadingHere: active.has(image.id),
    };
  }

  /** The images to export, read afresh: just the ones named (in that order), or all. */
  async #listedImages(ids: readonly string[] | undefined): Promise<readonly ImageSummary[]> {
    const { images } = await this.listImages();
    if (ids === undefined) return images;
    const byId = new Map(images.map((i) => [i.id, i]));
    return ids.map((id) => byId.get(id)).filter((i): i is ImageSummary => i !== undefined);
  }

  /** Multipart uploads a job can still resume: this app's jobs, and the CLI's job logs beside them. */
  async #heldUploads(): Promise<Map<string, string>> {
    const cli = await uploadsHeldByCliLogs(path.join(this.#dataDir, 'cli-jobs'));
    return new Map([...cli, ...uploadsHeldBy(this.#engine.heldTargetStates())]);
  }

  /** Every image the project owns, read page by page. */
  async listImages(): Promise<ImageList> {
    const images = dashboardImages(this.#context());
    const signal = AbortSignal.timeout(CALL_TIMEOUT_MS);
    const ours = this.#engine.createdImageIds();
    const listed = await images.list(signal);
    const list = await withUnlisted(listed.images, ours, images, signal);
    const pages = listed.pages;
    const active = this.#engine.activeImageIds();
    return {
      images: list.map((i) => this.#summary(i, images.projectId, ours, active)),
      pages,
      fetchedAt: Date.now(),
    };
  }

  /**
   * Deletes stuck or killed images the project owns (never another project's, never a protected one, never
   * one an unfinished upload of this app may still send data into). Each is read again first: the
   * dashboard's list may be minutes old, and an image that moved on since (to active, or updated
   * recently) is left alone.
   */
  async deleteImages(ids: readonly string[], options: DeleteImagesOptions): Promise<DeleteOutcome[]> {
    const images = dashboardImages(this.#context());
    const stuckAfterMs = options.stuckAfterMinutes * 60_000;
    const out: DeleteOutcome[] = [];
    for (const id of ids) {
      const signal = AbortSignal.timeout(CALL_TIMEOUT_MS);
      try {
        const image = await images.get(id, signal);
        const label = image.name ?? id;
        // Asked after the read, per image: the engine's jobs move on meanwhile.
        if (this.#engine.activeImageIds().has(id)) {
          throw new ImagedropError(
            'dashboard/not-stuck',
            `Image ${label} is being uploaded by Imagedrop (Glance does not update it while data arrives or the upload is paused): cancel that upload in the queue instead.`,
            { detail: 'an unfinished upload in this app' },
          );
        }
        if (image.owner !== images.projectId) {
          throw new ImagedropError(
            'auth/forbidden',
            `Image ${label} belongs to another project: Imagedrop only deletes your project's images.`,
          );
        }
        if (image.protected) {
          throw new ImagedropError(
            'auth/forbidden',
            `Image ${label} is protected: unprotect it first if you really mean to delete it.`,
          );
        }
        // Killed is dead at any age; a stuck status only once idle past the threshold.
        const because = deletableBecause(image.status, image.updatedAt, Date.now(), stuckAfterMs);
        if (because === null && !STUCK_STATUSES.includes(image.status)) {
          throw new ImagedropError(
            'dashboard/not-stuck',
            `Image ${label} is ${image.status} now, no longer stuck: Imagedrop did not delete it.`,
            { detail: image.status },
          );
        }
        if (because === null) {
          throw new ImagedropError(
            'dashboard/not-stuck',
            `Image ${label} was updated less than ${options.stuckAfterMinutes} min ago, so it is not stuck: Imagedrop did not delete it.`,
            { detail: `updated_at ${image.updatedAt}` },
          );
        }
        await images.delete(id, signal);
        out.push({ id, ok: true });
      } catch (e) {
        out.push({ id, ok: false, error: toAppError(e) });
      }
    }
    return out;
  }
}
