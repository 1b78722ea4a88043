// What Imagedrop has learned about each image service, kept across runs: the hash algorithm it
// reports as os_hash_algo, and whether it reports os_hash_value at all (old Glances only have
// the md5 `checksum`). Used to compute the right hash while streaming, the first time.
import { readFile } from 'node:fs/promises';
import { SerialWriter } from '../../files/atomic-file.ts';

export interface CloudFact {
  /** os_hash_algo as last seen, e.g. 'sha512'. Null: the service reports no os_hash_value. */
  readonly hashAlgo: string | null;
  readonly seenAt: number;
}

/** Glance's default `hashing_algorithm`. */
export const DEFAULT_HASH_ALGO = 'sha512';

export class CloudFacts {
  readonly #file: string | null;
  readonly #facts = new Map<string, CloudFact>();
  readonly #writer: SerialWriter | null;
  #loaded = false;

  /** `file` null keeps the facts in memory only. */
  constructor(file: string | null) {
    this.#file = file;
    this.#writer = file ? new SerialWriter(file, () => {}) : null;
  }

  async load(): Promise<void> {
    if (this.#loaded || !this.#file) return;
    this.#loaded = true;
    try {
      const data = JSON.parse(await readFile(this.#file, 'utf8')) as Record<string, CloudFact>;
      for (const [k, v] of Object.entries(data)) {
        if (v && (typeof v.hashAlgo === 'string' || v.hashAlgo === null)) this.#facts.set(k, v);
      }
    } catch {
      // Missing or damaged: these are hints, learned again on the next upload.
    }
  }

  get(endpoint: string): CloudFact | undefined {
    return this.#facts.get(endpoint);
  }

  /** The algorithms to compute while streaming to this endpoint. */
  algorithmsFor(endpoint: string): string[] {
    const fact = this.#facts.get(endpoint);
    if (!fact) return [DEFAULT_HASH_ALGO];
    // md5 only where it is the only check the server offers.
    return fact.hashAlgo ? [fact.hashAlgo] : ['md5'];
  }

  async remember(endpoint: string, hashAlgo: string | null): Promise<void> {
    const prev = this.#facts.get(endpoint);
    if (prev && prev.hashAlgo === hashAlgo) return;
    this.#facts.set(endpoint, { hashAlgo, seenAt: Date.now() });
    try {
      await this.#writer?.write(() => JSON.stringify(Object.fromEntries(this.#facts), null, 1));
    } catch {
      // A hint that could not be kept is learned again next time: never an upload's failure.
    }
  }
}
