// MD5 off the event loop: part buffers live in shared memory, and a worker thread hashes each piece
// in place as soon as it has been read, while the event loop goes on reading and feeding sockets.
// Nothing is copied; a part's digest comes back once its last piece is hashed.
import { Worker } from 'node:worker_threads';

// Plain JavaScript as a string: no file of its own in the packaged app, no TypeScript loader
// under plain Node (the upload engine's hasher does the same).
const WORKER_SOURCE = `
const { parentPort } = process.getBuiltinModule('node:worker_threads');
const { createHash } = process.getBuiltinModule('node:crypto');
const hashes = new Map();
parentPort.on('message', (msg) => {
  let h = hashes.get(msg.id);
  if (!h) hashes.set(msg.id, (h = createHash('md5')));
  if (msg.length > 0) h.update(new Uint8Array(msg.buffer, msg.offset, msg.length));
  if (msg.last) {
    hashes.delete(msg.id);
    const digest = h.digest();
    parentPort.postMessage({ id: msg.id, digest: digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.length) });
  }
});
`;

/** A buffer in shared memory, so the worker can read it where it is. */
export function sharedBuffer(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}

export class Md5Worker {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: (d: Buffer) => void; reject: (e: unknown) => void }>();
  #nextId = 1;
  #failure: unknown = undefined;

  constructor() {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true });
    this.#worker.on('message', (msg: { id: number; digest: ArrayBuffer }) => {
      const w = this.#waiting.get(msg.id);
      this.#waiting.delete(msg.id);
      w?.resolve(Buffer.from(msg.digest));
    });
    this.#worker.on('error', (e) => this.#fail(e));
    this.#worker.on('exit', (code) => {
      if (this.#waiting.size > 0) this.#fail(new Error(`the MD5 worker stopped (exit code ${code})`));
    });
  }

  #fail(e: unknown): void {
    this.#failure ??= e;
    for (const w of this.#waiting.values()) w.reject(e);
    this.#waiting.clear();
  }

  /** A new running MD5: feed it pieces of shared buffers in order, then ask for the digest. */
  begin(): Md5Job {
    const id = this.#nextId++;
    return {
      update: (piece) => {
        if (!(piece.buffer instanceof SharedArrayBuffer)) throw new TypeError('Md5Worker hashes shared buffers only');
        this.#worker.postMessage({
          id,
          buffer: piece.buffer,
          offset: piece.byteOffset,
          length: piece.length,
          last: false,
        });
      },
      digest: () =>
        new Promise<Buffer>((resolve, reject) => {
          if (this.#failure !== undefined) return reject(this.#failure);
          this.#waiting.set(id, { resolve, reject });
          this.#worker.postMessage({ id, length: 0, last: true });
        }),
    };
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}

export interface Md5Job {
  /** Hashes `piece` (a view of a shared buffer that must not change until digest() resolves). */
  update(piece: Buffer): void;
  digest(): Promise<Buffer>;
}
