// The object-storage leg of IMS's register, create and quick-import routes: the file goes into an
// OBS bucket by the resumable multipart uploader (objstore/multipart.ts), read through the job's
// FileSource, its parts confirmed by MD5 and the object by its composite ETag. Pausing aborts the
// parts in flight; resuming asks the store (ListParts) what it kept and sends only the rest.
import type { ObjectUpload } from '../../../../shared/upload.ts';
import type { FileIdentity } from '../../files/identity.ts';
import type { ObjectStoreClient } from '../../objstore/client.ts';
import {
  abortUpload,
  deleteObject,
  uploadMultipart,
  type MultipartNote,
  type MultipartOptions,
  type MultipartState,
  type PartSource,
} from '../../objstore/multipart.ts';
import type { FileSource } from '../../upload/file-source.ts';

/** The key an upload gets when the user names none: under the app's prefix, one folder per upload. */
export const OBJECT_PREFIX = 'imagedrop/';

export function defaultObjectKey(uploadId: string, fileName: string): string {
  // IMS refuses a key with spaces (IMG.0175); other characters the store refuses are caught by the
  // object store's own key check before any request.
  return `${OBJECT_PREFIX}${uploadId}/${fileName.replace(/\s+/g, '-')}`;
}

/** The file identity the uploader keeps with its parts (ctime always present here). */
export function partIdentity(checked: FileIdentity): {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
} {
  return { size: checked.size, mtimeMs: checked.mtimeMs, ctimeMs: checked.ctimeMs ?? 0, ino: checked.ino };
}

/** The snapshot's view of an object upload from the uploader's state. */
export function objectView(state: MultipartState | null, etag: string | null, total: number): ObjectUpload | null {
  if (!state) return null;
  const done = state.partMd5s.filter((m) => m !== null).length;
  return {
    bucket: state.bucket,
    key: state.key,
    etag,
    parts: { done: etag ? state.partMd5s.length : done, total: total || state.partMd5s.length },
  };
}

/** Bytes of the parts the store confirmed, as the state last recorded them. */
export function confirmedBytes(state: MultipartState | null, size: number): number {
  if (!state) return 0;
  let bytes = 0;
  state.partMd5s.forEach((md5, i) => {
    if (md5 !== null) bytes += Math.min(state.partSize, size - i * state.partSize);
  });
  return bytes;
}

export interface ObjectLegRun {
  readonly client: ObjectStoreClient;
  readonly bucket: string;
  readonly key: string;
  readonly source: FileSource;
  readonly checked: FileIdentity;
  readonly state: MultipartState | null;
  readonly saveState: (state: MultipartState) => Promise<void>;
  readonly signal: AbortSignal;
  readonly options?: MultipartOptions;
}

export interface ObjectLegResult {
  readonly etag: string;
  readonly state: MultipartState;
  readonly parts: number;
  readonly reusedParts: number;
  readonly sentParts: number;
  readonly notes: readonly MultipartNote[];
}

/** Sends the file (or what the store lacks of it) and completes the object; its ETag is checked. */
export async function sendObject(run: ObjectLegRun): Promise<ObjectLegResult> {
  const { source } = run;
  const parts: PartSource = {
    size: source.size,
    read: (start, end, into, signal) => source.read(start, end, into, signal),
  };
  const result = await uploadMultipart({
    client: run.client,
    bucket: run.bucket,
    key: run.key,
    source: parts,
    identity: partIdentity(run.checked),
    state: run.state,
    saveState: run.saveState,
    signal: run.signal,
    onProgress: (delta) => source.progress(delta),
    options: { contentType: 'application/octet-stream', ...run.options },
  });
  return {
    etag: result.etag,
    state: result.state,
    parts: result.parts,
    reusedParts: result.reusedParts,
    sentParts: result.sentParts,
    notes: result.notes,
  };
}

/** Aborts an unfinished multipart upload (nothing when it completed), then deletes a completed object of ours. */
export async function removeObject(
  client: ObjectStoreClient,
  state: MultipartState,
  signal: AbortSignal,
): Promise<void> {
  if (state.completedEtag) await deleteObject(client, state, signal);
  else await abortUpload(client, state, signal);
}
