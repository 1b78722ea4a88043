// Preflight before any byte is sent: the image exists and waits for data, its formats are set,
// the file is a non-empty regular file under the target's size limit, and the store exists.
import type { GlanceImage, GlanceStore } from '../../../shared/glance.ts';
import { ImagedropError } from '../errors.ts';
import { checkLocalFile } from '../files/local-file.ts';
import type { GlanceClient } from './glance.ts';

export interface PreflightInput {
  readonly imageId: string;
  readonly path: string;
  readonly sizeLimit: number;
  readonly store?: string;
  readonly signal: AbortSignal;
}

/** Every check the image service could fail on, made before the PUT. Returns the image as it is now. */
export async function preflightUpload(glance: GlanceClient, input: PreflightInput): Promise<GlanceImage> {
  await checkLocalFile(input.path, input.sizeLimit);
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
