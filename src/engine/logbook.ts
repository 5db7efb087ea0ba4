import type { LogEntry, LogSink } from '../util/log';

export interface NumberedEntry extends LogEntry {
  /** Increasing number, so `ddnsd log -f` can ask for what came after the last line it printed. */
  id: number;
}

/** The newest log lines with ids, fed by the sink (whose lines are already redacted). */
export class LogBook {
  #entries: NumberedEntry[] = [];
  #next = 1;
  readonly #detach: () => void;

  constructor(sink: LogSink, public capacity = 500) {
    this.#detach = sink.onEntry((e) => this.#add(e));
  }

  #add(e: LogEntry): void {
    this.#entries.push({ ...e, id: this.#next++ });
    if (this.#entries.length > this.capacity) this.#entries.splice(0, this.#entries.length - this.capacity);
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
