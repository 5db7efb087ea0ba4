import t from 'tap';
import { formatProblem, loadConfig } from '../../src/config/schema';
import { PROVIDERS } from '../../src/providers/registry';
import { insecureHost } from '../../src/config/insecure-http';

// The real registry: dyndns2 (its own required endpoint), custom (update_url), cloudflare (https default).
const load = (text: string) => loadConfig(text, { providers: PROVIDERS });
const PW = 'S3cr3t-pw!';
const dyn = (endpoint: string, extra = '') => `
config service 'home'
	option provider 'dyndns2'
	option endpoint '${endpoint}'
	option username 'alice'
	option password '${PW}'
	list domain 'home.example.com'
${extra}`;

t.test('credentials over plain http to a non-loopback host are refused unless allow_insecure_http says so', async (t) => {
  const refused = load(dyn('http://dyn.example.net/nic/update'));
  t.same(refused.services.map((s) => s.name), [], 'the service is not loaded');
  t.match(refused.problems, [{ section: 'home', option: 'endpoint', message: /sends password in clear over plain http to dyn\.example\.net.*use https:\/\/, or set option allow_insecure_http '1'/ }]);
  t.notMatch(refused.problems.map((p) => formatProblem(p)).join('\n'), PW, 'no secret in the message');

  const allowed = load(dyn('http://dyn.example.net/nic/update', "\toption allow_insecure_http '1'"));
  t.same(allowed.services.map((s) => s.name), ['home']);
  t.match(allowed.problems, [{ option: 'endpoint', severity: 'warning', message: /in clear over plain http to dyn\.example\.net: .*\(allowed by option allow_insecure_http\)/ }]);

  for (const ok of ['https://dyn.example.net/nic/update', 'http://127.0.0.1:8080/nic/update', 'http://127.3.4.5/nic/update', 'http://[::1]:8053/nic/update']) {
    const cfg = load(dyn(ok));
    t.same(cfg.services.map((s) => s.name), ['home'], ok);
    t.same(cfg.problems, [], `${ok}: not a word`);
  }

  const custom = load(`
config service 'c'
	option provider 'custom'
	option update_url 'http://upd.example.org/u?user=[USERNAME]&pw=[PASSWORD]&ip=[IP]'
	option username 'bob'
	option password '${PW}'
	list domain 'c.example.org'
`);
  t.match(custom.problems, [{ section: 'c', option: 'update_url', message: /in clear over plain http to upd\.example\.org/ }]);
  t.same(load(`
config service 'c'
	option provider 'custom'
	option update_url 'http://upd.example.org/u?ip=[IP]'
	list domain 'c.example.org'
`).problems, [], 'no credential, nothing to say');
});

t.test('loopback is 127.0.0.0/8 and ::1 only', async (t) => {
  t.equal(insecureHost('http://127.0.0.1/'), undefined);
  t.equal(insecureHost('http://[::1]/'), undefined);
  t.equal(insecureHost('https://example.net/'), undefined);
  t.equal(insecureHost('http://192.168.1.1/'), '192.168.1.1', 'a LAN address is not loopback');
  t.equal(insecureHost('http://[::ffff:10.0.0.1]/'), '::ffff:a00:1');
  t.equal(insecureHost('http://localhost.example/'), 'localhost.example');
});
