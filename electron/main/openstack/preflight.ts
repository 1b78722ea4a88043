// Preflight before any byte is sent: the image exists and waits for data, its formats are set,
// the file is a non-empty regular file under the target's size limit, and the store exists.
import { stat } from 'node:fs/promises';
import type { GlanceImage, GlanceStore } from '../../../shared/glance.ts';
import { fitsSizeLimit, sizeLimitProblem } from '../../../shared/session.ts';
import { ImagedropError, fileError } from '../errors.ts';
import type { GlanceClient } from './glance.ts';

export interface PreflightInput {
  readonly imageId: string;
  readonly path: string;
  readonly sizeLimit: number;
  readonly store?: string;
  readonly signal: AbortSignal;
}

/**
 * Checks the local file alone (no server call): exists, regular, readable size, non-empty, under
 * the limit. Returns what identifies it (the upload engine's FileIdentity).
 */
export async function preflightFile(
  path: string,
  sizeLimit: number,
): Promise<{ size: number; mtimeMs: number; ino: number }> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw fileError(e, path);
  }
  if (!info.isFile()) {
    throw new ImagedropError('file/not-a-file', `${path} is not a regular file: choose a disk image file.`);
  }
  if (info.size === 0) {
    throw new ImagedropError('file/empty', `${path} is empty: there is nothing to upload.`);
  }
  if (!fitsSizeLimit(info.size, sizeLimit)) {
    throw new ImagedropError('file/too-large', `${path} ${sizeLimitProblem(info.size, sizeLimit)}`, {
      detail: `${info.size} bytes, limit ${sizeLimit}`,
    });
  }
  return { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
}

/** Every check the image service could fail on, made before the PUT. Returns the image as it is now. */
export async function preflightUpload(glance: GlanceClient, input: PreflightInput): Promise<GlanceImage> {
  await preflightFile(input.path, input.sizeLimit);
  const image = await glance.getImage(input.imageId, input.signal);
  if (image.status !== 'queued') {
    throw new ImagedropError(
      'preflight/image-not-queued',
      `Image ${image.id} is ${image.status}, not queued: it is not waiting for data; upload to a new image instead.`,
      { detail: image.status },
    );
  }
  if (!image.disk_format || !image.container_format) {
    throw new ImagedropError(
      'glance/formats-not-set',
      `Image ${image.id} has no ${!image.disk_format ? 'disk_format' : 'container_format'} yet: set both before uploading its data.`,
    );
  }
  if (input.store) {
    const stores = await glance.getStores(input.signal);
    if (!stores.some((s) => s.id === input.store)) throw unknownStoreError(input.store, stores);
  }
  return image;
}

/** A store the cloud does not offer, said the same way wherever it is caught (for `what`, when named). */
export function unknownStoreError(store: string, stores: readonly GlanceStore[], what?: string): ImagedropError {
  const forWhat = what ? ` for ${what}` : '';
  return new ImagedropError(
    'preflight/unknown-store',
    stores.length
      ? `This cloud has no store named ${store}: choose one of ${stores.map((s) => s.id).join(', ')}${forWhat}.`
      : `This cloud offers no store choice, so store ${store} cannot be used${forWhat}: leave the store empty.`,
    { detail: store },
  );
}
