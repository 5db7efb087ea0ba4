import { request, type HttpRequest, type HttpResponse } from '../net/http';
import { sameAddress } from '../net/address';
import { Secret } from '../util/secret';
import { answerWait, ProviderFailure, statusRow, transportFailure, UNREADABLE, WAIT } from './kit/failure';
import { eachRecord, testResult } from './kit/records';
import { clip, snippet } from './kit/text';
import type {
  FieldSpec, OptionProblem, Outcome, ProviderContext, ProviderDef, ProviderInput, ProviderOptions, ReadResult, RecordRef, RecordUpdate,
  SettingsResult, UpdateResult,
} from './types';

export { asFailure, ProviderFailure } from './kit/failure';
export { eachRecord, testResult } from './kit/records';
export { clip, snippet } from './kit/text';

/**
 * What the JSON REST providers (DNSimple, Cloudflare, Porkbun, Gandi, DigitalOcean, Hetzner)
 * share: one request helper that turns every HTTP answer into parsed JSON or a classified
 * failure, the per-record loop that turns failures into results, option readers and the
 * field specs they all draw the same way.
 */

export interface JsonReply {
  status: number;
  headers: Record<string, string>;
  /** The parsed body; undefined when the body was empty. */
  data: unknown;
}

/** How one provider speaks HTTP: where, with which credentials, how it words errors. */
export interface RestApiSpec {
  title: string;
  baseUrl: string;
  /** Headers on every request (Authorization, ...). */
  headers: Record<string, string>;
  secrets: Secret[];
  /** The provider's own error text in a JSON error body, if any. */
  errorText?: (data: unknown) => string | undefined;
  /** A provider rule that overrides the status mapping (Cloudflare error codes, Porkbun messages). */
  classify?: (status: number, data: unknown, text: string) => Outcome | undefined;
  /** A 2xx answer whose body says the call failed (Cloudflare `success:false`, Porkbun `status:"ERROR"`). */
  refused?: (data: unknown) => boolean;
  /** Rate-limit reset header holding Unix seconds (`x-ratelimit-reset`, `ratelimit-reset`). */
  resetHeader?: string;
  proxy?: string;
}

export interface CallOptions {
  query?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** What the call does, for messages: "look up the A record of home.example.com". */
  what: string;
  /** A POST that only reads (Porkbun's retrieve): remembered for the check like a GET. */
  readOnly?: boolean;
  /** A poll, whose answer changes by itself (a running job): never answered from the memo. */
  poll?: boolean;
}

export class RestApi {
  readonly spec: RestApiSpec;
  readonly ctx: ProviderContext;

  constructor(spec: RestApiSpec, ctx: ProviderContext) {
    this.spec = spec;
    this.ctx = ctx;
  }

  /**
   * One request; resolves with 2xx JSON, rejects only with ProviderFailure. A read this check
   * already made is answered from the check's memo (ProviderContext.reads) without a request;
   * any other call empties the memo.
   */
  async call(method: string, path: string, opts: CallOptions): Promise<JsonReply> {
    const memo = this.ctx.reads;
    const key = (method === 'GET' || opts.readOnly) && !opts.poll ? `${this.spec.title} ${method} ${this.url(path, opts.query)}` : undefined;
    if (memo && key !== undefined && memo.has(key)) return memo.get(key) as JsonReply;
    if (memo && key === undefined && !opts.poll) memo.clear();
    const res = await this.send(method, path, opts);
    if (res.status >= 200 && res.status < 300) {
      const data = this.parse(res, opts.what);
      if (this.spec.refused?.(data)) throw this.failure(res, opts.what, data);
      const reply = { status: res.status, headers: res.headers, data };
      if (memo && key !== undefined) memo.set(key, reply);
      return reply;
    }
    throw this.failure(res, opts.what, parseQuietly(res.body));
  }

  /** The URL of a path under the base, with a query string. */
  url(path: string, query?: Record<string, string>): string {
    const q = query && Object.keys(query).length ? '?' + new URLSearchParams(query).toString() : '';
    return this.spec.baseUrl.replace(/\/+$/, '') + path + q;
  }

  private async send(method: string, path: string, opts: CallOptions): Promise<HttpResponse> {
    const headers: Record<string, string> = { Accept: 'application/json', ...this.spec.headers };
    const req: HttpRequest = {
      ...this.ctx.transport, method, url: this.url(path, opts.query), headers,
      userAgent: this.ctx.userAgent, signal: this.ctx.signal, secrets: this.spec.secrets, proxy: this.spec.proxy,
    };
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      req.body = JSON.stringify(opts.body);
    }
    this.ctx.log.debug(`${this.spec.title}: ${method} ${path} (${opts.what})`);
    try {
      return await (this.ctx.request ?? request)(req);
    } catch (e) {
      throw transportFailure(e, this.spec.title, opts.what, this.spec.secrets);
    }
  }

  /** JSON or a clear transient error: a 200 with an HTML page is an outage, not a success. */
  private parse(res: HttpResponse, what: string): unknown {
    if (res.body.trim() === '') return undefined;
    try {
      return JSON.parse(res.body);
    } catch {
      const type = res.headers['content-type'] ?? 'no content type';
      throw new ProviderFailure('transient',
        `${this.spec.title} answered HTTP ${res.status} to "${what}" with a body that is not JSON (${type}: ${snippet(res.body)}); will retry`,
        { status: res.status, retryAfterMs: WAIT[UNREADABLE.wait] });
    }
  }

  private failure(res: HttpResponse, what: string, data: unknown): ProviderFailure {
    const given = data !== undefined ? this.spec.errorText?.(data) : undefined;
    const said = given !== undefined ? clip(given) : data === undefined ? snippet(res.body) : '';
    const text = said ? `: ${said}` : '';
    const general = statusRow(res.status) ?? { outcome: 'config' as const };
    const own = this.spec.classify?.(res.status, data, said);
    const row = own && own !== general.outcome ? { outcome: own } : general;
    const outcome = row.outcome;
    const wait = answerWait(row, res, (this.ctx.now ?? Date.now)(), this.spec.resetHeader);
    const msg = `${this.spec.title} refused to ${what} (HTTP ${res.status}${text})${hint(outcome)}`;
    return new ProviderFailure(outcome, msg, { retryAfterMs: wait, status: res.status, data });
  }
}

function parseQuietly(body: string): unknown {
  try {
    return body.trim() ? JSON.parse(body) : undefined;
  } catch {
    return undefined;
  }
}

function hint(outcome: Outcome): string {
  switch (outcome) {
    case 'auth': return '; check the credentials and their permissions';
    case 'nohost': return '; check the zone and record names';
    case 'transient': return '; will retry';
    default: return '';
  }
}

/** Wait on the engine's clock (ctx.sleep) or a real timer; a cancelled call stops here. */
export async function pause(ctx: ProviderContext, ms: number): Promise<void> {
  if (ctx.signal?.aborted) throw new ProviderFailure('network', 'cancelled');
  await (ctx.sleep ? ctx.sleep(ms) : new Promise<void>((resolve) => setTimeout(resolve, ms)));
  if (ctx.signal?.aborted) throw new ProviderFailure('network', 'cancelled');
}

// ---- the lookup / patch / create flow of id-based APIs -----------------------------------

export interface FoundRecord {
  id: string;
  content: string;
}

type Result = Omit<UpdateResult, 'record'>;

/** One provider's way to find, change and add one record; setRecord decides which to use. */
export interface RecordOps {
  title: string;
  zone: string;
  /** Where the record's id is remembered between updates. */
  key: string;
  lookup(): Promise<FoundRecord[]>;
  patch(id: string): Promise<Result>;
  /** Absent when the user did not allow creating records. */
  create?(): Promise<{ id: string; result: Result }>;
  /** A failure of patch() that means the cached id is stale (default: HTTP 404). */
  stale?(f: ProviderFailure): boolean;
}

/**
 * Set one record: with a remembered id the change costs one request; without one (first
 * run, or the record was deleted and re-made by hand) look it up, then create or change it.
 * An unchanged address found by the lookup is reported `nochg` without a write, unless forced.
 */
export async function setRecord(ctx: ProviderContext, u: RecordUpdate, ops: RecordOps): Promise<Result> {
  const { name, type } = u.record;
  const cached = ctx.cache.get(ops.key);
  if (cached !== undefined) {
    try {
      return await ops.patch(cached);
    } catch (e) {
      const stale = e instanceof ProviderFailure && (ops.stale ? ops.stale(e) : e.status === 404);
      if (!stale) throw e;
      ctx.cache.delete(ops.key);
      ctx.log.info(`${ops.title}: the remembered id of ${type} ${name} is no longer valid; looking the record up again`);
    }
  }
  const found = await ops.lookup();
  if (found.length > 1) {
    throw new ProviderFailure('config',
      `${ops.title}: ${found.length} ${type} records named ${name} exist (ids ${found.map((f) => f.id).join(', ')}); ddnsd keeps exactly one, remove the others`);
  }
  if (found.length === 0) {
    if (!ops.create) {
      throw new ProviderFailure('nohost', `${ops.title}: zone ${ops.zone} has no ${type} record named ${name}; add it, or set option create to 1`);
    }
    const made = await ops.create();
    ctx.cache.set(ops.key, made.id);
    return made.result;
  }
  ctx.cache.set(ops.key, found[0].id);
  if (!ctx.force && sameAddress(found[0].content, u.address)) {
    return { outcome: 'nochg', message: `${ops.title}: ${type} ${name} already points to ${u.address}`, address: found[0].content };
  }
  return ops.patch(found[0].id);
}

/** The result of a successful write. */
export function written(title: string, u: RecordUpdate, reported?: string, created = false): Result {
  const r: Result = { outcome: 'ok', message: `${title}: ${created ? 'created' : 'set'} ${u.record.type} ${u.record.name} to ${u.address}` };
  // Only what the reply said: the verifier takes it as the record's content.
  if (reported !== undefined) r.address = reported;
  return r;
}

// ---- names ------------------------------------------------------------------------------

/** Lower case, no trailing dot. */
export function normName(name: string): string {
  return name.trim().replace(/\.$/, '').toLowerCase();
}

/** The record's name relative to the zone: '' for the apex; a config failure when outside it. */
export function relativeName(fqdn: string, zone: string): string {
  const n = normName(fqdn);
  const z = normName(zone);
  if (n === z) return '';
  if (n.endsWith('.' + z)) return n.slice(0, -(z.length + 1));
  throw new ProviderFailure('config', `${fqdn} is not inside the zone ${zone}; set option zone to the domain that holds it`);
}

/** One URL path segment; `@` stays literal (a legal path character, and how the APIs write the apex). */
export function segment(text: string): string {
  return encodeURIComponent(text).replace(/%40/g, '@');
}

// ---- options ----------------------------------------------------------------------------

/** Reads a service's provider options, collecting every problem (naming its option) instead of throwing. */
export class OptionReader {
  readonly problems: OptionProblem[] = [];
  readonly secrets: Secret[] = [];
  readonly #opts: ProviderOptions;

  constructor(opts: ProviderOptions) {
    this.#opts = opts;
  }

  string(name: string, required = false, fallback = ''): string {
    const v = this.#opts[name];
    const s = v instanceof Secret ? v.reveal() : Array.isArray(v) ? v.join(' ') : (v ?? '').trim();
    if (required && !s) this.problem(name, `option ${name} is required`);
    return s || fallback;
  }

  secret(name: string, required = true): Secret {
    const v = this.#opts[name];
    const s = v instanceof Secret ? v : new Secret(typeof v === 'string' ? v.trim() : '');
    if (required && s.empty) this.problem(name, `option ${name} is required`);
    if (!s.empty) this.secrets.push(s);
    return s;
  }

  bool(name: string, fallback = false): boolean {
    const s = this.string(name).toLowerCase();
    if (!s) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off'].includes(s)) return false;
    this.problem(name, `option ${name} must be 0 or 1, not "${s}"`);
    return fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const s = this.string(name);
    if (!s) return fallback;
    const n = Number(s);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problem(name, `option ${name} must be a whole number from ${min} to ${max}, not "${s}"`);
      return fallback;
    }
    return n;
  }

  choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const s = this.string(name);
    if (!s) return fallback;
    if ((allowed as readonly string[]).includes(s)) return s as T;
    this.problem(name, `option ${name} must be one of ${allowed.join(', ')}, not "${s}"`);
    return fallback;
  }

  /** The endpoint option, checked to be an http(s) URL. */
  endpoint(value: string | undefined, fallback: string): string {
    const s = value?.trim();
    if (!s) return fallback;
    if (!/^https?:\/\/[^/\s]+/i.test(s)) this.problem('endpoint', `option endpoint must be an http:// or https:// URL, not "${s}"`);
    return s;
  }

  problem(option: string, message: string): void {
    this.problems.push({ option, message });
  }

  /** The settings, or every problem found while reading them. */
  result<S>(settings: S): SettingsResult<S> {
    return this.problems.length ? { problems: [...this.problems] } : { settings };
  }
}

/** Run a provider's option reader over its input: the body of every `ProviderDef.settings`. */
export function readSettings<S>(input: ProviderInput, read: (o: OptionReader) => S): SettingsResult<S> {
  const o = new OptionReader(input);
  const settings = read(o);
  return o.result(settings);
}

// ---- the provider instance every REST provider builds the same way ---------------------

/** What a provider does within one call context (one update, read or test). */
export interface RestSession {
  set(u: RecordUpdate): Promise<Omit<UpdateResult, 'record'>>;
  readAll(records: RecordRef[]): Promise<ReadResult[]>;
  /** The credential check; resolves with the sentence to show. */
  check(): Promise<string>;
}

/** Options every REST provider here reads: zone, create, ttl, endpoint, proxy. */
export interface BaseSettings {
  zone: string;
  create: boolean;
  ttl: number;
  base: string;
  proxy?: string;
  /** Every secret option read, for masking. */
  secrets: Secret[];
}

export interface TtlRule {
  def: number;
  min: number;
  max: number;
}

export function baseSettings(o: OptionReader, endpoint: string | undefined, base: string, ttl: TtlRule, zoneRequired = true): BaseSettings {
  return {
    zone: normName(o.string('zone', zoneRequired)),
    create: o.bool('create'),
    ttl: o.int('ttl', ttl.def, ttl.min, ttl.max),
    base: o.endpoint(endpoint, base),
    proxy: o.string('proxy') || undefined,
    secrets: o.secrets,
  };
}

/**
 * A REST ProviderDef's `settings` and `create`: `read` turns the options into settings (or
 * problems); each call of the instance runs through a fresh session; failures become results.
 */
export function restCreate<S extends { secrets: Secret[] }>(
  read: (o: OptionReader, endpoint: string | undefined) => S,
  session: (s: S, ctx: ProviderContext) => RestSession,
): Pick<ProviderDef<S>, 'settings' | 'create' | 'endpointType'> {
  return {
    endpointType: 'url',
    settings: (input) => readSettings(input, (o) => read(o, input.endpoint)),
    create: (s) => ({
      update: (updates, ctx) => eachRecord(updates, s.secrets, (u) => session(s, ctx).set(u)),
      read: (records, ctx) => session(s, ctx).readAll(records),
      test: (ctx) => testResult(s.secrets, () => session(s, ctx).check()),
    }),
  };
}

/** A RestApi with `Authorization: Bearer <token>`, the form four of these APIs use. */
export function bearerApi(
  ctx: ProviderContext, s: BaseSettings, token: Secret,
  spec: Omit<RestApiSpec, 'baseUrl' | 'headers' | 'secrets' | 'proxy'>,
): RestApi {
  return new RestApi({ ...spec, baseUrl: s.base, headers: { Authorization: `Bearer ${token.reveal()}` }, secrets: s.secrets, proxy: s.proxy }, ctx);
}

// ---- field specs shared by several providers --------------------------------------------

export function tokenField(help: string, label = 'API token'): FieldSpec {
  return { name: 'api_token', label, type: 'password', required: true, secret: true, help };
}

export function zoneField(help = 'The domain (DNS zone) that holds the records, e.g. example.com.'): FieldSpec {
  return { name: 'zone', label: 'Zone', type: 'hostname', required: true, help };
}

export function ttlField(rule: TtlRule, help: string): FieldSpec {
  return { name: 'ttl', label: 'TTL (seconds)', type: 'number', default: String(rule.def), min: rule.min, max: rule.max, help };
}

export function createField(): FieldSpec {
  return {
    name: 'create', label: 'Create missing records', type: 'boolean', default: '0',
    help: 'Add the record when the zone has none of that name and type. Off: a missing record is reported and nothing is created.',
  };
}

/** The capabilities every one-record-per-request REST API here has. */
export const REST_CAPS = {
  ipv4: true, ipv6: true, dualStackOneRequest: false, hostsPerRequest: 1, ttl: true, proxied: false,
  read: true, credentialTest: true,
} as const;

// ---- small JSON readers ------------------------------------------------------------------

export function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** A reply the API documents but that lacks the field we need: the answer is wrong, try later. */
export function badShape(title: string, what: string): ProviderFailure {
  return new ProviderFailure('transient', `${title} answered "${what}" without the expected data; will retry`, { retryAfterMs: WAIT[UNREADABLE.wait] });
}

/** Cache keys carry the provider id so services never read each other's ids. */
export function cacheKey(...parts: string[]): string {
  return parts.join('|');
}
