import { request, type HttpRequest, type HttpResponse } from '../net/http';
import { hideUserinfo, type Secret } from '../util/secret';
import { answerWait, ProviderFailure, statusRow, transportFailure } from './kit/failure';
import { snippet } from './kit/text';
import type { OptionReader } from './rest';
import type { Outcome, ProviderContext, ProviderOptions, RecordUpdate } from './types';

export { asFailure, MINUTE, WAIT } from './kit/failure';
export { eachGroup, failAll, result } from './kit/records';

/**
 * What the update-URL providers (the dyndns2 family, deSEC, DuckDNS, FreeDNS, Namecheap,
 * IONOS, custom URL templates) share: one GET that turns transport failures and HTTP
 * statuses into classified failures with the minimum waits the providers ask for, and
 * the step from one answer to one result per record.
 */

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
    return await (ctx.request ?? request)({ ...call.req, ...ctx.transport, userAgent: call.req.userAgent ?? ctx.userAgent, signal: ctx.signal, secrets: call.secrets });
  } catch (e) {
    throw transportFailure(e, call.title, call.what, call.secrets);
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(bad URL)';
  }
}

/** The statuses a provider documents with another meaning than kit/failure.ts `statusRow` gives them (ProviderDef.statuses). */
export type StatusRules = Readonly<Record<number, Outcome>>;

/**
 * The failure an HTTP status means, or undefined for statuses whose body decides (2xx and
 * anything the provider does not give a meaning). 401 is bad credentials everywhere.
 */
export function statusFailure(res: HttpResponse, call: Pick<Call, 'title' | 'what'>, now: number, rules: StatusRules = {}): ProviderFailure | undefined {
  const s = res.status;
  const row = statusRow(s, rules);
  if (!row) return undefined;
  const said = res.body.trim() ? `: ${snippet(res.body)}` : '';
  const hint = s === 401 ? '; check the user name and password or token'
    : s === 429 ? '; rate limited'
      : s >= 500 ? '; provider error'
        : s === 403 ? '; not allowed for these credentials'
          : s === 404 ? '; check the name and the endpoint' : '';
  return new ProviderFailure(row.outcome, `${call.title} refused to ${call.what} (HTTP ${s}${said})${hint}`, { retryAfterMs: answerWait(row, res, now), status: s });
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
  if (bad) o.problem('endpoint', bad);
  return { url: bad ? defaultUrl : withEndpoint(defaultUrl, endpoint), proxy: o.string('proxy') || undefined, endpoint: bad ? undefined : endpoint };
}
