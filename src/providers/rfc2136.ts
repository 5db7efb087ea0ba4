import { isIP } from 'node:net';
import { RCODE, rcodeName, TYPE } from '../net/dns/constants';
import { DnsFormatError, DnsLookupError, DnsNetworkError } from '../net/dns/errors';
import { findZone } from '../net/dns/lookup';
import { decodeMessage, encodeMessage, type ResourceRecord } from '../net/dns/message';
import { canonicalName, isSubdomain } from '../net/dns/name';
import { newId, query } from '../net/dns/query';
import { addressRdata } from '../net/dns/rdata';
import { exchange } from '../net/dns/transport';
import { findTsig, isTsigAlgorithm, keyBytes, signMessage, TSIG_ALGORITHMS, verifyMessage, type TsigKey } from '../net/dns/tsig';
import { present, replaceRRset, updateMessage } from '../net/dns/update';
import type { Clock } from '../util/clock';
import { Secret } from '../util/secret';
import type {
  OptionProblem, Outcome, ProviderContext, ProviderDef, ProviderInput, ProviderInstance, ProviderOptions, ReadResult, RecordRef, RecordUpdate, SettingsResult, UpdateResult,
} from './types';

/**
 * RFC 2136 dynamic update with a TSIG key (RFC 8945): one UPDATE per zone that replaces
 * each record's RRset (delete RRset + add), sent to the configured primary server. The
 * reply must carry a valid TSIG chained to our request before we believe it.
 */

interface Settings {
  server: string;
  port: number;
  zone?: string;
  key?: TsigKey;
  ttl: number;
  tcp: boolean;
}

export interface Rfc2136Deps {
  /**
   * Unix milliseconds for TSIG time stamps (tests move it to provoke BADTIME). Not ctx.now:
   * the server compares this with its own clock, so it must be the real time.
   */
  now?: () => number;
  timeoutMs?: number;
  /** Time source for request timeouts (tests pass a FakeClock). */
  clock?: Clock;
}

/** Requests above this go over TCP from the start (RFC 2136 section 3.8 leaves UDP to small ones). */
const UDP_LIMIT = 512;

const text = (v: ProviderOptions[string]): string | undefined =>
  typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim()) : undefined;

/** `host`, `host:port`, `IPv4:port`, `IPv6`, `[IPv6]:port`. */
export function parseServer(value: string): { host: string; port: number } | string {
  const m = value.match(/^\[([^\]]+)\](?::(\d+))?$/) ?? (isIP(value) === 6 ? [value, value] : value.match(/^([^:]+)(?::(\d+))?$/));
  if (!m) return `server "${value}" is not a host name or address with an optional :port`;
  const port = m[2] === undefined ? 53 : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `server "${value}" has a port outside 1-65535`;
  return { host: m[1], port };
}

/** Options → settings, or the problem of the first bad option (never a secret's value). */
export function rfc2136Settings(options: ProviderInput): SettingsResult<Settings> {
  const s = parseSettings(options);
  return 'option' in s ? { problems: [s] } : { settings: s };
}

function parseSettings(options: ProviderInput): Settings | OptionProblem {
  const serverOption = text(options.endpoint) !== undefined ? 'endpoint' : 'server';
  const serverText = text(options.endpoint) ?? text(options.server);
  if (!serverText) return { option: 'server', message: 'option server is required (the primary name server that accepts updates)' };
  const server = parseServer(serverText.replace(/^dns:\/\//, ''));
  if (typeof server === 'string') return { option: serverOption, message: server };
  const ttlText = text(options.ttl) ?? '300';
  const ttl = Number(ttlText);
  if (!/^\d+$/.test(ttlText) || ttl > 2147483647) return { option: 'ttl', message: `option ttl "${ttlText}" is not a number of seconds` };
  const key = parseKey(options);
  if (key && 'option' in key) return key;
  const tcpText = (text(options.tcp) ?? '0').toLowerCase();
  return { server: server.host, port: server.port, zone: text(options.zone), key, ttl, tcp: ['1', 'true', 'yes', 'on'].includes(tcpText) };
}

function parseKey(options: ProviderOptions): TsigKey | undefined | OptionProblem {
  const name = text(options.key_name);
  const raw = options.key_secret;
  const secret = raw instanceof Secret ? raw : typeof raw === 'string' ? new Secret(raw.trim()) : undefined;
  const hasSecret = secret !== undefined && !secret.empty;
  if (!name && !hasSecret) return undefined;
  if (!name) return { option: 'key_name', message: 'option key_secret is set but key_name is not (both name the TSIG key)' };
  if (!hasSecret) return { option: 'key_secret', message: `option key_name "${name}" is set but key_secret is not` };
  const algorithm = (text(options.key_algorithm) ?? 'hmac-sha256').toLowerCase();
  if (!isTsigAlgorithm(algorithm)) {
    return { option: 'key_algorithm', message: `option key_algorithm "${algorithm}" is not one of ${Object.keys(TSIG_ALGORITHMS).join(', ')}` };
  }
  const key: TsigKey = { name, algorithm, secret };
  try {
    keyBytes(key);
  } catch (e) {
    return { option: 'key_secret', message: `option key_secret: ${(e as Error).message}` };
  }
  return key;
}

interface Verdict {
  outcome: Outcome;
  message: string;
}

/** What each answer means for the scheduler, and what to tell the user. */
const RCODES: Record<number, [Outcome, string]> = {
  [RCODE.NOERROR]: ['ok', 'done'],
  [RCODE.REFUSED]: ['auth', 'the server refused the update (its allow-update/update-policy does not admit this key for these names)'],
  [RCODE.NOTAUTH]: ['auth', 'the server is not authoritative for the zone or does not accept the key'],
  [RCODE.BADSIG]: ['auth', 'the server says our signature is wrong: check key_secret and key_algorithm'],
  [RCODE.BADKEY]: ['auth', 'the server does not know the key: check key_name and key_algorithm'],
  [RCODE.NOTZONE]: ['config', 'a record is not inside the zone: check option zone'],
  [RCODE.NXDOMAIN]: ['config', 'the zone does not exist on the server: check option zone'],
  [RCODE.FORMERR]: ['config', 'the server could not parse the update'],
  [RCODE.NOTIMP]: ['config', 'the server does not support dynamic updates'],
  [RCODE.SERVFAIL]: ['transient', 'the server failed to apply the update; it will be retried'],
};

function clockMessage(serverTime: number | undefined, now: number): string {
  const ours = new Date(now).toISOString();
  const theirs = serverTime === undefined ? '' : `, the server's is ${new Date(serverTime * 1000).toISOString()}`;
  return `the server rejected the time in our signature (BADTIME): the router's clock is wrong (ours says ${ours}${theirs}); ` +
    'it will be retried once NTP has set the clock';
}

/** Map a reply (its RCODE, TSIG error and our check of its signature) to an outcome. */
export function classifyReply(reply: Buffer, key: TsigKey | undefined, requestMac: Buffer | undefined, now: number): Verdict {
  const msg = decodeMessage(reply);
  const tsig = findTsig(reply);
  const serverError = tsig?.error ?? 0;
  const code = serverError !== 0 ? serverError : msg.header.rcode;
  if (code === RCODE.BADTIME) {
    const serverTime = tsig && tsig.otherData.length === 6 ? tsig.otherData.readUIntBE(0, 6) : undefined;
    return { outcome: 'transient', message: clockMessage(serverTime, now) };
  }
  if (key) {
    const check = verifyMessage(reply, key, now / 1000, requestMac);
    if (check.status === 'badtime') return { outcome: 'transient', message: `cannot trust the reply: ${check.detail}; ${clockMessage(undefined, now)}` };
    // A server cannot sign a refusal of a key it does not know: unsigned errors are believed,
    // an unsigned or forged success never is.
    const unsignedError = check.status === 'unsigned' && code !== RCODE.NOERROR;
    if (check.status !== 'ok' && !unsignedError) {
      return { outcome: 'transient', message: `ignored a reply that failed TSIG verification (${check.detail})` };
    }
  }
  const [outcome, hint] = RCODES[code] ?? ['transient', 'unexpected answer; it will be retried'];
  return { outcome, message: `${rcodeName(code)}: ${hint}` };
}

/** Network failures → network; a malformed reply → transient; no zone → config. */
function failure(e: unknown): Verdict {
  if (e instanceof DnsNetworkError) return { outcome: 'network', message: e.message };
  if (e instanceof DnsFormatError) return { outcome: 'transient', message: `malformed reply: ${e.message}` };
  if (e instanceof DnsLookupError) return { outcome: 'config', message: e.message };
  throw e;
}

class Rfc2136 implements ProviderInstance {
  readonly #now: () => number;
  readonly #timeoutMs?: number;
  readonly #clock?: Clock;

  constructor(readonly settings: Settings | string, deps: Rfc2136Deps) {
    this.#now = deps.now ?? Date.now;
    this.#timeoutMs = deps.timeoutMs;
    this.#clock = deps.clock;
  }

  async update(updates: RecordUpdate[], ctx: ProviderContext): Promise<UpdateResult[]> {
    const s = this.settings;
    if (typeof s === 'string') return updates.map((u) => ({ record: u.record, outcome: 'config', message: s }));
    const results = new Map<RecordUpdate, UpdateResult>();
    const byZone = new Map<string, RecordUpdate[]>();
    for (const u of updates) {
      const zone = await this.#zoneOf(s, u.record.name, ctx);
      if (typeof zone !== 'string') results.set(u, { record: u.record, ...zone });
      else byZone.set(zone, [...(byZone.get(zone) ?? []), u]);
    }
    for (const [zone, group] of byZone) {
      const verdict = await this.#send(s, zone, replaceAll(group, s.ttl), ctx);
      if (verdict.outcome !== 'ok') ctx.cache.delete(zoneKey(group[0].record.name)); // the zone may have moved
      for (const u of group) {
        const message = verdict.outcome === 'ok' ? `set ${u.record.name} ${u.record.type} to ${u.address}` : verdict.message;
        results.set(u, { record: u.record, outcome: verdict.outcome, message, address: verdict.outcome === 'ok' ? u.address : undefined });
      }
    }
    return updates.map((u) => results.get(u)!);
  }

  async read(records: RecordRef[], ctx: ProviderContext): Promise<ReadResult[]> {
    const s = this.settings;
    if (typeof s === 'string') throw new Error(s);
    const out: ReadResult[] = [];
    for (const record of records) {
      const r = await query({ ...this.#target(s), signal: ctx.signal, name: record.name, type: record.type, recursion: false });
      if (r.rcode !== RCODE.NOERROR && r.rcode !== RCODE.NXDOMAIN) {
        throw new Error(`server ${s.server} answered ${r.rcodeName} for ${record.name} ${record.type}`);
      }
      out.push({ record, addresses: r.answers.filter((a) => a.type === TYPE[record.type]).map((a) => a.data) });
    }
    return out;
  }

  /** An UPDATE whose only content is the prerequisite "the zone apex exists": it changes nothing. */
  async test(ctx: ProviderContext): Promise<{ outcome: Outcome; message: string }> {
    const s = this.settings;
    if (typeof s === 'string') return { outcome: 'config', message: s };
    if (!s.zone) return { outcome: 'config', message: 'set option zone to test the key: without it the zone is only known from a record name' };
    const v = await this.#send(s, s.zone, { prerequisites: [present(s.zone)], updates: [] }, ctx);
    if (v.outcome !== 'ok') return v;
    return { outcome: 'ok', message: `${s.server} accepted ${s.key ? `key ${s.key.name}` : 'an unsigned update'} for zone ${s.zone} (test update with no changes)` };
  }

  #target(s: Settings) {
    return { server: s.server, port: s.port, tcp: s.tcp, timeoutMs: this.#timeoutMs, clock: this.#clock };
  }

  async #zoneOf(s: Settings, name: string, ctx: ProviderContext): Promise<string | Verdict> {
    if (s.zone) {
      if (isSubdomain(name, s.zone)) return canonicalName(s.zone);
      return { outcome: 'config', message: `record ${name} is not inside zone ${s.zone}` };
    }
    const cached = ctx.cache.get(zoneKey(name));
    if (cached !== undefined) return cached;
    try {
      const zone = await findZone(name, s.server, { port: s.port, timeoutMs: this.#timeoutMs, signal: ctx.signal });
      ctx.cache.set(zoneKey(name), zone);
      ctx.log.debug(`zone of ${name} is ${zone || '.'} (SOA query to ${s.server})`);
      return zone;
    } catch (e) {
      return failure(e);
    }
  }

  async #send(s: Settings, zone: string, body: { prerequisites: ResourceRecord[]; updates: ResourceRecord[] }, ctx: ProviderContext): Promise<Verdict> {
    const now = this.#now();
    try {
      const plain = encodeMessage(updateMessage(newId(), zone, body.prerequisites, body.updates));
      const signed = s.key ? signMessage(plain, s.key, now / 1000) : { wire: plain, mac: undefined };
      const tcp = s.tcp || signed.wire.length > UDP_LIMIT;
      ctx.log.debug(`UPDATE zone ${zone || '.'} at ${s.server}:${s.port}: ${body.updates.length} changes${s.key ? `, key ${s.key.name}` : ', unsigned'}`);
      const reply = await exchange(signed.wire, { ...this.#target(s), tcp, signal: ctx.signal });
      return classifyReply(reply, s.key, signed.mac, this.#now());
    } catch (e) {
      return failure(e);
    }
  }
}

const zoneKey = (name: string) => `zone:${canonicalName(name)}`;

/** One delete-RRset per (name, type), followed by an add for each address given for it. */
function replaceAll(group: RecordUpdate[], ttl: number): { prerequisites: ResourceRecord[]; updates: ResourceRecord[] } {
  const sets = new Map<string, { name: string; type: 'A' | 'AAAA'; rdatas: Buffer[] }>();
  for (const u of group) {
    const k = `${canonicalName(u.record.name)} ${u.record.type}`;
    const set = sets.get(k) ?? { name: u.record.name, type: u.record.type, rdatas: [] };
    set.rdatas.push(addressRdata(u.record.type, u.address));
    sets.set(k, set);
  }
  const updates = [...sets.values()].flatMap((set) => replaceRRset(set.name, TYPE[set.type], ttl, set.rdatas));
  return { prerequisites: [], updates };
}

/** The provider bound to options, with injectable time (tests). */
export function createRfc2136(options: ProviderInput, deps: Rfc2136Deps = {}): ProviderInstance {
  const s = parseSettings(options);
  return new Rfc2136('option' in s ? s.message : s, deps);
}

export const rfc2136: ProviderDef = {
  id: 'rfc2136',
  title: 'DNS UPDATE (RFC 2136) with TSIG: BIND, Knot, PowerDNS',
  aliases: ['bind-nsupdate'],
  docs: 'https://www.rfc-editor.org/rfc/rfc2136',
  endpointType: 'host_port',
  fields: [
    { name: 'server', label: 'DNS server', type: 'string', required: true,
      help: 'The primary name server that accepts updates: host name or IP address, optionally :port ([IPv6]:port). option endpoint overrides it.' },
    { name: 'zone', label: 'Zone', type: 'hostname',
      help: 'The zone the records belong to. When empty it is found by an SOA query to the server.' },
    { name: 'key_name', label: 'TSIG key name', type: 'string',
      help: 'The key name as the server knows it (BIND: key "NAME"). Leave key fields empty only if the server allows updates by address.' },
    { name: 'key_algorithm', label: 'TSIG algorithm', type: 'choice', default: 'hmac-sha256',
      help: 'The algorithm the key was made for (tsig-keygen -a).',
      choices: ['hmac-sha256', 'hmac-sha512', 'hmac-sha384', 'hmac-sha224', 'hmac-sha1', 'hmac-md5']
        .map((a) => ({ value: a, label: a.toUpperCase() + (a === 'hmac-md5' || a === 'hmac-sha1' ? ' (legacy)' : '') })) },
    { name: 'key_secret', label: 'TSIG secret', type: 'password', secret: true,
      help: 'The base64 secret, as tsig-keygen prints it.' },
    { name: 'ttl', label: 'TTL', type: 'number', default: '300', help: 'Time to live of the records, in seconds.' },
    { name: 'tcp', label: 'Use TCP', type: 'boolean', default: '0', help: 'Send updates over TCP instead of UDP.' },
  ],
  capabilities: {
    ipv4: true,
    ipv6: true,
    dualStackOneRequest: true,
    hostsPerRequest: 64,
    ttl: true,
    proxied: false,
    read: true,
    credentialTest: true,
  },
  settings: rfc2136Settings,
  create: (s: Settings) => new Rfc2136(s, {}),
};
