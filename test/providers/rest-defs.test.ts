import t from 'tap';
import { cloudflare } from '../../src/providers/cloudflare';
import { digitalocean } from '../../src/providers/digitalocean';
import { dnsimple } from '../../src/providers/dnsimple';
import { gandi } from '../../src/providers/gandi';
import { hetzner } from '../../src/providers/hetzner';
import { porkbun } from '../../src/providers/porkbun';
import { findProvider, PROVIDERS } from '../../src/providers/registry';

const REST = [cloudflare, digitalocean, dnsimple, gandi, hetzner, porkbun];

t.test('each REST provider is registered and found by its ddns-scripts names', async (t) => {
  for (const p of REST) t.ok(PROVIDERS.includes(p), `${p.id} is in the registry`);
  const aliases: Record<string, string> = {
    'cloudflare.com-v4': 'cloudflare', 'digitalocean.com-v2': 'digitalocean', 'gandi.net': 'gandi',
    'porkbun.com-v3': 'porkbun', 'hetzner.cloud': 'hetzner', 'dnsimple.com': 'dnsimple',
  };
  for (const [alias, id] of Object.entries(aliases)) t.equal(findProvider(alias)?.id, id, alias);
});

t.test('field metadata is complete enough for LuCI to draw the form', async (t) => {
  for (const p of REST) {
    t.ok(p.defaultEndpoint?.startsWith('https://'), `${p.id}: HTTPS endpoint`);
    t.ok(p.docs?.startsWith('https://'), `${p.id}: docs link`);
    t.same({ ipv4: p.capabilities.ipv4, ipv6: p.capabilities.ipv6, hostsPerRequest: p.capabilities.hostsPerRequest, read: p.capabilities.read, credentialTest: p.capabilities.credentialTest },
      { ipv4: true, ipv6: true, hostsPerRequest: 1, read: true, credentialTest: true }, `${p.id}: capabilities`);
    const names = new Set<string>();
    for (const f of p.fields) {
      t.notOk(names.has(f.name), `${p.id}.${f.name}: unique`);
      names.add(f.name);
      t.match(f.name, /^[a-z][a-z0-9_]*$/, `${p.id}.${f.name}: UCI option name`);
      t.ok(f.label && f.help, `${p.id}.${f.name}: label and help`);
      if (f.secret) t.equal(f.type, 'password', `${p.id}.${f.name}: secrets are drawn as passwords`);
      if (f.type === 'choice') t.ok(f.choices?.length && f.choices.some((c) => c.value === f.default), `${p.id}.${f.name}: choices include the default`);
      if (f.type === 'boolean') t.ok(f.default === '0' || f.default === '1', `${p.id}.${f.name}: boolean default`);
    }
    t.ok(names.has('zone'), `${p.id}: zone field`);
    t.ok(p.fields.some((f) => f.secret && f.required), `${p.id}: a required secret credential`);
  }
});
