import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { RCODE, TYPE } from './constants';
import { DnsFormatError, DnsLookupError, DnsNetworkError } from './errors';
import { canonicalName, isSubdomain, nameToLabels, parentName, sameName } from './name';
import { query, type DnsResult } from './query';

/**
 * Verification lookups: what a record's authoritative servers say right now, without any
 * cache in between (a resolver's cache would show the old address for up to a TTL).
 */

export interface LookupOptions {
  /** Recursive resolver used to find the zone and its servers. Default: the first of systemResolvers(). */
  resolver?: string;
  /** Ask this server only (option dns_server), with recursion allowed. */
  server?: string;
  /** Port for every server asked (tests; 53 otherwise). */
  port?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface LookupResult {
  addresses: string[];
  nxdomain: boolean;
  /** The server that answered. */
  server: string;
}

const MAX_SERVERS = 4;

export async function lookupRecord(name: string, type: 'A' | 'AAAA', opts: LookupOptions = {}): Promise<LookupResult> {
  if (opts.server) return askFirst([opts.server], name, type, opts, true);
  const resolver = opts.resolver ?? systemResolvers()[0];
  const zone = await findZone(name, resolver, opts);
  const servers = await zoneServers(zone, resolver, opts);
  return askFirst(servers, name, type, opts, false);
}

/** The zone that holds `name`: the owner of the SOA record the resolver shows for it or above it. */
export async function findZone(name: string, resolver: string, opts: LookupOptions = {}): Promise<string> {
  let current: string | undefined = canonicalName(name);
  while (current !== undefined) {
    const r = await query({ server: resolver, port: opts.port, timeoutMs: opts.timeoutMs, signal: opts.signal, name: current, type: 'SOA' });
    if (r.rcode !== RCODE.NOERROR && r.rcode !== RCODE.NXDOMAIN) {
      throw new DnsLookupError(`DNS server ${resolver} answered ${r.rcodeName} when asked for the zone (SOA) of ${name}`);
    }
    const soa = [...r.answers, ...r.authority].find((a) => a.type === TYPE.SOA && isSubdomain(current!, a.name));
    if (soa) return canonicalName(soa.name);
    current = nameToLabels(current).length > 0 ? parentName(current) : undefined;
  }
  throw new DnsLookupError(`DNS server ${resolver} shows no zone (SOA) for ${name}`);
}

/** Addresses of the zone's name servers: glue when the reply has it, else A/AAAA lookups. */
async function zoneServers(zone: string, resolver: string, opts: LookupOptions): Promise<string[]> {
  const base = { server: resolver, port: opts.port, timeoutMs: opts.timeoutMs, signal: opts.signal };
  const ns = await query({ ...base, name: zone, type: 'NS' });
  const names = ns.answers.filter((a) => a.type === TYPE.NS && sameName(a.name, zone)).map((a) => a.data);
  if (names.length === 0) throw new DnsLookupError(`resolver ${resolver} shows no name servers for zone ${zone || '.'}`);
  const out: string[] = [];
  for (const host of names) {
    const glue = addressesOf(ns, host);
    const found = glue.length > 0 ? glue : await resolveHost(host, base);
    for (const a of found) if (!out.includes(a)) out.push(a);
    if (out.length >= MAX_SERVERS) break;
  }
  if (out.length === 0) throw new DnsLookupError(`the name servers of zone ${zone} (${names.join(', ')}) have no addresses`);
  return out.slice(0, MAX_SERVERS);
}

function addressesOf(r: DnsResult, host: string): string[] {
  return r.additional.filter((a) => (a.type === TYPE.A || a.type === TYPE.AAAA) && sameName(a.name, host)).map((a) => a.data);
}

async function resolveHost(host: string, base: { server: string; port?: number; timeoutMs?: number; signal?: AbortSignal }): Promise<string[]> {
  const out: string[] = [];
  // IPv4 first: many routers have no IPv6 route even when servers publish AAAA.
  for (const type of ['A', 'AAAA'] as const) {
    try {
      const r = await query({ ...base, name: host, type });
      out.push(...r.answers.filter((a) => a.type === TYPE[type]).map((a) => a.data));
    } catch (e) {
      if (!(e instanceof DnsNetworkError) || e.code === 'aborted') throw e;
    }
  }
  return out;
}

/** Ask each server in turn; the first NOERROR or NXDOMAIN answer wins. */
async function askFirst(servers: string[], name: string, type: 'A' | 'AAAA', opts: LookupOptions, recursion: boolean): Promise<LookupResult> {
  const failures: string[] = [];
  for (const server of servers) {
    try {
      const r = await query({ server, port: opts.port, timeoutMs: opts.timeoutMs, signal: opts.signal, name, type, recursion });
      if (r.rcode === RCODE.NXDOMAIN) return { addresses: [], nxdomain: true, server };
      if (r.rcode === RCODE.NOERROR) {
        return { addresses: r.answers.filter((a) => a.type === TYPE[type]).map((a) => a.data), nxdomain: false, server };
      }
      failures.push(`${server}: ${r.rcodeName}`);
    } catch (e) {
      const aborted = e instanceof DnsNetworkError && e.code === 'aborted';
      if (aborted || !(e instanceof DnsNetworkError || e instanceof DnsFormatError)) throw e;
      failures.push(`${server}: ${e.message}`);
    }
  }
  throw new DnsLookupError(`no server answered for ${name} ${type} (${failures.join('; ')})`);
}

/** Name servers from resolv.conf (on OpenWrt: 127.0.0.1, dnsmasq). Never empty. */
export function systemResolvers(path = '/etc/resolv.conf'): string[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // No resolv.conf: the local resolver is the only sensible guess on a router.
  }
  const out = text.split('\n')
    .map((l) => l.trim().match(/^nameserver\s+(\S+)/)?.[1])
    .filter((a): a is string => a !== undefined && isIP(a.split('%')[0]) !== 0);
  return out.length > 0 ? out : ['127.0.0.1'];
}
