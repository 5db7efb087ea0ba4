import type { Clock } from './clock';
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
  now?: () => number;
}

/**
 * Longest message a line keeps, in characters; the rest is cut and counted. Text from outside
 * (an interface name on the bus, a provider's error body) must not make a line of megabytes:
 * in logread, in the `ddnsd log` ring, or in memory.
 */
export const MAX_MESSAGE = 1000;

export function parseLevel(text: string): Level | undefined {
  return (LEVELS as readonly string[]).includes(text) ? (text as Level) : undefined;
}

/**
 * The one place log lines are made. A line below the configured level is not made at all
 * (its text may be large, and nobody asked for it); every other line passes through `redact`
 * with the secrets the sink was told about, on top of Secret's own masking, is cut to
 * MAX_MESSAGE, and goes to the writer and to the listeners (the daemon's `ddnsd log` ring).
 */
export class LogSink {
  level: Level;
  readonly #write: (line: string) => void;
  readonly #now: () => number;
  #secrets = new Set<string>();
  #listeners = new Set<(e: LogEntry) => void>();

  constructor(opts: LogSinkOptions = {}) {
    this.level = opts.level ?? 'info';
    this.#write = opts.write ?? ((line) => process.stderr.write(line + '\n'));
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

  /** Whether a line of `level` would be made now (callers may skip building costly text). */
  enabled(level: Level): boolean {
    return LEVELS.indexOf(level) <= LEVELS.indexOf(this.level);
  }

  emit(level: Level, scope: string, message: string): void {
    if (!this.enabled(level)) return;
    // Cut before redacting (a megabyte through every secret's pattern is slow), with room to
    // spare so a secret straddling the first cut is gone by the second.
    const text = String(message);
    const head = text.length > 4 * MAX_MESSAGE ? text.slice(0, 4 * MAX_MESSAGE) : text;
    const clean = cut(oneLine(redact(head, this.#secrets)), MAX_MESSAGE, text.length - head.length);
    const entry: LogEntry = { time: this.#now(), level, scope: cut(oneLine(scope), 100), message: clean };
    for (const l of this.#listeners) l(entry);
    this.#write(formatEntry(entry));
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

/** `text` cut to `max` characters, saying how many were left out (`dropped`: already cut before). */
export function cut(text: string, max: number, dropped = 0): string {
  if (text.length <= max && dropped === 0) return text;
  const kept = text.slice(0, max);
  return `${kept}… (${text.length - kept.length + dropped} more characters)`;
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

/**
 * A warning that outside parties can provoke at will (malformed bus messages): at most
 * `burst` lines per `windowMs`, then one line saying how many were left out, so a flood
 * cannot flood the log (or the `ddnsd log` ring).
 */
export class RateLimitedLog {
  #windowStart = -Infinity;
  #count = 0;
  #suppressed = 0;
  #flush: { cancel(): void } | undefined;

  constructor(private readonly log: (message: string) => void, private readonly clock: Clock, readonly burst = 5, readonly windowMs = 60_000) {}

  emit(message: string): void {
    const now = this.clock.now();
    if (now - this.#windowStart >= this.windowMs) {
      this.#report();
      this.#windowStart = now;
      this.#count = 0;
    }
    if (this.#count++ < this.burst) return this.log(message);
    this.#suppressed++;
    this.#flush ??= this.clock.after(this.#windowStart + this.windowMs - now, () => {
      this.#flush = undefined;
      this.#report();
    });
  }

  #report(): void {
    this.#flush?.cancel();
    this.#flush = undefined;
    if (this.#suppressed === 0) return;
    this.log(`${this.#suppressed} more like it in ${Math.round(this.windowMs / 1000)} s, not logged one by one`);
    this.#suppressed = 0;
  }
}
