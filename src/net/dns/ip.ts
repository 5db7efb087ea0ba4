import { isIPv4, isIPv6 } from 'node:net';
import { DnsFormatError } from './errors';

/** Dotted IPv4 text → 4 bytes. Throws for anything that is not an IPv4 address. */
export function ipv4Bytes(text: string): Buffer {
  if (!isIPv4(text)) throw new DnsFormatError(`"${text}" is not an IPv4 address`);
  return Buffer.from(text.split('.').map(Number));
}

/** IPv6 text (any valid form, embedded IPv4 allowed, no zone) → 16 bytes. */
export function ipv6Bytes(text: string): Buffer {
  if (!isIPv6(text) || text.includes('%')) throw new DnsFormatError(`"${text}" is not an IPv6 address`);
  let words: number[] = [];
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const toWords = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const b = ipv4Bytes(piece);
        out.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
      } else out.push(parseInt(piece, 16));
    }
    return out;
  };
  const h = toWords(head);
  if (tail === undefined) words = h;
  else {
    const t = toWords(tail);
    words = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  }
  const buf = Buffer.alloc(16);
  words.forEach((w, i) => buf.writeUInt16BE(w, i * 2));
  return buf;
}

export function ipv4Text(b: Buffer): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** 16 bytes → the RFC 5952 form (lower case, longest run of two or more zero words as `::`). */
export function ipv6Text(b: Buffer): string {
  const words = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (best < 0) return hex(words);
  return `${hex(words.slice(0, best))}::${hex(words.slice(best + bestLen))}`;
}
