import type { ServiceConfig } from '../config/types';
import type { Transport } from '../net/http';
import { lookupRecord, type LookupOptions } from '../net/dns/lookup';
import type { ProviderCache, ProviderDef, ProviderInstance, ReadMemo, RecordRef } from '../providers/types';
import { nullLogger, type Logger } from '../util/log';
import { recordKey } from './state';

/**
 * What a record holds right now, by record key (`name/type`). A missing entry means the
 * lookup could not tell (network trouble): the check then neither trusts nor distrusts it.
 */
export type Verifier = (records: RecordRef[], ctx?: VerifyContext) => Promise<Map<string, string[]>>;

/** What the check has learned so far, so verifying asks the provider nothing it already said. */
export interface VerifyContext {
  signal?: AbortSignal;
  /** The service's provider cache (zone and record ids), the one its updates use. */
  cache?: ProviderCache;
  /** The check's replies to reads (ProviderContext.reads). */
  reads?: ReadMemo;
  /** By record key: the address the provider's reply to this check's write said the record now holds. */
  reported?: Map<string, string>;
}

type Lookup = (name: string, type: 'A' | 'AAAA', opts: LookupOptions) => Promise<{ addresses: string[] }>;

/** `dns_server`: `host`, `host:port`, `[v6]:port` or a bare IPv6 address. */
export function parseDnsServer(text: string): { server: string; port?: number } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket) return { server: bracket[1], port: bracket[2] ? Number(bracket[2]) : undefined };
  const hostPort = /^([^:]+):(\d+)$/.exec(text);
  if (hostPort) return { server: hostPort[1], port: Number(hostPort[2]) };
  return { server: text };
}

/**
 * Ask DNS: the zone's authoritative servers, or the service's `dns_server` when set. With
 * `lookupHost` (option lookup_host) every record is verified by that name's records of its type.
 */
export function dnsVerifier(dnsServer: string | undefined, lookup: Lookup = lookupRecord, timeoutMs = 5000, lookupHost?: string): Verifier {
  const opts: LookupOptions = { timeoutMs, ...(dnsServer ? parseDnsServer(dnsServer) : {}) };
  return async (records, vctx = {}) => {
    const signal = vctx.signal;
    const out = new Map<string, string[]>();
    await Promise.all(
      records.map(async (r) => {
        try {
          out.set(recordKey(r), (await lookup(lookupHost ?? r.name, r.type, { ...opts, signal })).addresses);
        } catch {
          // Unknown: the caller neither trusts nor distrusts the record.
        }
      }),
    );
    return out;
  };
}

/**
 * Ask the provider's API (for providers that can read records back), with the ids the
 * service's updates remembered. A record whose write reply already said what it holds now is
 * not read again: that reply is the API's own answer to the same question.
 */
export function readVerifier(instance: ProviderInstance, userAgent: string, log: Logger = nullLogger, transport?: Transport): Verifier {
  const own = new Map<string, string>();
  const ownCache: ProviderCache = { get: (k) => own.get(k), set: (k, v) => void own.set(k, v), delete: (k) => void own.delete(k) };
  return async (records, vctx = {}) => {
    const out = new Map<string, string[]>();
    const toRead: RecordRef[] = [];
    for (const r of records) {
      const said = vctx.reported?.get(recordKey(r));
      if (said !== undefined) out.set(recordKey(r), [said]);
      else toRead.push(r);
    }
    if (toRead.length === 0) return out;
    try {
      const ctx = { log, userAgent, transport, cache: vctx.cache ?? ownCache, reads: vctx.reads, signal: vctx.signal };
      for (const r of await instance.read!(toRead, ctx)) out.set(recordKey(r.record), r.addresses);
    } catch {
      // Unknown, as for a failed DNS lookup.
    }
    return out;
  };
}

/**
 * The verifier a service gets: DNS when `dns_server` or `lookup_host` is set (the user named
 * what to ask) or the provider cannot read, else the provider's API (over the service's transport).
 */
export function defaultVerifier(
  service: ServiceConfig, instance: ProviderInstance, def: ProviderDef, userAgent: string, transport?: Transport, lookup: Lookup = lookupRecord,
): Verifier {
  if (!service.dnsServer && !service.lookupHost && def.capabilities.read && instance.read) return readVerifier(instance, userAgent, nullLogger, transport);
  return dnsVerifier(service.dnsServer, lookup, 5000, service.lookupHost);
}
