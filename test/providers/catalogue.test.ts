import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeHttp } from '../support/fake-http';
import { scanCatalogue } from '../../src/providers/catalogue';
import { availableProviders, findProvider, PROVIDERS } from '../../src/providers/registry';
import { ctx, instance, leaked, upd } from './ddns-support';

const V4 = '192.0.2.70';
const V6 = '2001:db8::70';

/** A catalogue as ddns-scripts-services installs it, in a temporary folder. */
function makeCatalogue(root: string): string[] {
  const custom = join(root, 'custom');
  const def = join(root, 'default');
  mkdirSync(custom, { recursive: true });
  mkdirSync(def, { recursive: true });
  const put = (dir: string, file: string, data: unknown) => writeFileSync(join(dir, file), typeof data === 'string' ? data : JSON.stringify(data, null, '\t'));
  put(def, 'dnshome.de.json', {
    name: 'dnshome.de',
    ipv4: { url: 'http://[USERNAME]:[PASSWORD]@www.dnshome.de/dyndns.php?ip=[IP]', answer: 'good|nochg' },
    ipv6: { url: 'http://[USERNAME]:[PASSWORD]@www.dnshome.de/dyndns.php?ip6=[IP]', answer: 'good|nochg' },
  });
  put(custom, 'dnshome.de.json', {
    name: 'dnshome.de',
    ipv4: { url: 'https://[USERNAME]:[PASSWORD]@www.dnshome.de/dyndns.php?hostname=[DOMAIN]&ip=[IP]', answer: 'good|nochg' },
  });
  put(def, 'duckdns.org.json', { name: 'duckdns.org', ipv4: { url: 'http://www.duckdns.org/update?domains=[DOMAIN]&token=[PASSWORD]&ip=[IP]', answer: 'OK' } });
  put(def, 'cloudflare.com-v4.json', { name: 'cloudflare.com-v4', ipv4: { url: 'update_cloudflare_com_v4.sh' }, ipv6: { url: 'update_cloudflare_com_v4.sh' } });
  put(def, 'broken.json', '{ "name": "broken", ');
  put(def, 'keyonly.example.json', { name: 'keyonly.example', ipv6: { url: 'https://api.keyonly.example/set?key=[PARAMENC]&opt=[PARAMOPT]&addr=[IP]' } });
  put(def, 'README.txt', 'not a provider');
  return [custom, def];
}

t.test('scan: custom overrides default, scripts and built-in names are skipped with reasons', async (t) => {
  const dirs = makeCatalogue(t.testdir());
  const c = scanCatalogue(dirs, PROVIDERS);
  t.strictSame(c.providers.map((p) => p.id).sort(), ['dnshome.de', 'keyonly.example']);
  const reasons = Object.fromEntries(c.skipped.map((s) => [s.name, s.reason]));
  t.match(reasons['duckdns.org'], /replaced by the built-in provider duckdns/);
  t.match(reasons['cloudflare.com-v4'], /script provider \(update_cloudflare_com_v4\.sh\)/);
  t.match(reasons.broken, /not valid JSON/);
  t.match(reasons['dnshome.de'], /overridden/);
  const dnshome = c.providers.find((p) => p.id === 'dnshome.de')!;
  t.strictSame(dnshome.capabilities.ipv6, false, 'the custom file (IPv4 only) won');
  t.strictSame(dnshome.fields.map((f) => [f.name, !!f.required, !!f.secret]), [['username', true, false], ['password', true, true]]);
  const keyonly = c.providers.find((p) => p.id === 'keyonly.example')!;
  t.strictSame(keyonly.fields.map((f) => f.name), ['param_enc', 'param_opt'], 'fields follow the placeholders used');
  t.strictSame([keyonly.capabilities.ipv4, keyonly.capabilities.ipv6], [false, true]);
});

t.test('a catalogue provider speaks its template (endpoint overrides the host)', async (t) => {
  const dirs = makeCatalogue(t.testdir());
  const def = scanCatalogue(dirs, PROVIDERS).providers.find((p) => p.id === 'dnshome.de')!;
  const fake = await FakeHttp.start(t);
  fake.expect(
    { method: 'GET', path: '/dyndns.php', query: { hostname: 'home.dnshome.de', ip: V4 }, auth: { user: 'home', password: 'Pw:1!' }, reply: { body: 'good 192.0.2.70' } },
    { method: 'GET', path: '/dyndns.php', query: { hostname: 'home.dnshome.de', ip: V4 }, auth: { user: 'home', password: 'Pw:1!' }, reply: { body: 'badauth' } },
  );
  const cx = ctx();
  const inst = instance(def, { endpoint: fake.url, username: 'home', password: 'Pw:1!' });
  t.equal((await inst.update([upd('home.dnshome.de', 'A', V4)], cx))[0].outcome, 'ok');
  t.equal((await inst.update([upd('home.dnshome.de', 'A', V4)], cx))[0].outcome, 'transient', 'no match with the answer regex');
  const [six] = await inst.update([upd('home.dnshome.de', 'AAAA', V6)], cx);
  t.equal(six.outcome, 'config', 'no IPv6 template');
  t.strictSame(leaked(['Pw:1!'], cx.lines), []);
  fake.assertDone(t);
});

t.test('availableProviders: built-ins plus the catalogue, cached, at least 20 built-ins', async (t) => {
  const dirs = makeCatalogue(t.testdir());
  const list = availableProviders(dirs);
  t.equal(availableProviders(dirs), list, 'cached');
  t.not(availableProviders(dirs, true), list, 'reload reads again');
  t.ok(findProvider('dnshome.de', list), 'catalogue provider found by name');
  t.equal(findProvider('duckdns.org', list)?.id, 'duckdns', 'the alias still means the built-in');
  t.ok(PROVIDERS.length >= 20, `${PROVIDERS.length} built-in providers`);
  const ids = PROVIDERS.map((p) => p.id);
  t.equal(new Set(ids).size, ids.length, 'ids are unique');
  t.strictSame(availableProviders(['/nonexistent/ddns']).length, PROVIDERS.length, 'no catalogue installed: built-ins only');
});
