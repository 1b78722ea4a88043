// Hashing off the event loop: each chunk is copied into a fixed shared ring that a worker thread
// hashes in place, so sha512 (~440 MB/s per core here) never slows the socket, nothing is
// allocated per chunk, and the backlog is bounded by the ring: `whenReady()` makes the reader wait.
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { ImagedropError } from '../errors.ts';

/** Size of the shared ring through which chunks reach the worker: the hashing backlog's bound. */
export const HASH_RING_BYTES = 8 * 1024 * 1024;

// The worker is plain JavaScript given as a string, so it needs no file of its own in the
// packaged app and no TypeScript loader under plain Node. It hashes slices of the shared ring
// in place and acknowledges each one, which frees that part of the ring.
// getBuiltinModule works whether the worker is evaluated as CommonJS or as an ES module (it
// inherits the parent's flags, e.g. --input-type=module).
const WORKER_SOURCE = `
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const { createHash } = process.getBuiltinModule('node:crypto');
const ring = new Uint8Array(workerData.ring);
const hashes = workerData.algorithms.map((a) => createHash(a));
parentPort.on('message', (msg) => {
  if (msg.type === 'slice') {
    const view = ring.subarray(msg.offset, msg.offset + msg.length);
    for (const h of hashes) h.update(view);
    parentPort.postMessage({ type: 'ack', bytes: msg.length });
  } else if (msg.type === 'digest') {
    const out = {};
    workerData.algorithms.forEach((a, i) => { out[a] = hashes[i].digest('hex'); });
    parentPort.postMessage({ type: 'digest', digests: out });
  }
});
`;

export interface StreamHasher {
  readonly algorithms: readonly string[];
  /** Copies one chunk into the ring for the worker. Call whenReady(chunk.length) first. */
  update(chunk: Uint8Array): void;
  /** Resolves when the ring has room for `bytes` more. */
  whenReady(bytes: number): Promise<void>;
  /** The hex digest per algorithm of everything given to update(). Ends the worker. */
  digest(): Promise<Record<string, string>>;
  /** Ends the worker without a result. */
  dispose(): void;
}

/** Checks that Node's crypto knows every algorithm (sha512, sha256, md5, sha3-512, …). */
export function assertHashAlgorithms(algorithms: readonly string[]): void {
  for (const a of algorithms) {
    try {
      createHash(a);
    } catch {
      throw new ImagedropError('internal', `This system cannot compute ${a} hashes, so the upload cannot be verified.`);
    }
  }
}

export function createStreamHasher(algorithms: readonly string[], ringBytes = HASH_RING_BYTES): StreamHasher {
  assertHashAlgorithms(algorithms);
  const shared = new SharedArrayBuffer(ringBytes);
  const ring = new Uint8Array(shared);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { algorithms, ring: shared } });
  let head = 0; // next byte to write (mod ringBytes)
  let used = 0; // bytes written and not yet acknowledged
  let waiters: { bytes: number; resolve: () => void }[] = [];
  let failure: Error | null = null;
  let digestResolve: ((d: Record<string, string>) => void) | null = null;
  let digestReject: ((e: Error) => void) | null = null;
  let ended = false;

  const wake = () => {
    const still: typeof waiters = [];
    for (const w of waiters) {
      if (failure || ended || used + w.bytes <= ringBytes) w.resolve();
      else still.push(w);
    }
    waiters = still;
  };
  const send = (offset: number, length: number) => worker.postMessage({ type: 'slice', offset, length });

  worker.on('message', (msg: { type: 'ack'; bytes: number } | { type: 'digest'; digests: Record<string, string> }) => {
    if (msg.type === 'ack') {
      used -= msg.bytes;
      if (used === 0 && !digestResolve) worker.unref(); // idle again: it owes nothing
      wake();
    } else {
      digestResolve?.(msg.digests);
      ended = true;
      void worker.terminate();
    }
  });
  worker.on('error', (e) => {
    failure = e;
    wake();
    digestReject?.(e);
  });
  // A worker that ends without an 'error' (killed, out of memory) must not leave digest() waiting.
  worker.on('exit', (code) => {
    if (ended) return;
    failure ??= new ImagedropError(
      'internal',
      `The hashing thread stopped (exit code ${code}); upload the file again.`,
    );
    wake();
    digestReject?.(failure);
  });
  // An idle worker does not keep the process alive; one owing work does (ref() in update() and
  // digest()): a reader waiting for ring space may be the only thing left on the event loop.
  worker.unref();

  return {
    algorithms,
    update(chunk) {
      if (failure) throw failure;
      if (used + chunk.byteLength > ringBytes) {
        throw new ImagedropError('internal', 'The hashing ring overflowed: whenReady() was not awaited.');
      }
      // Copy into the ring, in two slices when it wraps; the worker gets each in order.
      const first = Math.min(chunk.byteLength, ringBytes - head);
      ring.set(chunk.subarray(0, first), head);
      send(head, first);
      if (first < chunk.byteLength) {
        ring.set(chunk.subarray(first), 0);
        send(0, chunk.byteLength - first);
      }
      head = (head + chunk.byteLength) % ringBytes;
      used += chunk.byteLength;
      worker.ref();
    },
    whenReady(bytes) {
      if (failure) return Promise.reject(failure);
      if (bytes > ringBytes)
        return Promise.reject(new ImagedropError('internal', 'A chunk is larger than the hashing ring.'));
      if (used + bytes <= ringBytes) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ bytes, resolve }));
    },
    digest() {
      if (failure) return Promise.reject(failure);
      worker.ref();
      return new Promise((resolve, reject) => {
        digestResolve = resolve;
        digestReject = reject;
        worker.postMessage({ type: 'digest' });
      });
    },
    dispose() {
      if (!ended) void worker.terminate();
      ended = true;
      wake();
    },
  };
}
