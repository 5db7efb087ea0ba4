import { classifyAddress } from '../net/address';
import type { ProviderDef } from '../providers/types';
import { Secret } from '../util/secret';
import type { SectionReader } from './section-reader';
import type { ServiceConfig } from './types';

/**
 * Credentials never go in clear over plain http, except to a loopback address (127.0.0.0/8,
 * ::1: a server on the router itself, tests). A user who must (an old self-hosted server)
 * says so with `option allow_insecure_http '1'`, and `check` still warns.
 */

export const ALLOW_INSECURE_HTTP = 'allow_insecure_http';

/** The host of an http:// URL that is not a loopback address, else undefined. */
export function insecureHost(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:') return undefined;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return classifyAddress(host)?.kind === 'loopback' ? undefined : host;
}

/** The URLs the provider will send this service's requests to, with the option each comes from. */
function targets(r: SectionReader, svc: ServiceConfig, def: ProviderDef): { option: string; url: string }[] {
  const opts = svc.providerOptions;
  const raw = r.section.options.find((o) => o.name === 'endpoint')?.value;
  const endpoint = typeof opts.endpoint === 'string' ? opts.endpoint : typeof raw === 'string' ? raw : undefined;
  // A URL template provider turns http:// into https:// when use_https is on.
  if (def.fields.some((f) => f.name === 'use_https') && (opts.use_https === '1' || opts.use_https === 'true')) return [];
  const out: { option: string; url: string }[] = [];
  if (endpoint) out.push({ option: 'endpoint', url: endpoint });
  else if (def.defaultEndpoint) out.push({ option: 'endpoint', url: def.defaultEndpoint });
  for (const f of def.fields) {
    const v = opts[f.name];
    if (f.type === 'url' && f.name !== 'endpoint' && typeof v === 'string' && v) out.push({ option: f.name, url: v });
  }
  return out;
}

function credentials(svc: ServiceConfig, def: ProviderDef, url: string): string[] {
  const named = def.fields.filter((f) => f.secret && svc.providerOptions[f.name] instanceof Secret && !(svc.providerOptions[f.name] as Secret).empty).map((f) => f.name);
  if (hasUserinfo(url)) named.push(USERINFO);
  return named;
}

/** An error (or, when allowed, a warning) for each plain-http URL that would carry credentials. */
export function checkInsecureHttp(r: SectionReader, svc: ServiceConfig, def: ProviderDef, allowed: boolean): void {
  for (const { option, url } of targets(r, svc, def)) {
    const host = insecureHost(url);
    if (host !== undefined) refuseInClear(r, option, host, credentials(svc, def, url), allowed);
  }
}

/** `url` (option `option`) carrying credentials `creds` (option names; `user:password@ in the URL` for userinfo): the rule above for any section. */
export function checkUrlInClear(r: SectionReader, option: string, url: string, creds: string[], allowed: boolean): void {
  const host = insecureHost(url);
  if (host === undefined) return;
  refuseInClear(r, option, host, [...creds, ...(hasUserinfo(url) ? [USERINFO] : [])], allowed);
}

const USERINFO = 'user:password@ in the URL';

function hasUserinfo(url: string): boolean {
  return /^[a-z]+:\/\/[^/@]*@/i.test(url);
}

function refuseInClear(r: SectionReader, option: string, host: string, creds: string[], allowed: boolean): void {
  if (creds.length === 0) return;
  const what = `sends ${creds.join(', ')} in clear over plain http to ${host}: anyone on the path can read ${creds.length > 1 ? 'them' : 'it'}`;
  if (allowed) r.warn(option, undefined, `${what} (allowed by option ${ALLOW_INSECURE_HTTP}); use https:// if the server has it`);
  else r.error(option, undefined, `${what}; use https://, or set option ${ALLOW_INSECURE_HTTP} '1' to accept that`);
}
