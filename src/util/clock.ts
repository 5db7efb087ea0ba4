/**
 * Time as the engine sees it. Production code takes a Clock; tests pass a FakeClock
 * and move time forward by hand, so no test ever waits on the wall clock.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Run `fn` once after `ms` milliseconds. */
  after(ms: number, fn: () => void): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const h = setTimeout(fn, Math.max(0, ms));
    h.unref?.();
    return { cancel: () => clearTimeout(h) };
  },
};

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that moves only when told to. Timers fire in due order during `advance`. */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #pending: Pending[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  after(ms: number, fn: () => void): Timer {
    const p: Pending = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false };
    this.#pending.push(p);
    return { cancel: () => { p.cancelled = true; } };
  }

  /** Number of timers still waiting. */
  get pendingCount(): number {
    return this.#pending.filter((p) => !p.cancelled).length;
  }

  /** When the next live timer is due, or undefined. */
  nextDue(): number | undefined {
    const live = this.#pending.filter((p) => !p.cancelled);
    return live.length ? Math.min(...live.map((p) => p.at)) : undefined;
  }

  /**
   * Move time forward by `ms`, firing due timers in order. Between timers it lets
   * promise callbacks and I/O run (a macrotask turn), so async work a timer starts can
   * finish and schedule further timers before time moves on.
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await settle();
      const due = this.#pending
        .filter((p) => !p.cancelled && p.at <= end)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#pending = this.#pending.filter((p) => p !== due);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
    }
    this.#now = end;
    this.#pending = this.#pending.filter((p) => !p.cancelled);
    await settle();
  }
}

/** Let queued promise callbacks and ready I/O callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
