/**
 * IP address text: strict parsing, canonical (RFC 5952) formatting, prefix arithmetic and
 * classification into the special-purpose ranges of the IANA registries. Knows nothing about
 * DDNS; the policy of which kinds to publish lives in detect/select.ts.
 */

export type Family = 4 | 6;

export interface ParsedAddress {
  family: Family;
  /** 4 or 16 bytes, network order. */
  bytes: number[];
}

/** What a range is for. `public` means globally routable unicast. */
export type AddressKind =
  | 'public'
  | 'private' // RFC 1918
  | 'cgnat' // RFC 6598 shared address space
  | 'loopback'
  | 'link-local'
  | 'unspecified'
  | 'this-network' // 0.0.0.0/8
  | 'protocol' // 192.0.0.0/24: IETF protocol assignments (DS-Lite B4 addresses live here)
  | 'documentation'
  | 'benchmarking'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'ula' // fc00::/7
  | 'site-local' // fec0::/10, deprecated
  | 'ipv4-mapped'
  | 'nat64'
  | 'discard';

export interface Classification {
  kind: AddressKind;
  /** For people: `private (RFC 1918)`, `CGNAT (100.64.0.0/10)`, `global unicast (6to4)`, … */
  label: string;
}

const DEC_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;

/** Dotted-quad IPv4, decimal only (no leading zeros: `010` is octal to some parsers). */
export function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const p of parts) {
    if (!DEC_OCTET.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    bytes.push(n);
  }
  return bytes;
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const out: number[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIPv4(p);
      if (!v4) return undefined;
      out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
      out.push(parseInt(p, 16));
    } else {
      return undefined;
    }
  }
  return out;
}

/** IPv6 text (with `::` and a trailing dotted quad allowed; no zone id). */
export function parseIPv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]);
  const tail = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

export function parseAddress(text: string): ParsedAddress | undefined {
  if (typeof text !== 'string') return undefined;
  if (text.includes(':')) {
    const bytes = parseIPv6(text);
    return bytes && { family: 6, bytes };
  }
  const bytes = parseIPv4(text);
  return bytes && { family: 4, bytes };
}

export function familyOf(text: string): Family | undefined {
  return parseAddress(text)?.family;
}

/** Canonical text: dotted quad, or RFC 5952 (lower case, longest zero run as `::`). */
export function formatAddress(a: ParsedAddress): string {
  if (a.family === 4) return a.bytes.join('.');
  const b = a.bytes;
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) {
    return `::ffff:${b.slice(12).join('.')}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
  let best = -1;
  let bestLen = 1; // RFC 5952 4.2.2: a single zero group is not shortened
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The canonical form of `text`, or undefined when it is not an address. */
export function normalizeAddress(text: string): string | undefined {
  const a = parseAddress(text.trim());
  return a && formatAddress(a);
}

export function sameAddress(a: string, b: string): boolean {
  const x = normalizeAddress(a);
  return x !== undefined && x === normalizeAddress(b);
}

/** True when the first `length` bits of `a` equal those of `prefix`. */
export function inPrefix(a: ParsedAddress, prefix: ParsedAddress, length: number): boolean {
  if (a.family !== prefix.family) return false;
  for (let bit = 0; bit < length; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((a.bytes[byte] & mask) !== (prefix.bytes[byte] & mask)) return false;
  }
  return true;
}

/** Split the bytes at bit `length`: keep the network part of `prefix`, take the rest from `host`. */
export function joinPrefix(prefix: ParsedAddress, length: number, host: ParsedAddress): ParsedAddress {
  const bytes = prefix.bytes.map((p, i) => {
    const bitsHere = Math.max(0, Math.min(8, length - i * 8));
    const netMask = (0xff00 >> bitsHere) & 0xff;
    return (p & netMask) | (host.bytes[i] & ~netMask & 0xff);
  });
  return { family: prefix.family, bytes };
}

/** True when `host` has any bit set inside the first `length` bits. */
export function overlapsPrefix(host: ParsedAddress, length: number): boolean {
  const zero: ParsedAddress = { family: host.family, bytes: host.bytes.map(() => 0) };
  return !inPrefix(host, zero, length);
}

interface Range {
  prefix: string;
  length: number;
  kind: AddressKind;
  label: string;
}

// Most specific first: the first match wins.
const V4_RANGES: Range[] = [
  { prefix: '255.255.255.255', length: 32, kind: 'broadcast', label: 'limited broadcast' },
  { prefix: '0.0.0.0', length: 8, kind: 'this-network', label: '"this network" (0.0.0.0/8)' },
  { prefix: '10.0.0.0', length: 8, kind: 'private', label: 'private (RFC 1918, 10.0.0.0/8)' },
  { prefix: '100.64.0.0', length: 10, kind: 'cgnat', label: 'carrier-grade NAT (100.64.0.0/10)' },
  { prefix: '127.0.0.0', length: 8, kind: 'loopback', label: 'loopback (127.0.0.0/8)' },
  { prefix: '169.254.0.0', length: 16, kind: 'link-local', label: 'link-local (169.254.0.0/16)' },
  { prefix: '172.16.0.0', length: 12, kind: 'private', label: 'private (RFC 1918, 172.16.0.0/12)' },
  { prefix: '192.0.0.0', length: 24, kind: 'protocol', label: 'IETF protocol assignment (192.0.0.0/24, e.g. DS-Lite)' },
  { prefix: '192.0.2.0', length: 24, kind: 'documentation', label: 'documentation (TEST-NET-1)' },
  { prefix: '192.88.99.0', length: 24, kind: 'reserved', label: 'deprecated 6to4 relay anycast' },
  { prefix: '192.168.0.0', length: 16, kind: 'private', label: 'private (RFC 1918, 192.168.0.0/16)' },
  { prefix: '198.18.0.0', length: 15, kind: 'benchmarking', label: 'benchmarking (198.18.0.0/15)' },
  { prefix: '198.51.100.0', length: 24, kind: 'documentation', label: 'documentation (TEST-NET-2)' },
  { prefix: '203.0.113.0', length: 24, kind: 'documentation', label: 'documentation (TEST-NET-3)' },
  { prefix: '224.0.0.0', length: 4, kind: 'multicast', label: 'multicast' },
  { prefix: '240.0.0.0', length: 4, kind: 'reserved', label: 'reserved (240.0.0.0/4)' },
];

const V6_RANGES: Range[] = [
  { prefix: '::', length: 128, kind: 'unspecified', label: 'unspecified (::)' },
  { prefix: '::1', length: 128, kind: 'loopback', label: 'loopback (::1)' },
  { prefix: '::ffff:0:0', length: 96, kind: 'ipv4-mapped', label: 'IPv4-mapped (::ffff:0:0/96)' },
  { prefix: '64:ff9b::', length: 96, kind: 'nat64', label: 'NAT64 (64:ff9b::/96)' },
  { prefix: '64:ff9b:1::', length: 48, kind: 'nat64', label: 'local-use NAT64 (64:ff9b:1::/48)' },
  { prefix: '100::', length: 64, kind: 'discard', label: 'discard-only (100::/64)' },
  { prefix: '2001:db8::', length: 32, kind: 'documentation', label: 'documentation (2001:db8::/32)' },
  { prefix: '2001:2::', length: 48, kind: 'benchmarking', label: 'benchmarking (2001:2::/48)' },
  { prefix: '2001::', length: 32, kind: 'public', label: 'global unicast (Teredo)' },
  { prefix: '2001::', length: 23, kind: 'reserved', label: 'IETF protocol assignment (2001::/23)' },
  { prefix: '2002::', length: 16, kind: 'public', label: 'global unicast (6to4)' },
  { prefix: '3fff::', length: 20, kind: 'documentation', label: 'documentation (3fff::/20)' },
  { prefix: '2000::', length: 3, kind: 'public', label: 'global unicast' },
  { prefix: 'fc00::', length: 7, kind: 'ula', label: 'unique local (ULA, fc00::/7)' },
  { prefix: 'fe80::', length: 10, kind: 'link-local', label: 'link-local (fe80::/10)' },
  { prefix: 'fec0::', length: 10, kind: 'site-local', label: 'site-local (fec0::/10, deprecated)' },
  { prefix: 'ff00::', length: 8, kind: 'multicast', label: 'multicast (ff00::/8)' },
];

const compile = (ranges: Range[]) =>
  ranges.map((r) => ({ ...r, parsed: parseAddress(r.prefix) as ParsedAddress }));
const V4 = compile(V4_RANGES);
const V6 = compile(V6_RANGES);

export function classifyParsed(a: ParsedAddress): Classification {
  const hit = (a.family === 4 ? V4 : V6).find((r) => inPrefix(a, r.parsed, r.length));
  if (hit) return { kind: hit.kind, label: hit.label };
  return a.family === 4
    ? { kind: 'public', label: 'public' }
    : { kind: 'reserved', label: 'reserved (outside 2000::/3)' };
}

/** Classification of an address text, or undefined when it is not an address. */
export function classifyAddress(text: string): (Classification & { family: Family; address: string }) | undefined {
  const a = parseAddress(text.trim());
  if (!a) return undefined;
  return { ...classifyParsed(a), family: a.family, address: formatAddress(a) };
}
