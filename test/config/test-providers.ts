import { loadConfig } from '../../src/config/schema';
import type { FieldSpec, ProviderDef } from '../../src/providers/types';

/**
 * A provider list built for config tests, so they do not depend on what the providers issue
 * puts in the real registry. Field names follow the real providers where they exist.
 */

const CAPS = { ipv4: true, ipv6: true, dualStackOneRequest: false, hostsPerRequest: 1, ttl: false, proxied: false, read: false, credentialTest: false };

function def(id: string, aliases: string[], fields: FieldSpec[]): ProviderDef {
  return {
    id,
    title: `Test ${id}`,
    aliases,
    fields,
    capabilities: CAPS,
    defaultEndpoint: `https://${id}.test/`,
    settings: (input) => ({ settings: input }),
    create() {
      throw new Error('config tests never create provider instances');
    },
  };
}

const username: FieldSpec = { name: 'username', label: 'Username', type: 'string', required: true };
const password: FieldSpec = { name: 'password', label: 'Password', type: 'password', required: true, secret: true };

export const TEST_PROVIDERS: ProviderDef[] = [
  def('dyn', ['dyndns.org', 'dyn.com'], [username, password]),
  def('noip', ['no-ip.com'], [username, password]),
  def('dyndns2', [], [{ name: 'endpoint', label: 'Update URL', type: 'url', required: true }, username, password]),
  def('cloudflare', ['cloudflare.com-v4'], [
    { name: 'api_token', label: 'API token', type: 'password', required: true, secret: true },
    { name: 'zone', label: 'Zone', type: 'hostname', required: true, requiredUnless: 'zone_id' },
    { name: 'zone_id', label: 'Zone ID', type: 'string', pattern: '^[0-9a-fA-F]{32}$', patternHelp: '32 hexadecimal digits' },
    { name: 'ttl', label: 'TTL', type: 'number', default: '1' },
    { name: 'proxied', label: 'Proxied', type: 'boolean', default: '0' },
  ]),
  def('custom', [], [
    { name: 'update_url', label: 'Update URL template', type: 'string', required: true, secret: true },
    { name: 'answer', label: 'Success pattern', type: 'string' },
    { name: 'username', label: 'Username', type: 'string' },
    { name: 'password', label: 'Password', type: 'password', secret: true },
  ]),
  def('rfc2136', [], [
    { name: 'server', label: 'DNS server', type: 'string', required: true },
    { name: 'key_algorithm', label: 'TSIG algorithm', type: 'choice', default: 'hmac-sha256', choices: [
      { value: 'hmac-sha256', label: 'HMAC-SHA256' },
      { value: 'hmac-sha512', label: 'HMAC-SHA512' },
    ] },
    { name: 'key_secret', label: 'TSIG secret', type: 'password', secret: true, required: true },
    { name: 'tcp', label: 'Use TCP', type: 'boolean', default: '0' },
    { name: 'wait', label: 'Wait', type: 'duration' },
    { name: 'notify', label: 'Also notify', type: 'hostname', list: true },
  ]),
];

/** The configuration loaded as `check` loads it, with the test providers. */
export const loadTest = (text: string) => loadConfig(text, { providers: TEST_PROVIDERS });

/** A valid dyn service 'home' that tests extend with the options they exercise. */
export const DYN = `
config service 'home'
	option provider 'dyn'
	option domain 'home.example.com'
	option username 'alice'
	option password 'S3cr3t-pw!'
`;
