import type { UciValue } from './uci';
import type { WritableSection } from './uci-writer';

/**
 * ddns-scripts needs one section per address family; ddnsd keeps both in one service. Two
 * imported sections that differ only in family (and in the network they watch) become one
 * `ip_version 'both'` service, which dyndns2 providers that drop the other family need
 * (shared/reference/providers.md §1). Custom update URLs that differ only in the name of the
 * address parameter (DuckDNS `ip=` and `ipv6=`) become `update_url` and `update_url6`.
 * Anything else that differs keeps them apart.
 */

/** Options allowed to differ between the IPv4 and the IPv6 section, and where the IPv6 value goes. */
const PER_FAMILY: Record<string, string> = { interface: 'interface6', ip_network: 'ip_network6' };

function value(s: WritableSection, name: string): UciValue | undefined {
  return s.options.find((o) => o.name === name)?.value;
}

function same(a: UciValue | undefined, b: UciValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** An update URL without the parameter that carries the address (`ip=[IP]`, `ipv6=[IP]`, `myipv4=[IP]`). */
function withoutAddress(url: UciValue | undefined): string | undefined {
  return typeof url === 'string' ? url.replace(/([?&])[A-Za-z0-9_]+=\[IP\](&|$)/, (_m, lead: string, tail: string) => (tail ? lead : '')) : undefined;
}

/** Two custom update URLs that differ only in the name of the address parameter (DuckDNS `ip=` / `ipv6=`). */
function familyUrls(v4: WritableSection, v6: WritableSection): boolean {
  const [a, b] = [value(v4, 'update_url'), value(v6, 'update_url')];
  if (value(v4, 'provider') !== 'custom' || same(a, b) || value(v4, 'update_url6') !== undefined || value(v6, 'update_url6') !== undefined) return false;
  const bare = withoutAddress(a);
  return bare !== undefined && bare !== a && bare === withoutAddress(b);
}

/** True when `v4` and `v6` are the same service apart from family and per-family options. */
function twins(v4: WritableSection, v6: WritableSection): boolean {
  if (value(v4, 'ip_version') !== '4' || value(v6, 'ip_version') !== '6') return false;
  const names = new Set([...v4.options, ...v6.options].map((o) => o.name));
  names.delete('ip_version');
  for (const n of Object.keys(PER_FAMILY)) names.delete(n);
  if (familyUrls(v4, v6)) names.delete('update_url');
  return [...names].every((n) => same(value(v4, n), value(v6, n))) && value(v4, 'domain') !== undefined;
}

function merged(v4: WritableSection, v6: WritableSection): WritableSection {
  const options = v4.options.map((o) => (o.name === 'ip_version' ? { name: o.name, value: 'both' } : o));
  if (familyUrls(v4, v6)) options.push({ name: 'update_url6', value: value(v6, 'update_url')! });
  for (const [name, name6] of Object.entries(PER_FAMILY)) {
    const six = value(v6, name);
    if (six !== undefined && !same(six, value(v4, name))) options.push({ name: name6, value: six });
  }
  return { ...v4, options };
}

/** Merge family twins; returns the sections left and which section went into which. */
export function mergeDualStack(sections: readonly WritableSection[]): { sections: WritableSection[]; merges: [string, string][] } {
  const out = [...sections];
  const merges: [string, string][] = [];
  for (let i = 0; i < out.length; i++) {
    const j = out.findIndex((s, k) => k !== i && s.type === 'service' && out[i].type === 'service' && twins(out[i], s));
    if (j < 0) continue;
    merges.push([out[j].name ?? '', out[i].name ?? '']);
    out[i] = merged(out[i], out[j]);
    out.splice(j, 1);
    if (j < i) i--;
  }
  return { sections: out, merges };
}
