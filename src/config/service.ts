import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { findProvider } from '../providers/registry';
import type { ProviderDef, ProviderInput, ProviderOptions } from '../providers/types';
import {
  BOOL_HELP,
  isDeviceName,
  isFqdn,
  isHost,
  isHostPort,
  isHttpUrl,
  isIpv6Suffix,
  isNetworkName,
  isProxy,
  parseBool,
  parseCount,
} from './values';
import { durationHelp, DurationUnit, formatDuration, parseDuration, parseUnit } from './duration';
import { judgeRange, optionRule } from './rules';
import { fingerprint } from './fingerprint';
import { isSecretOption, readProviderOptions, secretOptions } from './provider-fields';
import { SectionReader } from './section-reader';
import { SOURCE_KINDS, type ConfigProblem, type GlobalConfig, type IpVersion, type Ipv6Selection, type ServiceConfig, type SourceKind } from './types';
import type { UciSection } from './uci';
import { ALLOW_INSECURE_HTTP, checkInsecureHttp } from './insecure-http';

const IP_DNS_NAMES = ['opendns', 'cloudflare'];

/** Interval options: their rules (rules.ts: unit option, default unit, minimum) and defaults. */
const INTERVALS = {
  force: { rule: optionRule('service', 'force_interval'), def: 72 * 3_600_000 },
  retry: { rule: optionRule('service', 'retry_interval'), def: 60_000 },
  check: { rule: optionRule('service', 'check_interval'), def: 600_000 },
} as const;

export function bool(r: SectionReader, name: string, def: boolean): boolean {
  const got = r.single(name);
  if (!got) return def;
  const b = parseBool(got.text);
  if (b === undefined) r.invalid(name, got, BOOL_HELP);
  return b ?? def;
}

function validated(r: SectionReader, name: string, ok: (t: string) => boolean, allowed: string): string | undefined {
  const got = r.single(name);
  if (got && !ok(got.text)) {
    r.invalid(name, got, allowed);
    return undefined;
  }
  return got?.text;
}

/** The choices of a service option's rule (rules.ts), typed as the config has them. */
function choicesOf<T extends string>(name: string): readonly T[] {
  return optionRule('service', name).choices as T[];
}

/** What a service option's rule allows, in words. */
function help(name: string): string {
  return optionRule('service', name).help;
}

function choice<T extends string>(r: SectionReader, name: string, values: readonly T[], def: T): T {
  const got = validated(r, name, (t) => values.includes(t as T), values.join(', '));
  return (got as T | undefined) ?? def;
}

function interval(r: SectionReader, which: keyof typeof INTERVALS): number {
  const { rule, def } = INTERVALS[which];
  let unit: DurationUnit = rule.unit!;
  const unitRead = r.single(rule.unit_option!);
  if (unitRead) {
    const u = parseUnit(unitRead.text);
    if (u) unit = u;
    else r.invalid(rule.unit_option!, unitRead, 'seconds, minutes, hours or days');
  }
  const got = r.single(rule.name);
  if (!got) return def;
  const v = judgeRange(rule, got.text, unit);
  if (v.ok) return v.value! * 1000;
  if (v.why === 'shape') r.invalid(rule.name, got, durationHelp(unit, rule.unit_option));
  else r.error(rule.name, got.text, `'${got.text}' is too short; the minimum is ${rule.min}s`, got.line);
  return def;
}

/** `provider` (or ddns-scripts' `service_name`) resolved against the registry. */
function provider(r: SectionReader, providers: readonly ProviderDef[]): ProviderDef | undefined {
  const own = r.single('provider');
  const alias = r.single('service_name');
  const chosen = own ?? alias;
  const option = own ? 'provider' : 'service_name';
  if (!chosen) {
    r.error('provider', undefined, 'required: the provider id (see `ddnsd providers`)');
    return undefined;
  }
  const def = findProvider(chosen.text, providers);
  if (!def) {
    const ids = providers.map((p) => p.id);
    const list = ids.length === 0 ? 'none are available' : `available: ${ids.slice(0, 15).join(', ')}${ids.length > 15 ? ', …' : ''}`;
    r.error(option, chosen.text, `unknown provider '${chosen.text}' (${list}; see \`ddnsd providers\`)`, chosen.line);
    return undefined;
  }
  if (own && alias && findProvider(alias.text, providers) !== def) {
    r.error('service_name', alias.text, `'${alias.text}' names another provider than provider '${own.text}'; keep one of them`, alias.line);
  }
  return def;
}

function domain(r: SectionReader, text: string, line: number): string | undefined {
  const name = text.replace(/\.$/, '');
  if (isFqdn(name)) return name;
  const hint = name.includes('@')
    ? "ddns-scripts' host@zone form is not used here: put the record name in domain and the zone in the provider's zone option"
    : asciiHint(name) ?? 'use a full DNS name such as home.example.com (a leading *. is allowed)';
  r.error('domain', text, `'${text}' is not a DNS name; ${hint}`, line);
  return undefined;
}

/** An echo service reached over IPv4 sees only the IPv4 address: a literal of the other family can never answer. */
function wrongFamilyUrls(r: SectionReader, svc: ServiceConfig): void {
  if (svc.ipVersion === 'both') return;
  const want = Number(svc.ipVersion);
  for (const url of svc.ipUrls) {
    const family = isIP(new URL(url).hostname.replace(/^\[(.*)\]$/, '$1'));
    if (family !== 0 && family !== want) {
      r.warn('ip_url', url, `'${url}' has an IPv${family} address as its host; reached over IPv${family}, it can never tell this service's IPv${want} address (ip_version ${want})`);
    }
  }
}

/** A field whose label is the unknown option's name (duckdns' `password` is labelled Token): a person writes `token`. */
function unknownHint(def: ProviderDef, option: string): string {
  const field = def.fields.find((f) => f.label.toLowerCase().replace(/[^a-z0-9]+/g, '_') === option.toLowerCase());
  return field ? `the ${field.label} goes in option ${field.name}` : '`ddnsd providers` lists its options';
}

/** DNS and providers take internationalized names in their xn-- form; say which one. */
function asciiHint(name: string): string | undefined {
  if (!/[^\x00-\x7f]/.test(name)) return undefined;
  const ascii = domainToASCII(name);
  return ascii && isFqdn(ascii) ? `write a name with non-ASCII letters in its ASCII (punycode) form: ${ascii}` : undefined;
}

/**
 * `domain` (option or list), else ddns-scripts' `lookup_host`. A `lookup_host` next to the
 * domains keeps ddns-scripts' meaning: the name verification looks up instead of the records
 * (DNS-O-Matic's `all.dnsomatic.com`, a CNAME'd record, a provider that answers elsewhere).
 */
function domains(r: SectionReader): { names: string[]; lookupHost?: string } {
  const got = r.many('domain');
  const lookup = r.single('lookup_host');
  const names: string[] = [];
  for (const text of got?.items ?? []) {
    const d = domain(r, text, got!.line);
    if (d && !names.includes(d)) names.push(d);
  }
  if (!got && !lookup) r.error('domain', undefined, "required: at least one record name (list domain 'home.example.com')");
  if (!lookup) return { names };
  const host = lookup.text.replace(/\.$/, '');
  if (!isFqdn(host) || host.startsWith('*.')) {
    r.error('lookup_host', lookup.text, `'${lookup.text}' is not a DNS name; use the full name verification should look up (home.example.com)`, lookup.line);
    return { names };
  }
  if (!got) return { names: [host] };
  return names.length === 1 && names[0].toLowerCase() === host.toLowerCase() ? { names } : { names, lookupHost: host };
}

/** ddns-scripts' transfer options: the family requests travel over, trusted CAs, unverified TLS, the interface they leave from. */
function transfer(r: SectionReader) {
  const forceIpVersion = bool(r, 'force_ipversion', false);
  const ca = r.single('cacert');
  let cacert: string | undefined;
  if (ca && ca.text.toUpperCase() === 'IGNORE') {
    r.error('cacert', ca.text, "'IGNORE' turned certificate checks off in ddns-scripts; ddnsd does that only when asked by name: option tls_insecure '1' (and no cacert)", ca.line);
  } else if (ca && !/^\/[^\0]*$/.test(ca.text)) {
    r.invalid('cacert', ca, 'the absolute path of a PEM file or of a directory of PEM files (/etc/ssl/certs/my-ca.crt)');
  } else cacert = ca?.text;
  const tlsInsecure = bool(r, 'tls_insecure', false);
  if (tlsInsecure) {
    r.warn('tls_insecure', undefined, "INSECURE: the provider's TLS certificate is not checked, so anyone on the path can read this service's credentials and answer in the provider's name; trust the provider's CA with option cacert instead");
  }
  const bindNetwork = validated(r, 'bind_network', isNetworkName, help('bind_network'));
  return { forceIpVersion, cacert, tlsInsecure, bindNetwork };
}

/**
 * `import_problem`: what `ddnsd import` could not carry over from ddns-scripts. The service is
 * refused while it is there, so it cannot run half-configured; the user fixes it and deletes it.
 */
function importProblems(r: SectionReader): void {
  const got = r.many('import_problem');
  for (const text of got?.items ?? []) {
    r.error('import_problem', undefined, `${text} (from ddnsd import; fix this, then delete option import_problem)`, got!.line);
  }
}

const INTERFACE = optionRule('service', 'interface');
const HOLDDOWN = optionRule('service', 'holddown');
export const DEFAULT_HOLDDOWN_MS = parseDuration(HOLDDOWN.default)!;

/** `interface` (one) or `list interface` (several WANs in priority order), and the hold-down between switches. */
function wans(r: SectionReader): Pick<ServiceConfig, 'interface' | 'interfaces' | 'holddownMs'> {
  const names: string[] = [];
  const got = r.many('interface');
  for (const text of got?.items ?? []) {
    if (!isNetworkName(text)) r.invalid('interface', { text, line: got!.line }, INTERFACE.help);
    else if (names.includes(text)) r.warn('interface', text, `'${text}' is listed twice; the second one is ignored`, got!.line);
    else names.push(text);
  }
  if (names.length === 0) names.push('wan');
  let holddownMs = DEFAULT_HOLDDOWN_MS;
  const hd = r.single('holddown');
  if (hd) {
    const v = judgeRange(HOLDDOWN, hd.text);
    if (v.ok) holddownMs = v.value! * 1000;
    else if (v.why === 'shape') r.invalid('holddown', hd, HOLDDOWN.help);
    else r.error('holddown', hd.text, `'${hd.text}' is too long; the most is ${formatDuration(HOLDDOWN.max! * 1000)}`, hd.line);
    if (names.length < 2) r.warn('holddown', hd.text, 'only matters with several interfaces (list interface); it is ignored', hd.line);
  }
  return { interface: names[0], ...(names.length > 1 ? { interfaces: names } : {}), holddownMs };
}

/** `bind_network` (ddns-scripts: send from that network's address) or `bind_wan` (send from the active WAN's address). */
function binding(r: SectionReader, svc: ServiceConfig): void {
  const net = svc.bindNetwork; // read with the transfer options
  const several = (svc.interfaces?.length ?? 1) > 1;
  const wan = bool(r, 'bind_wan', svc.source === 'network' && several && net === undefined);
  if (net !== undefined && wan && r.has('bind_wan')) {
    r.error('bind_wan', undefined, "cannot be combined with bind_network: requests leave either from bind_network's address or from the active WAN's; set one of them");
  }
  svc.bindWan = wan && net === undefined;
}

/**
 * With several WANs the published address is the active WAN's, so options that name another
 * network for the address would contradict it.
 */
function severalWans(r: SectionReader, svc: ServiceConfig): void {
  if ((svc.interfaces?.length ?? 1) < 2) return;
  for (const option of ['ip_network', 'ip_network6', 'interface6']) {
    if (r.has(option)) {
      r.error(option, undefined, `cannot be combined with several interfaces (list interface): the address comes from the active WAN; for IPv6 on a separate network (wan6, wanb6) configure a second service with list interface 'wan6' and 'wanb6'`);
    }
  }
}

/** ip_version asks for a family the provider cannot update (Namecheap and DNS-O-Matic: IPv4 only). */
function familiesOfProvider(r: SectionReader, svc: ServiceConfig, def: ProviderDef): void {
  const want = svc.ipVersion === 'both' ? (['4', '6'] as const) : [svc.ipVersion];
  const can = (f: '4' | '6') => (f === '4' ? def.capabilities.ipv4 : def.capabilities.ipv6);
  const missing = want.filter((f) => !can(f));
  if (missing.length === 0) return;
  const option = r.has('ip_version') ? 'ip_version' : 'use_ipv6';
  const read = r.single(option);
  const only = can('4') ? '4' : '6';
  r.error(option, read?.text, `provider ${def.id} updates IPv${only} records only (${only === '4' ? 'A' : 'AAAA'}), not IPv${missing.join(' and IPv')}: set ip_version '${only}'${svc.ipVersion === 'both' ? `, and use another provider for the IPv${missing[0]} record` : ''}`, read?.line);
}

function ipVersion(r: SectionReader): IpVersion {
  if (r.has('ip_version')) {
    r.use('use_ipv6');
    return choice(r, 'ip_version', choicesOf<IpVersion>('ip_version'), '4');
  }
  return bool(r, 'use_ipv6', false) ? '6' : '4';
}

function list(r: SectionReader, name: string, ok: (t: string) => boolean, allowed: string): string[] {
  const got = r.many(name);
  const out: string[] = [];
  for (const text of got?.items ?? []) {
    if (ok(text)) out.push(text);
    else r.invalid(name, { text, line: got!.line }, allowed);
  }
  return out;
}

function isRegex(text: string): boolean {
  try {
    new RegExp(text);
    return true;
  } catch {
    return false;
  }
}

function isIpDns(text: string): boolean {
  if (IP_DNS_NAMES.includes(text)) return true;
  const [host, server, ...rest] = text.split('@');
  return rest.length === 0 && server !== undefined && isHost(host) && isHostPort(server);
}

/**
 * ddns-scripts runs ip_script through `eval`, so imported lines may hold pipes and quotes;
 * ddnsd splits at spaces and runs no shell, where those would reach the program as
 * arguments and fail in ways nobody could read. Say so instead.
 */
function shellSyntax(r: SectionReader, text: string, line: number): void {
  const m = /[|;&<>`$'"\\]/.exec(text);
  if (!m) return;
  r.error('ip_script', text, `'${text}' uses shell syntax (${m[0]}), but ddnsd runs ip_script without a shell, split at spaces; put the command in an executable script file and name that file`, line);
}

/** Options of the address source; each needed option is required for its source. */
function source(r: SectionReader) {
  const kind = choice(r, 'ip_source', SOURCE_KINDS, 'network');
  const ipNetwork = validated(r, 'ip_network', isNetworkName, help('ip_network'));
  const ipNetwork6 = validated(r, 'ip_network6', isNetworkName, 'a network name from /etc/config/network (wan6)');
  const ipInterface = validated(r, 'ip_interface', isDeviceName, help('ip_interface'));
  const ipUrls = list(r, 'ip_url', isHttpUrl, help('ip_url'));
  const ipDns = list(r, 'ip_dns', isIpDns, `${IP_DNS_NAMES.join(', ')} or NAME@SERVER`);
  const ipRegex = validated(r, 'ip_regex', isRegex, 'a regular expression whose match (or first group) is the address');
  const script = r.single('ip_script');
  const ipScript = script?.text.trim().split(/\s+/).filter((a) => a !== '');
  if (kind === 'interface' && !r.has('ip_interface')) r.error('ip_interface', undefined, 'required with ip_source interface');
  if (kind === 'script' && !script) r.error('ip_script', undefined, 'required with ip_source script');
  if (script) shellSyntax(r, script.text, script.line);
  const unused: [string, SourceKind][] = [
    ['ip_interface', 'interface'],
    ['ip_url', 'web'],
    ['ip_regex', 'web'],
    ['ip_script', 'script'],
    ['ip_dns', 'dns'],
  ];
  for (const [option, needs] of unused) {
    if (r.has(option) && kind !== needs) r.warn(option, undefined, `is only used with ip_source ${needs} (ip_source is ${kind})`);
  }
  return { kind, ipNetwork, ipNetwork6, ipInterface, ipUrls, ipRegex, ipDns, ipScript };
}

function ipv6(r: SectionReader): Ipv6Selection {
  const mode = choice(r, 'ip6_mode', choicesOf<Ipv6Selection['mode']>('ip6_mode'), 'auto');
  const suffix = validated(r, 'ip6_suffix', isIpv6Suffix, help('ip6_suffix'));
  const id = validated(r, 'ip6_interface_id', isIpv6Suffix, help('ip6_suffix'));
  if (suffix && id && suffix !== id) r.error('ip6_interface_id', id, 'differs from ip6_suffix; set only one of them');
  const prefixInterface = validated(r, 'ip6_prefix_interface', isNetworkName, help('ip6_prefix_interface'));
  if (mode === 'prefix' && !suffix && !id && !r.has('ip6_suffix') && !r.has('ip6_interface_id')) {
    r.error('ip6_suffix', undefined, 'required with ip6_mode prefix (the host part behind the delegated prefix)');
  }
  return { mode, ...(suffix ?? id ? { suffix: suffix ?? id } : {}), ...(prefixInterface ? { prefixInterface } : {}) };
}

function retryMaxCount(r: SectionReader): number {
  const name = r.has('retry_max_count') ? 'retry_max_count' : 'retry_count';
  r.use('retry_count');
  const got = r.single(name);
  if (!got) return 0;
  const n = parseCount(got.text);
  if (n === undefined) r.invalid(name, got, help('retry_max_count'));
  return n ?? 0;
}

/** What `option endpoint` may be for a provider (ProviderDef.endpointType), and the words for it. */
const ENDPOINT_CHECKS = {
  url: { ok: isHttpUrl, help: 'an http(s) URL' },
  host_port: { ok: isHostPort, help: 'a DNS server: host[:port]' },
  endpoint: { ok: (t: string) => isHttpUrl(t) || isHostPort(t), help: help('endpoint') },
} as const;

/** A provider's `zone` holds every record: a name outside it could only fail at the provider. */
function outsideZone(r: SectionReader, svc: ServiceConfig): void {
  const zone = svc.providerOptions.zone;
  if (typeof zone !== 'string' || zone === '') return;
  const z = zone.toLowerCase().replace(/\.$/, '');
  for (const name of svc.domains) {
    const n = name.toLowerCase();
    if (n !== z && !n.endsWith(`.${z}`)) r.error('domain', name, `${name} is not inside zone ${zone} (option zone); set zone to the domain that holds it`);
  }
}

/**
 * The provider's own rules (ProviderDef.settings) over its options, `endpoint` and `proxy`:
 * each problem becomes an error naming its option, unless that option already has one (a
 * field rule said it first). Returns the typed settings, or undefined when there were problems.
 */
function providerSettings(r: SectionReader, def: ProviderDef, options: ProviderOptions, proxy: string | undefined): unknown {
  // The shape every endpoint has (an http(s) URL, or host[:port] for a DNS server) is checked here; the provider says which it takes.
  const declared = def.fields.some((f) => f.name === 'endpoint');
  const check = ENDPOINT_CHECKS[def.endpointType ?? 'endpoint'];
  const endpoint = declared ? undefined : validated(r, 'endpoint', check.ok, check.help);
  const input: ProviderInput = { ...options, ...(endpoint !== undefined ? { endpoint } : {}), ...(proxy !== undefined ? { proxy } : {}) };
  const built = def.settings(input);
  if (!built.problems) return built.settings;
  const named = new Set(r.problems.filter((p) => p.section === r.section.name && p.severity !== 'warning').map((p) => p.option));
  for (const p of built.problems) {
    if (named.has(p.option)) continue;
    r.error(p.option, undefined, p.message.replace(`option ${p.option} `, '').replace(`option ${p.option}: `, ''));
  }
  return undefined;
}

/** Read and validate one `config service 'NAME'` section; `problems` receives this section's problems only. */
export function readService(
  section: UciSection,
  global: GlobalConfig,
  providers: readonly ProviderDef[],
  problems: ConfigProblem[],
): ServiceConfig | undefined {
  const names = secretOptions(undefined);
  let known = false;
  const r = new SectionReader(section, problems, (o) => isSecretOption(names, o, !known));
  if (section.anonymous) {
    r.error(undefined, undefined, `service sections need a name (config service 'NAME'), found an unnamed one at line ${section.line}`);
  }
  const def = provider(r, providers);
  for (const n of secretOptions(def)) names.add(n);
  known = def !== undefined;
  const providerOptions = def ? readProviderOptions(r, def) : {};
  const proxy = validated(r, 'proxy', isProxy, help('proxy'));
  const settings = def ? providerSettings(r, def, providerOptions, proxy) : undefined;
  const src = source(r);
  const recs = domains(r);
  const net = transfer(r);
  importProblems(r);
  let digest: string | undefined;
  const svc: ServiceConfig = {
    name: section.name,
    enabled: bool(r, 'enabled', false),
    provider: def?.id ?? '',
    domains: recs.names,
    ipVersion: ipVersion(r),
    ...wans(r),
    interface6: validated(r, 'interface6', isNetworkName, 'a network name from /etc/config/network (wan6)'),
    source: src.kind,
    ipNetwork: src.ipNetwork,
    ipNetwork6: src.ipNetwork6,
    ipInterface: src.ipInterface,
    ipUrls: src.ipUrls,
    ipRegex: src.ipRegex,
    ipScript: src.ipScript,
    ipDns: src.ipDns,
    ipv6: ipv6(r),
    allowPrivate: bool(r, 'upd_privateip', global.allowPrivate),
    forceIntervalMs: interval(r, 'force'),
    retryIntervalMs: interval(r, 'retry'),
    retryMaxCount: retryMaxCount(r),
    checkIntervalMs: interval(r, 'check'),
    dnsServer: validated(r, 'dns_server', isHostPort, help('dns_server')),
    verify: bool(r, 'verify', true),
    proxy,
    ...(recs.lookupHost ? { lookupHost: recs.lookupHost } : {}),
    ...(net.forceIpVersion ? { forceIpVersion: true } : {}),
    ...(net.cacert ? { cacert: net.cacert } : {}),
    ...(net.tlsInsecure ? { tlsInsecure: true } : {}),
    ...(net.bindNetwork ? { bindNetwork: net.bindNetwork } : {}),
    providerOptions,
    settings,
    // Hashed when first read (by the daemon), so `ddnsd check` never loads node:crypto.
    get fingerprint(): string {
      return (digest ??= fingerprint(section, (o) => isSecretOption(names, o)));
    },
  };
  if (svc.source === 'web') wrongFamilyUrls(r, svc);
  outsideZone(r, svc);
  if (def) familiesOfProvider(r, svc, def);
  if (svc.forceIpVersion && svc.ipVersion === 'both' && def?.capabilities.dualStackOneRequest) {
    r.warn('force_ipversion', undefined, `provider ${def.id} takes both families in one request, which cannot travel over both; that request goes over either family (set ip_version 4 or 6 to force one)`);
  }
  const allowHttp = bool(r, ALLOW_INSECURE_HTTP, false);
  if (def) checkInsecureHttp(r, svc, def, allowHttp);
  binding(r, svc);
  severalWans(r, svc);
  if (def) {
    for (const o of r.unused()) r.warn(o.name, undefined, `unknown option for provider ${def.id}; it is ignored (${unknownHint(def, o.name)})`, o.line);
  }
  return r.errors > 0 ? undefined : svc;
}
