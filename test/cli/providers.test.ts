import t from 'tap';
import { runProviders } from '../../src/cli/providers';
import { providersReply } from '../../src/engine/providers-reply';
import { availableProviders } from '../../src/providers/registry';
import type { ProviderDef } from '../../src/providers/types';
import { cli } from './cli-support';

const FIELD_KEYS = ['name', 'label', 'type', 'required', 'required_unless', 'secret', 'list', 'default', 'help', 'choices', 'pattern', 'pattern_help', 'min', 'max'];

t.test('--json is the ubus providers reply, with every field property', async (t) => {
  const r = await cli('providers', '--json');
  t.equal(r.code, 0);
  const list = JSON.parse(r.out);
  const available = availableProviders();
  t.same(list, JSON.parse(JSON.stringify(providersReply(available).providers)));
  t.same(list.map((p: { id: string }) => p.id), available.map((p) => p.id));
  for (const [i, p] of list.entries()) {
    const def = available[i];
    t.same(p.aliases, def.aliases, p.id);
    t.equal(p.capabilities.hosts_per_request, def.capabilities.hostsPerRequest);
    t.equal(p.fields.length, def.fields.length);
    for (const [j, f] of p.fields.entries()) {
      t.same(Object.keys(f).sort(), [...FIELD_KEYS].sort(), `${p.id}.${f.name} has every property`);
      t.equal(f.required, def.fields[j].required ?? false);
    }
  }
});

const SAMPLE: ProviderDef = {
  id: 'sample',
  title: 'Sample DNS',
  aliases: ['sample.net', 'sample.org'],
  fields: [
    { name: 'token', label: 'Token', type: 'password', required: true, secret: true },
    { name: 'mode', label: 'Mode', type: 'choice', default: 'a', help: 'how', choices: [{ value: 'a', label: 'A' }] },
  ],
  capabilities: { ipv4: true, ipv6: false, dualStackOneRequest: false, hostsPerRequest: 20, ttl: true, proxied: false, read: true, credentialTest: true },
  defaultEndpoint: 'https://api.sample.test/',
  settings: () => ({ settings: {} }),
  create() {
    throw new Error('not used');
  },
};

t.test('JSON of one provider carries its fields and capabilities', async (t) => {
  let out = '';
  runProviders(true, { out: (s) => void (out += s), err: () => {} }, [SAMPLE]);
  const [p] = JSON.parse(out);
  t.match(p, {
    id: 'sample',
    title: 'Sample DNS',
    aliases: ['sample.net', 'sample.org'],
    default_endpoint: 'https://api.sample.test/',
    capabilities: { ipv4: true, ipv6: false, dual_stack_one_request: false, hosts_per_request: 20, ttl: true, proxied: false, read: true, credential_test: true },
  });
  t.match(p.fields, [
    { name: 'token', label: 'Token', type: 'password', required: true, secret: true, list: false, choices: [] },
    { name: 'mode', label: 'Mode', type: 'choice', required: false, secret: false, list: false, default: 'a', help: 'how', choices: [{ value: 'a', label: 'A' }] },
  ]);
});

t.test('the table', async (t) => {
  let out = '';
  runProviders(false, { out: (s) => void (out += s), err: () => {} }, [SAMPLE]);
  const header = `ID      TITLE       IP  ${'ALIASES'.padEnd('sample.net,sample.org'.length)}  FIELDS (* required)`;
  t.equal(out, `${header}\nsample  Sample DNS  v4  sample.net,sample.org  token*,mode\n`);
  out = '';
  runProviders(false, { out: (s) => void (out += s), err: () => {} }, []);
  t.equal(out, 'no providers available\n');
  const r = await cli('providers');
  t.equal(r.code, 0);
  t.equal(r.out.split('\n').length - 2, availableProviders().length, 'a header and one line per provider');
});
