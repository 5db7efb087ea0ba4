import { findProvider } from '../providers/registry';
import type { ProviderDef } from '../providers/types';
import { parseBool } from './values';
import { mergeDualStack } from './import-merge';
import { DurationUnit, parseUnit } from './duration';
import { parseUci, UciPackage, UciSection, UciValue } from './uci';
import { formatSection, WritableOption, WritableSection } from './uci-writer';

/**
 * Conversion of ddns-scripts' `/etc/config/ddns` into `/etc/config/ddnsd` sections
 * (shared/reference/ddns-scripts.md §1 and §6). Every option is either mapped or reported with
 * the reason it was not; nothing is dropped silently.
 */

export interface ImportNote {
  section: string;
  option?: string;
  message: string;
}

export interface ImportResult {
  /** Sections to append to the target, in source order (a global section first, when written). */
  sections: WritableSection[];
  imported: { name: string; provider: string; enabled: boolean }[];
  skipped: { name: string; reason: string }[];
  /** Options that were not mapped, or mapped with a change of meaning, and why. */
  notes: ImportNote[];
}

export interface ImportOptions {
  providers: readonly ProviderDef[];
  /** The target as it is now: its services are never overwritten, its global section is kept. */
  existing?: UciPackage;
  /** Join an IPv4 and an IPv6 section that differ only in family (default true). */
  mergeDualStack?: boolean;
}

/** ddns-scripts defaults for an interval whose unit is set but whose number is not. */
const INTERVALS: { option: string; unit: string; defValue: number; defUnit: DurationUnit }[] = [
  { option: 'check_interval', unit: 'check_unit', defValue: 10, defUnit: 'minutes' },
  { option: 'force_interval', unit: 'force_unit', defValue: 72, defUnit: 'hours' },
  { option: 'retry_interval', unit: 'retry_unit', defValue: 60, defUnit: 'seconds' },
];
const SUFFIX: Record<DurationUnit, string> = { seconds: 's', minutes: 'm', hours: 'h', days: 'd' };

/** Why ddns-scripts' `cacert` is dropped: ddnsd's HTTP client always verifies (src/net/ca.ts defaultCa). */
const CACERT_REASON = "ddnsd always verifies TLS, trusting Node's built-in roots and /etc/ssl/certs/ca-certificates.crt; another private CA goes in ddnsd's option cacert";

/** ddns-scripts options ddnsd has no use for, with the reason given to the user. */
const NOT_NEEDED: Record<string, string> = {
  use_api_check: 'ddnsd verifies through the provider API where it can, without an option',
  is_glue: 'ddnsd resolves records itself; glue lookups are not needed',
  force_dnstcp: 'ddnsd chooses UDP or TCP for its DNS queries itself',
  force_ipversion: 'ddnsd picks the address family of each request from the record type',
  bind_network: 'ddnsd does not bind provider requests to a network',
  use_syslog: 'ddnsd logs to syslog through procd; set log_level in the global section',
  use_logfile: 'ddnsd keeps its log in memory (ddnsd log); there are no per-service log files',
  cacert: CACERT_REASON,
  user_agent: 'ddnsd sends its own User-Agent, as providers ask',
  check_interval_min: 'ddnsd is event-driven and has no lower bound to configure',
  use_https: 'ddnsd providers use HTTPS where the provider offers it',
  lookup_host: 'ddnsd verifies each domain itself',
  update_script: 'ddnsd does not source shell scripts',
  param_enc: 'this provider does not use it',
  param_opt: 'this provider does not use it',
};

/** The start of the reason given for a service that exists in the target already. */
export const ALREADY = 'the target already has a section of this name';

/** Script providers whose `domain` is `host@zone` (ddns-scripts.md §2C). */
const HOST_AT_ZONE = ['cloudflare.com-v4', 'godaddy.com-v1'];

const COMMON = new Set([
  'enabled', 'provider', 'domain', 'ip_version', 'interface', 'ip_source', 'ip_network', 'ip_interface', 'ip_url',
  'ip_script', 'check_interval', 'force_interval', 'retry_interval', 'retry_max_count', 'dns_server', 'proxy',
  'upd_privateip',
]);

/** One section being converted: options written, options consumed, notes. */
class Conversion {
  readonly out: WritableOption[] = [];
  readonly #consumed = new Set<string>();

  constructor(
    readonly src: UciSection,
    readonly notes: ImportNote[],
  ) {}

  get(name: string): string | undefined {
    this.#consumed.add(name);
    const o = this.src.options.find((x) => x.name === name);
    if (!o) return undefined;
    return typeof o.value === 'string' ? o.value : o.value.join(' ');
  }

  items(name: string): string[] | undefined {
    this.#consumed.add(name);
    const o = this.src.options.find((x) => x.name === name);
    return o === undefined ? undefined : typeof o.value === 'string' ? [o.value] : o.value;
  }

  has(name: string): boolean {
    return this.src.options.some((o) => o.name === name);
  }

  set(name: string, value: UciValue): void {
    const at = this.out.findIndex((o) => o.name === name);
    if (at >= 0) this.out[at] = { name, value };
    else this.out.push({ name, value });
  }

  note(option: string | undefined, message: string): void {
    this.notes.push({ section: this.src.name, ...(option ? { option } : {}), message });
  }

  /** Report every source option nobody consumed. */
  leftovers(): void {
    for (const o of this.src.options) {
      if (this.#consumed.has(o.name)) continue;
      const why = NOT_NEEDED[o.name] ?? 'not a ddns-scripts option ddnsd knows';
      this.note(o.name, `not imported: ${why}`);
    }
  }
}

/** `host@zone` → record name and zone (`@zone` is the zone's apex). */
function splitHostAtZone(domain: string): { fqdn: string; zone: string } | undefined {
  const at = domain.lastIndexOf('@');
  if (at < 0) return undefined;
  const host = domain.slice(0, at);
  const zone = domain.slice(at + 1);
  return { fqdn: host ? `${host}.${zone}` : zone, zone };
}

/** provider/service_name/update_url → provider id; undefined when the section cannot be imported. */
function provider(c: Conversion, providers: readonly ProviderDef[]): { id: string; def?: ProviderDef; name?: string } | string {
  const name = c.get('service_name');
  const url = c.get('update_url');
  if (c.has('update_script')) return 'update_script runs a shell script that ddnsd does not run; pick a provider and add the service by hand';
  if (name) {
    const def = findProvider(name, providers);
    if (url) c.note('update_url', 'not imported: service_name is set, so ddns-scripts ignored update_url too');
    if (!def) c.note('service_name', `'${name}' is not a built-in provider; kept as provider '${name}' for the ddns-scripts catalogue`);
    return { id: def?.id ?? name, def, name };
  }
  if (url) {
    const https = parseBool(c.get('use_https') ?? '0') === true;
    const template = https ? url.replace(/^http:/i, 'https:') : url;
    c.set('update_url', template);
    if (https && template !== url) c.note('use_https', 'applied: update_url now starts with https:');
    const answer = c.get('answer');
    if (answer) c.set('answer', answer);
    const def = findProvider('custom', providers);
    if (!def) c.note('update_url', 'imported for provider custom, which this machine does not offer yet (see `ddnsd providers`)');
    return { id: 'custom', def };
  }
  return 'neither service_name nor update_url is set, so there is no provider to import';
}

/** domain / lookup_host → `domain`, with Cloudflare-style `host@zone` split into domain + zone. */
function domains(c: Conversion, providerName: string | undefined): void {
  const domain = c.get('domain');
  const lookup = c.get('lookup_host');
  const split = domain && providerName && HOST_AT_ZONE.includes(providerName.toLowerCase()) ? splitHostAtZone(domain) : undefined;
  if (split) {
    c.set('domain', split.fqdn);
    c.set('zone', split.zone);
    if (lookup && lookup !== split.fqdn) c.note('lookup_host', `not imported: '${lookup}' differs from the record name ${split.fqdn}; ddnsd verifies the record itself`);
    return;
  }
  const chosen = lookup && lookup.includes('.') ? lookup : domain ?? lookup;
  if (chosen) c.set('domain', chosen);
  if (domain && chosen !== domain) {
    c.note('domain', `not imported: '${domain}' differs from lookup_host '${lookup}'; ddnsd's domain is the record it keeps, so lookup_host was used`);
  }
}

/** Cloudflare: `username=Bearer` means the password is an API token (the only form ddnsd accepts). */
function cloudflareCredentials(c: Conversion): string | undefined {
  const user = c.get('username');
  const password = c.get('password');
  const opt = c.get('param_opt');
  if (opt) c.note('param_opt', `not imported: ddnsd looks up zone and record ids itself (${opt.replace(/=.*?(\s|$)/g, '=…$1')})`);
  if (user !== 'Bearer') {
    return 'uses the Cloudflare global API key (username is an e-mail address); ddnsd needs an API token: create one with Zone → DNS → Edit and set api_token';
  }
  if (password) c.set('api_token', password);
  return undefined;
}

/** username, password, param_enc, param_opt → the provider's fields of those names. */
function credentials(c: Conversion, def: ProviderDef | undefined): void {
  for (const name of ['username', 'password', 'param_enc', 'param_opt']) {
    const value = c.get(name);
    if (value === undefined) continue;
    if (!def || def.fields.some((f) => f.name === name)) c.set(name, value);
    else c.note(name, `not imported: provider ${def.id} has no ${name} field`);
  }
}

/** ip_source and the one option it reads; the other sources' options are reported. */
function source(c: Conversion): void {
  const kind = c.get('ip_source') ?? 'network';
  const known: Record<string, string> = { network: 'ip_network', interface: 'ip_interface', web: 'ip_url', script: 'ip_script' };
  if (!known[kind]) {
    c.note('ip_source', `'${kind}' is not a ddns-scripts source; ip_source network was written instead`);
  }
  const chosen = known[kind] ? kind : 'network';
  c.set('ip_source', chosen);
  for (const [k, option] of Object.entries(known)) {
    const items = c.items(option);
    if (!items) continue;
    if (k !== chosen) c.note(option, `not imported: only used with ip_source ${k} (ip_source is ${chosen})`);
    else if (option === 'ip_url') c.set(option, items);
    else c.set(option, items.join(' '));
  }
}

/** `N` + `*_unit` → `N` with a suffix (`10m`); a unit alone applies to ddns-scripts' default. */
function intervals(c: Conversion): void {
  for (const spec of INTERVALS) {
    const value = c.get(spec.option);
    const unitText = c.get(spec.unit);
    const unit = unitText === undefined ? spec.defUnit : parseUnit(unitText);
    if (unit === undefined) {
      c.note(spec.unit, `not imported: '${unitText}' is not seconds, minutes, hours or days; ${spec.option} left at ddnsd's default`);
      continue;
    }
    if (value === undefined && unitText === undefined) continue;
    const n = value ?? String(spec.defValue);
    if (!/^\d+$/.test(n)) {
      c.note(spec.option, `not imported: '${n}' is not a whole number; ddnsd's default applies`);
      continue;
    }
    c.set(spec.option, `${Number(n)}${SUFFIX[unit]}`);
    if (spec.option === 'force_interval' && Number(n) === 0) {
      c.note(spec.option, 'imported as 0: ddns-scripts updated once and exited; ddnsd keeps watching and never forces an update');
    }
  }
}

function plain(c: Conversion): void {
  const enabled = parseBool(c.get('enabled') ?? '0') === true;
  c.set('enabled', enabled ? '1' : '0');
  c.set('ip_version', parseBool(c.get('use_ipv6') ?? '0') ? '6' : '4');
  const rename: [string, string][] = [
    ['interface', 'interface'],
    ['dns_server', 'dns_server'],
    ['proxy', 'proxy'],
    ['upd_privateip', 'upd_privateip'],
    ['retry_count', 'retry_max_count'],
    ['retry_max_count', 'retry_max_count'],
  ];
  for (const [from, to] of rename) {
    const v = c.get(from);
    if (v !== undefined) c.set(to, v);
  }
}

/** Options written for a known provider must be common options or its fields. */
function dropForeign(c: Conversion, def: ProviderDef | undefined): void {
  if (!def) return;
  for (const o of [...c.out]) {
    if (COMMON.has(o.name) || def.fields.some((f) => f.name === o.name)) continue;
    c.out.splice(c.out.indexOf(o), 1);
    c.note(o.name, `not imported: provider ${def.id} has no ${o.name} field`);
  }
}

function convertService(src: UciSection, opts: ImportOptions, notes: ImportNote[]): WritableSection | string {
  const c = new Conversion(src, notes);
  c.set('enabled', '0');
  c.set('provider', ''); // keeps its place at the top; filled in below
  const p = provider(c, opts.providers);
  if (typeof p === 'string') return p;
  c.set('provider', p.id);
  domains(c, p.name);
  if (p.def?.id === 'cloudflare' || p.name?.toLowerCase() === 'cloudflare.com-v4') {
    const why = cloudflareCredentials(c);
    if (why) return why;
  } else {
    credentials(c, p.def);
  }
  plain(c);
  source(c);
  intervals(c);
  dropForeign(c, p.def);
  c.leftovers();
  return { type: 'service', name: src.name, options: c.out };
}

/** `config ddns 'global'`: upd_privateip and ddns_loglines carry over. */
function convertGlobal(src: UciSection, notes: ImportNote[]): WritableSection {
  const c = new Conversion(src, notes);
  const priv = c.get('upd_privateip');
  if (priv !== undefined) c.set('upd_privateip', priv);
  const lines = c.get('ddns_loglines');
  if (lines !== undefined) {
    if (/^\d+$/.test(lines) && Number(lines) >= 10 && Number(lines) <= 100_000) c.set('log_lines', lines);
    else c.note('ddns_loglines', `not imported: '${lines}' is outside 10…100000`);
  }
  const reasons: Record<string, string> = {
    ddns_dateformat: 'ddnsd reports Unix times; LuCI formats them',
    ddns_rundir: 'ddnsd keeps its state under /var/run/ddnsd',
    ddns_logdir: 'ddnsd keeps its log in memory (ddnsd log)',
    use_curl: 'ddnsd has its own HTTP client',
    url: 'ddnsd does not download provider definitions',
    services_url: 'ddnsd does not download provider definitions',
    cacert: CACERT_REASON,
  };
  for (const o of src.options) {
    if (o.name === 'upd_privateip' || o.name === 'ddns_loglines') continue;
    c.get(o.name);
    c.note(o.name, `not imported: ${reasons[o.name] ?? 'not a global option ddnsd knows'}`);
  }
  return { type: 'ddnsd', name: 'global', options: c.out };
}

/** A usable section name for an anonymous ddns-scripts section (theirs depend on position). */
function nameFor(s: UciSection, taken: Set<string>): string {
  if (!s.anonymous) return s.name;
  let n = 1;
  while (taken.has(`service_${n}`)) n++;
  return `service_${n}`;
}

/** Convert the text of `/etc/config/ddns`. Throws ParseError when it is not valid UCI. */
export function convertDdnsScripts(text: string | Uint8Array, opts: ImportOptions): ImportResult {
  const src = parseUci(text, 'ddns');
  const result: ImportResult = { sections: [], imported: [], skipped: [], notes: [] };
  const existing = opts.existing?.sections ?? [];
  const taken = new Set([...existing.map((s) => s.name), ...src.sections.map((s) => s.name)]);
  for (const s of src.sections) {
    if (s.type === 'ddns') {
      if (existing.some((e) => e.type === 'ddnsd' && e.name === 'global') || result.sections.some((x) => x.type === 'ddnsd')) {
        result.notes.push({ section: s.name, message: 'not imported: the target already has a global section, which is kept as it is' });
      } else {
        result.sections.unshift(convertGlobal(s, result.notes));
      }
      continue;
    }
    if (s.type !== 'service') {
      result.skipped.push({ name: s.name, reason: `section type '${s.type}' is not a ddns-scripts service` });
      continue;
    }
    const name = nameFor(s, taken);
    taken.add(name);
    if (existing.some((e) => e.name === name)) {
      result.skipped.push({ name, reason: `${ALREADY}; it was not overwritten` });
      continue;
    }
    const out = convertService({ ...s, name }, opts, result.notes);
    if (typeof out === 'string') {
      result.skipped.push({ name, reason: out });
      continue;
    }
    result.sections.push(out);
  }
  if (opts.mergeDualStack !== false) {
    const m = mergeDualStack(result.sections);
    result.sections = m.sections;
    for (const [from, into] of m.merges) {
      result.notes.push({ section: from, message: `merged into ${into}: same provider, domains and credentials, other address family (ip_version both)` });
    }
  }
  for (const out of result.sections.filter((s) => s.type === 'service')) {
    const get = (n: string) => out.options.find((o) => o.name === n)?.value;
    result.imported.push({ name: out.name ?? '', provider: String(get('provider')), enabled: get('enabled') === '1' });
  }
  return result;
}

/** The target's text with the new sections after it (the existing text is kept byte for byte). */
export function appendSections(existing: string, sections: readonly WritableSection[]): string {
  const head = existing === '' || existing.endsWith('\n') ? existing : `${existing}\n`;
  return head + sections.map(formatSection).join('');
}
