// Copying an active image to more of the cloud's stores with Glance's `copy-image` import, followed
// store by store until each has it or has failed. Refused before the call when the cloud does not
// offer copy-image, a store does not exist or already has the image; what Glance's policy refuses
// comes back with the server's reason.
import type { GlanceStore } from '../../../shared/glance.ts';
import type { StoreOutcome } from '../../../shared/upload.ts';
import { ImagedropError } from '../errors.ts';
import { sleep } from '../sleep.ts';
import type { GlanceClient } from '../openstack/glance.ts';
import { unknownStoreError } from '../openstack/preflight.ts';
import { storeOutcomes } from '../targets/glance/target.ts';

export interface CopyOutcome {
  readonly imageId: string;
  readonly stores: readonly StoreOutcome[];
}

export interface CopyOptions {
  readonly signal: AbortSignal;
  readonly pollMs?: number;
  /** Each store's state as it changes. */
  readonly onProgress?: (stores: readonly StoreOutcome[]) => void;
}

export async function copyImageToStores(
  glance: GlanceClient,
  cloud: { readonly importMethods: readonly string[]; readonly stores: readonly GlanceStore[] },
  imageId: string,
  wanted: readonly string[],
  options: CopyOptions,
): Promise<CopyOutcome> {
  if (!cloud.importMethods.includes('copy-image')) {
    throw new ImagedropError(
      'glance/import-unavailable',
      `This cloud's Glance does not offer copy-image (it lists ${cloud.importMethods.join(', ') || 'no import method'}): images cannot be copied to other stores here.`,
    );
  }
  if (wanted.length === 0) {
    throw new ImagedropError('ipc/invalid-request', 'Name at least one store to copy the image to.');
  }
  for (const store of wanted)
    if (!cloud.stores.some((s) => s.id === store)) throw unknownStoreError(store, cloud.stores);
  const image = await glance.getImage(imageId, options.signal);
  if (image.status !== 'active') {
    throw new ImagedropError(
      'glance/conflict',
      `Image ${image.name ?? imageId} is ${image.status}: only an active image can be copied to other stores.`,
    );
  }
  const already = storeOutcomes(image, wanted)
    .stores.filter((s) => s.state === 'done')
    .map((s) => s.store);
  if (already.length === wanted.length) {
    throw new ImagedropError(
      'ipc/invalid-request',
      `Image ${image.name ?? imageId} is already in ${already.join(', ')}: there is nothing to copy.`,
    );
  }
  const targets = wanted.filter((s) => !already.includes(s));
  await glance.importImage(imageId, { name: 'copy-image' }, options.signal, {
    stores: targets,
    allStoresMustSucceed: false,
  });
  let delay = options.pollMs ?? 300;
  for (;;) {
    const now = await glance.getImage(imageId, options.signal);
    const outcome = storeOutcomes(now, targets);
    options.onProgress?.(outcome.stores);
    if (outcome.settled === outcome.total && outcome.importing === 0) return { imageId, stores: outcome.stores };
    await sleep(delay, options.signal);
    delay = Math.min(5_000, delay * 1.5);
  }
}
