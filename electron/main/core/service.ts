// The main-process core behind the IPC contract: sessions, inspection, the upload engine, the
// dashboard. Plain Node (no electron): the Electron shell serves it over ipcMain, `imagedrop
// serve` over HTTP (electron/main/serve), and the e2e harness over a Playwright binding. The few
// things only Electron can do (a native file picker, the clipboard, the keychain) are passed in.
import path from 'node:path';
import {
  STUCK_STATUSES,
  type DeleteImagesOptions,
  type DeleteOutcome,
  type ImageList,
  type ImageSummary,
  type InspectOutcome,
  type Unsubscribe,
} from '../../../shared/ipc.ts';
import { deletableBecause } from '../../../shared/image-rules.ts';
import type { CloudEntry, ConnectRequest, SessionInfo } from '../../../shared/session.ts';
import type { UploadId, UploadRequest, UploadSnapshot } from '../../../shared/upload.ts';
import { ImagedropError, toAppError } from '../errors.ts';
import { inspectFile } from '../inspect/index.ts';
import { chooseCloud, listCloudNames, type CloudConfig } from '../openstack/cloud-config.ts';
import { isTimeoutReason } from '../openstack/http.ts';
import { unknownStoreError } from '../openstack/preflight.ts';
import { CloudFacts } from '../targets/glance/cloud-facts.ts';
import { UploadEngine, type EngineOptions } from '../upload/engine.ts';
import { JobLog } from '../upload/job-log.ts';
import { openContext, sessionInfo, type CloudContext } from './context.ts';
import { dashboardImages, withUnlisted, type DashboardImage } from './dashboard-images.ts';
import { resolveImsRoute } from './ims-context.ts';
import type { InvokeHandlers } from './dispatch.ts';
import { HostFiles } from './host-files.ts';
import { buildExport } from './dashboard-export.ts';
import { ImageCopies } from './image-copies.ts';
import {
  abortMultipartUploads,
  listMultipartUploads,
  uploadsHeldBy,
  uploadsHeldByCliLogs,
} from './multipart-uploads.ts';
import { Profiles, configFromManual, type SecretStore } from './profiles.ts';

export interface PlatformServices {
  /** The native "open files" dialog (Electron's dialog in the app). */
  pickFiles(): Promise<string[]>;
  /** The native dialog for one CA certificate file; null when cancelled. */
  pickCaFile(): Promise<string | null>;
  copyText(text: string): Promise<void>;
}

export interface CoreOptions {
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly secrets: SecretStore;
  readonly platform: PlatformServices;
  /** Folders the page may browse for files (`serve --root`, real paths from resolveHostRoots); none in the app. */
  readonly hostRoots?: readonly string[];
  readonly engine?: Partial<Pick<EngineOptions, 'concurrency' | 'retry' | 'progressIntervalMs'>>;
  readonly onWarning?: (message: string) => void;
}

const CALL_TIMEOUT_MS = 60_000;
const INSPECT_CONCURRENCY = 8;
/** The inspector reads at most 1 MiB per file: this long means the file's storage hangs. */
const INSPECT_TIMEOUT_MS = 30_000;

/** 'alice@keystone.example.org/ops': two users of one Keystone never share a remembered secret. */
function defaultLabel(request: Extract<ConnectRequest, { kind: 'manual' }>): string {
  const a = request.auth;
  const who =
    a.type === 'password'
      ? a.username
      : (a.username ?? a.applicationCredentialName ?? a.applicationCredentialId ?? 'app');
  const project = a.type === 'password' ? `/${a.projectName}` : '';
  return `${who}@${new URL(request.authUrl).host}${project}`;
}

export class ImagedropCore {
  readonly engine: UploadEngine;
  readonly #options: CoreOptions;
  readonly #profiles: Profiles;
  readonly #facts: CloudFacts;
  readonly #hostFiles: HostFiles;
  readonly #fileListeners = new Set<(paths: readonly string[]) => void>();
  /** Files the user chose, dropped or opened with Imagedrop: the only ones the renderer may name. */
  readonly #granted = new Set<string>();
  /** CA files the user chose with the CA picker: the only ones a typed-in connection may name. */
  readonly #grantedCaFiles = new Set<string>();
  readonly #copies = new ImageCopies();
  #context: CloudContext | null = null;
  readonly warnings: string[] = [];

  constructor(options: CoreOptions) {
    this.#options = options;
    const warn = (m: string) => {
      this.warnings.push(m);
      options.onWarning?.(m);
    };
    this.#profiles = new Profiles(path.join(options.dataDir, 'profiles.json'), options.secrets);
    this.#facts = new CloudFacts(path.join(options.dataDir, 'cloud-facts.json'));
    this.#hostFiles = new HostFiles(options.hostRoots ?? []);
    this.engine = new UploadEngine({
      context: () => this.#context,
      inspect: inspectFile,
      jobLog: new JobLog(path.join(options.dataDir, 'jobs.json'), { onWarning: warn }),
      onWarning: warn,
      ...options.engine,
    });
  }

  /** Loads what the last run left: the queue comes back as it was. */
  async init(): Promise<void> {
    await this.#facts.load();
    await this.engine.restore();
  }

  async dispose(): Promise<void> {
    this.#copies.dispose();
    await this.engine.dispose();
  }

  get context(): CloudContext | null {
    return this.#context;
  }

  /** Called by the shell when the OS hands files to the app (file associations, second instance). */
  openFiles(paths: readonly string[]): void {
    this.grantPaths(paths);
    for (const l of this.#fileListeners) l(paths);
  }

  /**
   * Lets the renderer name these files: the shell calls it for what the OS hands over and for
   * each dropped file the preload resolved; the file picker's answers are granted here too.
   */
  grantPaths(paths: readonly string[]): void {
    for (const p of paths) this.#granted.add(p);
  }

  #requireGranted(paths: readonly string[]): void {
    const refused = paths.find((p) => !this.#granted.has(p));
    if (refused !== undefined) {
      throw new ImagedropError(
        'ipc/path-not-granted',
        'Imagedrop reads only files you chose, dropped or opened with it: add the file again.',
        { detail: refused },
      );
    }
  }

  onFilesOpened(listener: (paths: readonly string[]) => void): Unsubscribe {
    this.#fileListeners.add(listener);
    return () => this.#fileListeners.delete(listener);
  }

  onUploadsChanged(listener: (batch: readonly UploadSnapshot[]) => void): Unsubscribe {
    return this.engine.onDidChange(listener);
  }

  onUploadsRemoved(listener: (ids: readonly UploadId[]) => void): Unsubscribe {
    return this.engine.onRemoved(listener);
  }

  // ── The invoke handlers (validated and wrapped into Results by dispatch.ts) ──────────────────

  readonly handlers: InvokeHandlers = {
    listClouds: () => this.#listClouds(),
    connect: (request) => this.#connect(request),
    disconnect: async () => {
      this.#context = null;
      return null;
    },
    getSession: async () => (this.#context ? sessionInfo(this.#context) : null),
    canRememberSecrets: async () => this.#options.secrets.isAvailable(),
    forgetConnection: async (label) => {
      if (!(await this.#profiles.forget(label))) {
        throw new ImagedropError(
          'config/cloud-not-found',
          `No connection is remembered as '${label}': it may have been forgotten already.`,
        );
      }
      return null;
    },
    pickCaFile: async () => {
      const picked = await this.#options.platform.pickCaFile();
      if (picked !== null) this.#grantedCaFiles.add(picked);
      return picked;
    },
    pickFiles: async () => {
      const paths = await this.#options.platform.pickFiles();
      this.grantPaths(paths);
      return paths;
    },
    inspectFiles: (paths) => this.#inspectFiles(paths),
    startUploads: async (requests) => {
      this.#requireGranted(requests.map((r) => r.path));
      this.#requireKnownStores(requests);
      return this.engine.add(await this.#withRoutes(requests as UploadRequest[]));
    },
    pauseUploads: async (selection) => {
      this.engine.pause(selection);
      return null;
    },
    resumeUploads: async (selection, options) => {
      this.engine.resume(selection, options ?? {});
      return null;
    },
    cancelUploads: async (selection) => {
      await this.engine.cancel(selection);
      return null;
    },
    retryUploads: async (selection) => {
      this.engine.retry(selection);
      return null;
    },
    clearUploads: async (selection) => {
      this.engine.clear(selection);
      return null;
    },
    listUploads: async () => this.engine.list(),
    listImages: () => this.#listImages(),
    deleteImages: (ids, options) => this.#deleteImages(ids, options),
    exportDashboard: async (request) =>
      request.what === 'history'
        ? buildExport(request, { uploads: this.engine.list() }, null, Date.now())
        : buildExport(
            request,
            { images: await this.#listedImages(request.imageIds) },
            this.#context?.name ?? null,
            Date.now(),
          ),
    copyImageToStores: (imageId, stores) => this.#copies.start(this.#requireContext(), imageId, stores),
    listImageCopies: async () => this.#copies.list(),
    listMultipartUploads: () => listMultipartUploads(this.#requireContext(), () => this.#heldUploads()),
    abortMultipartUploads: (ids) => abortMultipartUploads(this.#requireContext(), ids, () => this.#heldUploads()),
    copyText: async (text) => {
      await this.#options.platform.copyText(text);
      return null;
    },
    listHostRoots: async () => this.#hostFiles.roots(),
    listHostDirectory: (dir) =>
      this.#hostFiles.list(dir, this.#context ? { acceptedDiskFormats: this.#context.capabilities.diskFormats } : {}),
    // Granted exactly as the native picker's answers (and the CA picker's, below).
    chooseHostFiles: async (paths) => {
      const real = await this.#hostFiles.resolveFiles(paths);
      this.grantPaths(real);
      return real;
    },
    chooseHostCaFile: async (file) => {
      const [real] = await this.#hostFiles.resolveFiles([file]);
      this.#grantedCaFiles.add(real!);
      return real!;
    },
  };

  async #listClouds(): Promise<CloudEntry[]> {
    const env = { env: this.#options.env, cwd: this.#options.cwd };
    const entries: CloudEntry[] = [];
    for (const c of await listCloudNames(env)) {
      let warnings: readonly string[];
      try {
        warnings = (await chooseCloud({ ...env, cloud: c.name })).warnings;
      } catch (e) {
        warnings = [toAppError(e).message];
      }
      entries.push({ name: c.name, source: c.source, authUrl: c.authUrl, warnings });
    }
    for (const p of await this.#profiles.list()) {
      entries.push({ name: p.label, source: 'remembered', authUrl: p.authUrl, warnings: [] });
    }
    return entries;
  }

  async #connect(request: ConnectRequest): Promise<SessionInfo> {
    const signal = AbortSignal.timeout(CALL_TIMEOUT_MS);
    let config: CloudConfig;
    const environment = { env: this.#options.env, cwd: this.#options.cwd };
    if (request.kind === 'cloud') {
      // A remembered connection when the request says so; otherwise the clouds.yaml (or OS_*)
      // cloud of that name, and a remembered one only when no such cloud exists.
      config = request.remembered
        ? await this.#profiles.requireConfig(request.cloud)
        : await chooseCloud({ ...environment, cloud: request.cloud }).catch(async (e: unknown) => {
            const remembered =
              toAppError(e).code === 'config/cloud-not-found' ? await this.#profiles.config(request.cloud) : null;
            if (!remembered) throw e;
            return remembered;
          });
    } else {
      // Main reads this file: only one the user chose in the picker (clouds.yaml and remembered
      // connections name theirs in the user's own files, above).
      if (request.cacertPath !== undefined && !this.#grantedCaFiles.has(request.cacertPath)) {
        throw new ImagedropError(
          'ipc/path-not-granted',
          'Imagedrop reads only a CA file you chose with "Choose…": choose the CA certificate file again.',
          { detail: request.cacertPath },
        );
      }
      config = configFromManual(request, request.label ?? defaultLabel(request));
    }
    const context = await openContext(config, signal, { facts: this.#facts });
    // Remembering is a convenience: when it fails (no keychain, a disk error), the user is
    // connected all the same and told why the connection was not remembered.
    let notRemembered: string | null = null;
    if (request.kind === 'manual' && request.remember) {
      try {
        const configured = (await listCloudNames(environment).catch(() => [])).map((c) => c.name);
        await this.#profiles.remember(config.name, request, configured);
      } catch (e) {
        notRemembered = `Connected, but not remembered: ${toAppError(e).message}`;
      }
    }
    this.#context = context;
    // Jobs restored for this cloud get a true resume plan, then queued ones start.
    void this.engine.refreshInterrupted(AbortSignal.timeout(CALL_TIMEOUT_MS)).catch(() => {});
    // What earlier runs could not clean up on this cloud is tried again (a record whose DELETE
    // failed, a create that got no answer and may have landed since).
    void this.engine.cleanUpLeftovers('all').catch(() => {});
    const info = sessionInfo(context);
    return notRemembered ? { ...info, warnings: [...info.warnings, notRemembered] } : info;
  }

  /** On an IMS cloud, 'auto' becomes the route the file and the cloud allow (register, create, quick, native). */
  async #withRoutes(requests: readonly UploadRequest[]): Promise<UploadRequest[]> {
    const ctx = this.#requireContext();
    if (ctx.kind !== 'ims') return [...requests];
    const detect = async (p: string) =>
      (await inspectFile(p, { signal: AbortSignal.timeout(INSPECT_TIMEOUT_MS) })).diskFormat;
    return Promise.all(requests.map(async (r) => ({ ...r, route: await resolveImsRoute(ctx, r, detect) })));
  }

  /** A store the session does not offer is refused before any image record is created. */
  #requireKnownStores(requests: readonly UploadRequest[]): void {
    const stores = this.#requireContext().capabilities.stores;
    for (const r of requests) {
      if (r.store !== undefined && !stores.some((s) => s.id === r.store))
        throw unknownStoreError(r.store, stores, r.name);
    }
  }

  #requireContext(): CloudContext {
    if (!this.#context) throw new ImagedropError('auth/not-connected', 'Connect to a cloud first.');
    return this.#context;
  }

  /** Each file's verdict, a few at a time (never a thousand open files at once). */
  async #inspectFiles(paths: readonly string[]): Promise<InspectOutcome[]> {
    const accepted = this.#context?.capabilities.diskFormats;
    const outcomes: InspectOutcome[] = new Array(paths.length);
    let next = 0;
    const worker = async () => {
      while (next < paths.length) {
        const i = next++;
        const p = paths[i]!;
        try {
          this.#requireGranted([p]);
          // A file on a dead network mount must not hold the view for ever.
          const inspection = await inspectFile(p, {
            ...(accepted?.length ? { acceptedDiskFormats: accepted } : {}),
            signal: AbortSignal.timeout(INSPECT_TIMEOUT_MS),
          });
          outcomes[i] = { path: p, ok: true, inspection };
        } catch (e) {
          const timedOut = isTimeoutReason(e);
          outcomes[i] = {
            path: p,
            ok: false,
            error: timedOut
              ? {
                  code: 'file/unreadable',
                  message: `${p} gave no bytes within ${INSPECT_TIMEOUT_MS / 1000} s (a hung network mount?): check that the file can be read, then add it again.`,
                  retryable: true,
                }
              : toAppError(e),
          };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(INSPECT_CONCURRENCY, paths.length) }, worker));
    return outcomes;
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
    const { images } = await this.#listImages();
    if (ids === undefined) return images;
    const byId = new Map(images.map((i) => [i.id, i]));
    return ids.map((id) => byId.get(id)).filter((i): i is ImageSummary => i !== undefined);
  }

  /** Multipart uploads a job can still resume: this app's jobs, and the CLI's job logs beside them. */
  async #heldUploads(): Promise<Map<string, string>> {
    const cli = await uploadsHeldByCliLogs(path.join(this.#options.dataDir, 'cli-jobs'));
    return new Map([...cli, ...uploadsHeldBy(this.engine.heldTargetStates())]);
  }

  /** Every image the project owns, read page by page. */
  async #listImages(): Promise<ImageList> {
    const images = dashboardImages(this.#requireContext());
    const signal = AbortSignal.timeout(CALL_TIMEOUT_MS);
    const ours = this.engine.createdImageIds();
    const listed = await images.list(signal);
    const list = await withUnlisted(listed.images, ours, images, signal);
    const pages = listed.pages;
    const active = this.engine.activeImageIds();
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
  async #deleteImages(ids: readonly string[], options: DeleteImagesOptions): Promise<DeleteOutcome[]> {
    const images = dashboardImages(this.#requireContext());
    const stuckAfterMs = options.stuckAfterMinutes * 60_000;
    const out: DeleteOutcome[] = [];
    for (const id of ids) {
      const signal = AbortSignal.timeout(CALL_TIMEOUT_MS);
      try {
        const image = await images.get(id, signal);
        const label = image.name ?? id;
        // Asked after the read, per image: the engine's jobs move on meanwhile.
        if (this.engine.activeImageIds().has(id)) {
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
