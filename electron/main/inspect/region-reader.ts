// Positioned reads of the few regions the specs ask for, with a hard budget. The inspector never reads
// a file sequentially: it reads the first 64 KiB and the last 4 KiB once (every header and footer
// signature lives there), then only the offsets that headers point to. So its cost does not depend
// on the file's size, and a 20 GiB image costs what a 200 KiB one does.
import type { FileHandle } from 'node:fs/promises';
import type { RegionRequest } from './spec.ts';

/** At most this many bytes are read from one file, whatever its content claims. */
export const READ_BUDGET_BYTES = 1024 * 1024;
/** No single region is longer than this (the largest real one, a VHDX region or metadata table, is 64 KiB). */
export const MAX_REGION_BYTES = 64 * 1024;
/** Read up front: every signature at the start (ISO's volume descriptors end by 0x8800) … */
export const HEAD_WINDOW_BYTES = 64 * 1024;
/** … and at the end (VHD footer: 512 bytes; ZVHD footer block and VMDK stream footer: within 4 KiB). */
export const TAIL_WINDOW_BYTES = 4 * 1024;

interface Chunk {
  readonly offset: number;
  readonly data: Buffer;
}

export class RegionReader {
  readonly #handle: FileHandle;
  readonly #size: number;
  readonly #signal: AbortSignal | undefined;
  readonly #chunks: Chunk[] = [];
  #bytesRead = 0;
  #overBudget = false;

  /** After `signal` aborts, every read that would touch the file throws its reason instead. */
  constructor(handle: FileHandle, size: number, signal?: AbortSignal) {
    this.#handle = handle;
    this.#size = size;
    this.#signal = signal;
  }

  get bytesRead(): number {
    return this.#bytesRead;
  }

  /** True when a region was refused because the budget was spent (it then reads as empty). */
  get overBudget(): boolean {
    return this.#overBudget;
  }

  /** Absolute byte range of a request, clipped to the file. */
  resolve(request: RegionRequest): { offset: number; length: number } {
    const wanted = Math.min(Math.max(0, Math.floor(request.length)), MAX_REGION_BYTES);
    const start = 'fromEnd' in request ? Math.max(0, this.#size - request.fromEnd) : request.offset;
    if (!Number.isSafeInteger(start) || start < 0 || start >= this.#size) return { offset: 0, length: 0 };
    return { offset: start, length: Math.min(wanted, this.#size - start) };
  }

  /** The head and tail windows, in at most two reads. */
  async prefetch(): Promise<void> {
    const start = Math.max(HEAD_WINDOW_BYTES, this.#size - TAIL_WINDOW_BYTES);
    await Promise.all([
      this.read({ offset: 0, length: HEAD_WINDOW_BYTES }),
      this.#size > HEAD_WINDOW_BYTES ? this.read({ offset: start, length: this.#size - start }) : undefined,
    ]);
  }

  async read(request: RegionRequest): Promise<Buffer> {
    const { offset, length } = this.resolve(request);
    if (length === 0) return Buffer.alloc(0);
    for (const chunk of this.#chunks) {
      if (offset >= chunk.offset && offset + length <= chunk.offset + chunk.data.length) {
        return chunk.data.subarray(offset - chunk.offset, offset - chunk.offset + length);
      }
    }
    this.#signal?.throwIfAborted();
    if (this.#bytesRead + length > READ_BUDGET_BYTES) {
      this.#overBudget = true;
      return Buffer.alloc(0);
    }
    this.#bytesRead += length; // reserved before the first await, so concurrent reads share one budget
    const data = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      this.#signal?.throwIfAborted();
      const { bytesRead } = await this.#handle.read(data, filled, length - filled, offset + filled);
      if (bytesRead === 0) break; // the file shrank under us: keep what we have
      filled += bytesRead;
    }
    this.#bytesRead -= length - filled;
    const captured = data.subarray(0, filled);
    this.#chunks.push({ offset, data: captured });
    return captured;
  }
}
