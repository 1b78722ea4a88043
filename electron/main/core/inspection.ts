// The inspector's verdicts for the files the renderer names: only granted files, a few at a time
// (never a thousand open files at once), and never held for ever by a file on a dead mount.
import type { InspectOutcome } from '../../../shared/ipc.ts';
import { toAppError } from '../errors.ts';
import { inspectFile } from '../inspect/index.ts';
import { isTimeoutReason } from '../openstack/http.ts';
import type { FileGrants } from './file-grants.ts';

const INSPECT_CONCURRENCY = 8;
/** The inspector reads at most 1 MiB per file: this long means the file's storage hangs. */
export const INSPECT_TIMEOUT_MS = 30_000;

export async function inspectGrantedFiles(
  paths: readonly string[],
  grants: FileGrants,
  acceptedDiskFormats: readonly string[] | undefined,
): Promise<InspectOutcome[]> {
  const outcomes: InspectOutcome[] = new Array(paths.length);
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const i = next++;
      const p = paths[i]!;
      try {
        grants.require([p]);
        const inspection = await inspectFile(p, {
          ...(acceptedDiskFormats?.length ? { acceptedDiskFormats } : {}),
          signal: AbortSignal.timeout(INSPECT_TIMEOUT_MS),
        });
        outcomes[i] = { path: p, ok: true, inspection };
      } catch (e) {
        outcomes[i] = {
          path: p,
          ok: false,
          error: isTimeoutReason(e)
            ? {
                code: 'file/unreadable',
                message: `${p} gave no bytes within ${INSPECT_TIMEOUT_MS / 1000} s (a hung network mount?): check that the file can be read, then add it again.`,
                retryable: true,
              }
            : toAppError(e),
        };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(INSPECT_CONCURRENCY, paths.length) }, worker));
  return outcomes;
}
