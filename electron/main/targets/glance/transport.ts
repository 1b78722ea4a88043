// How the Glance target gets the bytes into the image service. Today one `PUT
// /v2/images/{id}/file` of the whole file (Glance keeps nothing of a broken PUT, so its resume
// offset is always 0). Tests plug in another (parts through a local "bucket", then one PUT) to
// prove the target's side of resumable transfers: ranged bodies, state kept in the job log, a
// resume that continues after the finished parts.
import type { Readable } from 'node:stream';
import type { GlanceClient } from '../../openstack/glance.ts';

export interface TransferContext {
  readonly imageId: string;
  readonly path: string;
  readonly size: number;
  readonly store: string | null;
  readonly signal: AbortSignal;
  /**
   * The file's bytes as a request body. Without a range it is the whole file, hashed as it goes
   * for end-to-end verification; with a range it is that part only (not hashed).
   */
  openBody(range?: { readonly start: number; readonly end: number }): Promise<Readable>;
  /** Transport state kept in the job log (for example a multipart upload id and its parts). */
  readonly state: unknown;
  saveState(state: unknown): Promise<void>;
}

export interface GlanceTransport {
  readonly name: string;
  /** Sends every byte; resolves when the service has them all. Rejects with an ImagedropError. */
  transfer(glance: GlanceClient, context: TransferContext): Promise<void>;
  /** The byte a resume would continue from, given the saved state. */
  resumeOffset(state: unknown): number;
}

export const glancePutTransport: GlanceTransport = {
  name: 'glance-put',
  async transfer(glance, context) {
    const body = await context.openBody();
    await glance.uploadImageData(context.imageId, body, {
      size: context.size,
      signal: context.signal,
      ...(context.store ? { store: context.store } : {}),
    });
  },
  resumeOffset() {
    return 0;
  },
};

/** The interoperable import's first half: `PUT /v2/images/{id}/stage` of the whole file. */
export const glanceStageTransport: GlanceTransport = {
  name: 'glance-stage',
  async transfer(glance, context) {
    const body = await context.openBody();
    await glance.stageImageData(context.imageId, body, { size: context.size, signal: context.signal });
  },
  resumeOffset() {
    return 0;
  },
};
