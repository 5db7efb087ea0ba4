import type { ProviderDef } from './types';
import { CATALOGUE_DIRS, loadCatalogue } from './catalogue';
import { cloudflare } from './cloudflare';
import { custom } from './custom';
import { desec } from './desec';
import { digitalocean } from './digitalocean';
import { dnsimple } from './dnsimple';
import { duckdns } from './duckdns';
import { DYNDNS2_PROVIDERS } from './dyndns2-presets';
import { freedns } from './freedns';
import { gandi } from './gandi';
import { hetzner } from './hetzner';
import { ionos } from './ionos';
import { namecheap } from './namecheap';
import { porkbun } from './porkbun';
import { rfc2136 } from './rfc2136';

/**
 * The one list of providers. The CLI `providers` command, config validation, the ubus
 * `providers` method and the LuCI forms are all generated from it. A new provider is one
 * file plus one line here (keep the list in alphabetical order of file name).
 */
export const PROVIDERS: readonly ProviderDef[] = [
  cloudflare,
  custom,
  desec,
  digitalocean,
  dnsimple,
  duckdns,
  ...DYNDNS2_PROVIDERS,
  freedns,
  gandi,
  hetzner,
  ionos,
  namecheap,
  porkbun,
  rfc2136,
];

/** Find a provider by id or by a ddns-scripts `service_name` alias (case-insensitive). */
export function findProvider(name: string, list: readonly ProviderDef[] = PROVIDERS): ProviderDef | undefined {
  const n = name.trim().toLowerCase();
  return list.find((p) => p.id === n) ?? list.find((p) => p.aliases.some((a) => a.toLowerCase() === n));
}

let available: { key: string; list: readonly ProviderDef[] } | undefined;

/**
 * Every provider usable on this machine: the built-in list, plus (where ddns-scripts'
 * provider catalogue is installed) its URL-template providers under their own names.
 * Read once and kept; `dirs` points a test at its own catalogue, `reload` re-reads
 * (a config reload after ddns-scripts-services was installed).
 */
export function availableProviders(dirs?: readonly string[], reload = false): readonly ProviderDef[] {
  const key = JSON.stringify(dirs ?? null);
  if (!reload && available?.key === key) return available.list;
  const list = [...PROVIDERS, ...loadCatalogue(dirs ?? CATALOGUE_DIRS, PROVIDERS)];
  available = { key, list };
  return list;
}
