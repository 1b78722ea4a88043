// How bytes get from the file to the image service. The engine owns everything around a transfer
// (phases, checks, retries, verification, the job log); a transport owns only the transfer.
//
// Today: GlancePutTransport, one `PUT /v2/images/{id}/file` of the whole file. Glance keeps
// nothing of a broken PUT, so its resume offset is always 0.
//
// Next (not built): an object-storage transport (OBS / S3-compatible multipart, then the image
// service's register call, e.g. IMS `PUT /v1/cloudimages/{id}/upload`). It would open the body per
// part with `openBody({ start, end })`, persist its upload id and finished parts with
// `saveState()`, report `resumeOffset()` from that state so views can say "continues at 43%",
// and finish with the register call. The engine then verifies as usual; when a transfer did not
// stream the whole file in one pass, the engine hashes the file again to verify.
import type { Readable } from 'node:stream';
import type { GlanceClient } from '../openstack/glance.ts';

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

export interface UploadTransport {
  readonly name: string;
  /** Sends every byte; resolves when the service has them all. Rejects with an ImagedropError. */
  transfer(glance: GlanceClient, context: TransferContext): Promise<void>;
  /** The byte a resume would continue from, given the saved state. */
  resumeOffset(state: unknown): number;
}

export const glancePutTransport: UploadTransport = {
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
