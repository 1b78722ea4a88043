// The only file that touches window.imagedrop (the preload's ImagedropApi), or, in a page served
// by `imagedrop serve`, the same API over HTTP (web-transport.ts). Every command is a
// module-level function: it calls the API, puts what came back into the store, and on
// { ok: false } writes the error to the ui slice. No command changes an upload itself: the
// engine's snapshots arrive through onUploadsChanged (no optimistic UI). The one thing that
// differs per shell is how files are chosen (api.fileChooser): the OS dialog, or the host
// browser (components/FileBrowser.tsx) when the files are on the machine serve runs on.
import type { AppError } from '../../shared/errors.ts';
import type {
  DroppedFile,
  ExportRequest,
  HostDirectory,
  HostRoot,
  ImagedropApi,
  ResumeOptions,
  UploadSelection,
} from '../../shared/ipc.ts';
import type { Result } from '../../shared/result.ts';
import type { ConnectRequest } from '../../shared/session.ts';
import type { UploadId, UploadRequest } from '../../shared/upload.ts';
import { downloadText } from './components/download.ts';
import { i18n } from './i18n/index.ts';
import { useAppStore } from './store/index.ts';
import { createWebApi, isServedPage } from './web-transport.ts';

declare global {
  interface Window {
    /** Exposed by the preload (contextBridge.exposeInMainWorld), or by the e2e/bench harness. */
    imagedrop?: ImagedropApi;
  }
}

let override: ImagedropApi | null = null;
let webApi: ImagedropApi | null = null;

/** Tests put an in-memory ImagedropApi here; null goes back to window.imagedrop. */
export function setApi(api: ImagedropApi | null): void {
  override = api;
}

/** The HTTP transport, when this page was served by `imagedrop serve` (and has no preload). */
function servedApi(): ImagedropApi | undefined {
  if (!isServedPage()) return undefined;
  webApi ??= createWebApi();
  return webApi;
}

function currentApi(): ImagedropApi | undefined {
  return override ?? (typeof window !== 'undefined' ? window.imagedrop : undefined) ?? servedApi();
}

export function hasApi(): boolean {
  return currentApi() !== undefined;
}

export function getApi(): ImagedropApi {
  const api = currentApi();
  if (!api) throw new Error('window.imagedrop is missing: the renderer must run behind the Imagedrop preload.');
  return api;
}

function store() {
  return useAppStore.getState();
}

/** Unwraps a Result; on failure reports the error (with context) and returns undefined. */
function take<T>(result: Result<T>, context?: string): T | undefined {
  if (result.ok) return result.value;
  store().reportError(result.error, context);
  return undefined;
}

/** Resolves even if a broken bridge rejects, so callers never see an exception. */
async function call<T>(run: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await run();
  } catch (e) {
    const error: AppError = {
      code: 'internal',
      message: e instanceof Error ? e.message : i18n.t('failed.noAnswer'),
      retryable: true,
    };
    return { ok: false, error };
  }
}

// ── session ──

export async function loadClouds(): Promise<void> {
  const result = await call(() => getApi().listClouds());
  if (result.ok) store().cloudsReceived(result.value);
  else store().cloudsFailed(result.error);
}

/** Asks main whether a password can be remembered (an OS keychain); the Connect form follows. */
export async function loadSecretsAvailability(): Promise<void> {
  const result = await call(() => getApi().canRememberSecrets());
  // Not knowing counts as no: the checkbox says why, and main would refuse to remember anyway.
  store().secretsAnswered(result.ok ? result.value : false);
}

export async function loadSession(): Promise<void> {
  const session = take(await call(() => getApi().getSession()), i18n.t('failed.session'));
  store().sessionLoaded(session ?? null);
}

/**
 * Errors stay on the Connect form, worded as main returned them. A connection the user asked to
 * remember joins the cloud list at once (main's warnings say if it could not be remembered).
 */
export async function connect(request: ConnectRequest): Promise<boolean> {
  store().connectStarted();
  const result = await call(() => getApi().connect(request));
  if (result.ok) store().connectSucceeded(result.value);
  else store().connectFailed(result.error);
  if (result.ok && request.kind === 'manual' && request.remember) await loadClouds();
  return result.ok;
}

/** Forgets a remembered connection (main deletes its stored secret too), then reads the list again. */
export async function forgetConnection(label: string): Promise<boolean> {
  const done = take(await call(() => getApi().forgetConnection(label)), `Could not forget ${label}`);
  if (done !== undefined) store().notify(`${label} forgotten: its password or secret is no longer stored.`);
  await loadClouds();
  return done !== undefined;
}

/** Settles the CA choice the host browser is open for (null: cancelled). */
let pendingCaChoice: ((path: string | null) => void) | null = null;

/** The picker for a CA certificate file (native in main, or the host browser); the chosen path, or null. */
export async function pickCaFile(): Promise<string | null> {
  if (getApi().fileChooser === 'host-browser') {
    pendingCaChoice?.(null);
    return new Promise((resolve) => {
      pendingCaChoice = resolve;
      store().openFileBrowser('ca');
    });
  }
  return take(await call(() => getApi().pickCaFile()), i18n.t('failed.filePicker')) ?? null;
}

export async function disconnect(): Promise<void> {
  const before = store().session;
  store().disconnectStarted();
  const result = await call(() => getApi().disconnect());
  if (result.ok) store().disconnectFinished(null);
  else {
    store().reportError(result.error, i18n.t('failed.disconnect'));
    store().disconnectFinished(before);
  }
}

// ── adding files ──

/** Adds the files as drafts and inspects them all in one call. */
export async function addPaths(paths: readonly string[]): Promise<void> {
  const unique = [...new Set(paths.filter((p) => p !== ''))];
  if (unique.length === 0) return;
  store().draftsAdded(unique);
  const result = await call(() => getApi().inspectFiles(unique));
  if (result.ok) store().inspectionsReceived(result.value);
  else {
    store().inspectionsFailed(unique, result.error);
    store().reportError(result.error, i18n.t('failed.inspect'));
  }
}

export async function pickFiles(): Promise<void> {
  if (getApi().fileChooser === 'host-browser') {
    store().openFileBrowser('images');
    return;
  }
  const paths = take(await call(() => getApi().pickFiles()), i18n.t('failed.filePicker'));
  if (paths && paths.length > 0) await addPaths(paths);
}

// ── the host browser (imagedrop serve): its own errors show inside it, so these return Results ──

export function listHostRoots(): Promise<Result<HostRoot[]>> {
  return call(() => getApi().listHostRoots());
}

export function listHostDirectory(path: string): Promise<Result<HostDirectory>> {
  return call(() => getApi().listHostDirectory(path));
}

/** Grants the files chosen in the host browser (as the picker does), closes it, and adds them. */
export async function chooseHostFiles(paths: readonly string[]): Promise<Result<string[]>> {
  const result = await call(() => getApi().chooseHostFiles(paths));
  if (result.ok) {
    store().closeFileBrowser();
    await addPaths(result.value);
  }
  return result;
}

/** Grants the CA file chosen in the host browser, closes it, and answers the waiting pickCaFile. */
export async function chooseHostCaFile(path: string): Promise<Result<string>> {
  const result = await call(() => getApi().chooseHostCaFile(path));
  if (result.ok) {
    store().closeFileBrowser();
    pendingCaChoice?.(result.value);
    pendingCaChoice = null;
  }
  return result;
}

export function cancelFileBrowser(): void {
  store().closeFileBrowser();
  pendingCaChoice?.(null);
  pendingCaChoice = null;
}

function pathOf(api: ImagedropApi, file: DroppedFile): string {
  try {
    return api.pathForFile(file);
  } catch {
    return '';
  }
}

/** Dropped DOM Files: their paths come from the preload (webUtils.getPathForFile). */
export async function dropFiles(files: readonly DroppedFile[]): Promise<void> {
  const api = getApi();
  const paths: string[] = [];
  let skipped = 0;
  for (const file of files) {
    const path = pathOf(api, file);
    if (path) paths.push(path);
    else skipped += 1;
  }
  if (skipped > 0 && api.fileChooser === 'host-browser') {
    // This page is served from another machine (or by a server): a dropped file stays in the browser.
    store().reportError({
      code: 'file/outside-roots',
      message: i18n.t('dropped.stayHere'),
      retryable: false,
    });
  } else if (skipped > 0) {
    store().reportError({
      code: 'file/not-a-file',
      message: i18n.t('dropped.notFiles', { count: skipped }),
      retryable: false,
    });
  }
  await addPaths(paths);
}

/** Starts the given requests; their drafts leave the form once main has accepted them. */
export async function startUploads(requests: readonly UploadRequest[], draftIds: readonly string[]): Promise<boolean> {
  if (requests.length === 0) return false;
  store().setSubmitting(true);
  const result = await call(() => getApi().startUploads(requests));
  store().setSubmitting(false);
  // Queued uploads count as pending against the quota; a refusal may follow from a changed usage.
  void loadUsage();
  const ids = take(result, i18n.t('failed.start'));
  if (!ids) return false;
  store().removeDrafts(draftIds);
  store().notify(`${ids.length} upload${ids.length === 1 ? '' : 's'} started.`);
  store().setView('queue');
  return true;
}

/**
 * Reads the project's usage against its quota (Add images before Upload, the dashboard). An answer
 * for a session that has ended since is dropped.
 */
export async function loadUsage(): Promise<void> {
  const session = store().session;
  if (!session) return;
  const key = session.cloudKey;
  store().usageRequested(key);
  const result = await call(() => getApi().getUsage());
  if (store().session?.cloudKey !== key) return;
  if (result.ok) store().usageReceived(key, result.value);
  else store().usageFailed(key, result.error);
}

// ── the queue ──

export async function refreshUploads(): Promise<void> {
  const list = take(await call(() => getApi().listUploads()), i18n.t('failed.queue'));
  if (list) store().replaceUploads(list);
}

export async function pauseUploads(selection: UploadSelection): Promise<void> {
  take(await call(() => getApi().pauseUploads(selection)), i18n.t('failed.pause'));
}

export async function resumeUploads(selection: UploadSelection, options?: ResumeOptions): Promise<void> {
  const api = getApi();
  take(
    await call(() => (options ? api.resumeUploads(selection, options) : api.resumeUploads(selection))),
    i18n.t('failed.resume'),
  );
}

export async function cancelUploads(selection: UploadSelection): Promise<void> {
  take(await call(() => getApi().cancelUploads(selection)), i18n.t('failed.cancel'));
}

export async function retryUploads(selection: UploadSelection): Promise<void> {
  take(await call(() => getApi().retryUploads(selection)), i18n.t('failed.retry'));
}

/** Removes finished jobs in main; the removal comes back through onUploadsRemoved. */
export async function clearUploads(selection: UploadSelection): Promise<void> {
  take(await call(() => getApi().clearUploads(selection)), i18n.t('failed.clear'));
}

/**
 * Resumes jobs, asking first for those whose resume would delete their image record and create
 * a new one (plan 'recreate'); the others resume at once.
 */
export async function requestResume(ids: readonly UploadId[]): Promise<void> {
  const { uploads } = store();
  const recreate = ids.filter((id) => uploads[id]?.resume.kind === 'recreate');
  const plain = ids.filter((id) => uploads[id] !== undefined && uploads[id].resume.kind !== 'recreate');
  if (recreate.length > 0) store().askConfirmation({ kind: 'resume-recreate', uploadIds: recreate });
  if (plain.length > 0) await resumeUploads(plain);
}

// ── the dashboard ──

let imagesRun: Promise<void> | null = null;
let imagesFollowUp: Promise<void> | null = null;

/**
 * Reads the project's images. One read at a time: asked while one runs, one more read follows it
 * (however often it was asked), so a refresh after a delete is never lost to a read that started
 * before the delete.
 */
export function loadImages(): Promise<void> {
  if (imagesRun === null) {
    imagesRun = readImages().finally(() => {
      imagesRun = null;
    });
    return imagesRun;
  }
  // However the running read ends (even if it throws), the follow-up is cleared and runs.
  imagesFollowUp ??= imagesRun
    .finally(() => {
      imagesFollowUp = null;
    })
    .then(loadImages, loadImages);
  return imagesFollowUp;
}

async function readImages(): Promise<void> {
  const session = store().session;
  store().imagesRequested();
  const result = await call(() => getApi().listImages());
  // An answer for a session that has ended since (disconnected, or another cloud) is dropped;
  // the read is over all the same.
  if (store().session !== session) {
    store().imagesAbandoned();
    return;
  }
  if (result.ok) store().imagesReceived(result.value);
  else store().imagesFailed(result.error);
}

/** Main deletes only what is still stuck by the dashboard's threshold when it reads each image again. */
export async function deleteImages(ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const names = new Map(store().images.map((i) => [i.id, i.name]));
  const stuckAfterMinutes = store().stuckAfterMinutes;
  store().deleteStarted();
  const result = await call(() => getApi().deleteImages(ids, { stuckAfterMinutes }));
  if (result.ok) {
    store().deleteFinished(result.value.map((o) => ({ ...o, name: names.get(o.id) ?? null })));
    await loadImages();
  } else {
    store().deleteFinished([]);
    store().reportError(result.error, i18n.t('dashboard:deleteDialog.failed'));
  }
}

/** Reads the copies to more stores this app started; when one has just ended, the images too. */
export async function loadImageCopies(): Promise<void> {
  const before = store().copies;
  const result = await call(() => getApi().listImageCopies());
  if (!result.ok) return; // the next poll tries again; the row keeps what it showed
  store().copiesReceived(result.value);
  if (result.value.some((c) => c.state !== 'copying' && before[c.imageId]?.state === 'copying')) await loadImages();
}

/** Starts a copy-image; a refusal (the policy's, say) is shown as main worded it. */
export async function copyImageToStores(imageId: string, stores: readonly string[]): Promise<boolean> {
  const copy = take(await call(() => getApi().copyImageToStores(imageId, stores)), i18n.t('dashboard:copy.failed'));
  if (!copy) return false;
  store().copiesReceived([copy]);
  store().notify(i18n.t('dashboard:copy.started', { name: copy.imageName ?? imageId }));
  return true;
}

/** IMS: the unfinished multipart uploads in the cloud's bucket (an answer for an ended session is dropped). */
export async function loadMultipartUploads(): Promise<void> {
  const session = store().session;
  const result = await call(() => getApi().listMultipartUploads());
  if (store().session !== session) return;
  if (result.ok) store().multipartReceived(result.value);
  else store().multipartFailed(result.error);
}

export async function abortMultipartUploads(uploadIds: readonly string[]): Promise<void> {
  if (uploadIds.length === 0) return;
  store().abortStarted();
  const result = await call(() => getApi().abortMultipartUploads(uploadIds));
  store().abortFinished(result.ok ? result.value : []);
  if (!result.ok) store().reportError(result.error);
  await loadMultipartUploads();
}

/** Main writes the export's text; the page saves it as a file (a Blob through <a download>, in the app and served). */
export async function exportDashboard(request: ExportRequest): Promise<void> {
  store().setExporting(true);
  const file = take(await call(() => getApi().exportDashboard(request)), i18n.t('dashboard:export.failed'));
  store().setExporting(false);
  if (!file) return;
  downloadText(file.fileName, file.mediaType, file.text);
  store().notify(i18n.t('dashboard:export.done', { file: file.fileName, count: file.records }));
}

// ── misc ──

export async function copyText(text: string, what: string): Promise<void> {
  const done = take(await call(() => getApi().copyText(text)), `Could not copy the ${what}`);
  if (done !== undefined) store().notify(`${what[0]?.toUpperCase() ?? ''}${what.slice(1)} copied.`);
}
