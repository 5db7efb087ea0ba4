import type * as dns from 'node:dns/promises';
import { isIP } from 'node:net';
import type { DnsResult, QueryOptions } from '../net/dns/query';
import type { Clock } from '../util/clock';
import { failed, selectAddress, summarizeDrops } from './select';
import { errorText } from '../util/error-text';
import type { Candidate, Detection, DetectContext, Family, Source } from './types';

// Loaded on first use (see test/cli/modules.test.ts): the CLI's common paths never need it.
const dnsModule = (): typeof dns => require('node:dns/promises') as typeof dns;

/**
 * Source `dns`: resolvers that answer with the address a query came from. OpenDNS answers
 * `myip.opendns.com` A/AAAA, Cloudflare `whoami.cloudflare` TXT in class CH. The answer
 * reflects the family the query travelled over, so each family asks the resolver's address
 * of that family. `ip_dns` entries are tried in order; `host@server[:port]` asks any server
 * for `host`'s A/AAAA record.
 */

export type QueryFn = (opts: QueryOptions) => Promise<DnsResult>;

export interface Resolver {
  /** Query name. */
  name: string;
  /** `TXT` answers carry the address as text; otherwise A for IPv4, AAAA for IPv6. */
  txt: boolean;
  class: 'IN' | 'CH';
  servers: Record<Family, string>;
  port?: number;
}

export const RESOLVERS: Record<string, Resolver> = {
  // resolver1.opendns.com
  opendns: { name: 'myip.opendns.com', txt: false, class: 'IN', servers: { 4: '208.67.222.222', 6: '2620:119:35::35' } },
  // one.one.one.one
  cloudflare: { name: 'whoami.cloudflare', txt: true, class: 'CH', servers: { 4: '1.1.1.1', 6: '2606:4700:4700::1111' } },
};

export const DEFAULT_DNS_ENTRIES = ['opendns', 'cloudflare'];
export const DEFAULT_DNS_TIMEOUT_MS = 5000;

export interface DnsSourceOptions {
  /** `ip_dns` list; empty = DEFAULT_DNS_ENTRIES. */
  entries: string[];
  allowPrivate: boolean;
  timeoutMs?: number;
  /** Replaces built-in resolvers by name (tests point them at 127.0.0.1). */
  resolvers?: Record<string, Resolver>;
}

export interface DnsDeps {
  query: QueryFn;
  clock?: Clock;
}

/** `host@server`, `host@server:port`, `host@[v6]:port` → a Resolver, or why not. */
export function parseDnsEntry(entry: string, known: Record<string, Resolver>): Resolver | string {
  const builtin = known[entry.trim().toLowerCase()];
  if (builtin) return builtin;
  const m = /^([^@\s]+)@(\[[0-9a-fA-F:.]+\]|[^@\s:]+|[0-9a-fA-F:]+)(?::(\d{1,5}))?$/.exec(entry.trim());
  const bad = `ip_dns '${entry}' is not ${Object.keys(known).join(', ')} or host@server[:port]`;
  if (!m) return bad;
  const server = m[2].replace(/^\[(.*)\]$/, '$1');
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return bad;
  return { name: m[1], txt: false, class: 'IN', servers: { 4: server, 6: server }, port };
}

/** The server as an address of `family`, so the query leaves over that family. */
async function serverAddress(server: string, family: Family): Promise<string> {
  if (isIP(server)) return server;
  try {
    return (await dnsModule().lookup(server, { family })).address;
  } catch {
    throw new Error(`cannot resolve the DNS server name ${server} to an IPv${family} address`);
  }
}

export function dnsSource(opts: DnsSourceOptions, deps: DnsDeps): Source {
  const known = { ...RESOLVERS, ...opts.resolvers };

  /** Ask one resolver: the answer texts, or why there are none. */
  async function ask(r: Resolver, family: Family, ctx: DetectContext): Promise<string[] | string> {
    const type = r.txt ? 'TXT' : family === 4 ? 'A' : 'AAAA';
    let res: DnsResult;
    try {
      const server = await serverAddress(r.servers[family], family);
      res = await deps.query({
        server, port: r.port, name: r.name, type, class: r.class,
        timeoutMs: opts.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS, signal: ctx.signal, clock: deps.clock,
      });
    } catch (e) {
      return errorText(e);
    }
    if (res.rcode !== 0) return `the server answered ${res.rcodeName}`;
    const code = { A: 1, AAAA: 28, TXT: 16 }[type];
    // TXT strings may come quoted by some servers' configuration; the address is inside.
    const texts = res.answers.filter((a) => a.type === code).map((a) => a.data.trim().replace(/^"(.*)"$/, '$1'));
    return texts.length ? texts : `no ${type} record in the answer`;
  }

  return {
    kind: 'dns',
    signalsChanges: false,
    async detect(family: Family, ctx: DetectContext): Promise<Detection> {
      const entries = opts.entries.length ? opts.entries : DEFAULT_DNS_ENTRIES;
      const problems: string[] = [];
      const candidates: Candidate[] = [];
      for (const entry of entries) {
        if (ctx.signal?.aborted) break;
        const r = parseDnsEntry(entry, known);
        if (typeof r === 'string') return failed(family, r);
        const where = `${r.name} ${r.txt ? 'TXT' : family === 4 ? 'A' : 'AAAA'}${r.class === 'CH' ? ' CH' : ''} at ${r.servers[family]}${r.port ? `:${r.port}` : ''}`;
        const got = await ask(r, family, ctx);
        if (typeof got === 'string') {
          problems.push(`${where}: ${got}`);
          ctx.log.debug(`dns source: ${where}: ${got}`);
          continue;
        }
        const sel = selectAddress(family, got.map((address) => ({ address, origin: `dns:${entry}` })), { allowPrivate: opts.allowPrivate });
        candidates.push(...sel.candidates);
        if (sel.address) return { family, address: sel.address, candidates, warnings: [] };
        problems.push(`${where}: ${summarizeDrops(sel.candidates)}`);
      }
      if (ctx.signal?.aborted) problems.push('aborted');
      return failed(family, `no DNS resolver gave a usable IPv${family} address: ${problems.join('; ')}`, candidates);
    },
  };
}
