/** Reconnect delays: doubling from `initialMs` up to `maxMs`, reset after a success. */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  #attempt = 0;

  constructor(opts: BackoffOptions = {}) {
    this.#initial = opts.initialMs ?? 1000;
    this.#max = opts.maxMs ?? 5000;
  }

  next(): number {
    const ms = Math.min(this.#initial * 2 ** Math.min(this.#attempt, 20), this.#max);
    this.#attempt++;
    return ms;
  }

  reset(): void {
    this.#attempt = 0;
  }
}
