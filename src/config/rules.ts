import { LEVELS } from '../util/log';
import { DURATION_PATTERN, durationHelp, parseDuration, type DurationUnit } from './duration';
import { SOURCE_KINDS } from './types';
import { DEVICE_PATTERN, HOST_LABEL_PATTERN, NETWORK_PATTERN, COUNT_PATTERN } from './values';

/**
 * The rules of the general options (the global section's and the services' own, not the
 * providers' fields) as data: their ranges, patterns and choices. config/ validates these
 * options with them, and the `providers` reply publishes them (`options`), so LuCI builds its
 * validators from the very numbers and patterns `ddnsd check` applies instead of keeping copies.
 *
 * What each `type` means (LuCI's config.js interprets the same words the same way; a test
 * proves the verdicts equal):
 * - `number`: a whole number (`pattern`) from `min` to `max`.
 * - `duration`: `pattern` with the number and the optional s/m/h/d suffix as its two groups; a
 *   plain number counts in `unit`, or in the unit its `unit_option` names; `min`/`max` in seconds.
 * - `choice`: one of `choices`. `boolean`: a flag (1/0 and UCI's other spellings).
 * - `text`: the whole value matches `pattern` (patterns are JavaScript regular expressions, no flags).
 * - `url`: an http:// or https:// URL with a host, no blank or control character.
 * - `host_port`: a host (labels matching `pattern`, at most 253 characters) or an IP address,
 *   optionally with `:port` (1 … 65535; IPv6 in brackets), or a bare IPv6 address.
 * - `endpoint`: a `url` or a `host_port` (DNS providers take a server).
 * - `proxy`: `[user:pass@]host:port`, the `host_port` rules with the port required.
 * - `fqdn`: a DNS name of two labels or more matching `pattern` (a trailing dot is dropped; `*`
 *   as the first label where `wildcard`).
 * - `ipv6_suffix`: an IPv6 host part starting with `::`.
 */

export type RuleType = 'number' | 'duration' | 'choice' | 'boolean' | 'text' | 'url' | 'host_port' | 'endpoint' | 'proxy' | 'fqdn' | 'ipv6_suffix';

export interface OptionRule {
  /** The UCI section type the option belongs to: `ddnsd` (the global section), `service` or `notify` (config/notify.ts). */
  section: 'ddnsd' | 'service' | 'notify';
  name: string;
  type: RuleType;
  /** Given once or as a `list`. */
  list?: boolean;
  pattern?: string;
  min?: number;
  max?: number;
  choices?: string[];
  /** Durations: what a plain number counts in, and the option that may say otherwise. */
  unit?: DurationUnit;
  unit_option?: string;
  /** fqdn: `*` is allowed as the first label. */
  wildcard?: boolean;
  /** The rule holds only where these other options have these values (LuCI's `depends`): notify's priority range per type. */
  depends?: Record<string, string>;
  default: string;
  /** What is allowed, in the words `ddnsd check` uses. */
  help: string;
}

const DURATION = { type: 'duration', pattern: DURATION_PATTERN } as const;
const NETWORK = { type: 'text', pattern: NETWORK_PATTERN } as const;

export function rule(section: OptionRule['section'], name: string, r: Omit<OptionRule, 'section' | 'name' | 'help' | 'default'> & { help?: string; default?: string }): OptionRule {
  const help = r.help ?? (r.type === 'choice' ? (r.choices ?? []).join(', ') : r.type === 'duration' ? durationHelp(r.unit, r.unit_option) : '');
  return { section, name, ...r, default: r.default ?? '', help };
}

const NETWORK_HELP = 'a network name from /etc/config/network';

/** Every rule, in the order LuCI shows the options. */
export const OPTION_RULES: readonly OptionRule[] = [
  rule('ddnsd', 'log_level', { type: 'choice', choices: [...LEVELS], default: 'info', help: LEVELS.join(', ') }),
  rule('ddnsd', 'log_lines', { type: 'number', pattern: COUNT_PATTERN, min: 10, max: 100_000, default: '500', help: 'a whole number from 10 to 100000' }),
  rule('service', 'domain', { type: 'fqdn', pattern: HOST_LABEL_PATTERN, list: true, wildcard: true, help: 'a full DNS name such as home.example.com (a leading *. is allowed)' }),
  rule('service', 'ip_version', { type: 'choice', choices: ['4', '6', 'both'], default: '4' }),
  rule('service', 'interface', { ...NETWORK, list: true, default: 'wan', help: `${NETWORK_HELP} (wan)` }),
  rule('service', 'holddown', { ...DURATION, unit: 'seconds', min: 0, max: 3600, default: '5s' }),
  rule('service', 'bind_wan', { type: 'boolean' }),
  rule('service', 'bind_network', { ...NETWORK, help: `${NETWORK_HELP} (wan, wanb)` }),
  rule('service', 'ip_source', { type: 'choice', choices: [...SOURCE_KINDS], default: 'network' }),
  rule('service', 'ip_network', { ...NETWORK, help: `${NETWORK_HELP} (wan)` }),
  rule('service', 'ip_interface', { type: 'text', pattern: DEVICE_PATTERN, help: 'a Linux device name (eth1, pppoe-wan) or @alias' }),
  rule('service', 'ip_url', { type: 'url', list: true, help: 'http:// or https:// URLs' }),
  rule('service', 'ip6_mode', { type: 'choice', choices: ['auto', 'prefix'], default: 'auto' }),
  rule('service', 'ip6_suffix', { type: 'ipv6_suffix', help: 'an IPv6 host part such as ::1234 or ::a:b:c:d' }),
  rule('service', 'ip6_prefix_interface', { ...NETWORK, help: 'a LAN network name (lan)' }),
  rule('service', 'check_interval', { ...DURATION, unit: 'minutes', unit_option: 'check_unit', min: 10, default: '10m' }),
  rule('service', 'force_interval', { ...DURATION, unit: 'hours', unit_option: 'force_unit', min: 0, default: '72h' }),
  rule('service', 'retry_interval', { ...DURATION, unit: 'seconds', unit_option: 'retry_unit', min: 1, default: '60s' }),
  rule('service', 'retry_max_count', { type: 'number', pattern: COUNT_PATTERN, min: 0, default: '0', help: 'a whole number (0 = no limit)' }),
  rule('service', 'dns_server', { type: 'host_port', pattern: HOST_LABEL_PATTERN, help: 'a host or address, optionally with :port' }),
  rule('service', 'lookup_host', { type: 'fqdn', pattern: HOST_LABEL_PATTERN, help: 'the full name verification should look up (home.example.com)' }),
  rule('service', 'endpoint', { type: 'endpoint', pattern: HOST_LABEL_PATTERN, help: 'an http(s) URL, or host[:port] for DNS providers' }),
  rule('service', 'proxy', { type: 'proxy', pattern: HOST_LABEL_PATTERN, help: '[user:pass@]host:port' }),
];

export function optionRule(section: OptionRule['section'], name: string): OptionRule {
  const r = OPTION_RULES.find((x) => x.section === section && x.name === name);
  if (!r) throw new Error(`no rule for ${section}.${name}`);
  return r;
}

/** Why a duration or number was refused: its shape, or its range. */
export type Verdict = { ok: true } | { ok: false; why: 'shape' | 'min' | 'max' };

/**
 * A `number` or `duration` value against its rule (`unit`: the unit option's value, when set).
 * The other types keep their checks in values.ts; only the numbers and patterns here are shared.
 */
export function judgeRange(r: OptionRule, text: string, unit?: DurationUnit): Verdict & { value?: number } {
  let n: number | undefined;
  if (r.type === 'duration') {
    const ms = parseDuration(text, unit ?? r.unit);
    n = ms === undefined ? undefined : ms / 1000;
  } else n = new RegExp(r.pattern!).test(text) ? Number(text) : undefined;
  if (n === undefined) return { ok: false, why: 'shape' };
  if (r.min !== undefined && n < r.min) return { ok: false, why: 'min' };
  if (r.max !== undefined && n > r.max) return { ok: false, why: 'max' };
  return { ok: true, value: n };
}
