import { PROVIDERS } from '../providers/registry';
import type { ProviderDef } from '../providers/types';
import { LEVELS, type Level } from '../util/log';
import { Conversion, type ImportNote } from './import-conversion';
import { mergeDualStack } from './import-merge';
import { chooseProvider, conventions } from './import-providers';
import { DurationUnit, parseUnit } from './duration';
import { errorsOf, loadConfig } from './schema';
import { parseUci, UciPackage, UciSection, UciValue } from './uci';
import { formatSection, WritableSection } from './uci-writer';
import { isFqdn, parseBool } from './values';

export type { ImportNote } from './import-conversion';

/**
 * Conversion of ddns-scripts' `/etc/config/ddns` into `/etc/config/ddnsd` sections
 * (shared/reference/ddns-scripts.md §1 and §6). Every option is either mapped or reported with
 * the reason it was not; nothing is dropped silently. What is written is then validated as
 * `ddnsd check` would: a service check refuses is written disabled, with its reasons.
 */

export interface ImportedService {
  name: string;
  provider: string;
  /** As written: a service check refuses is written disabled. */
  enabled: boolean;
  /** Whether ddns-scripts ran it (`enabled '1'` in the source). */
  sourceEnabled: boolean;
  /** Why check refuses it (`option: message`); empty when it is ready to run. */
  problems: string[];
}

export interface ImportResult {
  /** Sections to append to the target, in source order (a global section first, when written). */
  sections: WritableSection[];
  imported: ImportedService[];
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
  /** ddnsd's own providers, to tell them from ddns-scripts' catalogue (default: the registry's). */
  builtins?: readonly ProviderDef[];
}

/** ddns-scripts defaults for an interval whose unit is set but whose number is not. */
const INTERVALS: { option: string; unit: string; defValue: number; defUnit: DurationUnit }[] = [
  { option: 'check_interval', unit: 'check_unit', defValue: 10, defUnit: 'minutes' },
  { option: 'force_interval', unit: 'force_unit', defValue: 72, defUnit: 'hours' },
  { option: 'retry_interval', unit: 'retry_unit', defValue: 60, defUnit: 'seconds' },
];
const SUFFIX: Record<DurationUnit, string> = { seconds: 's', minutes: 'm', hours: 'h', days: 'd' };

/** The start of the reason given for a service that exists in the target already. */
export const ALREADY = 'the target already has a section of this name';
/** The start of the reason given for a service whose records the target keeps already. */
export const ALREADY_KEPT = 'the target keeps these records already, in service';

const COMMON = new Set([
  'enabled', 'provider', 'domain', 'ip_version', 'interface', 'ip_source', 'ip_network', 'ip_interface', 'ip_url',
  'ip_script', 'check_interval', 'force_interval', 'retry_interval', 'retry_max_count', 'dns_server', 'proxy',
  'upd_privateip', 'lookup_host', 'verify', 'force_ipversion', 'cacert', 'tls_insecure', 'bind_network', 'import_problem',
  'allow_insecure_http',
]);

/** The names the record is kept under: the DNS name in `domain`, `lookup_host` only what verification asks. */
function domains(c: Conversion, named: string | undefined): void {
  const domain = c.taken('domain') ? undefined : c.get('domain');
  if (domain) c.set('domain', domain);
  const record = named ?? domain;
  const lookup = c.get('lookup_host')?.trim().replace(/\.$/, '');
  if (lookup && !isFqdn(lookup)) {
    c.note('lookup_host', `not imported: '${lookup}' is not a full DNS name; ddnsd verifies the record itself`);
  } else if (lookup && !record) {
    c.set('domain', lookup);
    c.note('lookup_host', 'imported as domain: ddns-scripts had no domain, so lookup_host names the record');
  } else if (lookup && lookup.toLowerCase() !== record!.toLowerCase()) {
    if (parseBool(c.peek('use_api_check') ?? '0') === true) {
      c.note('lookup_host', `not imported: use_api_check read the record through the provider's API, not '${lookup}'; ddnsd does the same`);
    } else {
      c.set('lookup_host', lookup);
    }
  }
  // DNS-O-Matic's all.dnsomatic.com updates every service of the account; it is no record anyone can look up.
  if (record?.toLowerCase() === 'all.dnsomatic.com' && c.written('lookup_host') === undefined) {
    c.set('verify', '0');
    c.note('domain', "all.dnsomatic.com stands for every service of the DNS-O-Matic account, not a record: verify '0' (set lookup_host to one of those names to verify it)");
  }
}

/** username, password, param_enc, param_opt, use_https → the provider's fields of those names. */
function credentials(c: Conversion, def: ProviderDef | undefined): void {
  for (const name of ['username', 'password', 'param_enc', 'param_opt', 'use_https']) {
    if (c.taken(name)) continue;
    const value = c.get(name);
    if (value === undefined) continue;
    const field = def?.fields.find((f) => f.name === name);
    if (def && !field) {
      c.note(name, `not imported: ${name === 'use_https' ? 'ddnsd providers use HTTPS where the provider offers it' : `provider ${def.id} has no ${name} field`}`);
      continue;
    }
    const bool = field?.type === 'boolean' ? parseBool(value) : undefined;
    c.set(name, bool === undefined ? value : bool ? '1' : '0');
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
    ['force_ipversion', 'force_ipversion'],
    ['bind_network', 'bind_network'],
  ];
  for (const [from, to] of rename) {
    const v = c.get(from);
    if (v !== undefined) c.set(to, v);
  }
}

/** cacert: a CA file or directory carries over; `IGNORE` becomes the loudly named tls_insecure. */
function tls(c: Conversion): void {
  const ca = c.get('cacert');
  if (ca === undefined) return;
  if (ca.toUpperCase() === 'IGNORE') {
    c.set('tls_insecure', '1');
    c.note('cacert', "'IGNORE' turned certificate checks off: imported as tls_insecure '1', which check and LuCI warn about; trust the provider's CA with cacert instead");
  } else {
    c.set('cacert', ca);
  }
}

/** ddns-scripts' use_syslog levels (0 off … 4 err, default 2 notice) as ddnsd's one log level. */
const SYSLOG: Record<string, Level> = { '0': 'error', '1': 'info', '2': 'info', '3': 'warn', '4': 'error' };

/** Per-service log settings: ddnsd has one level for all services and an in-memory log per service. */
function logging(c: Conversion, levels: Level[]): void {
  const syslog = c.get('use_syslog');
  const level = SYSLOG[syslog ?? '2'];
  if (syslog !== undefined) {
    c.note('use_syslog', level
      ? `'${syslog}' maps to log level ${level}; ddnsd has one level for all services (global log_level), set to the most detailed level of the enabled services`
      : `not imported: '${syslog}' is not 0 … 4`);
  }
  if (level && c.written('enabled') === '1') levels.push(level);
  const file = c.get('use_logfile');
  if (file !== undefined) c.note('use_logfile', `not imported: ddnsd keeps one log in memory; \`ddnsd log ${c.src.name}\` shows this service's lines`);
}

/** Options written for a known provider must be common options or its fields. */
function dropForeign(c: Conversion, def: ProviderDef | undefined): void {
  if (!def) return;
  for (const o of [...c.out]) {
    if (COMMON.has(o.name) || def.fields.some((f) => f.name === o.name)) continue;
    c.unset(o.name);
    c.note(o.name, `not imported: provider ${def.id} has no ${o.name} field`);
  }
}

function convertService(src: UciSection, opts: ImportOptions, notes: ImportNote[], levels: Level[]): WritableSection {
  const c = new Conversion(src, notes);
  c.set('enabled', '0');
  c.set('provider', ''); // keeps its place at the top; filled in below
  const p = chooseProvider(c, opts.providers, opts.builtins ?? PROVIDERS);
  if (p) c.set('provider', p.id);
  else c.unset('provider');
  const named = p ? conventions(c, p) : undefined;
  domains(c, named);
  credentials(c, p?.def);
  plain(c);
  source(c);
  intervals(c);
  tls(c);
  logging(c, levels);
  dropForeign(c, p?.def);
  c.leftovers();
  // First after enabled: what must be fixed is the first thing a reader of the file (and of check) sees.
  if (c.problems.length > 0) c.out.splice(1, 0, { name: 'import_problem', value: c.problems.length === 1 ? c.problems[0] : c.problems });
  return { type: 'service', name: src.name, options: c.out };
}

/** Global options: their names since ddns-scripts 2.7.6, and the older ones it renamed then. */
const GLOBAL: Record<string, string> = {
  upd_privateip: 'upd_privateip', allow_local_ip: 'upd_privateip',
  ddns_loglines: 'log_lines', log_lines: 'log_lines',
};
const OLD_GLOBAL = ['allow_local_ip', 'log_lines', 'date_format', 'run_dir', 'log_dir'];
const GLOBAL_UNNEEDED: Record<string, string> = {
  ddns_dateformat: 'ddnsd reports Unix times; LuCI formats them',
  date_format: 'ddnsd reports Unix times; LuCI formats them',
  ddns_rundir: 'ddnsd keeps its state under /var/run/ddnsd',
  run_dir: 'ddnsd keeps its state under /var/run/ddnsd',
  ddns_logdir: 'ddnsd keeps its log in memory (ddnsd log)',
  log_dir: 'ddnsd keeps its log in memory (ddnsd log)',
  use_curl: 'ddnsd has its own HTTP client',
  url: 'ddnsd does not download provider definitions',
  services_url: 'ddnsd does not download provider definitions',
  cacert: 'ddnsd does not download provider definitions (this CA was for those downloads)',
};

/** `config ddns 'global'`; undefined when nothing in it carries over (no empty section is written). */
function convertGlobal(src: UciSection, notes: ImportNote[]): WritableSection | undefined {
  const c = new Conversion(src, notes);
  for (const o of src.options) {
    const value = c.get(o.name)!;
    const to = GLOBAL[o.name];
    if (to && OLD_GLOBAL.includes(o.name)) c.note(o.name, `ddns-scripts' name before 2.7.6; imported as ${to}`);
    if (to === 'upd_privateip') c.set(to, value);
    else if (to === 'log_lines') {
      if (/^\d+$/.test(value) && Number(value) >= 10 && Number(value) <= 100_000) c.set(to, value);
      else c.note(o.name, `not imported: '${value}' is outside 10…100000`);
    } else c.note(o.name, `not imported: ${GLOBAL_UNNEEDED[o.name] ?? 'not a global option ddnsd knows'}`);
  }
  return c.out.length > 0 ? { type: 'ddnsd', name: 'global', options: c.out } : undefined;
}

/** A usable section name for an anonymous ddns-scripts section (theirs depend on position). */
function nameFor(s: UciSection, taken: Set<string>): string {
  if (!s.anonymous) return s.name;
  let n = 1;
  while (taken.has(`service_${n}`)) n++;
  return `service_${n}`;
}

/** The most detailed level any enabled service logged at, when ddnsd's default would log less or more. */
function globalLevel(result: ImportResult, levels: Level[], hasTargetGlobal: boolean): void {
  if (levels.length === 0) return;
  const level = LEVELS[Math.max(...levels.map((l) => LEVELS.indexOf(l)))];
  if (level === 'info') return;
  if (hasTargetGlobal) {
    result.notes.push({ section: 'global', message: `use_syslog of the services maps to log_level ${level}; the target's global section is kept as it is` });
    return;
  }
  const at = result.sections.findIndex((s) => s.type === 'ddnsd');
  const global = at >= 0 ? result.sections[at] : { type: 'ddnsd', name: 'global', options: [] };
  const withLevel = { ...global, options: [{ name: 'log_level', value: level }, ...global.options] };
  if (at >= 0) result.sections[at] = withLevel;
  else result.sections.unshift(withLevel);
}

/** Check's verdict on the new services: a refused one is written disabled, with check's reasons. */
function verdict(result: ImportResult, providers: readonly ProviderDef[]): void {
  const cfg = loadConfig(appendSections('', result.sections), { providers });
  for (const out of result.sections.filter((s) => s.type === 'service')) {
    const get = (n: string) => out.options.find((o) => o.name === n)?.value;
    const rejected = cfg.rejected.find((r) => r.name === out.name);
    // What the import itself knows first: it explains the rest (a missing api_token after a global key).
    const errors = errorsOf(rejected?.problems ?? []).sort((a, b) => Number(b.option === 'import_problem') - Number(a.option === 'import_problem'));
    const problems = errors.map((p) => `${p.option ? `${p.option}: ` : ''}${p.message}`);
    const sourceEnabled = get('enabled') === '1';
    if (problems.length > 0 && sourceEnabled) {
      out.options = out.options.map((o) => (o.name === 'enabled' ? { name: 'enabled', value: '0' } : o));
    }
    result.imported.push({ name: out.name ?? '', provider: String(get('provider') ?? ''), enabled: sourceEnabled && problems.length === 0, sourceEnabled, problems });
  }
}

/** The records a service keeps (`name TYPE`), from its written options or the target's. */
function records(options: readonly { name: string; value: UciValue }[]): string[] {
  const get = (n: string) => options.find((o) => o.name === n)?.value;
  const names = [get('domain') ?? get('lookup_host') ?? []].flat().map((d) => d.toLowerCase().replace(/\.$/, ''));
  const version = get('ip_version') ?? (parseBool(String(get('use_ipv6') ?? '0')) ? '6' : '4');
  const types = version === 'both' ? ['A', 'AAAA'] : version === '6' ? ['AAAA'] : ['A'];
  return names.flatMap((n) => types.map((t) => `${n} ${t}`));
}

/**
 * A new service whose records a service of the target with the same provider keeps already
 * (an earlier import of the same file: merged pairs and anonymous sections have new names).
 */
function keptAlready(s: WritableSection, existing: readonly UciSection[]): string | undefined {
  const provider = s.options.find((o) => o.name === 'provider')?.value;
  const mine = records(s.options);
  if (mine.length === 0) return undefined;
  for (const e of existing.filter((x) => x.type === 'service')) {
    const theirs = e.options.find((o) => o.name === 'provider' || o.name === 'service_name')?.value;
    const kept = new Set(records(e.options));
    if (theirs === provider && mine.every((r) => kept.has(r))) return e.name;
  }
  return undefined;
}

/** Convert the text of `/etc/config/ddns`. Throws ParseError when it is not valid UCI. */
export function convertDdnsScripts(text: string | Uint8Array, opts: ImportOptions): ImportResult {
  const src = parseUci(text, 'ddns');
  const result: ImportResult = { sections: [], imported: [], skipped: [], notes: [] };
  const existing = opts.existing?.sections ?? [];
  const hasTargetGlobal = existing.some((e) => e.type === 'ddnsd' && e.name === 'global');
  const taken = new Set([...existing.map((s) => s.name), ...src.sections.map((s) => s.name)]);
  const levels: Level[] = [];
  for (const s of src.sections) {
    if (s.type === 'ddns') {
      if (hasTargetGlobal || result.sections.some((x) => x.type === 'ddnsd')) {
        result.notes.push({ section: s.name, message: 'not imported: the target already has a global section, which is kept as it is' });
      } else {
        const g = convertGlobal(s, result.notes);
        if (g) result.sections.unshift(g);
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
    result.sections.push(convertService({ ...s, name }, opts, result.notes, levels));
  }
  if (opts.mergeDualStack !== false) {
    const m = mergeDualStack(result.sections);
    result.sections = m.sections;
    for (const [from, into] of m.merges) {
      result.notes.push({ section: from, message: `merged into ${into}: same provider, domains and credentials, other address family (ip_version both)` });
    }
  }
  result.sections = result.sections.filter((out) => {
    const by = out.type === 'service' ? keptAlready(out, existing) : undefined;
    if (by) result.skipped.push({ name: out.name ?? '', reason: `${ALREADY_KEPT} ${by}; not imported again` });
    return by === undefined;
  });
  globalLevel(result, levels, hasTargetGlobal);
  verdict(result, opts.providers);
  return result;
}

/** The target's text with the new sections after it (the existing text is kept byte for byte). */
export function appendSections(existing: string, sections: readonly WritableSection[]): string {
  const head = existing === '' || existing.endsWith('\n') ? existing : `${existing}\n`;
  return head + sections.map(formatSection).join('');
}
