import {
  classifyParsed, formatAddress, joinPrefix, overlapsPrefix, parseAddress, parseIPv6,
  type AddressKind, type Classification, type ParsedAddress,
} from '../net/address';
import type { Candidate, Detection, Family } from './types';

/**
 * The selection rules shared by every source: which addresses may be published, and which
 * one wins. Every address seen comes back as a Candidate with the reason it was kept or
 * dropped, because "why did it pick that address" is the question users ask (ddns-scripts
 * pain point #1) and the `detect` command answers it from these reasons.
 */

/** What a source knows about one address. Absent facts are unknown, not false. */
export interface AddressFacts {
  address: string;
  /** `network:wan`, `interface:eth1`, `web:https://…`, … */
  origin: string;
  prefixLength?: number;
  /** Seconds. Infinity = never expires (netifd omits the field for such addresses); undefined = unknown. */
  preferred?: number;
  valid?: number;
  /** RFC 8981 privacy address. */
  temporary?: boolean;
  deprecated?: boolean;
  /** Duplicate address detection still running, or failed: not usable at all. */
  tentative?: boolean;
  dadFailed?: boolean;
  /** Extra words for the reason (`delegated prefix 2001:db8::/56 + suffix ::1`). */
  note?: string;
  /** Set when the source already knows this entry is unusable (malformed, bad suffix): the reason. */
  invalid?: string;
}

export interface SelectOptions {
  /** `upd_privateip`: admit private, CGNAT, loopback, link-local (IPv4) and ULA (IPv6). */
  allowPrivate: boolean;
}

export interface Selection {
  family: Family;
  address?: string;
  chosen?: AddressFacts;
  candidates: Candidate[];
  /** Addresses dropped only because DAD is still running on them, and those that failed it. */
  tentative: string[];
  dadFailed: string[];
}

const ALLOWED_WITH_PRIVATE: Record<Family, readonly AddressKind[]> = {
  4: ['private', 'cgnat', 'loopback', 'link-local', 'protocol', 'benchmarking'],
  // An IPv6 link-local address means nothing without its interface: never published.
  6: ['ula', 'site-local', 'loopback', 'benchmarking'],
};

/** Why an address of this class may not be published, or undefined when it may. */
export function refusal(family: Family, c: Classification, opts: SelectOptions): string | undefined {
  if (c.kind === 'public') return undefined;
  // Never seen on the Internet, but every example and test uses these: accepting them harms nobody.
  if (c.kind === 'documentation') return undefined;
  if (ALLOWED_WITH_PRIVATE[family].includes(c.kind)) {
    return opts.allowPrivate ? undefined : `${c.label}: not reachable from the Internet (set upd_privateip 1 to publish it anyway)`;
  }
  return `${c.label}: never published`;
}

interface Scored {
  facts: AddressFacts;
  address: string;
  cls: Classification;
  /** Lower is better, compared in order. */
  rank: [number, number, number];
}

/** 0 stable, 1 temporary, 2 deprecated: a stable address outlives a privacy address. */
function stateRank(f: AddressFacts): number {
  if (f.deprecated || f.preferred === 0) return 2;
  return f.temporary ? 1 : 0;
}

function lifetimeText(s: number | undefined): string {
  if (s === undefined) return 'lifetime unknown';
  return s === Infinity ? 'no expiry' : `preferred lifetime ${s} s`;
}

function stateText(f: AddressFacts): string {
  if (f.deprecated || f.preferred === 0) return 'deprecated (preferred lifetime 0)';
  return f.temporary ? 'temporary (privacy) address' : 'stable';
}

function score(f: AddressFacts, cls: Classification, address: string): Scored {
  const publicRank = cls.kind === 'public' || cls.kind === 'documentation' ? 0 : 1;
  // Unknown lifetimes rank below every known one but tie among themselves.
  const life = f.preferred === undefined ? 1 : f.preferred === Infinity ? -Infinity : -f.preferred;
  return { facts: f, address, cls, rank: [publicRank, stateRank(f), f.preferred === undefined ? 0 : life] };
}

function compare(a: Scored, b: Scored): number {
  for (let i = 0; i < 3; i++) if (a.rank[i] !== b.rank[i]) return a.rank[i] - b.rank[i];
  return 0;
}

function withNote(f: AddressFacts, reason: string): string {
  return f.note ? `${reason}; ${f.note}` : reason;
}

/** Why `loser` lost to `winner`, naming the first rule that told them apart. */
function lostBecause(loser: Scored, winner: Scored): string {
  if (loser.rank[0] !== winner.rank[0]) return `${loser.cls.label}: a public address is preferred`;
  if (loser.rank[1] !== winner.rank[1]) return `${stateText(loser.facts)}: a ${stateText(winner.facts)} address is preferred`;
  if (loser.rank[2] !== winner.rank[2]) {
    return `${lifetimeText(loser.facts.preferred)}, shorter than the chosen address's ${lifetimeText(winner.facts.preferred)}`;
  }
  return 'as good as the chosen address, which came first';
}

function chosenBecause(w: Scored, rivals: number): string {
  const parts = [w.cls.label, stateText(w.facts), lifetimeText(w.facts.preferred)];
  if (w.facts.temporary && stateRank(w.facts) === 1) parts.push('no stable address available');
  return `chosen: ${parts.join(', ')}${rivals ? '' : ' (the only usable address)'}`;
}

/** Apply the rules to everything a source saw and pick one address (or none). */
export function selectAddress(family: Family, seen: AddressFacts[], opts: SelectOptions): Selection {
  const verdicts = new Map<AddressFacts, { kept: boolean; reason: string; address: string }>();
  const usable: Scored[] = [];
  const already = new Set<string>();
  const tentative: string[] = [];
  const dadFailed: string[] = [];
  for (const f of seen) {
    const parsed = parseAddress(String(f.address).trim());
    const address = parsed ? formatAddress(parsed) : String(f.address);
    const drop = (reason: string) => verdicts.set(f, { kept: false, reason: withNote(f, reason), address });
    if (f.invalid) { drop(f.invalid); continue; }
    if (!parsed) { drop('not an IP address'); continue; }
    if (parsed.family !== family) { drop(`an IPv${parsed.family} address, looking for IPv${family}`); continue; }
    if (already.has(address)) { drop('listed twice'); continue; }
    already.add(address);
    const cls = classifyParsed(parsed);
    const refused = refusal(family, cls, opts);
    if (refused) { drop(refused); continue; }
    if (f.dadFailed) { dadFailed.push(address); drop('duplicate address detection failed: another host has this address'); continue; }
    if (f.tentative) { tentative.push(address); drop('tentative: duplicate address detection has not finished'); continue; }
    usable.push(score(f, cls, address));
  }
  const winner = usable.reduce<Scored | undefined>((best, s) => (!best || compare(s, best) < 0 ? s : best), undefined);
  for (const s of usable) {
    const reason = s === winner ? chosenBecause(s, usable.length - 1) : lostBecause(s, winner as Scored);
    verdicts.set(s.facts, { kept: s === winner, reason: withNote(s.facts, reason), address: s.address });
  }
  const candidates = seen.map((f) => {
    const v = verdicts.get(f) as { kept: boolean; reason: string; address: string };
    return { address: v.address, origin: f.origin, kept: v.kept, reason: v.reason };
  });
  return { family, address: winner?.address, chosen: winner?.facts, candidates, tentative, dadFailed };
}

/** Preferred lifetimes longer than this get no timer (a later check sees them; timers overflow at 24.8 days). */
const MAX_LIFETIME_FOLLOW_MS = 7 * 24 * 3600 * 1000;

/**
 * What nobody will announce, for the engine to follow: addresses still in duplicate address
 * detection on `device`, and when the chosen address's preferred lifetime ends. A tentative
 * address gets its own sentence instead of "no usable address", and a failed one a warning.
 */
export function withFollowUps(d: Detection, sel: Selection, device: string | undefined, where: string): Detection {
  if (sel.tentative.length && device) {
    d.pending = { device, addresses: sel.tentative };
    if (!d.address) {
      d.error = `${sel.tentative.join(', ')} on ${where} is still tentative (duplicate address detection running, about a second): ` +
        'it is published as soon as DAD ends';
    }
  }
  for (const a of sel.dadFailed) {
    d.warnings.push(`${a} on ${where} failed duplicate address detection: another host on the link uses it, so it is never published ` +
      '(look for a duplicate static address or interface id on that link)');
  }
  const life = sel.chosen?.preferred;
  if (d.address && life !== undefined && Number.isFinite(life) && life > 0 && life * 1000 <= MAX_LIFETIME_FOLLOW_MS) d.preferredForMs = life * 1000;
  return d;
}

/** A Detection from a selection; `nothing` says why there is no address when none qualified. */
export function toDetection(sel: Selection, warnings: string[], nothing: string): Detection {
  const d: Detection = { family: sel.family, candidates: sel.candidates, warnings };
  if (sel.address) d.address = sel.address;
  else d.error = `${nothing}: ${sel.candidates.length ? summarizeDrops(sel.candidates) : 'none found'}`;
  return d;
}

/** `2 dropped: 10.0.0.2 (private …), fe80::1 (link-local …)` for an error line. */
export function summarizeDrops(candidates: Candidate[]): string {
  return candidates.map((c) => `${c.address} (${c.reason})`).join('; ');
}

/** A failed detection: the source could not be asked, or gave nothing usable. */
export function failed(family: Family, error: string, candidates: Candidate[] = [], warnings: string[] = []): Detection {
  return { family, candidates, warnings, error };
}

/**
 * Sentences for a WAN that has no public IPv4: the user can act on these (ask the ISP, bridge
 * the modem, switch to IPv6), unlike a bare "private address refused" (ddns-scripts pain #8).
 */
export function wanWarnings(where: string, family: Family, seen: AddressFacts[]): string[] {
  if (family !== 4) return [];
  const classes = seen
    .map((f) => ({ f, p: parseAddress(String(f.address).trim()) }))
    .filter((x) => x.p?.family === 4)
    .map((x) => ({ address: x.f.address, kind: classifyParsed(x.p as ParsedAddress).kind }));
  if (classes.some((c) => c.kind === 'public' || c.kind === 'documentation')) return [];
  const first = (kind: AddressKind) => classes.find((c) => c.kind === kind)?.address;
  const out: string[] = [];
  const cgnat = first('cgnat');
  if (cgnat) {
    out.push(`CGNAT: ${where} has ${cgnat}, a carrier-grade NAT address (100.64.0.0/10): your ISP shares one ` +
      'public IPv4 address among several customers, so incoming IPv4 connections cannot reach you. Ask your ISP ' +
      'for a public IPv4 address, or publish only IPv6 (ip_version 6).');
  }
  const priv = first('private');
  if (priv) {
    out.push(`Private WAN address: ${where} has ${priv}, a private address (RFC 1918): this router sits behind ` +
      'another router or modem doing NAT. Put that device in bridge mode (or forward the ports on it), or publish ' +
      'its public address with ip_source web or dns.');
  }
  const dslite = first('protocol');
  if (dslite) {
    out.push(`DS-Lite: ${where} has ${dslite}: IPv4 goes through your ISP's shared tunnel, so there is no public ` +
      'IPv4 address to publish. Publish only IPv6 (ip_version 6), or ask your ISP for a public IPv4 address.');
  }
  return out;
}

/** `ip6_suffix` (`::1234`) or `ip6_interface_id` (`a:b:c:d`, the low 64 bits) as an address. */
export function parseSuffix(text: string): ParsedAddress | undefined {
  const t = text.trim();
  const bytes = parseIPv6(t) ?? (/^[0-9a-f]{1,4}(:[0-9a-f]{1,4}){0,3}$/i.test(t) ? parseIPv6(`::${t}`) : undefined);
  return bytes && { family: 6, bytes };
}

/**
 * For a LAN host: each prefix (with its lifetimes) plus the configured host part. A suffix
 * with bits inside the prefix would silently change the network, so that is refused.
 */
export function applySuffix(prefixes: AddressFacts[], suffixText: string): AddressFacts[] | string {
  const suffix = parseSuffix(suffixText);
  if (!suffix) return `ip6_suffix '${suffixText}' is not an IPv6 host part (write it as ::1234 or a:b:c:d)`;
  return prefixes.map((p) => {
    if (p.invalid) return p;
    const prefix = parseAddress(String(p.address).trim());
    const len = p.prefixLength;
    const shown = `${p.address}/${len ?? '?'}`;
    if (!prefix || prefix.family !== 6 || len === undefined || len < 0 || len > 128) {
      return { ...p, address: shown, invalid: `${shown} is not a usable IPv6 prefix` };
    }
    if (overlapsPrefix(suffix, len)) {
      return { ...p, address: shown, invalid: `suffix ${suffixText} has bits inside the prefix ${shown}: it would change the network part` };
    }
    const address = formatAddress(joinPrefix(prefix, len, suffix));
    // The new address has its prefix's lifetimes, not the flags of whichever address carried the prefix.
    return {
      ...p, address, temporary: false, tentative: false, dadFailed: false,
      note: joinNotes(p.note, `prefix ${formatAddress(joinPrefix(prefix, len, ZERO6))}/${len} + suffix ${suffixText}`),
    };
  });
}

const ZERO6: ParsedAddress = { family: 6, bytes: new Array<number>(16).fill(0) };

function joinNotes(a: string | undefined, b: string): string {
  return a ? `${a}, ${b}` : b;
}
