import { DnsFormatError } from './errors';

/**
 * Domain names as text: labels joined by dots, no trailing dot, '' for the root. Dots and
 * backslashes inside a label and bytes outside printable ASCII are written as `\DDD`/`\.`
 * (RFC 1035 master-file escapes), so every wire name has exactly one text form and back.
 */

const MAX_NAME = 255;
const MAX_LABEL = 63;

/** Text → labels as bytes. Accepts a trailing dot. Throws DnsFormatError on bad escapes or lengths. */
export function nameToLabels(text: string): Buffer[] {
  const t = text.endsWith('.') && !text.endsWith('\\.') ? text.slice(0, -1) : text;
  if (t === '') return [];
  const labels: Buffer[] = [];
  let cur: number[] = [];
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === '.') {
      labels.push(finishLabel(cur, text));
      cur = [];
    } else if (c === '\\') {
      const digits = t.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(digits) && Number(digits) <= 255) {
        cur.push(Number(digits));
        i += 3;
      } else if (i + 1 < t.length) {
        cur.push(...Buffer.from(t[++i], 'utf8'));
      } else throw new DnsFormatError(`domain name "${text}" ends in a lone backslash`);
    } else cur.push(...Buffer.from(c, 'utf8'));
  }
  labels.push(finishLabel(cur, text));
  const wireLen = labels.reduce((n, l) => n + l.length + 1, 1);
  if (wireLen > MAX_NAME) throw new DnsFormatError(`domain name "${text}" is longer than 255 bytes`);
  return labels;
}

function finishLabel(bytes: number[], text: string): Buffer {
  if (bytes.length === 0) throw new DnsFormatError(`domain name "${text}" has an empty label`);
  if (bytes.length > MAX_LABEL) throw new DnsFormatError(`domain name "${text}" has a label longer than 63 bytes`);
  return Buffer.from(bytes);
}

/** One label's bytes → its escaped text. */
export function labelText(label: Buffer): string {
  let out = '';
  for (const b of label) {
    if (b === 0x2e || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b > 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\' + String(b).padStart(3, '0');
  }
  return out;
}

/** Uncompressed wire form of a name (for rdata, TSIG variables). */
export function nameWire(text: string, lowercase = false): Buffer {
  const parts: Buffer[] = [];
  for (const l of nameToLabels(text)) {
    const label = lowercase ? asciiLower(l) : l;
    parts.push(Buffer.from([label.length]), label);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function asciiLower(b: Buffer): Buffer {
  return Buffer.from(b.map((c) => (c >= 0x41 && c <= 0x5a ? c + 32 : c)));
}

/** Names compare case-insensitively (ASCII only, RFC 4343). */
export function sameName(a: string, b: string): boolean {
  return canonicalName(a) === canonicalName(b);
}

/** Lower case, no trailing dot: the key under which names are compared and cached. */
export function canonicalName(text: string): string {
  const t = text.endsWith('.') && !text.endsWith('\\.') ? text.slice(0, -1) : text;
  return t.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The parent of a name (`a.b.c` → `b.c`), '' for a single label, undefined for the root. */
export function parentName(text: string): string | undefined {
  const labels = nameToLabels(text);
  if (labels.length === 0) return undefined;
  return labels.slice(1).map(labelText).join('.');
}

/** True when `name` equals `zone` or lies below it. */
export function isSubdomain(name: string, zone: string): boolean {
  const n = canonicalName(name);
  const z = canonicalName(zone);
  return z === '' || n === z || n.endsWith('.' + z);
}
