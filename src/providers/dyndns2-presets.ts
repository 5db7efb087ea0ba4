import { dyndns2Def, GENERIC, PASSWORD, USERNAME, type Dyndns2Profile } from './dyndns2';
import type { ProviderDef } from './types';

/**
 * dyndns2 servers with their known address, limits and quirks, each its own registry entry.
 * Facts: shared/reference/providers.md §1, §3, §8, §13 and ddns-scripts' service files.
 */

/** Dyn's form: `Company - Device - Version`. */
function dynAgent(base: string): string {
  const [name, version] = base.split('/');
  return `${name} - OpenWrt router - ${version ?? ''}`.trim();
}

/** No-IP's form: `Program/Version maintainer-contact`. */
function noipAgent(base: string, contact: string): string {
  return contact ? `${base} ${contact}` : base;
}

const PROFILES: Dyndns2Profile[] = [
  {
    id: 'dnsomatic', title: 'DNS-O-Matic', aliases: ['dnsomatic.com'], docs: 'https://www.dnsomatic.com/docs/api',
    url: 'https://updates.dnsomatic.com/nic/update', ipv6: false, maxHosts: 1,
    fields: [USERNAME, PASSWORD],
  },
  {
    id: 'dyn', title: 'Dyn (Oracle)', aliases: ['dyn.com', 'dyndns.org'], docs: 'https://help.dyn.com/remote-access-api/',
    url: 'https://members.dyndns.org/v3/update', ipv6: true, dualStack: 'comma', maxHosts: 20,
    userAgent: dynAgent,
    fields: [USERNAME, { ...PASSWORD, label: 'Password or updater client key' }],
  },
  {
    id: 'dynu', title: 'Dynu', aliases: ['dynu.com'], docs: 'https://www.dynu.com/DynamicDNS/IP-Update-Protocol',
    url: 'https://api.dynu.com/nic/update', ipv6: true, dualStack: 'dynu', maxHosts: 1,
    fields: [USERNAME, { ...PASSWORD, help: 'The account password, or its MD5 or SHA-256 hash as Dynu allows.' }],
  },
  {
    id: 'he', title: 'Hurricane Electric (dns.he.net)', aliases: ['he.net'], docs: 'https://dns.he.net/docs.html',
    url: 'https://dyn.dns.he.net/nic/update', ipv6: true, maxHosts: 1, userIsHostname: true,
    fields: [
      { ...PASSWORD, label: 'DDNS key', help: 'The dynamic DNS key of the record (generated in the dns.he.net panel); give all records of this service the same key.' },
      { ...USERNAME, required: false, help: 'Leave empty: Hurricane Electric expects the record name as the user.' },
    ],
  },
  {
    id: 'noip', title: 'No-IP', aliases: ['no-ip.com', 'noip.com'], docs: 'https://www.noip.com/integrate/request',
    url: 'https://dynupdate.no-ip.com/nic/update', ipv6: true, dualStack: 'comma', maxHosts: 20,
    userAgent: noipAgent,
    fields: [
      { ...USERNAME, label: 'Username or e-mail' },
      PASSWORD,
      { name: 'contact', label: 'Contact e-mail', type: 'string', help: 'No-IP asks clients to put a maintainer contact in the User-Agent; optional.' },
    ],
  },
  {
    id: 'ovh', title: 'OVHcloud DynHost', aliases: ['ovh.com'], docs: 'https://help.ovhcloud.com/csm/en-dns-dynhost',
    url: 'https://www.ovh.com/nic/update', query: { system: 'dyndns' }, ipv6: true, maxHosts: 1,
    fields: [{ ...USERNAME, label: 'DynHost login' }, PASSWORD],
  },
  {
    id: 'strato', title: 'STRATO', aliases: ['strato.com', 'strato.de'], docs: 'https://www.strato.de/faq/domains/so-einfach-richten-sie-dyndns-fuer-ihre-domains-ein/',
    url: 'https://dyndns.strato.com/nic/update', ipv6: true, dualStack: 'comma', maxHosts: 1,
    fields: [{ ...USERNAME, help: 'The domain name, as STRATO uses it for the login.' }, PASSWORD],
  },
];

/** The generic provider first, then the presets by id. */
export const DYNDNS2_PROVIDERS: readonly ProviderDef[] = [GENERIC, ...PROFILES].map(dyndns2Def);
