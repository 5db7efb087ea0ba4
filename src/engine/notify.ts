import { hostname } from 'node:os';
import { sameNotify, type NotifyConfig, type NotifyType } from '../config/notify';
import { HttpError, request, retryAfterMs, type HttpRequest, type HttpResponse } from '../net/http';
import type { Clock, Timer } from '../util/clock';
import { errorText } from '../util/error-text';
import type { Logger } from '../util/log';
import { clip } from '../providers/kit/text';
import { redact } from '../util/secret';
import { eventFields, type HookSink, type RecordAction, type RecordEvent } from './hooks';

/**
 * The notify sections' sender: a HookSink beside the ubus event and the hotplug.d executables.
 * Each section has its own queue and works on its own time: nothing here is awaited by a check,
 * and no failure of a notification reaches one. A section sends one event at a time; a failure
 * that may pass (no connection, a timeout, 429, 5xx) keeps the event at the head of the queue
 * and tries again after a backoff on the injected clock; a refusal (another 4xx) is logged with
 * what to check and the event dropped, so a wrong token costs one request per event, never a
 * storm. The token is only ever put on the wire; it is redacted from every error text.
 *
 * Formats, as the services document them:
 * - ntfy, "Publishing" (docs.ntfy.sh/publish): POST to the topic URL, the message as the body,
 *   the `Title`, `Priority` (1 … 5) and `Tags` headers, an access token as `Authorization: Bearer`.
 * - Gotify, "Push messages" (gotify.net/docs/pushmsg) and its API's message model: POST
 *   `<server>/message` with JSON `{title, message, priority}`, the application token in the
 *   `X-Gotify-Key` header (the API also takes `?token=`, which would put it in URLs and logs).
 * - webhook: ours: the fields of the ubus event `ddnsd.record` plus `time` and `host`, as JSON.
 */

/** A record event, or the test message of `ddnsd test --notify` (no record: its record fields are ''). */
export type NotifyAction = RecordAction | 'test';
export type NotifyEvent = Omit<RecordEvent, 'action' | 'type' | 'state'> & { action: NotifyAction; type: RecordEvent['type'] | ''; state: RecordEvent['state'] | '' };

export const NOTIFY_TIMEOUT_MS = 10_000;
export const NOTIFY_QUEUE_MAX = 20;
export const NOTIFY_RETRY_FIRST_MS = 30_000;
export const NOTIFY_RETRY_MAX_MS = 30 * 60_000;

export interface NotifyOptions {
  clock: Clock;
  log: Logger;
  /** The router's name for `host` and titles (default: the kernel's hostname, which OpenWrt sets from system.hostname). */
  host?: string;
  timeoutMs?: number;
  queueMax?: number;
  /** The HTTP client (default net/http's request). */
  send?: (req: HttpRequest) => Promise<HttpResponse>;
}

/** One section in the `status` reply. Times are Unix seconds, 0 = never. */
export interface NotifyStatus {
  name: string;
  type: NotifyType | '';
  enabled: boolean;
  /** When a message last reached the server. */
  last_sent: number;
  /** Why the last attempt failed ('' after a success); never holds the token. */
  last_error: string;
  /** Events waiting (the one being retried included). */
  queued: number;
  /** When the event at the head is tried again (0: not waiting). */
  next_try: number;
  /** Why the section is not used (its configuration was rejected), else ''. */
  error: string;
}

export interface TestNotifyReply {
  notify: string;
  ok: boolean;
  message: string;
}

/** What one attempt came to. */
interface Attempt {
  ok: boolean;
  /** Worth trying again later (network, timeout, 429, 5xx). */
  retry: boolean;
  message: string;
  /** A Retry-After the server asked for. */
  waitMs?: number;
}

/** The HTTP request that carries `event` to the section, in its type's format. */
export function notifyRequest(cfg: NotifyConfig, event: NotifyEvent, time: number, host: string): HttpRequest {
  const bearer: Record<string, string> = cfg.token ? { authorization: `Bearer ${cfg.token.reveal()}` } : {};
  const secrets = cfg.token ? [cfg.token] : [];
  switch (cfg.type) {
    case 'webhook':
      return {
        method: 'POST', url: cfg.url, secrets,
        headers: { 'content-type': 'application/json', ...bearer },
        body: JSON.stringify({ ...eventFields(event), time: new Date(time).toISOString(), host }),
      };
    case 'ntfy':
      return {
        method: 'POST', url: cfg.url, secrets,
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          title: headerText(title(event, host)),
          tags: `ddnsd,${TAGS[event.action]}`,
          ...(cfg.priority !== undefined ? { priority: String(cfg.priority) } : {}),
          ...bearer,
        },
        body: message(event, cfg.name),
      };
    case 'gotify':
      return {
        method: 'POST', url: `${cfg.url.replace(/\/+$/, '')}/message`, secrets,
        headers: { 'content-type': 'application/json', ...(cfg.token ? { 'x-gotify-key': cfg.token.reveal() } : {}) },
        body: JSON.stringify({ title: title(event, host), message: message(event, cfg.name), ...(cfg.priority !== undefined ? { priority: cfg.priority } : {}) }),
      };
  }
}

/** ntfy tags: names of emoji (ntfy shows a tag that is an emoji short code as that emoji). */
const TAGS: Record<NotifyAction, string> = { update: 'arrows_counterclockwise', blocked: 'no_entry', unblocked: 'white_check_mark', test: 'bell' };

function title(e: NotifyEvent, host: string): string {
  const who = host ? `ddnsd on ${host}` : 'ddnsd';
  if (e.action === 'test') return `${who}: test notification`;
  const what = e.action === 'update' ? 'updated' : e.action;
  return `${who}: ${e.domain} (${e.type}) ${what}`;
}

function message(e: NotifyEvent, section: string): string {
  const via = `Service ${e.service}${e.interface ? `, interface ${e.interface}` : ''}.`;
  switch (e.action) {
    case 'update':
      return `${e.domain} (${e.type}) now points to ${e.new} (was ${e.old || 'unknown'}). ${via}`;
    case 'blocked':
      return `${e.domain} (${e.type}) is blocked: ${e.result || 'the provider refused it'}. ddnsd sends nothing for it until the service's configuration changes. ${via}`;
    case 'unblocked':
      return `${e.domain} (${e.type}) is no longer blocked: the service's configuration changed. ${via}`;
    case 'test':
      return `Test notification from ddnsd (notify section ${section}): notifications reach you.`;
  }
}

/** An HTTP header holds Latin-1 at best: other text goes as an RFC 2047 encoded word, which ntfy decodes. */
function headerText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

/** The test message: no record, action `test`. */
export function testEvent(): NotifyEvent {
  return { action: 'test', service: '', domain: '', type: '', old: '', new: '', state: '', result: '', interface: '' };
}

const REASON: Record<number, string> = { 400: 'bad request', 401: 'unauthorized', 403: 'forbidden', 404: 'not found', 405: 'method not allowed', 413: 'too large', 429: 'too many requests' };

/** What to check after a refusal. */
function hint(status: number): string {
  if (status === 401 || status === 403) return ': check option token';
  if (status === 404 || status === 405) return ': check option url';
  return '';
}

const TYPE_NAME: Record<NotifyType, string> = { webhook: 'the webhook', ntfy: 'ntfy', gotify: 'gotify' };

/** One section: its queue, its backoff, its last result. */
class Notifier {
  readonly #queue: NotifyEvent[] = [];
  #dropped = 0;
  #busy = false;
  #retry: Timer | undefined;
  #retryAt = 0;
  #waitMs = 0;
  #lastSent = 0;
  #lastError = '';
  #closed = false;
  #abort: AbortController | undefined;
  #idle: Promise<void> = Promise.resolve();
  #settle: (() => void) | undefined;

  constructor(
    public cfg: NotifyConfig,
    private readonly opts: Required<Pick<NotifyOptions, 'clock' | 'log' | 'timeoutMs' | 'queueMax' | 'send'>> & { host: string },
  ) {}

  wants(e: RecordEvent): boolean {
    return this.cfg.enabled && this.cfg.events.includes(e.action) && (this.cfg.services.length === 0 || this.cfg.services.includes(e.service));
  }

  enqueue(e: NotifyEvent): void {
    if (this.#closed) return;
    this.#queue.push(e);
    if (this.#queue.length > this.opts.queueMax) {
      this.#queue.shift();
      this.#dropped++;
    }
    this.#kick();
  }

  /** Resolves when nothing is being sent (the queue may still wait for a retry). */
  idle(): Promise<void> {
    return this.#idle;
  }

  /** The test message, sent now and outside the queue; the reply says how it went. */
  async test(): Promise<TestNotifyReply> {
    const r = await this.#attempt(testEvent());
    return { notify: this.cfg.name, ok: r.ok, message: r.message };
  }

  status(): NotifyStatus {
    const secs = (ms: number) => Math.floor(ms / 1000);
    return {
      name: this.cfg.name, type: this.cfg.type, enabled: this.cfg.enabled, last_sent: secs(this.#lastSent), last_error: this.#lastError,
      queued: this.#queue.length, next_try: this.#retry ? secs(this.#retryAt) : 0, error: '',
    };
  }

  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    this.#retry?.cancel();
    this.#retry = undefined;
    this.#abort?.abort();
  }

  #kick(): void {
    if (this.#busy || this.#retry || this.#closed || this.#queue.length === 0) return;
    this.#busy = true;
    this.#idle = new Promise((resolve) => (this.#settle = resolve));
    void this.#drain().finally(() => {
      this.#busy = false;
      this.#settle?.();
    });
  }

  async #drain(): Promise<void> {
    const log = this.opts.log;
    const name = this.cfg.name;
    while (this.#queue.length > 0 && !this.#closed) {
      if (this.#dropped > 0) {
        log.warn(`notify ${name}: the queue was full (${this.opts.queueMax} events); the ${this.#dropped} oldest were dropped`);
        this.#dropped = 0;
      }
      const event = this.#queue[0];
      const r = await this.#attempt(event);
      if (this.#closed) return;
      if (r.ok || !r.retry) {
        if (this.#queue[0] === event) this.#queue.shift();
        if (!r.ok) log.warn(`notify ${name}: ${r.message}; the ${event.action} event of ${event.domain} (${event.type}) was dropped`);
        else if (this.#waitMs > 0) log.info(`notify ${name}: sent again after failures`);
        if (r.ok) this.#waitMs = 0;
        continue;
      }
      this.#waitMs = Math.min(NOTIFY_RETRY_MAX_MS, this.#waitMs === 0 ? NOTIFY_RETRY_FIRST_MS : this.#waitMs * 2);
      const wait = Math.min(NOTIFY_RETRY_MAX_MS, Math.max(this.#waitMs, r.waitMs ?? 0));
      log.warn(`notify ${name}: ${r.message}; trying again in ${Math.round(wait / 1000)} s (${this.#queue.length} event${this.#queue.length === 1 ? '' : 's'} waiting)`);
      this.#retryAt = this.opts.clock.now() + wait;
      this.#retry = this.opts.clock.after(wait, () => {
        this.#retry = undefined;
        this.#kick();
      });
      return;
    }
  }

  /** One request, cut at the timeout (on the injected clock); never throws. */
  async #attempt(event: NotifyEvent): Promise<Attempt> {
    const { clock, send, timeoutMs, host } = this.opts;
    const cfg = this.cfg;
    const secrets = cfg.token ? [cfg.token] : [];
    const abort = new AbortController();
    this.#abort = abort;
    let timedOut = false;
    const timer = clock.after(timeoutMs, () => {
      timedOut = true;
      abort.abort();
    });
    let r: Attempt;
    try {
      // net/http's own timer is a backstop behind the clock's.
      const res = await send({ ...notifyRequest(cfg, event, clock.now(), host), signal: abort.signal, timeoutMs: timeoutMs + 5000 });
      r = judge(cfg.type, res, clock.now());
    } catch (err) {
      const text = timedOut ? `no answer within ${timeoutMs / 1000} s` : err instanceof HttpError ? err.message : errorText(err);
      r = { ok: false, retry: true, message: `cannot reach ${TYPE_NAME[cfg.type]}: ${text}` };
    } finally {
      timer.cancel();
      if (this.#abort === abort) this.#abort = undefined;
    }
    r.message = redact(r.message, secrets);
    if (r.ok) {
      this.#lastSent = clock.now();
      this.#lastError = '';
    } else this.#lastError = r.message;
    return r;
  }
}

/** A server's answer as an Attempt: 2xx sent; 429 and 5xx later; any other answer is a refusal. */
function judge(type: NotifyType, res: HttpResponse, now: number): Attempt {
  const who = TYPE_NAME[type];
  if (res.status >= 200 && res.status < 300) return { ok: true, retry: false, message: `${who} answered ${res.status}` };
  const reason = REASON[res.status] ?? '';
  const said = replyText(res.body);
  const echo = said.toLowerCase() === reason;
  const text = `${who} answered ${res.status}${reason ? ` ${reason}` : ''}${said && !echo ? ` (${said})` : ''}`;
  if (res.status === 429 || res.status >= 500) return { ok: false, retry: true, message: text, waitMs: retryAfterMs(res, now) };
  return { ok: false, retry: false, message: `${text}${hint(res.status)}` };
}

/** What a refusal said, clipped: ntfy's and Gotify's JSON errors have `error` (Gotify: `errorDescription`). */
function replyText(body: string): string {
  let text = body.trim();
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const said = j.errorDescription ?? j.error;
    if (typeof said === 'string') text = said;
  } catch {
    // plain text
  }
  return clip(text.split('\n', 1)[0], 120);
}

/**
 * Every notify section of the configuration: the HookSink the daemon hands each record event,
 * the `notify` part of `status`, and the test message. A reload keeps the queue and history
 * of a section whose options did not change.
 */
export class Notifications implements HookSink {
  #notifiers = new Map<string, Notifier>();
  #rejected: { name: string; error: string }[] = [];
  readonly #opts: ConstructorParameters<typeof Notifier>[1];

  constructor(opts: NotifyOptions) {
    this.#opts = {
      clock: opts.clock, log: opts.log, timeoutMs: opts.timeoutMs ?? NOTIFY_TIMEOUT_MS, queueMax: opts.queueMax ?? NOTIFY_QUEUE_MAX,
      send: opts.send ?? request, host: opts.host ?? safeHostname(),
    };
  }

  apply(configs: readonly NotifyConfig[], rejected: readonly { name: string; error: string }[]): void {
    const next = new Map<string, Notifier>();
    for (const cfg of configs) {
      const old = this.#notifiers.get(cfg.name);
      if (old && sameNotify(old.cfg, cfg)) {
        old.cfg = cfg;
        next.set(cfg.name, old);
        continue;
      }
      old?.close();
      next.set(cfg.name, new Notifier(cfg, this.#opts));
    }
    for (const [name, n] of this.#notifiers) if (!next.has(name)) n.close();
    this.#notifiers = next;
    this.#rejected = [...rejected];
  }

  emit(event: RecordEvent): void {
    for (const n of this.#notifiers.values()) if (n.wants(event)) n.enqueue(event);
  }

  status(): NotifyStatus[] {
    const bad = this.#rejected.map((r): NotifyStatus => ({ name: r.name, type: '', enabled: false, last_sent: 0, last_error: '', queued: 0, next_try: 0, error: r.error }));
    return [...[...this.#notifiers.values()].map((n) => n.status()), ...bad];
  }

  has(name: string): boolean {
    return this.#notifiers.has(name) || this.#rejected.some((r) => r.name === name);
  }

  /** Send the test message to one section (disabled ones too: a section is tested before it is enabled). */
  async test(name: string): Promise<TestNotifyReply> {
    const n = this.#notifiers.get(name);
    if (n) return n.test();
    const bad = this.#rejected.find((r) => r.name === name);
    return { notify: name, ok: false, message: bad ? `the section's configuration is rejected: ${bad.error}` : `no notify section named '${name}'` };
  }

  /** Resolves when no section is sending (tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.#notifiers.values()].map((n) => n.idle()));
  }

  close(): void {
    for (const n of this.#notifiers.values()) n.close();
    this.#notifiers.clear();
  }
}

function safeHostname(): string {
  try {
    return hostname();
  } catch {
    return '';
  }
}
