import { errorText } from '../util/error-text';
import { HttpError, request, retryAfterMs, type HttpRequest, type HttpResponse } from '../net/http';
import { hideUserinfo, redact, type Secret } from '../util/secret';
import { type OptionReader, ProviderFailure, snippet } from './rest';
import type { Outcome, ProviderContext, ProviderOptions, RecordUpdate, UpdateResult } from './types';

/**
 * What the update-URL providers (the dyndns2 family, deSEC, DuckDNS, FreeDNS, Namecheap,
 * IONOS, custom URL templates) share: one GET that turns transport failures and HTTP
 * statuses into classified failures with the minimum waits the providers ask for, and
 * the step from one answer to one result per record.
 */

export const MINUTE = 60_000;

/** Minimum waits (cases.md rows 16–23): a provider outage is not retried within minutes. */
export const WAIT = {
  dnserr: 5 * MINUTE,
  outage: 30 * MINUTE, // dyndns2 `911`
  servererror: 10 * MINUTE,
  unexpected: 30 * MINUTE, // an answer we cannot read
  empty: 5 * MINUTE,
  rateLimit: 2 * MINUTE, // 429 without a longer Retry-After
  serverFault: 5 * MINUTE, // HTTP 5xx, timeout, TLS failure
} as const;

export interface Call {
  title: string;
  /** What the call does, for messages: "update home.example.com". */
  what: string;
  req: Omit<HttpRequest, 'userAgent' | 'signal' | 'secrets'> & { userAgent?: string };
  secrets: Secret[];
}

/** One request; resolves with any HTTP answer, rejects only with ProviderFailure. */
export async function send(ctx: ProviderContext, call: Call): Promise<HttpResponse> {
  ctx.log.debug(`${call.title}: ${call.req.method} ${hostOf(call.req.url)} (${call.what})`);
  try {
    return await request({ ...call.req, ...ctx.transport, userAgent: call.req.userAgent ?? ctx.userAgent, signal: ctx.signal, secrets: call.secrets });
  } catch (e) {
    throw transportFailure(e, call);
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(bad URL)';
  }
}

/** No answer is `network`; a broken exchange (timeout, TLS, oversized) is the provider's fault: `transient`. */
function transportFailure(e: unknown, call: Call): ProviderFailure {
  const text = redact(errorText(e), call.secrets);
  const msg = `${call.title}: could not ${call.what}: ${text}`;
  if (!(e instanceof HttpError)) return new ProviderFailure('transient', msg, { retryAfterMs: WAIT.serverFault });
  switch (e.kind) {
    case 'timeout':
    case 'tls':
    case 'too-large':
      return new ProviderFailure('transient', msg, { retryAfterMs: WAIT.serverFault });
    case 'redirect':
      return new ProviderFailure('config', `${msg}; check the endpoint`);
    default:
      return new ProviderFailure('network', msg);
  }
}

export interface StatusRules {
  /** What 403 and 404 mean for this provider (default: auth and config). */
  403?: Outcome;
  404?: Outcome;
}

/**
 * The failure an HTTP status means, or undefined for statuses whose body decides (2xx and
 * anything the provider does not give a meaning). 401 is bad credentials everywhere.
 */
export function statusFailure(res: HttpResponse, call: Pick<Call, 'title' | 'what'>, now: number, rules: StatusRules = {}): ProviderFailure | undefined {
  const s = res.status;
  const said = res.body.trim() ? `: ${snippet(res.body)}` : '';
  const msg = (hint: string) => `${call.title} refused to ${call.what} (HTTP ${s}${said})${hint}`;
  if (s === 401) return new ProviderFailure('auth', msg('; check the user name and password or token'), { status: s });
  if (s === 429) return transient(msg('; rate limited'), Math.max(retryAfterMs(res, now) ?? 0, WAIT.rateLimit), s);
  if (s >= 500) return transient(msg('; provider error'), Math.max(retryAfterMs(res, now) ?? 0, WAIT.serverFault), s);
  if (s === 403) return new ProviderFailure(rules[403] ?? 'auth', msg('; not allowed for these credentials'), { status: s });
  if (s === 404) return new ProviderFailure(rules[404] ?? 'config', msg('; check the name and the endpoint'), { status: s });
  if (s >= 400) return new ProviderFailure('config', msg(''), { status: s });
  return undefined;
}

function transient(message: string, wait: number, status: number): ProviderFailure {
  return new ProviderFailure('transient', message, { retryAfterMs: wait, status });
}

/** Any error becomes a classified failure (programming errors are transient, never a crash). */
export function toFailure(e: unknown): ProviderFailure {
  if (e instanceof ProviderFailure) return e;
  return new ProviderFailure('transient', `unexpected error: ${errorText(e)}`, { retryAfterMs: WAIT.serverFault });
}

/** One result per record from one failure, secrets masked. */
export function failAll(updates: RecordUpdate[], f: ProviderFailure, secrets: Secret[]): UpdateResult[] {
  return updates.map((u) => result(u, f.outcome, f.message, secrets, f.retryAfterMs));
}

export function result(u: RecordUpdate, outcome: Outcome, message: string, secrets: Secret[], retryAfterMs?: number): UpdateResult {
  const r: UpdateResult = { record: u.record, outcome, message: redact(message, secrets) };
  if (retryAfterMs !== undefined) r.retryAfterMs = retryAfterMs;
  return r;
}

/**
 * The URL to call: the provider's default, or `option endpoint`. An endpoint with no path
 * (`https://dyn.example.net`) keeps the default's path and query, so a self-hosted server or
 * a test only has to name its address; an endpoint with a path replaces the whole URL.
 */
export function withEndpoint(defaultUrl: string, endpoint: string | undefined): string {
  const e = endpoint?.trim();
  if (!e) return defaultUrl;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(e) ? e : `https://${e}`;
  const u = new URL(withScheme);
  if (u.pathname !== '/' || u.search) return u.href;
  const d = new URL(defaultUrl);
  return `${u.origin}${d.pathname}${d.search}`;
}

/** Checks an endpoint option: undefined when fine, else what is wrong. */
export function endpointProblem(endpoint: string | undefined): string | undefined {
  const e = endpoint?.trim();
  if (!e) return undefined;
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(e) ? e : `https://${e}`);
    if (u.protocol === 'http:' || u.protocol === 'https:') return undefined;
  } catch {
    // fall through
  }
  return `option endpoint must be an http:// or https:// URL, not "${hideUserinfo(e)}"`;
}

/** Group updates by record name, keeping the order in which names first appear. */
export function byName(updates: RecordUpdate[]): Map<string, RecordUpdate[]> {
  const out = new Map<string, RecordUpdate[]>();
  for (const u of updates) {
    const list = out.get(u.record.name) ?? [];
    list.push(u);
    out.set(u.record.name, list);
  }
  return out;
}

/** The address to set for one family among a name's updates. */
export function addressOf(list: RecordUpdate[], type: 'A' | 'AAAA'): string | undefined {
  return list.find((u) => u.record.type === type)?.address;
}

/** `option endpoint` (checked, applied to the default URL) and `option proxy`, as every provider here reads them. */
export function readEndpoint(
  o: OptionReader, options: ProviderOptions & { endpoint?: string }, defaultUrl: string,
): { url: string; proxy?: string; endpoint?: string } {
  const endpoint = (typeof options.endpoint === 'string' ? options.endpoint.trim() : '') || o.string('endpoint') || undefined;
  const bad = endpointProblem(endpoint);
  if (bad) o.problems.push(bad);
  return { url: bad ? defaultUrl : withEndpoint(defaultUrl, endpoint), proxy: o.string('proxy') || undefined, endpoint };
}

/** Failures that hold for the whole account: sending the next request would fail the same way. */
function accountWide(f: ProviderFailure): boolean {
  return f.outcome === 'auth' || f.outcome === 'network' || f.status === 429 || (f.status !== undefined && f.status >= 500);
}

/**
 * Send one request per group (the records it sets, in order) and collect one result per
 * update, in input order. A failure thrown for a group becomes its records' results; an
 * account-wide one (bad credentials, no network, rate limit, outage) is copied to the
 * groups not yet sent instead of sending requests that must fail the same way.
 */
export async function eachGroup(
  updates: RecordUpdate[], groups: RecordUpdate[][], secrets: Secret[],
  fn: (group: RecordUpdate[]) => Promise<UpdateResult[]>,
): Promise<UpdateResult[]> {
  const out = new Map<RecordUpdate, UpdateResult>();
  let stop: ProviderFailure | undefined;
  for (const g of groups) {
    try {
      if (stop) throw stop;
      const rs = await fn(g);
      rs.forEach((r, i) => out.set(g[i], r));
      const bad = rs.find((r) => r.outcome === 'auth');
      if (bad) stop = new ProviderFailure('auth', bad.message);
    } catch (e) {
      const f = toFailure(e);
      if (accountWide(f)) stop = f;
      failAll(g, f, secrets).forEach((r, i) => out.set(g[i], r));
    }
  }
  return updates.map((u) => out.get(u) ?? result(u, 'transient', 'no request was made for this record (internal error)', secrets, WAIT.serverFault));
}
