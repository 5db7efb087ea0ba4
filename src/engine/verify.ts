import type { ServiceConfig } from '../config/types';
import { lookupRecord, type LookupOptions } from '../net/dns/lookup';
import type { ProviderDef, ProviderInstance, RecordRef } from '../providers/types';
import { nullLogger, type Logger } from '../util/log';
import { recordKey } from './state';

/**
 * What a record holds right now, by record key (`name/type`). A missing entry means the
 * lookup could not tell (network trouble): the check then neither trusts nor distrusts it.
 */
export type Verifier = (records: RecordRef[], signal?: AbortSignal) => Promise<Map<string, string[]>>;

type Lookup = (name: string, type: 'A' | 'AAAA', opts: LookupOptions) => Promise<{ addresses: string[] }>;

/** `dns_server`: `host`, `host:port`, `[v6]:port` or a bare IPv6 address. */
export function parseDnsServer(text: string): { server: string; port?: number } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket) return { server: bracket[1], port: bracket[2] ? Number(bracket[2]) : undefined };
  const hostPort = /^([^:]+):(\d+)$/.exec(text);
  if (hostPort) return { server: hostPort[1], port: Number(hostPort[2]) };
  return { server: text };
}

/** Ask DNS: the zone's authoritative servers, or the service's `dns_server` when set. */
export function dnsVerifier(dnsServer: string | undefined, lookup: Lookup = lookupRecord, timeoutMs = 5000): Verifier {
  const opts: LookupOptions = { timeoutMs, ...(dnsServer ? parseDnsServer(dnsServer) : {}) };
  return async (records, signal) => {
    const out = new Map<string, string[]>();
    await Promise.all(
      records.map(async (r) => {
        try {
          out.set(recordKey(r), (await lookup(r.name, r.type, { ...opts, signal })).addresses);
        } catch {
          // Unknown: the caller neither trusts nor distrusts the record.
        }
      }),
    );
    return out;
  };
}

/** Ask the provider's API (for providers that can read records back). */
export function readVerifier(instance: ProviderInstance, userAgent: string, log: Logger = nullLogger): Verifier {
  const cache = new Map<string, string>();
  const ctx = {
    log,
    userAgent,
    cache: { get: (k: string) => cache.get(k), set: (k: string, v: string) => void cache.set(k, v), delete: (k: string) => void cache.delete(k) },
  };
  return async (records, signal) => {
    const out = new Map<string, string[]>();
    try {
      for (const r of await instance.read!(records, { ...ctx, signal })) out.set(recordKey(r.record), r.addresses);
    } catch {
      // Unknown, as for a failed DNS lookup.
    }
    return out;
  };
}

/** The verifier a service gets: DNS when `dns_server` is set or the provider cannot read, else the provider's API. */
export function defaultVerifier(service: ServiceConfig, instance: ProviderInstance, def: ProviderDef, userAgent: string): Verifier {
  if (!service.dnsServer && def.capabilities.read && instance.read) return readVerifier(instance, userAgent);
  return dnsVerifier(service.dnsServer);
}
