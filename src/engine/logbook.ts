import type { LogEntry, LogSink } from '../util/log';

export interface NumberedEntry extends LogEntry {
  /** Increasing number, so `ddnsd log -f` can ask for what came after the last line it printed. */
  id: number;
}

/**
 * Characters of message text the ring holds at most, whatever `log_lines` says: each line is
 * already cut to MAX_MESSAGE by the sink, so this only bites when `log_lines` is large and
 * the lines long (100,000 lines of 1,000 characters would be 100 MB on a 256 MB router).
 */
export const MAX_RING_CHARS = 8 * 1024 * 1024;

/**
 * The newest log lines with ids, fed by the sink: its lines are already redacted, cut, and of
 * the configured level or above (debug lines are kept only while log_level is debug).
 */
export class LogBook {
  #entries: NumberedEntry[] = [];
  #chars = 0;
  #next = 1;
  readonly #detach: () => void;

  constructor(sink: LogSink, public capacity = 500, readonly maxChars = MAX_RING_CHARS) {
    this.#detach = sink.onEntry((e) => this.#add(e));
  }

  get size(): number {
    return this.#entries.length;
  }

  #add(e: LogEntry): void {
    this.#entries.push({ ...e, id: this.#next++ });
    this.#chars += e.message.length;
    while (this.#entries.length > 1 && (this.#entries.length > this.capacity || this.#chars > this.maxChars)) {
      this.#chars -= this.#entries.shift()!.message.length;
    }
  }

  /** The newest `lines` entries of `scope` (a service name) newer than id `after`. */
  recent(opts: { scope?: string; lines?: number; after?: number } = {}): NumberedEntry[] {
    const { scope, lines = 100, after = 0 } = opts;
    const list = this.#entries.filter((e) => e.id > after && (scope === undefined || e.scope === scope || e.scope.startsWith(scope + '/')));
    return list.slice(Math.max(0, list.length - Math.max(0, lines)));
  }

  close(): void {
    this.#detach();
  }
}
