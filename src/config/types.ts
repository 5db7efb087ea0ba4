import type { ProviderOptions, RecordType } from '../providers/types';
import type { Level } from '../util/log';
import type { NotifyConfig } from './notify';

/**
 * The typed, validated form of `/etc/config/ddnsd`, produced by schema.ts and consumed by
 * the engine. Times are milliseconds. Option names in comments are the UCI names.
 */

export type IpVersion = '4' | '6' | 'both';
/** `ip_source`: the one list of source kinds (detect/ has one file per kind). */
export const SOURCE_KINDS = ['network', 'interface', 'web', 'dns', 'script'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export function isSourceKind(s: string): s is SourceKind {
  return (SOURCE_KINDS as readonly string[]).includes(s);
}

/** How a service chooses its IPv6 address. */
export interface Ipv6Selection {
  /** `ip6_mode`: `auto` (WAN's best global address), `prefix` (delegated prefix + host part). */
  mode: 'auto' | 'prefix';
  /** `ip6_suffix` / `ip6_interface_id`: host part to put behind the delegated prefix (`::1234`, `::a:b:c:d`). */
  suffix?: string;
  /** `ip6_prefix_interface`: the LAN interface whose assigned prefix to use (default: the first assignment). */
  prefixInterface?: string;
}

export interface ServiceConfig {
  /** UCI section name; keys state, logs, status. */
  name: string;
  enabled: boolean;
  /** Registry id after alias resolution (`service_name` values accepted). */
  provider: string;
  /** `list domain`: record names, FQDN without trailing dot. */
  domains: string[];
  /** `ip_version`: which record types the service keeps (`4` → A, `6` → AAAA, `both`). */
  ipVersion: IpVersion;
  /** `interface`: the netifd logical network whose events trigger checks (`wan`); with several, the first (highest priority). */
  interface: string;
  /**
   * `list interface`: the WANs the service follows, in priority order (absent: just `interface`).
   * With more than one, the service publishes the address of the first that is up (and online
   * where mwan3 tracks it); see engine/wan.ts.
   */
  interfaces?: string[];
  /** `holddown`: after the active WAN changed, the least time before it changes again (default 5 s). */
  holddownMs?: number;
  /** `bind_wan`: provider requests leave from the active WAN's address (default on for source network with several interfaces). */
  bindWan?: boolean;
  /** IPv6 events may come from another network (`wan6`); `interface6` (default: `interface` + '6' when ip_version includes 6 and that network exists, else `interface`). */
  interface6?: string;
  source: SourceKind;
  /** `ip_network` (source network). */
  ipNetwork?: string;
  /** `ip_network6` (source network for IPv6, default wan6-style guess left to the engine). */
  ipNetwork6?: string;
  /** `ip_interface` (source interface): Linux device. */
  ipInterface?: string;
  /** `list ip_url` (source web): echo services, tried in order. Empty = built-in defaults. */
  ipUrls: string[];
  /** `ip_regex` (source web): pattern whose match (or first group) is the address in the answer. */
  ipRegex?: string;
  /** `ip_script` (source script): argument vector (split on whitespace, no shell). */
  ipScript?: string[];
  /** `list ip_dns` (source dns): `opendns`, `cloudflare` or `host@server`. Empty = defaults. */
  ipDns: string[];
  ipv6: Ipv6Selection;
  /** `upd_privateip`: allow private / CGNAT / special addresses. */
  allowPrivate: boolean;
  /** `force_interval`: resend even when unchanged; 0 = never. */
  forceIntervalMs: number;
  /** `retry_interval`: first retry delay (backoff grows from here). */
  retryIntervalMs: number;
  /** `retry_max_count`: 0 = no limit. */
  retryMaxCount: number;
  /** `check_interval`: safety re-check for sources that cannot signal a change. */
  checkIntervalMs: number;
  /** `dns_server`: server for verification lookups (default: the zone's authoritative servers). */
  dnsServer?: string;
  /** `verify`: confirm records after updating and at first start (default on). */
  verify: boolean;
  /** `proxy`: `[user:pass@]host:port`, for the provider's requests and the `web` source. */
  proxy?: string;
  /** `lookup_host`: the name verification looks up instead of each record (ddns-scripts' meaning). */
  lookupHost?: string;
  /** `force_ipversion`: provider requests travel over the family of the record they carry. */
  forceIpVersion?: boolean;
  /** `cacert`: a PEM file or a directory of them, trusted for this service's TLS besides the defaults. */
  cacert?: string;
  /** `tls_insecure`: the provider's TLS certificate is not verified (ddns-scripts' `cacert 'IGNORE'`). */
  tlsInsecure?: boolean;
  /** `bind_network`: the netifd interface whose address provider requests leave from. */
  bindNetwork?: string;
  /** Provider-specific options, validated against the registry's field list. Secrets wrapped. */
  providerOptions: ProviderOptions;
  /**
   * What the provider's `settings` made of its options, `endpoint` and `proxy` while the
   * configuration was loaded; `create()` takes it as it is. Absent for a service made by hand
   * (tests), which the engine then reads the same way.
   */
  settings?: unknown;
  /** A stable digest of every option of the section: a block lifts when this changes. */
  fingerprint: string;
}

export interface GlobalConfig {
  /** `log_level`: error, warn, info, debug. */
  logLevel: Level;
  /** `upd_privateip` in the global section: default for services. */
  allowPrivate: boolean;
  /** `log_lines`: lines kept in memory for `ddnsd log`. */
  logLines: number;
}

export interface ConfigProblem {
  /** Section name ('' for file-level problems such as parse errors). */
  section: string;
  option?: string;
  value?: string;
  /** What was wrong and what is allowed. Never contains a secret value. */
  message: string;
  /** Line in the file, when known. */
  line?: number;
  /** `warning`: reported, the service still loads. Absent means `error`. */
  severity?: 'error' | 'warning';
}

export interface LoadedConfig {
  global: GlobalConfig;
  /** Every valid service section (enabled or not), in file order. */
  services: ServiceConfig[];
  /** Services that were skipped, with why. */
  rejected: { name: string; problems: ConfigProblem[] }[];
  /** Every problem found, including those of rejected services and warnings on accepted ones. */
  problems: ConfigProblem[];
  /** Every valid `config notify` section (enabled or not), in file order (absent: none). */
  notify?: NotifyConfig[];
  /** Notify sections that were skipped, with why. */
  rejectedNotify?: { name: string; problems: ConfigProblem[] }[];
  /** The file is not valid UCI: nothing in it was read (a reload must not take that for "no services"). */
  unparsable?: boolean;
}

export function recordTypes(v: IpVersion): RecordType[] {
  return v === '4' ? ['A'] : v === '6' ? ['AAAA'] : ['A', 'AAAA'];
}
