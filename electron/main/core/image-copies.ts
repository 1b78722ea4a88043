// The copies to more stores the dashboard starts (Glance's copy-image, core/image-copy.ts), kept
// per image while they run and after they end, so the dashboard can show each store's progress
// until the copy is over. A start resolves once Glance has accepted the import (its first reading
// of the stores), so a refusal, such as the policy's, reaches the user as the server worded it.
import type { ImageCopy } from '../../../shared/ipc.ts';
import type { StoreOutcome } from '../../../shared/upload.ts';
import { ImagedropError, toAppError } from '../errors.ts';
import type { CloudContext } from './context.ts';
import { copyImageToStores } from './image-copy.ts';

/** A copy is given up after this long (Glance's copy of a big image can take a while). */
const COPY_TIMEOUT_MS = 6 * 60 * 60_000;

export class ImageCopies {
  readonly #copies = new Map<string, ImageCopy>();
  readonly #controllers = new Map<string, AbortController>();
  readonly #pollMs: number | undefined;

  constructor(options: { pollMs?: number } = {}) {
    this.#pollMs = options.pollMs;
  }

  list(): ImageCopy[] {
    return [...this.#copies.values()];
  }

  /** Copies asked for whose first reading has not come yet. */
  readonly #starting = new Set<string>();

  /** Stops following every copy (Glance goes on with what it accepted). */
  dispose(): void {
    for (const c of this.#controllers.values()) c.abort(new Error('the app is closing'));
    this.#controllers.clear();
  }

  async start(context: CloudContext, imageId: string, stores: readonly string[]): Promise<ImageCopy> {
    if (context.kind !== 'glance') {
      throw new ImagedropError(
        'glance/import-unavailable',
        'Copying an image to other stores is a Glance import: this cloud runs Huawei IMS, which has no stores to copy to.',
      );
    }
    if (this.#starting.has(imageId) || this.#copies.get(imageId)?.state === 'copying') {
      throw new ImagedropError(
        'ipc/invalid-request',
        'This image is already being copied to other stores: wait for that copy to end.',
      );
    }
    // Claimed before the first await: a second click while this one starts is refused too.
    this.#starting.add(imageId);
    try {
      return await this.#start(context, imageId, stores);
    } finally {
      this.#starting.delete(imageId);
    }
  }

  async #start(context: Extract<CloudContext, { kind: 'glance' }>, imageId: string, stores: readonly string[]) {
    const controller = new AbortController();
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(COPY_TIMEOUT_MS)]);
    const startedAt = Date.now();
    const name = await context.glance
      .getImage(imageId, signal)
      .then((i) => i.name)
      .catch(() => null);
    const set = (patch: Partial<ImageCopy>) => {
      const before = this.#copies.get(imageId);
      if (before) this.#copies.set(imageId, { ...before, ...patch });
    };
    let accepted: (copy: ImageCopy) => void = () => {};
    const firstReading = new Promise<ImageCopy>((resolve) => (accepted = resolve));
    let started = false;
    const onProgress = (outcome: readonly StoreOutcome[]) => {
      if (!started) {
        started = true;
        this.#copies.set(imageId, {
          imageId,
          imageName: name,
          state: 'copying',
          stores: outcome,
          error: null,
          startedAt,
          finishedAt: null,
        });
        this.#controllers.set(imageId, controller);
        accepted(this.#copies.get(imageId)!);
      } else set({ stores: outcome });
    };
    const run = copyImageToStores(context.glance, context.capabilities, imageId, stores, {
      signal,
      onProgress,
      ...(this.#pollMs === undefined ? {} : { pollMs: this.#pollMs }),
    });
    const ended = run.then(
      (outcome) => {
        const failed = outcome.stores.some((s) => s.state === 'failed');
        set({ stores: outcome.stores, state: failed ? 'failed' : 'done', finishedAt: Date.now() });
        if (failed) {
          set({
            error: {
              code: 'glance/import-failed',
              message: `Glance could not copy the image to ${outcome.stores
                .filter((s) => s.state === 'failed')
                .map((s) => s.store)
                .join(', ')}: the image stays in the stores it was in.`,
              retryable: true,
            },
          });
        }
      },
      (e: unknown) => {
        // Before the first reading, the start itself failed: the caller gets the error.
        if (!started) throw e;
        set({ state: 'failed', error: toAppError(e), finishedAt: Date.now() });
      },
    );
    void ended.catch(() => {}).finally(() => this.#controllers.delete(imageId));
    return Promise.race([firstReading, ended.then(() => this.#copies.get(imageId)!)]);
  }
}
