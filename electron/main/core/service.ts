// The main-process core behind the IPC contract. It composes the services: the session (connection.ts),
// file grants (file-grants.ts), inspection (inspection.ts), the upload engine (upload/) and the
// dashboard (dashboard.ts), and maps each invoke call to one of them. Plain Node (no electron): the Electron shell serves it over ipcMain, `imagedrop
// serve` over HTTP (electron/main/serve), and the e2e harness over a Playwright binding. The few
// things only Electron can do (a native file picker, the clipboard, the keychain) are passed in.
import path from 'node:path';
import type { Unsubscribe } from '../../../shared/ipc.ts';
import type { UploadId, UploadRequest, UploadSnapshot } from '../../../shared/upload.ts';
import { inspectFile } from '../inspect/index.ts';
import { unknownStoreError } from '../openstack/preflight.ts';
import { CloudFacts } from '../targets/glance/cloud-facts.ts';
import { UploadEngine, type EngineOptions } from '../upload/engine.ts';
import { JobLog } from '../upload/job-log.ts';
import { Connection } from './connection.ts';
import type { CloudContext } from './context.ts';
import { Dashboard } from './dashboard.ts';
import { resolveImsRoute } from './ims-context.ts';
import { projectUsage, requireUploadsFit } from './usage.ts';
import type { InvokeHandlers } from './dispatch.ts';
import { HostFiles } from './host-files.ts';
import { FileGrants } from './file-grants.ts';
import { INSPECT_TIMEOUT_MS, inspectGrantedFiles } from './inspection.ts';
import { RememberedConnections, type SecretStore } from './remembered-connections.ts';

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

export class ImagedropCore {
  readonly engine: UploadEngine;
  readonly #options: CoreOptions;
  readonly #facts: CloudFacts;
  readonly #connection: Connection;
  readonly #hostFiles: HostFiles;
  readonly #grants = new FileGrants();
  readonly #dashboard: Dashboard;
  /** The last startUploads admission: each waits for the one before (see startUploads). */
  #admissions: Promise<void> = Promise.resolve();
  readonly warnings: string[] = [];

  constructor(options: CoreOptions) {
    this.#options = options;
    const warn = (m: string) => {
      this.warnings.push(m);
      options.onWarning?.(m);
    };
    this.#facts = new CloudFacts(path.join(options.dataDir, 'cloud-facts.json'));
    this.#connection = new Connection({
      env: options.env,
      cwd: options.cwd,
      remembered: new RememberedConnections(path.join(options.dataDir, 'profiles.json'), options.secrets),
      facts: this.#facts,
      grants: this.#grants,
      onConnected: () => {
        // Jobs restored for this cloud get a true resume plan, then queued ones start.
        void this.engine.refreshInterrupted(AbortSignal.timeout(CALL_TIMEOUT_MS)).catch(() => {});
        // What earlier runs could not clean up on this cloud is tried again (a record whose DELETE
        // failed, a create that got no answer and may have landed since).
        void this.engine.cleanUpLeftovers('all').catch(() => {});
      },
    });
    this.#hostFiles = new HostFiles(options.hostRoots ?? []);
    this.engine = new UploadEngine({
      context: () => this.#connection.context,
      inspect: inspectFile,
      jobLog: new JobLog(path.join(options.dataDir, 'jobs.json'), { onWarning: warn }),
      onWarning: warn,
      ...options.engine,
    });
    this.#dashboard = new Dashboard({
      engine: this.engine,
      context: () => this.#requireContext(),
      contextName: () => this.#connection.context?.name ?? null,
      dataDir: options.dataDir,
    });
  }

  /** Loads what the last run left: the queue comes back as it was. */
  async init(): Promise<void> {
    await this.#facts.load();
    await this.engine.restore();
  }

  async dispose(): Promise<void> {
    this.#dashboard.dispose();
    await this.engine.dispose();
  }

  get context(): CloudContext | null {
    return this.#connection.context;
  }

  /** Called by the shell when the OS hands files to the app (file associations, second instance). */
  openFiles(paths: readonly string[]): void {
    this.#grants.opened(paths);
  }

  /**
   * Lets the renderer name these files: the shell calls it for what the OS hands over and for
   * each dropped file the preload resolved; the file picker's answers are granted here too.
   */
  grantPaths(paths: readonly string[]): void {
    this.#grants.grant(paths);
  }

  onFilesOpened(listener: (paths: readonly string[]) => void): Unsubscribe {
    return this.#grants.onOpened(listener);
  }

  onUploadsChanged(listener: (batch: readonly UploadSnapshot[]) => void): Unsubscribe {
    return this.engine.onDidChange(listener);
  }

  onUploadsRemoved(listener: (ids: readonly UploadId[]) => void): Unsubscribe {
    return this.engine.onRemoved(listener);
  }

  // ── The invoke handlers (validated and wrapped into Results by dispatch.ts) ──────────────────

  readonly handlers: InvokeHandlers = {
    listClouds: () => this.#connection.listClouds(),
    connect: (request) => this.#connection.connect(request),
    disconnect: async () => {
      this.#connection.disconnect();
      return null;
    },
    getSession: async () => this.#connection.session(),
    canRememberSecrets: async () => this.#options.secrets.isAvailable(),
    forgetConnection: async (label) => {
      await this.#connection.forget(label);
      return null;
    },
    pickCaFile: async () => {
      const picked = await this.#options.platform.pickCaFile();
      if (picked !== null) this.#grants.grantCaFile(picked);
      return picked;
    },
    pickFiles: async () => {
      const paths = await this.#options.platform.pickFiles();
      this.grantPaths(paths);
      return paths;
    },
    inspectFiles: (paths) =>
      inspectGrantedFiles(paths, this.#grants, this.#connection.context?.capabilities.diskFormats),
    startUploads: async (requests) => {
      this.#grants.require(requests.map((r) => r.path));
      this.#requireKnownStores(requests);
      const routed = await this.#withRoutes(requests as UploadRequest[]);
      // Refused before a job is queued, so before a byte is sent: what cannot fit the quota. One
      // check and its add at a time, so that two calls at once cannot both pass on the same usage.
      const admitted = this.#admissions.then(async () => {
        await requireUploadsFit(
          this.#requireContext(),
          this.engine.list(),
          routed,
          AbortSignal.timeout(CALL_TIMEOUT_MS),
        );
        return this.engine.add(routed);
      });
      this.#admissions = admitted.then(
        () => undefined,
        () => undefined,
      );
      return admitted;
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
    listImages: () => this.#dashboard.listImages(),
    getUsage: () => projectUsage(this.#requireContext(), this.engine.list(), AbortSignal.timeout(CALL_TIMEOUT_MS)),
    deleteImages: (ids, options) => this.#dashboard.deleteImages(ids, options),
    exportDashboard: (request) => this.#dashboard.export(request),
    copyImageToStores: (imageId, stores) => this.#dashboard.copyToStores(imageId, stores),
    listImageCopies: async () => this.#dashboard.listCopies(),
    listMultipartUploads: () => this.#dashboard.listMultipartUploads(),
    abortMultipartUploads: (ids) => this.#dashboard.abortMultipartUploads(ids),
    copyText: async (text) => {
      await this.#options.platform.copyText(text);
      return null;
    },
    listHostRoots: async () => this.#hostFiles.roots(),
    listHostDirectory: (dir) =>
      this.#hostFiles.list(
        dir,
        this.#connection.context ? { acceptedDiskFormats: this.#connection.context.capabilities.diskFormats } : {},
      ),
    // Granted exactly as the native picker's answers (and the CA picker's, below).
    chooseHostFiles: async (paths) => {
      const real = await this.#hostFiles.resolveFiles(paths);
      this.grantPaths(real);
      return real;
    },
    chooseHostCaFile: async (file) => {
      const [real] = await this.#hostFiles.resolveFiles([file]);
      this.#grants.grantCaFile(real!);
      return real!;
    },
  };

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
    return this.#connection.require();
  }
}
