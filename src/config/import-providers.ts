import { findProvider } from '../providers/registry';
import type { ProviderDef } from '../providers/types';
import { parseBool } from './values';
import type { Conversion } from './import-conversion';
import { ALLOW_INSECURE_HTTP } from './insecure-http';

/**
 * Which ddnsd provider a ddns-scripts section becomes, and what each provider's templates
 * meant by `[DOMAIN]`, `[USERNAME]`, `[PASSWORD]` and `param_opt` (they differ: Namecheap's
 * `[USERNAME]` is the host, bind-nsupdate's the TSIG key, Cloudflare's `Bearer` a flag).
 * Facts: shared/reference/ddns-scripts.md §2 and ddns-scripts' service files and scripts.
 */

/** ddns-scripts' own renames of service_name values (its uci-defaults of 2.7.6 and later). */
const RENAMED: Record<string, string> = {
  'afraid.org': 'afraid.org-keyauth',
  'freedns.afraid.org': 'afraid.org-keyauth',
  'dyndns.com': 'dyn.com',
  'cloudflare': 'cloudflare.com-v4',
  'cloudflare.com': 'cloudflare.com-v4',
  'cloudflare.com-v1': 'cloudflare.com-v4',
  'noip.com': 'no-ip.com',
  'spdns.de': 'spdyn.de',
  'strato.de': 'strato.com',
  'loopia.com': 'loopia.se',
  'domains.google.com': 'google.com',
  'free.editdns.net': 'editdns.net',
};

/** dyndns2 servers of ddns-scripts' catalogue with no preset of their own: the built-in dyndns2 with this endpoint. */
const DYNDNS2_ENDPOINTS: Record<string, { v4: string; v6?: string; note?: string }> = {
  // ddns-scripts sent Basic credentials over http:// unless use_https was set; nsupdate.info serves HTTPS.
  'nsupdate.info': { v4: 'https://ipv4.nsupdate.info/nic/update', v6: 'https://ipv6.nsupdate.info/nic/update', note: 'https (ddns-scripts used http:// unless use_https was set)' },
  'oray.com': { v4: 'http://ddns.oray.com/ph/update' },
};

/** URL-template services of the catalogue ddnsd has no provider for: the same templates under the custom provider. */
const TEMPLATES: Record<string, { url: string; url6?: string; answer?: string }> = {
  // no-ip.pl takes the address from the connection (no myip), so it is not a dyndns2 server.
  'no-ip.pl': { url: 'http://[USERNAME]:[PASSWORD]@update.no-ip.pl/?hostname=[DOMAIN]' },
  'dynv6.com': {
    url: 'https://dynv6.com/api/update?hostname=[DOMAIN]&token=[PASSWORD]&ipv4=[IP]',
    url6: 'https://dynv6.com/api/update?hostname=[DOMAIN]&token=[PASSWORD]&ipv6=[IP]',
    answer: 'updated|unchanged',
  },
  'afraid.org-keyauth': { url: 'https://freedns.afraid.org/dynamic/update.php?[PASSWORD]&address=[IP]' },
  'afraid.org-v2-basic': {
    url: 'https://[USERNAME]:[PASSWORD]@sync.afraid.org/u/?h=[DOMAIN]&ip=[IP]',
    url6: 'https://[USERNAME]:[PASSWORD]@v6.sync.afraid.org/u/?h=[DOMAIN]&ip=[IP]',
  },
};

/** Script providers of ddns-scripts (shared/reference/ddns-scripts.md §2C) with no ddnsd counterpart. */
const SCRIPTED = [
  'aliyun.com', 'beget.com', 'blazingfast.io', 'cloud.google.com-v1', 'cnkuai.cn', 'dnspod.cn', 'dnspod.cn-v3', 'freedns.42.pl',
  'godaddy.com-v1', 'huaweicloud.com', 'luadns.com-v1', 'namesilo.com-v1', 'netcup.com', 'ns1.com', 'scaleway.com', 'one.com',
  'pdns', 'route53-v1', 'servercow.de', 'transip.nl',
];

export interface Chosen {
  /** The provider id written (or the name as written, when nothing claims it). */
  id: string;
  def?: ProviderDef;
  /** The ddns-scripts service name after its renames, lower case (selects the conventions below). */
  name?: string;
}

/**
 * A catalogue server reached over plain http: with use_https, https (as ddns-scripts did);
 * without it ddns-scripts sent the credentials in clear, which ddnsd refuses unless told. The
 * import keeps the service working as it did, says so, and sets allow_insecure_http (check
 * still warns), rather than writing a service check refuses.
 */
function plainHttp(c: Conversion, name: string, url: string): string {
  if (!/^http:/i.test(url)) return url;
  if (parseBool(c.peek('use_https') ?? '0') === true) {
    c.get('use_https');
    return withHttps(c, url, 'the update address');
  }
  if (c.written(ALLOW_INSECURE_HTTP) === undefined) {
    c.set(ALLOW_INSECURE_HTTP, '1');
    c.note('service_name', `ddns-scripts sent the credentials for ${name} in clear over plain http (use_https was off); imported with allow_insecure_http '1' so the service keeps working; if ${name} offers https, change the address to https:// and remove allow_insecure_http`);
  }
  return url;
}

/** use_https as ddns-scripts applied it: an http:// address becomes https://, and the note says so. */
function withHttps(c: Conversion, url: string, what: string): string {
  const https = url.replace(/^http:/i, 'https:');
  if (https !== url) c.note('use_https', `applied: ${what} now starts with https:`);
  return https;
}

/** A catalogue provider (ddns-scripts' JSON, when installed) rather than one built into ddnsd. */
function fromCatalogue(def: ProviderDef, builtins: readonly ProviderDef[]): boolean {
  return !builtins.includes(def) && def.aliases.length === 0 && def.id !== 'custom' && def.id !== 'dyndns2';
}

/** provider/service_name/update_url → the provider; undefined when no provider could be chosen (reported). */
export function chooseProvider(c: Conversion, providers: readonly ProviderDef[], builtins: readonly ProviderDef[]): Chosen | undefined {
  const script = c.get('update_script');
  const written = c.get('service_name');
  const url = c.get('update_url');
  if (script) {
    c.problem('update_script', `ddns-scripts ran the shell script ${script} for this service, which ddnsd does not run; choose a provider (\`ddnsd providers\`) and set its options`);
    if (written) c.note('service_name', `not imported: update_script was set, so ddns-scripts ignored service_name '${written}'`);
    if (url) c.note('update_url', 'not imported: update_script was set, so ddns-scripts ignored update_url');
    return undefined;
  }
  if (written) {
    if (url) c.note('update_url', 'not imported: service_name is set, so ddns-scripts ignored update_url too');
    return byName(c, written, providers, builtins);
  }
  if (url) {
    const https = parseBool(c.get('use_https') ?? '0') === true;
    c.set('update_url', https ? withHttps(c, url, 'update_url') : url);
    const answer = c.get('answer');
    if (answer) c.set('answer', answer);
    return { id: 'custom', def: findProvider('custom', providers) };
  }
  c.problem('service_name', 'neither service_name nor update_url is set in ddns-scripts, so there is no provider to import; choose one (`ddnsd providers`)');
  return undefined;
}

function byName(c: Conversion, written: string, providers: readonly ProviderDef[], builtins: readonly ProviderDef[]): Chosen {
  const lower = written.trim().toLowerCase();
  const name = RENAMED[lower] ?? lower;
  if (name !== lower) c.note('service_name', `'${written}' is ddns-scripts' old name of '${name}'`);
  const endpoint = DYNDNS2_ENDPOINTS[name];
  if (endpoint) {
    const v6 = parseBool(c.peek('use_ipv6') ?? '0') === true;
    c.set('endpoint', plainHttp(c, name, v6 && endpoint.v6 ? endpoint.v6 : endpoint.v4));
    c.note('service_name', `'${written}' is a dyndns2 server: imported as provider dyndns2 with its update address${endpoint.note ? `, ${endpoint.note}` : ''}`);
    return { id: 'dyndns2', def: findProvider('dyndns2', providers), name };
  }
  const def = findProvider(name, providers);
  const template = TEMPLATES[name];
  if (template && (!def || !fromCatalogue(def, builtins))) {
    c.set('update_url', plainHttp(c, name, template.url));
    if (template.url6) c.set('update_url6', plainHttp(c, name, template.url6));
    if (template.answer) c.set('answer', template.answer);
    c.note('service_name', `ddnsd has no provider '${name}' and ddns-scripts' service list is not installed: imported as provider custom with that service's update URL`);
    return { id: 'custom', def: findProvider('custom', providers), name };
  }
  if (def) return { id: def.id, def, name };
  if (SCRIPTED.includes(name)) {
    c.problem('service_name', `'${written}' was a script of ddns-scripts (update_*.sh), which ddnsd does not run, and ddnsd has no provider for it; choose a provider (\`ddnsd providers\`)`);
  } else {
    c.problem('service_name', `'${written}' is not a provider ddnsd knows, and ddns-scripts' service list (/usr/share/ddns/default, package ddns-scripts-services) has no file for it on this router; install that package if it is one of its services, or choose a provider (\`ddnsd providers\`)`);
  }
  return { id: written, name };
}

/** `host@zone` → record name and zone (`@zone` is the zone's apex). */
function splitHostAtZone(domain: string): { fqdn: string; zone: string } | undefined {
  const at = domain.lastIndexOf('@');
  if (at < 0) return undefined;
  const host = domain.slice(0, at);
  const zone = domain.slice(at + 1);
  return { fqdn: host ? `${host}.${zone}` : zone, zone };
}

/** `key=value key=value` of param_opt (ddns-scripts' scripts read it so). */
function pairs(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of text.trim().split(/\s+/)) {
    const eq = p.indexOf('=');
    if (eq > 0) out.set(p.slice(0, eq), p.slice(eq + 1));
  }
  return out;
}

/**
 * The provider's reading of domain, username, password and param_opt. Returns the record
 * names it wrote into `domain` (for lookup_host), or undefined when the generic mapping applies.
 */
export function conventions(c: Conversion, p: Chosen): string | undefined {
  switch (p.def?.id === 'cloudflare' ? 'cloudflare' : p.name) {
    case 'cloudflare':
      return cloudflare(c);
    case 'bind-nsupdate':
      return nsupdate(c);
    case 'namecheap.com':
      return namecheap(c);
    case 'duckdns.org':
      return duckdns(c);
    case 'afraid.org-v2-token':
      return tokenOnly(c, 'the v2 token stands for the names linked to it');
    default:
      return undefined;
  }
}

/** Cloudflare's script: `domain 'host@zone'` (plain: the zone itself), `username 'Bearer'` + token, `param_opt 'zone_id=…'`. */
function cloudflare(c: Conversion): string | undefined {
  const domain = c.get('domain');
  const user = c.get('username');
  const password = c.get('password');
  const opt = c.get('param_opt');
  const ids = pairs(opt ?? '');
  const zoneId = ids.get('zone_id');
  if (zoneId) c.set('zone_id', zoneId);
  if (ids.has('dns_record_id')) c.note('param_opt', 'dns_record_id not imported: ddnsd looks the record up by name');
  const rest = [...ids.keys()].filter((k) => k !== 'zone_id' && k !== 'dns_record_id');
  if (opt && (rest.length > 0 || ids.size === 0)) c.note('param_opt', `not imported: the Cloudflare script reads only zone_id and dns_record_id from it (${opt.replace(/=\S*/g, '=…')})`);
  let fqdn: string | undefined;
  const split = domain ? splitHostAtZone(domain) : undefined;
  if (split) {
    fqdn = split.fqdn;
    c.set('zone', split.zone);
  } else if (domain) {
    fqdn = domain;
    if (!zoneId) {
      c.set('zone', domain);
      c.note('domain', `'${domain}' has no @: ddns-scripts' Cloudflare script took it as the zone itself, so zone is '${domain}' (set zone_id, or the zone, if that is not the zone)`);
    }
  }
  if (fqdn) c.set('domain', fqdn);
  if (user !== 'Bearer') {
    c.problem('password', 'ddns-scripts used the Cloudflare global API key (username is an e-mail address); ddnsd needs an API token: create one with Zone → DNS → Edit and set api_token');
    if (user) c.note('username', 'not imported: the e-mail address of the global API key, which ddnsd does not use');
  } else if (password) {
    c.set('api_token', password);
  }
  return fqdn;
}

/** bind-nsupdate: `username '[hmac-ALG:]KEYNAME'`, `password` = the base64 secret, `dns_server` = the primary; TTL 600. */
function nsupdate(c: Conversion): string | undefined {
  const user = c.get('username');
  const password = c.get('password');
  const server = c.peek('dns_server');
  if (user) {
    const m = /^(hmac-[a-z0-9]+):(.+)$/i.exec(user);
    c.set('key_name', m ? m[2] : user);
    // nsupdate's `key` without an algorithm means hmac-md5.
    c.set('key_algorithm', m ? m[1].toLowerCase() : 'hmac-md5');
    if (!m) c.note('username', "has no 'hmac-…:' prefix: key_algorithm is hmac-md5, nsupdate's default");
  }
  if (password) c.set('key_secret', password);
  if (server) {
    c.set('server', server);
    c.note('dns_server', 'also the server updates are sent to (server), as nsupdate did');
  }
  c.set('ttl', '600');
  return undefined;
}

/** Namecheap's template: `host=[USERNAME]&domain=[DOMAIN]`: the record is USERNAME.DOMAIN (`@` the apex), the zone DOMAIN. */
function namecheap(c: Conversion): string | undefined {
  const host = c.get('username');
  const zone = c.get('domain');
  if (!zone) return undefined;
  const h = host?.trim() ?? '@';
  const fqdn = h === '@' || h === '' ? zone : `${h}.${zone}`;
  c.set('domain', fqdn);
  c.set('zone', zone);
  c.note('domain', `Namecheap's template sends host=[USERNAME] and domain=[DOMAIN]: the record is ${fqdn}, in zone ${zone}`);
  return fqdn;
}

/** DuckDNS accepts a bare sub-name: `jupshare` is jupshare.duckdns.org. The account is the token alone. */
function duckdns(c: Conversion): string | undefined {
  const domain = c.get('domain');
  const user = c.get('username');
  let fqdn = domain;
  if (domain && !domain.includes('.')) {
    fqdn = `${domain}.duckdns.org`;
    c.note('domain', `'${domain}' is a DuckDNS sub-name: the record is ${fqdn}`);
  }
  if (fqdn) c.set('domain', fqdn);
  if (user) c.note('username', 'not imported: DuckDNS knows the account by its token (password)');
  return fqdn;
}

function tokenOnly(c: Conversion, why: string): string | undefined {
  const user = c.get('username');
  if (user) c.note('username', `not imported: ${why}`);
  return undefined;
}
