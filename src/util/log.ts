import { redact, Secret } from './secret';

export type Level = 'error' | 'warn' | 'info' | 'debug';
export const LEVELS: readonly Level[] = ['error', 'warn', 'info', 'debug'];

export interface LogEntry {
  /** Unix milliseconds. */
  time: number;
  level: Level;
  /** The service (or library scope) the line is about, '' for the daemon itself. */
  scope: string;
  message: string;
}

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  /** A logger whose lines carry `scope` (a service name, 'ubus', ...). */
  child(scope: string): Logger;
}

export interface LogSinkOptions {
  level?: Level;
  /** Where lines go; procd hands stderr to logd. Default: process.stderr. */
  write?: (line: string) => void;
  /** Lines kept in memory for `ddnsd log`. Default 500. */
  ringSize?: number;
  now?: () => number;
}

export function parseLevel(text: string): Level | undefined {
  return (LEVELS as readonly string[]).includes(text) ? (text as Level) : undefined;
}

/**
 * The one place log lines are made. Every line passes through `redact` with the secrets
 * the sink was told about, on top of Secret's own masking, and is kept in a ring buffer.
 */
export class LogSink {
  level: Level;
  readonly #write: (line: string) => void;
  readonly #ringSize: number;
  readonly #now: () => number;
  #ring: LogEntry[] = [];
  #secrets = new Set<string>();
  #listeners = new Set<(e: LogEntry) => void>();

  constructor(opts: LogSinkOptions = {}) {
    this.level = opts.level ?? 'info';
    this.#write = opts.write ?? ((line) => process.stderr.write(line + '\n'));
    this.#ringSize = opts.ringSize ?? 500;
    this.#now = opts.now ?? Date.now;
  }

  /** Secrets whose text must never reach a line, even if some code forgot to wrap it. */
  addSecrets(secrets: Iterable<Secret>): void {
    for (const s of secrets) if (!s.empty) this.#secrets.add(s.reveal());
  }

  clearSecrets(): void {
    this.#secrets.clear();
  }

  logger(scope = ''): Logger {
    const emit = (level: Level) => (message: string) => this.emit(level, scope, message);
    return {
      error: emit('error'),
      warn: emit('warn'),
      info: emit('info'),
      debug: emit('debug'),
      child: (s: string) => this.logger(scope ? `${scope}/${s}` : s),
    };
  }

  emit(level: Level, scope: string, message: string): void {
    const clean = oneLine(redact(message, this.#secrets));
    const entry: LogEntry = { time: this.#now(), level, scope, message: clean };
    this.#ring.push(entry);
    if (this.#ring.length > this.#ringSize) this.#ring.splice(0, this.#ring.length - this.#ringSize);
    for (const l of this.#listeners) l(entry);
    if (LEVELS.indexOf(level) <= LEVELS.indexOf(this.level)) this.#write(formatEntry(entry));
  }

  /** The newest `lines` entries, optionally only those of one scope. */
  recent(lines = 100, scope?: string): LogEntry[] {
    const list = scope === undefined ? this.#ring : this.#ring.filter((e) => e.scope === scope || e.scope.startsWith(scope + '/'));
    return list.slice(Math.max(0, list.length - lines));
  }

  onEntry(fn: (e: LogEntry) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
}

/**
 * One printable line: text from outside (a provider's reply, an interface name a bus client
 * sent) must not start a forged line in logread or move a terminal's cursor (`ddnsd log`).
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** `level: [scope] message`, the shape logread shows after its `ddnsd[pid]:` tag. */
export function formatEntry(e: LogEntry): string {
  return `${e.level}: ${e.scope ? `[${e.scope}] ` : ''}${e.message}`;
}

/** A logger that drops everything, for library code used without one. */
export const nullLogger: Logger = {
  error() {}, warn() {}, info() {}, debug() {},
  child() { return nullLogger; },
};
