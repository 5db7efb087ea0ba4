import type * as crypto from 'node:crypto';
import { CLASS, OPCODE, rcodeName, TYPE } from './constants';
import { decodeMessage, emptyHeader, encodeMessage, type ResourceRecord } from './message';
import { rdataText } from './rdata';
import { exchange, type ExchangeOptions } from './transport';

// Loaded on first use (see test/cli/modules.test.ts): the CLI's common paths never need it.
const cryptoModule = (): typeof crypto => require('node:crypto') as typeof crypto;

/** One question to one server, answered as text: the DNS client the rest of ddnsd uses. */

export interface DnsAnswer {
  name: string;
  type: number;
  ttl: number;
  /** A/AAAA as address text, TXT strings joined, others in presentation form. */
  data: string;
}

export interface DnsResult {
  rcode: number;
  rcodeName: string;
  authoritative: boolean;
  answers: DnsAnswer[];
  authority: DnsAnswer[];
  /** The additional section (glue addresses), without OPT or TSIG records. */
  additional: DnsAnswer[];
}

export type QueryType = 'A' | 'AAAA' | 'TXT' | 'NS' | 'SOA';

export interface QueryOptions extends Omit<ExchangeOptions, 'server'> {
  server: string;
  name: string;
  type: QueryType;
  class?: 'IN' | 'CH';
  /** Ask the server to recurse (RD). Default true; lookups at authoritative servers turn it off. */
  recursion?: boolean;
}

/** A fresh unpredictable id per request (RFC 5452): with source checks, the defence against spoofed replies. */
export function newId(): number {
  return cryptoModule().randomInt(0, 0x10000);
}

export async function query(opts: QueryOptions): Promise<DnsResult> {
  const header = { ...emptyHeader(newId(), OPCODE.QUERY), rd: opts.recursion ?? true };
  const request = encodeMessage({
    header,
    questions: [{ name: opts.name, type: TYPE[opts.type], class: CLASS[opts.class ?? 'IN'] }],
    answers: [], authority: [], additional: [],
  });
  const reply = decodeMessage(await exchange(request, opts));
  const text = (rrs: ResourceRecord[]) =>
    rrs.filter((r) => r.type !== TYPE.OPT && r.type !== TYPE.TSIG)
      .map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, data: rdataText(r.type, r.rdata) }));
  return {
    rcode: reply.header.rcode,
    rcodeName: rcodeName(reply.header.rcode),
    authoritative: reply.header.aa,
    answers: text(reply.answers),
    authority: text(reply.authority),
    additional: text(reply.additional),
  };
}
