import t from 'tap';
import { rootCertificates } from 'node:tls';
import { checkDeps, createProvider, serviceSecrets, serviceTransport } from '../../src/engine/services';
import { defaultCa } from '../../src/net/ca';
import { serviceStatus, TLS_INSECURE_WARNING } from '../../src/engine/status';
import { FakeClock } from '../../src/util/clock';
import { LogSink } from '../../src/util/log';
import { makeTestCert } from '../support/fake-http';
import { redact, Secret } from '../../src/util/secret';
import type { ProviderDef, ProviderOptions } from '../../src/providers/types';
import { FakeSource, makeService } from './helpers';

function recordingDef(seen: ProviderOptions[]): ProviderDef {
  return {
    id: 'rec',
    title: 'Recorder',
    aliases: ['rec.example'],
    fields: [],
    capabilities: { ipv4: true, ipv6: true, dualStackOneRequest: false, hostsPerRequest: 1, ttl: false, proxied: false, read: false, credentialTest: false },
    settings(input) {
      seen.push(input);
      return input.username === 'bad' ? { problems: [{ option: 'username', message: 'option username must not be bad' }] } : { settings: { made: input.username } };
    },
    create(settings) {
      created.push(settings);
      return { update: async () => [] };
    },
  };
}

const created: unknown[] = [];

t.test('create() takes the settings config/ made; a service made by hand is read with the service-wide proxy', async (t) => {
  const seen: ProviderOptions[] = [];
  created.length = 0;
  const { def } = createProvider(makeService({ provider: 'rec.example', settings: { made: 'by config' }, providerOptions: { username: 'u' } }), [recordingDef(seen)]);
  t.equal(def.id, 'rec', 'found through its alias');
  t.same(seen, [], 'settings are not read again');
  t.same(created, [{ made: 'by config' }]);
  createProvider(makeService({ provider: 'rec', proxy: 'user:pw@127.0.0.1:3128', providerOptions: { username: 'u', endpoint: 'https://127.0.0.1:8443/' } }), [recordingDef(seen)]);
  t.same(seen[0], { username: 'u', endpoint: 'https://127.0.0.1:8443/', proxy: 'user:pw@127.0.0.1:3128' });
  t.same(created[1], { made: 'u' });
});

t.test('without proxy, only the provider options pass; problems are one sentence', async (t) => {
  const seen: ProviderOptions[] = [];
  createProvider(makeService({ provider: 'rec', proxy: undefined, providerOptions: { username: 'u' } }), [recordingDef(seen)]);
  t.same(seen[0], { username: 'u' });
  t.throws(() => createProvider(makeService({ provider: 'rec', providerOptions: { username: 'bad' } }), [recordingDef(seen)]), /Recorder: option username must not be bad/);
});

t.test('an unknown provider is a sentence naming it', async (t) => {
  t.throws(() => createProvider(makeService({ provider: 'nope' }), []), /unknown provider 'nope'/);
});

t.test('serviceSecrets: the secret options, and the password in option proxy', async (t) => {
  const s = makeService({ providerOptions: { username: 'alice', password: new Secret('pw-123456') }, proxy: 'puser:Pr0xy%21pw@10.0.0.1:3128' });
  t.strictSame(serviceSecrets(s).map((x) => x.reveal()).sort(), ['Pr0xy!pw', 'pw-123456']);
  t.equal(redact('via puser:Pr0xy%21pw@ or Pr0xy!pw', serviceSecrets(s)), 'via puser:***@ or ***', 'both forms masked');
  t.strictSame(serviceSecrets(makeService({ providerOptions: {}, proxy: '10.0.0.1:3128' })), []);
});

t.test('serviceTransport: tls_insecure, cacert read once at start; an unreadable cacert is the reason the service does not run', async (t) => {
  t.same(serviceTransport(makeService()), {});
  t.same(serviceTransport(makeService({ tlsInsecure: true })), { insecure: true });
  const dir = t.testdir({ 'ca.pem': makeTestCert().cert });
  t.equal(serviceTransport(makeService({ cacert: `${dir}/ca.pem` })).ca?.length, (defaultCa() ?? rootCertificates).length + 1, 'the defaults (Node roots, this machine bundle) plus the cacert');
  t.throws(() => serviceTransport(makeService({ cacert: `${dir}/gone.pem` })), { message: /^option cacert: cannot read .*gone\.pem: no such file or directory$/ });
  const deps = { clock: new FakeClock(), sink: new LogSink({ write: () => {} }), providers: [recordingDef([])], sourceFactory: () => new FakeSource(), verifierFactory: () => undefined };
  t.throws(() => checkDeps(makeService({ provider: 'rec', cacert: `${dir}/gone.pem` }), deps), { message: /option cacert/ }, 'createRunner fails with that sentence, which status shows');
});

t.test('status keeps tls_insecure in sight: a warning of the service (CLI and LuCI show warnings)', async (t) => {
  const secure = serviceStatus({ name: 'home', config: makeService(), detections: [] });
  t.same(secure.warnings, []);
  const insecure = serviceStatus({ name: 'home', config: makeService({ tlsInsecure: true }), detections: [{ family: 4, candidates: [], warnings: ['CGNAT'], address: '100.64.0.1' }] });
  t.same(insecure.warnings, [TLS_INSECURE_WARNING, 'CGNAT']);
  t.match(TLS_INSECURE_WARNING, /^INSECURE/);
});
