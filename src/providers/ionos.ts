import { redact, Secret } from '../util/secret';
import type { HttpResponse } from '../net/http';
import { eachGroup, readEndpoint, result, send, statusFailure, asFailure, withEndpoint } from './ddns-http';
import { clip, ProviderFailure, readSettings, snippet } from './rest';
import type { Outcome, ProviderContext, ProviderDef, RecordUpdate, UpdateResult } from './types';

/**
 * IONOS DynDNS API (providers.md §6): `POST /v1/dyndns` with the API key activates dynamic
 * DNS for a set of names and answers an update URL; a `GET` of that URL with `ipv4=` and
 * `ipv6=` sets the addresses. The update URL carries its own credential (`q=`), so it is a
 * secret: kept in the ProviderCache (engine state, tmpfs), never printed. Steady state costs
 * one request; a URL the API no longer accepts is replaced once, in the same call.
 */

const TITLE = 'IONOS';
const API = 'https://api.hosting.ionos.com/dns';
const MAX_NAMES = 20;
/** Where IONOS' update URLs point; a ddns-scripts style token is used against it directly. */
const UPDATE_URL = 'https://ipv4.api.hosting.ionos.com/dns/v1/dyndns';

interface Settings {
  base: string;
  key: Secret;
  /** The update URL of an earlier activation (ddns-scripts' `password` = its `q` token), used instead of the API key. */
  fixedUrl?: string;
  proxy?: string;
  secrets: Secret[];
}

export const ionos: ProviderDef = {
  id: 'ionos',
  title: 'IONOS (DynDNS API)',
  aliases: ['ionos.com', 'ionos.de'],
  docs: 'https://developer.hosting.ionos.com/docs/dns',
  defaultEndpoint: API,
  fields: [
    { name: 'api_key', label: 'API key', type: 'password', secret: true, help: 'The key from developer.hosting.ionos.com, written as prefix.secret. ddnsd activates dynamic DNS for the names and keeps the update URL it gets.' },
    { name: 'password', label: 'Update URL token', type: 'password', secret: true, help: 'Instead of an API key: the q= value of an update URL you already have (as ddns-scripts used it). It cannot be renewed when IONOS revokes it.' },
  ],
  capabilities: {
    ipv4: true, ipv6: true, dualStackOneRequest: true, hostsPerRequest: MAX_NAMES,
    ttl: false, proxied: false, read: false, credentialTest: true,
  },
  settings: (input) => readSettings(input, (o): Settings => {
    const key = o.secret('api_key', false);
    const token = o.secret('password', false);
    if (!key.empty && !/^[^.\s]+\.[^.\s]+$/.test(key.reveal())) o.problem('api_key', 'option api_key must look like prefix.secret');
    if (key.empty && token.empty) o.problem('api_key', 'option api_key (or the update URL token in option password) is required');
    const { url, proxy, endpoint } = readEndpoint(o, input, API);
    const fixedUrl = key.empty ? `${withEndpoint(UPDATE_URL, endpoint)}?q=${encodeURIComponent(token.reveal())}` : undefined;
    return { base: url.replace(/\/+$/, ''), key, fixedUrl, proxy, secrets: o.secrets };
  }),
  create: (s: Settings) => ({
    update: (updates, ctx) => eachGroup(updates, [updates], s.secrets, (g) => update(s, g, ctx)),
    test: (ctx) => test(s, ctx),
  }),
};

function cacheKey(names: string[]): string {
  return `ionos|update-url|${names.join(',')}`;
}

async function update(s: Settings, updates: RecordUpdate[], ctx: ProviderContext): Promise<UpdateResult[]> {
  const names = [...new Set(updates.map((u) => u.record.name.toLowerCase()))].sort();
  if (s.fixedUrl) return finish(s, s.fixedUrl, names, updates, await get(s, s.fixedUrl, updates, ctx), ctx);
  const key = cacheKey(names);
  const cached = ctx.cache.get(key);
  let url = cached ?? (await activate(s, names, ctx));
  if (!cached) ctx.cache.set(key, url);
  let res = await get(s, url, updates, ctx);
  if (cached && (res.status === 401 || res.status === 403 || res.status === 404)) {
    // The bulk was replaced or deleted at IONOS: ask for a new URL once.
    ctx.log.info(`${TITLE}: the cached update URL was refused (HTTP ${res.status}); requesting a new one`);
    ctx.cache.delete(key);
    url = await activate(s, names, ctx);
    ctx.cache.set(key, url);
    res = await get(s, url, updates, ctx);
  }
  return finish(s, url, names, updates, res, ctx);
}

function finish(s: Settings, url: string, names: string[], updates: RecordUpdate[], res: HttpResponse, ctx: ProviderContext): UpdateResult[] {
  const secrets = [...s.secrets, ...urlSecrets(url)];
  const f = statusFailure(res, { title: TITLE, what: `update ${names.join(', ')}` }, (ctx.now ?? Date.now)());
  if (f) throw new ProviderFailure(f.outcome, redact(f.message, secrets), { retryAfterMs: f.retryAfterMs, status: f.status });
  return updates.map((u) => result(u, 'ok', `${TITLE} set ${u.record.name} ${u.record.type} to ${u.address}`, secrets));
}

/** The update URL and its `q` token, both to be masked. */
function urlSecrets(url: string): Secret[] {
  const out = [new Secret(url)];
  try {
    const q = new URL(url).searchParams.get('q');
    if (q) out.push(new Secret(q));
  } catch {
    // not a URL: nothing more to mask
  }
  return out;
}

async function get(s: Settings, url: string, updates: RecordUpdate[], ctx: ProviderContext): Promise<HttpResponse> {
  const v4 = updates.find((u) => u.record.type === 'A')?.address;
  const v6 = updates.find((u) => u.record.type === 'AAAA')?.address;
  const extra = [v4 ? `ipv4=${encodeURIComponent(v4)}` : '', v6 ? `ipv6=${encodeURIComponent(v6).replace(/%3A/gi, ':')}` : ''].filter(Boolean).join('&');
  return send(ctx, {
    title: TITLE,
    what: 'send the addresses to the update URL',
    req: { method: 'GET', url: `${url}${url.includes('?') ? '&' : '?'}${extra}`, proxy: s.proxy },
    secrets: [...s.secrets, ...urlSecrets(url)],
  });
}

/** POST /v1/dyndns: the update URL for these names. */
async function activate(s: Settings, names: string[], ctx: ProviderContext): Promise<string> {
  const what = `activate dynamic DNS for ${names.join(', ')}`;
  const res = await send(ctx, {
    title: TITLE, what,
    req: {
      method: 'POST', url: `${s.base}/v1/dyndns`, proxy: s.proxy,
      headers: { 'X-API-Key': s.key.reveal(), Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ domains: names, description: 'ddnsd' }),
    },
    secrets: s.secrets,
  });
  if (res.status < 200 || res.status >= 300) throw apiFailure(res, what, ctx);
  let url: unknown;
  try {
    url = (JSON.parse(res.body) as { updateUrl?: unknown }).updateUrl;
  } catch {
    url = undefined;
  }
  if (typeof url !== 'string' || !validUpdateUrl(url, s.base)) {
    throw new ProviderFailure('transient', `${TITLE} answered "${what}" without a usable update URL; will retry`, { retryAfterMs: 5 * 60_000 });
  }
  ctx.log.info(`${TITLE}: dynamic DNS activated for ${names.join(', ')}`);
  return url;
}

/** HTTPS, unless the API itself was reached over plain HTTP (a test or a local mirror). */
function validUpdateUrl(url: string, base: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || (u.protocol === 'http:' && base.startsWith('http:'));
  } catch {
    return false;
  }
}

/** IONOS error bodies: `[{"code": "...", "message": "..."}]`. */
function apiFailure(res: HttpResponse, what: string, ctx: ProviderContext): ProviderFailure {
  let code = '';
  let message = '';
  try {
    const first = (JSON.parse(res.body) as { code?: string; message?: string }[])[0] ?? {};
    code = typeof first.code === 'string' ? first.code : '';
    message = clip(String(first.message ?? ''));
  } catch {
    message = snippet(res.body);
  }
  const byCode: Record<string, Outcome> = { UNAUTHORIZED: 'auth', INVALID_DOMAIN_NAME: 'nohost', FORBIDDEN_REQUEST: 'auth' };
  const outcome = byCode[code];
  if (outcome) return new ProviderFailure(outcome, `${TITLE} refused to ${what} (HTTP ${res.status} ${code}: ${message})`, { status: res.status });
  return statusFailure(res, { title: TITLE, what }, (ctx.now ?? Date.now)())
    ?? new ProviderFailure('config', `${TITLE} answered HTTP ${res.status} to "${what}"`, { status: res.status });
}

async function test(s: Settings, ctx: ProviderContext): Promise<{ outcome: Outcome; message: string }> {
  if (s.fixedUrl) return { outcome: 'config', message: `${TITLE}: an update URL token can only be checked by an update; set option api_key for a credential test` };
  try {
    const what = 'list the zones';
    const res = await send(ctx, {
      title: TITLE, what,
      req: { method: 'GET', url: `${s.base}/v1/zones`, proxy: s.proxy, headers: { 'X-API-Key': s.key.reveal(), Accept: 'application/json' } },
      secrets: s.secrets,
    });
    if (res.status < 200 || res.status >= 300) throw apiFailure(res, what, ctx);
    return { outcome: 'ok', message: `${TITLE} accepted the API key` };
  } catch (e) {
    const f = asFailure(e);
    return { outcome: f.outcome, message: redact(f.message, s.secrets) };
  }
}
