import type { HttpRequest, HttpResponse, Transport } from '../net/http';
import type { Logger } from '../util/log';
import type { Secret } from '../util/secret';

/** How a field is drawn in LuCI and checked in the config. */
export type FieldType = 'string' | 'password' | 'number' | 'boolean' | 'choice' | 'url' | 'hostname' | 'duration';

export interface FieldChoice {
  value: string;
  label: string;
}

/** One provider-specific option, named as it appears in `/etc/config/ddnsd`. */
export interface FieldSpec {
  name: string;
  label: string;
  type: FieldType;
  required?: boolean;
  /** With `required`: not needed when this other option is set (Cloudflare's zone, when zone_id is given). */
  requiredUnless?: string;
  /** Wrapped in Secret when loaded; never shown in logs, replies or errors. */
  secret?: boolean;
  default?: string;
  help?: string;
  choices?: FieldChoice[];
  /** A list option (`list NAME ...`) rather than a single value. */
  list?: boolean;
  /** For text fields: a regular expression (JavaScript syntax) the whole value must match. */
  pattern?: string;
  /** What `pattern` allows, in words, for messages and LuCI. */
  patternHelp?: string;
  /** For number fields: the smallest and largest whole number allowed (check and LuCI apply them). */
  min?: number;
  max?: number;
}

export interface Capabilities {
  ipv4: boolean;
  ipv6: boolean;
  /** Both families must/can go in one request (Dyn, No-IP `myip=v4,v6`; deSEC). */
  dualStackOneRequest: boolean;
  /** How many hostnames one request may carry (1 when the API takes one at a time). */
  hostsPerRequest: number;
  ttl: boolean;
  proxied: boolean;
  /** The provider can read back the current record (for verification without DNS). */
  read: boolean;
  /** The provider can check credentials without changing anything. */
  credentialTest: boolean;
  /** The provider counts an update that does not change the address as abuse (dyndns2's `nochg` rule): never force one lightly. */
  punishesUnchanged?: boolean;
}

export type RecordType = 'A' | 'AAAA';

export interface RecordRef {
  /** Fully qualified name, no trailing dot (`home.example.com`). */
  name: string;
  type: RecordType;
}

/** What a provider answer means for the scheduler. Classified once, where it happens. */
export type Outcome =
  | 'ok' // the record now has the address
  | 'nochg' // the record already had the address
  | 'auth' // bad credentials: block until the configuration changes
  | 'abuse' // the provider blocked us: block until the configuration changes
  | 'nohost' // the name does not exist in this account: block until the configuration changes
  | 'config' // our configuration is wrong in a way the provider told us
  | 'transient' // try later (with retryAfterMs as the minimum wait, when known)
  | 'network'; // no route, DNS failure, connection refused, timeout before any answer

/**
 * Answers after which nothing more is sent for the record until its configuration changes.
 * `config` belongs here too: a provider that says our request is wrong (dyndns2 `!donator`,
 * `numhost`, `notfqdn`, `badagent`; a REST validation error) will say it again, and the
 * dyndns2 policy forbids resending after such codes without the user's action.
 */
export const BLOCKING_OUTCOMES: readonly Outcome[] = ['auth', 'abuse', 'nohost', 'config'];

export interface UpdateResult {
  record: RecordRef;
  outcome: Outcome;
  /** A sentence for the person reading the log or LuCI. Never contains a secret. */
  message: string;
  /** For `transient`: do not try again sooner than this (Retry-After, dyndns2 911 rules). */
  retryAfterMs?: number;
  /** The address the provider now reports for the record, when it says. */
  address?: string;
}

export interface RecordUpdate {
  record: RecordRef;
  /** The address to set (dotted IPv4 or compressed IPv6). */
  address: string;
}

/** Small persistent memory per service (zone ids, record ids), kept in engine state. */
export interface ProviderCache {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
}

/** Validated options of one service, as the provider's fields declare them. */
export type ProviderOptions = Readonly<Record<string, string | Secret | string[] | undefined>>;

/**
 * Replies to reads (a GET, or a read-only POST) within one check, by request: the same fact
 * is asked once per check, whether by the start-up read, the update or the verification. A
 * write empties it, since what was read before may have changed.
 */
export type ReadMemo = Map<string, unknown>;

export interface ProviderContext {
  log: Logger;
  cache: ProviderCache;
  /** This check's reads so far (engine/check.ts makes one per check); absent: nothing is reused. */
  reads?: ReadMemo;
  /** `ddnsd/<version>` (providers may add a contact as their API asks). */
  userAgent: string;
  /** Cancels the requests in flight (reload, shutdown). */
  signal?: AbortSignal;
  /** A forced update: providers may send an unchanged address. */
  force?: boolean;
  /** Unix ms, from the engine's clock; waits derived from rate-limit reset times use it (default Date.now). */
  now?: () => number;
  /** The HTTP client (default net/http's `request`); the failure-table test hands every provider the same failing one. */
  request?: (req: HttpRequest) => Promise<HttpResponse>;
  /** Wait `ms` on the engine's clock (a provider following an asynchronous job); default a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** The service's transfer settings (force_ipversion, cacert, tls_insecure), applied to every request. */
  transport?: Transport;
}

export interface ReadResult {
  record: RecordRef;
  /** The addresses the provider holds for the record; empty when it has none. */
  addresses: string[];
}

/** A provider bound to one service's options. */
export interface ProviderInstance {
  /** Set the records. One result per input record, in input order. Never throws for provider answers. */
  update(updates: RecordUpdate[], ctx: ProviderContext): Promise<UpdateResult[]>;
  /** Read the records back through the provider's API (when capabilities.read). */
  read?(records: RecordRef[], ctx: ProviderContext): Promise<ReadResult[]>;
  /** Check credentials without changing records (when capabilities.credentialTest). */
  test?(ctx: ProviderContext): Promise<{ outcome: Outcome; message: string }>;
}

/** A problem with one option, found while the configuration is loaded. */
export interface OptionProblem {
  option: string;
  /** A sentence naming the option (`option ttl must be ...`); never holds a secret value. */
  message: string;
}

/** A provider's settings, typed, or every problem its options have. */
export type SettingsResult<S> = { settings: S; problems?: undefined } | { settings?: undefined; problems: OptionProblem[] };

/** What config/ hands a provider: its fields' values, and the service's `endpoint` and `proxy` as written. */
export type ProviderInput = ProviderOptions & { endpoint?: string; proxy?: string };

export interface ProviderDef<S = unknown> {
  id: string;
  title: string;
  /** ddns-scripts `service_name` values this provider replaces (`dyndns.org`, `no-ip.com`, ...). */
  aliases: string[];
  fields: FieldSpec[];
  capabilities: Capabilities;
  /** The API's address; `option endpoint` overrides it. */
  defaultEndpoint?: string;
  /**
   * What `option endpoint` may be, in config/rules.ts's type words: `url` (an http(s) URL),
   * `host_port` (a DNS server), or `endpoint` (either; a host[:port] means https://host[:port]),
   * the default. config/ checks the endpoint with it; the providers reply tells LuCI.
   */
  endpointType?: 'url' | 'host_port' | 'endpoint';
  /**
   * HTTP statuses the provider's documentation gives another meaning than the failure table
   * (src/providers/README.md) does, e.g. FreeDNS answers a bad update token with 404.
   */
  statuses?: Readonly<Record<number, Outcome>>;
  /** Documentation link for the LuCI help text. */
  docs?: string;
  /**
   * The provider's rules for its options: a pure function from the options to typed settings
   * or to every problem, each naming its option. config/ applies it while loading, so
   * `ddnsd check`, a reload, the import and LuCI get the verdict the daemon acts on.
   */
  settings(input: ProviderInput): SettingsResult<S>;
  /** The provider bound to settings that `settings` accepted; it cannot fail on options. */
  create(settings: S): ProviderInstance;
}
