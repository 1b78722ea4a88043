// Speed and ETA of one transfer: an exponential moving average over fixed windows. Pure: the
// caller passes the clock, so tests need no timers.
export const SPEED_WINDOW_MS = 500;
/** Weight of the newest window in the average. */
export const SPEED_SMOOTHING = 0.3;

export class ProgressMeter {
  #bytes = 0;
  #windowStart: number;
  #windowBytes = 0;
  #speed: number | null = null;

  constructor(now: number, initialBytes = 0) {
    this.#windowStart = now;
    this.#bytes = initialBytes;
  }

  /** Counts `n` more bytes at time `now`. */
  add(n: number, now: number): void {
    this.#bytes += n;
    this.#windowBytes += n;
    const elapsed = now - this.#windowStart;
    if (elapsed >= SPEED_WINDOW_MS) {
      const current = (this.#windowBytes * 1000) / elapsed;
      this.#speed = this.#speed === null ? current : SPEED_SMOOTHING * current + (1 - SPEED_SMOOTHING) * this.#speed;
      this.#windowStart = now;
      this.#windowBytes = 0;
    }
  }

  /** A pause is not slowness: restart the window so the paused time does not count. */
  restartWindow(now: number): void {
    this.#windowStart = now;
    this.#windowBytes = 0;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes per second, or null before the first full window. */
  get speed(): number | null {
    return this.#speed;
  }

  /** Seconds left for `total` bytes at the current speed, or null when unknown. */
  eta(total: number): number | null {
    if (this.#speed === null || this.#speed <= 0) return null;
    return Math.max(0, (total - this.#bytes) / this.#speed);
  }
}
