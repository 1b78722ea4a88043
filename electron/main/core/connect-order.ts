// Connect calls can overlap: the header's switcher lets the user choose a second cloud before the
// first answered, or disconnect while a connect is on its way. The session the user sees must be
// the one they chose last, whatever order the clouds answer in: each call takes a ticket, and only
// the holder of the latest ticket may take over the session. Uploads already running are not
// touched by any of it (each job keeps the cloud it runs on; see UploadEngine#cloudFor).
import { ImagedropError } from '../errors.ts';

export class ConnectOrder {
  #latest = 0;

  /** A new connect (or disconnect) begins; the answer says whether it is still the latest. */
  begin(): () => boolean {
    const ticket = ++this.#latest;
    return () => ticket === this.#latest;
  }
}

/** The error of a connect a later one overtook: the session stays the later one's. */
export function supersededError(cloud: string): ImagedropError {
  return new ImagedropError(
    'auth/superseded',
    `The connection to ${cloud} was overtaken by a later choice before it finished, so it was not kept.`,
  );
}
