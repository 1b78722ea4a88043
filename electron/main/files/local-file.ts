// The local file alone, before anything else looks at it: it exists, it is a regular file, it is
// not empty, and it is under the target's size limit. No server call.
import { stat } from 'node:fs/promises';
import { fitsSizeLimit, sizeLimitProblem } from '../../../shared/session.ts';
import { ImagedropError, fileError } from '../errors.ts';
import { identityOf, type FileIdentity } from './identity.ts';

/** Checks the file at `path` against `sizeLimit` (bytes); returns what identifies it. */
export async function checkLocalFile(path: string, sizeLimit: number): Promise<FileIdentity> {
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
  return identityOf(info);
}
