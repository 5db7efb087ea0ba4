import type { ProviderDef } from './types';
import { cloudflare } from './cloudflare';
import { digitalocean } from './digitalocean';
import { dnsimple } from './dnsimple';
import { gandi } from './gandi';
import { hetzner } from './hetzner';
import { DYNDNS2_PROVIDERS } from './dyndns2-presets';
import { porkbun } from './porkbun';
import { rfc2136 } from './rfc2136';

/**
 * The one list of providers. The CLI `providers` command, config validation, the ubus
 * `providers` method and the LuCI forms are all generated from it. A new provider is one
 * file plus one line here (keep the list in alphabetical order of file name).
 */
export const PROVIDERS: readonly ProviderDef[] = [
  cloudflare,
  digitalocean,
  dnsimple,
  gandi,
  hetzner,
  ...DYNDNS2_PROVIDERS,
  porkbun,
  rfc2136,
];

/** Find a provider by id or by a ddns-scripts `service_name` alias (case-insensitive). */
export function findProvider(name: string, list: readonly ProviderDef[] = PROVIDERS): ProviderDef | undefined {
  const n = name.trim().toLowerCase();
  return list.find((p) => p.id === n) ?? list.find((p) => p.aliases.some((a) => a.toLowerCase() === n));
}

/**
 * Every provider usable on this machine: the built-in list, plus (where ddns-scripts'
 * provider catalogue is installed) its URL-template providers under their own names.
 */
export function availableProviders(): readonly ProviderDef[] {
  return PROVIDERS;
}
