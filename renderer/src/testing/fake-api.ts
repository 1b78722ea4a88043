// An in-memory ImagedropApi for unit tests. It behaves like the contract: every call resolves
// to a Result (never throws), jobs move only through shared/phases.ts, and every change to a
// job reaches listeners as a snapshot batch through onUploadsChanged (as main's pump does).
// It records calls and answers what a test seeded; it holds none of main's rules (file grants,
// what may be deleted or aborted, keychain warnings, resume consent): those live in
// electron/main and its integration tests check them. A test that needs main's refusal seeds it
// (failNext, deleteErrors, abortErrors, the session connect answers).
import { percentOf } from '../../../shared/format.ts';
import type { AppError } from '../../../shared/errors.ts';
import type {
  AbortUploadOutcome,
  DeleteImagesOptions,
  DeleteOutcome,
  DroppedFile,
  ExportFile,
  ExportRequest,
  FileChooser,
  HostDirectory,
  HostRoot,
  ImageCopy,
  ImageList,
  ImageSummary,
  ImagedropApi,
  InspectOutcome,
  InvokeMethod,
  MenuCommand,
  MultipartUploadList,
  ResumeOptions,
  Unsubscribe,
  UploadSelection,
} from '../../../shared/ipc.ts';
import type { Inspection } from '../../../shared/inspect.ts';
import type { UsageReport } from '../../../shared/quota.ts';
import { canTransition, isFinished, nextPhase, type UploadEvent } from '../../../shared/phases.ts';
import { fail, ok, type Result } from '../../../shared/result.ts';
import type { CloudEntry, ConnectRequest, SessionInfo } from '../../../shared/session.ts';
import type { UploadId, UploadRequest, UploadSnapshot } from '../../../shared/upload.ts';
import { makeSession, makeSnapshot } from './fixtures.ts';

export interface FakeCall {
  readonly method: InvokeMethod;
  readonly args: readonly unknown[];
}

export interface FakeApiOptions {
  clouds?: CloudEntry[];
  /** The session connect() opens (and getSession() returns once connected). */
  session?: SessionInfo;
  /** Start already connected. */
  connected?: boolean;
  /** Inspection results by path; other paths answer 'file/not-found'. */
  files?: Record<string, Inspection | AppError>;
  /** What pickFiles() returns. */
  picked?: string[];
  images?: ImageSummary[];
  uploads?: UploadSnapshot[];
  /** Whether the OS offers a keychain (default: yes). */
  keychain?: boolean;
  /** What pickCaFile() returns (default: cancelled). */
  pickedCaFile?: string | null;
  /** How files are chosen (default: 'native', as in the app). */
  fileChooser?: FileChooser;
  /** The host's shared folders and their listings (imagedrop serve); other paths answer 'file/outside-roots'. */
  hostRoots?: HostRoot[];
  hostDirectories?: Record<string, HostDirectory>;
  /** What getUsage() answers while connected (default: nothing used, no quota known). */
  usage?: UsageReport;
  /** What listMultipartUploads answers (default: a Glance cloud's "none, and why"). */
  multipart?: MultipartUploadList;
  /** What listClouds answers once a connect succeeded (main may have remembered one); default: unchanged. */
  cloudsAfterConnect?: CloudEntry[];
  /** The images deleteImages refuses, with main's answer; every other one is deleted and leaves the list. */
  deleteErrors?: Record<string, AppError>;
  /** The multipart uploads abortMultipartUploads refuses, with main's answer; every other one is aborted. */
  abortErrors?: Record<string, AppError>;
}

export class FakeApi implements ImagedropApi {
  readonly calls: FakeCall[] = [];
  clouds: CloudEntry[];
  sessionTemplate: SessionInfo;
  session: SessionInfo | null;
  files: Record<string, Inspection | AppError>;
  picked: string[];
  images: ImageSummary[];
  keychain: boolean;
  pickedCaFile: string | null;
  readonly fileChooser: FileChooser;
  hostRoots: HostRoot[];
  hostDirectories: Record<string, HostDirectory>;
  usage: UsageReport;
  readonly jobs = new Map<UploadId, UploadSnapshot>();
  clipboard: string | null = null;
  /** The copies copyImageToStores started; a test moves them on by replacing entries. */
  copies: ImageCopy[] = [];
  multipart: MultipartUploadList;
  cloudsAfterConnect: CloudEntry[] | null;
  deleteErrors: Record<string, AppError>;
  abortErrors: Record<string, AppError>;
  /** The next call of a method answers with this error instead. */
  private readonly failures = new Map<InvokeMethod, AppError>();
  private readonly uploadListeners = new Set<(batch: readonly UploadSnapshot[]) => void>();
  private readonly fileListeners = new Set<(paths: readonly string[]) => void>();
  private readonly menuListeners = new Set<(command: MenuCommand) => void>();
  private readonly removedListeners = new Set<(ids: readonly UploadId[]) => void>();
  private nextJob = 1;
  private clock = 1_800_000_000_000;

  constructor(options: FakeApiOptions = {}) {
    this.clouds = options.clouds ?? [];
    this.sessionTemplate = options.session ?? makeSession();
    this.session = options.connected ? this.sessionTemplate : null;
    this.files = options.files ?? {};
    this.picked = options.picked ?? [];
    this.images = options.images ?? [];
    this.keychain = options.keychain ?? true;
    this.pickedCaFile = options.pickedCaFile ?? null;
    this.fileChooser = options.fileChooser ?? 'native';
    this.hostRoots = options.hostRoots ?? [];
    this.hostDirectories = options.hostDirectories ?? {};
    this.usage = options.usage ?? {
      service: 'glance',
      source: 'image-sum',
      usedBytes: 0,
      limitBytes: null,
      limitFrom: null,
      pendingBytes: 0,
      images: null,
      fetchedAt: 0,
    };
    this.multipart = options.multipart ?? {
      bucket: null,
      prefix: 'imagedrop/',
      uploads: [],
      reason: 'This is a Glance cloud: multipart uploads are what IMS routes leave in an OBS bucket.',
    };
    this.cloudsAfterConnect = options.cloudsAfterConnect ?? null;
    this.deleteErrors = options.deleteErrors ?? {};
    this.abortErrors = options.abortErrors ?? {};
    for (const s of options.uploads ?? []) this.jobs.set(s.id, s);
  }

  // ── test controls ──

  failNext(method: InvokeMethod, error: AppError): void {
    this.failures.set(method, error);
  }

  callsOf(method: InvokeMethod): (readonly unknown[])[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /** Pushes a batch to listeners, as main's progress pump does. */
  emit(batch: readonly UploadSnapshot[]): void {
    for (const s of batch) this.jobs.set(s.id, s);
    for (const listener of this.uploadListeners) listener(batch);
  }

  /** Files opened from the OS. */
  openFiles(paths: readonly string[]): void {
    for (const listener of this.fileListeners) listener(paths);
  }

  /** A command from the application menu (main sends it in the app). */
  menuCommand(command: MenuCommand): void {
    for (const listener of this.menuListeners) listener(command);
  }

  get listenerCount(): number {
    return this.uploadListeners.size + this.fileListeners.size + this.menuListeners.size;
  }

  private record<T>(method: InvokeMethod, args: readonly unknown[], run: () => Result<T>): Promise<Result<T>> {
    this.calls.push({ method, args });
    const failure = this.failures.get(method);
    if (failure) {
      this.failures.delete(method);
      return Promise.resolve(fail(failure));
    }
    return Promise.resolve(run());
  }

  private requireSession(): AppError | null {
    return this.session ? null : { code: 'auth/not-connected', message: 'Connect to a cloud first.', retryable: false };
  }

  private selected(selection: UploadSelection): UploadSnapshot[] {
    const ids = selection === 'all' ? [...this.jobs.keys()] : selection;
    return ids.map((id) => this.jobs.get(id)).filter((s): s is UploadSnapshot => s !== undefined);
  }

  /** Moves each selected job that allows `event`; emits one batch of the changed ones. */
  private transition(
    selection: UploadSelection,
    event: UploadEvent,
    change: (s: UploadSnapshot) => Partial<UploadSnapshot> = () => ({}),
    allowed: (s: UploadSnapshot) => boolean = () => true,
  ): Result<null> {
    const changed: UploadSnapshot[] = [];
    for (const s of this.selected(selection)) {
      if (!canTransition(s.phase, event) || !allowed(s)) continue;
      this.clock += 1;
      changed.push({ ...s, ...change(s), phase: nextPhase(s.phase, event), updatedAt: this.clock });
    }
    if (changed.length > 0) this.emit(changed);
    return ok(null);
  }

  // ── ImagedropApi ──

  listClouds(): Promise<Result<CloudEntry[]>> {
    return this.record('listClouds', [], () => ok([...this.clouds]));
  }

  /** Answers the seeded session (named after the cloud asked for); main's rules (CA grants, remembering) are not here. */
  connect(request: ConnectRequest): Promise<Result<SessionInfo>> {
    return this.record('connect', [request], () => {
      this.session =
        request.kind === 'cloud' ? { ...this.sessionTemplate, cloud: request.cloud } : this.sessionTemplate;
      if (this.cloudsAfterConnect) this.clouds = [...this.cloudsAfterConnect];
      return ok(this.session);
    });
  }

  disconnect(): Promise<Result<null>> {
    return this.record('disconnect', [], () => {
      this.session = null;
      return ok(null);
    });
  }

  getSession(): Promise<Result<SessionInfo | null>> {
    return this.record('getSession', [], () => ok(this.session));
  }

  canRememberSecrets(): Promise<Result<boolean>> {
    return this.record('canRememberSecrets', [], () => ok(this.keychain));
  }

  forgetConnection(label: string): Promise<Result<null>> {
    return this.record('forgetConnection', [label], () => {
      const before = this.clouds.length;
      this.clouds = this.clouds.filter((c) => !(c.name === label && c.source === 'remembered'));
      return this.clouds.length < before
        ? ok(null)
        : fail({
            code: 'config/cloud-not-found',
            message: `No connection is remembered as '${label}'.`,
            retryable: false,
          });
    });
  }

  pickCaFile(): Promise<Result<string | null>> {
    return this.record('pickCaFile', [], () => ok(this.pickedCaFile));
  }

  pickFiles(): Promise<Result<string[]>> {
    return this.record('pickFiles', [], () => ok([...this.picked]));
  }

  /** As the preload does in the app; a served page's transport has no path for a dropped file. */
  pathForFile(file: DroppedFile): string {
    return this.fileChooser === 'host-browser' ? '' : `/dropped/${file.name}`;
  }

  inspectFiles(paths: readonly string[]): Promise<Result<InspectOutcome[]>> {
    return this.record('inspectFiles', [paths], () =>
      ok(
        paths.map((path): InspectOutcome => {
          const known = this.files[path];
          if (known === undefined) {
            return {
              path,
              ok: false,
              error: { code: 'file/not-found', message: `${path} does not exist.`, retryable: false },
            };
          }
          return 'code' in known ? { path, ok: false, error: known } : { path, ok: true, inspection: known };
        }),
      ),
    );
  }

  startUploads(requests: readonly UploadRequest[]): Promise<Result<UploadId[]>> {
    return this.record('startUploads', [requests], () => {
      const missing = this.requireSession();
      if (missing) return fail(missing);
      const created: UploadSnapshot[] = requests.map((r) => {
        const inspection = this.files[r.path];
        const inspected = inspection && !('code' in inspection) ? inspection : null;
        this.clock += 1;
        // A queued job as the tests' fixtures build it; only what this call was given differs.
        return makeSnapshot({
          id: `job-${this.nextJob++}`,
          file: r.path,
          fileName: r.path.split('/').pop() ?? r.path,
          imageName: r.name,
          diskFormat: r.diskFormat,
          containerFormat: r.containerFormat,
          visibility: r.visibility,
          store: r.store ?? null,
          cloudKey: this.session?.cloudKey ?? null,
          cloudName: this.session?.cloud ?? null,
          userName: this.session?.user.name ?? null,
          format: inspected?.format ?? null,
          virtualSize: inspected?.virtualSize ?? null,
          target: 'glance',
          phase: 'queued',
          records: {},
          imageId: null,
          createdImage: false,
          imageStatus: null,
          bytesSent: 0,
          bytesTotal: inspected?.size ?? 0,
          bytesPerSecond: null,
          etaSeconds: null,
          attempt: 0,
          checksums: { algorithm: null, local: null, server: null, md5Local: null, md5Server: null },
          createdAt: this.clock,
          startedAt: null,
          updatedAt: this.clock,
        });
      });
      this.emit(created);
      return ok(created.map((s) => s.id));
    });
  }

  pauseUploads(selection: UploadSelection): Promise<Result<null>> {
    return this.record('pauseUploads', [selection], () =>
      this.transition(selection, 'pause', (s) => ({
        resume: { kind: 'continue', percent: percentOf(s.bytesSent, s.bytesTotal) },
        bytesPerSecond: null,
        etaSeconds: null,
      })),
    );
  }

  /** Resumes what the phases allow; whether a recreate had the user's consent is main's rule (a test checks the recorded options). */
  resumeUploads(selection: UploadSelection, options?: ResumeOptions): Promise<Result<null>> {
    const args = options === undefined ? [selection] : [selection, options];
    return this.record('resumeUploads', args, () =>
      this.transition(selection, 'resume', (s) => ({
        resume: { kind: 'none' },
        ...(s.resume.kind === 'continue' ? {} : { bytesSent: 0 }),
      })),
    );
  }

  cancelUploads(selection: UploadSelection): Promise<Result<null>> {
    return this.record('cancelUploads', [selection], () =>
      this.transition(selection, 'cancel', () => ({
        resume: { kind: 'none' },
        bytesPerSecond: null,
        etaSeconds: null,
      })),
    );
  }

  retryUploads(selection: UploadSelection): Promise<Result<null>> {
    return this.record('retryUploads', [selection], () =>
      this.transition(
        selection,
        'retry',
        () => ({ error: null, bytesSent: 0 }),
        (s) => s.phase === 'failed',
      ),
    );
  }

  clearUploads(selection: UploadSelection): Promise<Result<null>> {
    return this.record('clearUploads', [selection], () => {
      const removed: UploadId[] = [];
      for (const s of this.selected(selection)) {
        if (isFinished(s.phase)) {
          this.jobs.delete(s.id);
          removed.push(s.id);
        }
      }
      if (removed.length) for (const l of this.removedListeners) l(removed);
      return ok(null);
    });
  }

  listUploads(): Promise<Result<UploadSnapshot[]>> {
    return this.record('listUploads', [], () => ok([...this.jobs.values()]));
  }

  listImages(): Promise<Result<ImageList>> {
    return this.record('listImages', [], () => {
      const missing = this.requireSession();
      if (missing) return fail(missing);
      return ok({ images: [...this.images], pages: 1, fetchedAt: Date.now() });
    });
  }

  /** Answers the configured report as it is: the quota rules live in main (shared/quota.ts), not here. */
  getUsage(): Promise<Result<UsageReport>> {
    return this.record('getUsage', [], () => {
      const missing = this.requireSession();
      if (missing) return fail(missing);
      return ok(this.usage);
    });
  }

  deleteImages(ids: readonly string[], options: DeleteImagesOptions): Promise<Result<DeleteOutcome[]>> {
    return this.record('deleteImages', [ids, options], () => {
      const missing = this.requireSession();
      if (missing) return fail(missing);
      return ok(
        ids.map((id): DeleteOutcome => {
          const refused = this.deleteErrors[id];
          if (refused) return { id, ok: false, error: refused };
          this.images = this.images.filter((i) => i.id !== id);
          return { id, ok: true };
        }),
      );
    });
  }

  /** Answers with a text naming what was asked: the renderer saves whatever main answers. */
  exportDashboard(request: ExportRequest): Promise<Result<ExportFile>> {
    return this.record('exportDashboard', [request], () => {
      const missing = request.what === 'images' ? this.requireSession() : null;
      if (missing) return fail(missing);
      const records = request.what === 'images' ? (request.imageIds?.length ?? this.images.length) : this.jobs.size;
      return ok({
        fileName: `imagedrop-${request.what}.${request.format}`,
        mediaType: request.format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json',
        text: `${request.what},${request.format}\r\n`,
        records,
      });
    });
  }

  copyImageToStores(imageId: string, stores: readonly string[]): Promise<Result<ImageCopy>> {
    return this.record('copyImageToStores', [imageId, stores], () => {
      const missing = this.requireSession();
      if (missing) return fail(missing);
      this.clock += 1;
      const copy: ImageCopy = {
        imageId,
        imageName: this.images.find((i) => i.id === imageId)?.name ?? null,
        state: 'copying',
        stores: stores.map((store) => ({ store, state: 'pending' as const })),
        error: null,
        startedAt: this.clock,
        finishedAt: null,
      };
      this.copies = [...this.copies.filter((c) => c.imageId !== imageId), copy];
      return ok(copy);
    });
  }

  listImageCopies(): Promise<Result<ImageCopy[]>> {
    return this.record('listImageCopies', [], () => ok([...this.copies]));
  }

  listMultipartUploads(): Promise<Result<MultipartUploadList>> {
    return this.record('listMultipartUploads', [], () =>
      this.requireSession() ? fail(this.requireSession()!) : ok(this.multipart),
    );
  }

  /** Aborts the listed uploads but the ones a test seeded a refusal for (main refuses one a job holds). */
  abortMultipartUploads(uploadIds: readonly string[]): Promise<Result<AbortUploadOutcome[]>> {
    return this.record('abortMultipartUploads', [uploadIds], () =>
      ok(
        uploadIds.map((uploadId): AbortUploadOutcome => {
          const refused = this.abortErrors[uploadId];
          if (refused) return { uploadId, ok: false, error: refused };
          this.multipart = {
            ...this.multipart,
            uploads: this.multipart.uploads.filter((u) => u.uploadId !== uploadId),
          };
          return { uploadId, ok: true };
        }),
      ),
    );
  }

  listHostRoots(): Promise<Result<HostRoot[]>> {
    return this.record('listHostRoots', [], () => ok([...this.hostRoots]));
  }

  listHostDirectory(path: string): Promise<Result<HostDirectory>> {
    return this.record('listHostDirectory', [path], () => {
      const listing = this.hostDirectories[path];
      return listing ? ok(listing) : fail(this.outsideRoots(path));
    });
  }

  /** Answers the paths of files some listing shows; anything else is outside the shared folders. */
  chooseHostFiles(paths: readonly string[]): Promise<Result<string[]>> {
    return this.record('chooseHostFiles', [paths], () => {
      const refused = paths.find((p) => !this.listedFile(p));
      return refused === undefined ? ok([...paths]) : fail(this.outsideRoots(refused));
    });
  }

  chooseHostCaFile(path: string): Promise<Result<string>> {
    return this.record('chooseHostCaFile', [path], () => {
      return this.listedFile(path) ? ok(path) : fail(this.outsideRoots(path));
    });
  }

  private listedFile(path: string): boolean {
    return Object.values(this.hostDirectories).some((d) => d.entries.some((e) => e.kind === 'file' && e.path === path));
  }

  private outsideRoots(path: string): AppError {
    return { code: 'file/outside-roots', message: `${path} is outside the shared folders.`, retryable: false };
  }

  copyText(text: string): Promise<Result<null>> {
    return this.record('copyText', [text], () => {
      this.clipboard = text;
      return ok(null);
    });
  }

  onUploadsChanged(listener: (batch: readonly UploadSnapshot[]) => void): Unsubscribe {
    this.uploadListeners.add(listener);
    return () => this.uploadListeners.delete(listener);
  }

  onUploadsRemoved(listener: (ids: readonly UploadId[]) => void): Unsubscribe {
    this.removedListeners.add(listener);
    return () => this.removedListeners.delete(listener);
  }

  onFilesOpened(listener: (paths: readonly string[]) => void): Unsubscribe {
    this.fileListeners.add(listener);
    return () => this.fileListeners.delete(listener);
  }

  onMenuCommand(listener: (command: MenuCommand) => void): Unsubscribe {
    this.menuListeners.add(listener);
    return () => this.menuListeners.delete(listener);
  }
}
