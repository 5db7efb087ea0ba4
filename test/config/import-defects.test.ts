// Issue 14's defects 1–11 and the four options ddnsd could not express, each with a
// configuration of the shape that showed it, imported with the real provider registry (no
// ddns-scripts catalogue installed unless a test makes one) and loaded as `ddnsd check` does.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendSections, convertDdnsScripts } from '../../src/config/import';
import { formatProblem, loadConfig } from '../../src/config/schema';
import { loadCatalogue } from '../../src/providers/catalogue';
import { PROVIDERS } from '../../src/providers/registry';
import type { ProviderDef } from '../../src/providers/types';
import { Secret } from '../../src/util/secret';

function run(text: string, providers: readonly ProviderDef[] = PROVIDERS) {
  const r = convertDdnsScripts(text, { providers });
  const out = appendSections('', r.sections);
  const cfg = loadConfig(out, { providers });
  return { r, out, cfg };
}

/** Import, and require check to accept every service without a problem. */
function clean(t: Test, text: string, providers: readonly ProviderDef[] = PROVIDERS) {
  const x = run(text, providers);
  t.same(x.cfg.problems.map((p) => formatProblem(p)), [], 'check accepts the result');
  return x;
}

const svc = (name: string, body: string) => `config service '${name}'\n\toption enabled '1'\n${body}`;
const reveal = (v: unknown) => (v instanceof Secret ? v.reveal() : v);

t.test('1: bind-nsupdate keeps its TSIG key and server', async (t) => {
  const { cfg, r } = clean(t, svc('ns', "\toption service_name 'bind-nsupdate'\n\toption domain 'gw.dyn.example.org'\n\toption username 'hmac-sha512:gw-key'\n\toption password 'c2VjcmV0LWtleQ=='\n\toption dns_server 'ns1.example.org:5353'\n"));
  const s = cfg.services[0];
  t.match(s, { provider: 'rfc2136', domains: ['gw.dyn.example.org'], dnsServer: 'ns1.example.org:5353' });
  t.match(s.providerOptions, { key_algorithm: 'hmac-sha512', key_name: 'gw-key', server: 'ns1.example.org:5353', ttl: '600' });
  t.equal(reveal(s.providerOptions.key_secret), 'c2VjcmV0LWtleQ==');
  t.same(r.imported[0].problems, []);
  const bare = clean(t, svc('ns', "\toption service_name 'bind-nsupdate'\n\toption domain 'gw.dyn.example.org'\n\toption username 'gw-key'\n\toption password 'c2VjcmV0LWtleQ=='\n\toption dns_server '192.0.2.1'\n"));
  t.equal(bare.cfg.services[0].providerOptions.key_algorithm, 'hmac-md5', "nsupdate's default algorithm");
  t.match(bare.r.notes, [{ option: 'username', message: /hmac-md5/ }]);
});

t.test("2: lookup_host does not replace domain; each template's [DOMAIN]/[USERNAME] is followed", async (t) => {
  const dynv6 = clean(t, svc('d', "\toption service_name 'dynv6.com'\n\toption domain 'abcdef.dynv6.net'\n\toption lookup_host 'ipv6.dynv6.com'\n\toption password 'tok'\n\toption use_ipv6 '1'\n")).cfg.services[0];
  t.match(dynv6, { domains: ['abcdef.dynv6.net'], lookupHost: 'ipv6.dynv6.com', provider: 'custom' });
  const nc = clean(t, svc('n', "\toption service_name 'namecheap.com'\n\toption domain 'example.co.uk'\n\toption username 'www'\n\toption password 'pw'\n")).cfg.services[0];
  t.match(nc, { provider: 'namecheap', domains: ['www.example.co.uk'], providerOptions: { zone: 'example.co.uk' } });
  t.equal(nc.providerOptions.username, undefined, 'the host went into the record, not a field');
  const apex = clean(t, svc('n', "\toption service_name 'namecheap.com'\n\toption domain 'example.org'\n\toption username '@'\n\toption password 'pw'\n")).cfg.services[0];
  t.same(apex.domains, ['example.org']);
  const afraid = clean(t, svc('a', "\toption service_name 'afraid.org-v2-token'\n\toption domain 'box.mooo.com'\n\toption username 'me'\n\toption password 'TOKENabc123'\n"));
  t.match(afraid.cfg.services[0], { provider: 'freedns', domains: ['box.mooo.com'] });
  t.match(afraid.r.notes, [{ option: 'username', message: /token stands for the names/ }]);
  const omatic = clean(t, svc('o', "\toption service_name 'dnsomatic.com'\n\toption domain 'all.dnsomatic.com'\n\toption lookup_host 'home.example.net'\n\toption username 'u'\n\toption password 'p'\n")).cfg.services[0];
  t.match(omatic, { provider: 'dnsomatic', domains: ['all.dnsomatic.com'], lookupHost: 'home.example.net', verify: true });
  const all = clean(t, svc('o', "\toption service_name 'dnsomatic.com'\n\toption domain 'all.dnsomatic.com'\n\toption username 'u'\n\toption password 'p'\n")).cfg.services[0];
  t.equal(all.verify, false, 'all.dnsomatic.com is no record to verify');
});

t.test('3: exit code and summary follow check (see also test/cli/import.test.ts and the corpus)', async (t) => {
  const { r, cfg } = run(svc('bad', "\toption service_name 'dyndns.org'\n\toption domain 'h.example.com'\n\toption username 'u'\n\toption password 'p'\n\toption ip_source 'script'\n\toption ip_script 'wget -qO- http://ip.example | tail -1'\n"));
  t.match(r.imported, [{ name: 'bad', enabled: false, sourceEnabled: true, problems: [/ip_script: .* uses shell syntax/] }]);
  t.match(cfg.rejected, [{ name: 'bad' }]);
});

t.test('4: catalogue names: dyndns2 servers, renamed names, the service list named when needed', async (t) => {
  const base = "\toption domain 'h.example.com'\n\toption username 'u'\n\toption password 'pw'\n";
  const cases: [string, string, Record<string, string>][] = [
    ['nsupdate.info', 'dyndns2', { endpoint: 'https://ipv4.nsupdate.info/nic/update' }],
    ['oray.com', 'dyndns2', { endpoint: 'http://ddns.oray.com/ph/update' }],
    ['no-ip.pl', 'custom', { update_url: 'http://[USERNAME]:[PASSWORD]@update.no-ip.pl/?hostname=[DOMAIN]' }],
    ['dynv6.com', 'custom', { update_url: 'https://dynv6.com/api/update?hostname=[DOMAIN]&token=[PASSWORD]&ipv4=[IP]', answer: 'updated|unchanged' }],
    ['afraid.org', 'custom', { update_url: 'https://freedns.afraid.org/dynamic/update.php?[PASSWORD]&address=[IP]' }],
    ['freedns.afraid.org', 'custom', { update_url: 'https://freedns.afraid.org/dynamic/update.php?[PASSWORD]&address=[IP]' }],
    ['dyndns.com', 'dyn', {}],
  ];
  // ddns-scripts sent oray.com's and no-ip.pl's credentials over plain http (use_https off): the
  // import keeps them working with allow_insecure_http, and check warns (and nothing else).
  const plain = new Set(['oray.com', 'no-ip.pl']);
  for (const [name, provider, options] of cases) {
    const x = plain.has(name) ? run(svc('x', `\toption service_name '${name}'\n${base}`)) : clean(t, svc('x', `\toption service_name '${name}'\n${base}`));
    const cfg = x.cfg;
    if (plain.has(name)) {
      t.match(x.cfg.problems.map((p) => formatProblem(p)), [/warning: sends .*password.* in clear over plain http .*allowed by option allow_insecure_http/], `${name}: check only warns`);
      t.equal(x.cfg.problems.length, 1, `${name}: one problem, the warning`);
      t.match(x.out, /option allow_insecure_http '1'/, `${name}: allow_insecure_http written`);
      t.match(x.r.notes, [{ option: 'service_name', message: /in clear over plain http \(use_https was off\)/ }], `${name}: the note says why`);
    } else {
      t.notMatch(x.out, /allow_insecure_http/, `${name}: no allow_insecure_http`);
    }
    const s = cfg.services[0];
    t.equal(s.provider, provider, name);
    for (const [k, v] of Object.entries(options)) t.equal(k === 'endpoint' ? s.providerOptions.endpoint : reveal(s.providerOptions[k]), v, `${name}: ${k}`);
  }
  // With use_https on, ddns-scripts used https: so does the import, and nothing is allowed in clear.
  const tls = clean(t, svc('x', `\toption service_name 'oray.com'\n\toption use_https '1'\n${base}`));
  t.equal(tls.cfg.services[0].providerOptions.endpoint, 'https://ddns.oray.com/ph/update', 'oray.com with use_https: https');
  t.notMatch(tls.out, /allow_insecure_http|use_https/, 'oray.com with use_https: neither option written');
  const v6 = clean(t, svc('x', `\toption service_name 'nsupdate.info'\n\toption use_ipv6 '1'\n${base}`)).cfg.services[0];
  t.equal(v6.providerOptions.endpoint, 'https://ipv6.nsupdate.info/nic/update');
  const unknown = run(svc('x', `\toption service_name 'no-ip-alternative.com'\n${base}`));
  t.match(unknown.r.imported, [{ enabled: false, problems: [/service list \(\/usr\/share\/ddns\/default, package ddns-scripts-services\) has no file for it/] }]);

  // With ddns-scripts' service list installed, its provider is used (today's result) for the non-dyndns2 names.
  const dir = t.testdir({ 'dynv6.com.json': JSON.stringify({ name: 'dynv6.com', ipv4: { url: 'http://dynv6.com/api/update?hostname=[DOMAIN]&token=[PASSWORD]&ipv4=[IP]', answer: 'updated|unchanged' } }) });
  const withList = [...PROVIDERS, ...loadCatalogue([dir], PROVIDERS)];
  t.equal(clean(t, svc('x', `\toption service_name 'dynv6.com'\n${base}`), withList).cfg.services[0].provider, 'dynv6.com');
});

t.test('5: a bare DuckDNS sub-name is completed', async (t) => {
  const { cfg, r } = clean(t, svc('duck', "\toption service_name 'duckdns.org'\n\toption domain 'jupshare'\n\toption username 'jupshare'\n\toption password 'tok'\n"));
  t.same(cfg.services[0].domains, ['jupshare.duckdns.org']);
  t.match(r.notes, [{ option: 'domain', message: /sub-name/ }, { option: 'username', message: /token/ }]);
});

t.test('6: global option names from before ddns-scripts 2.7.6 map', async (t) => {
  const { cfg, r } = clean(t, "config ddns 'global'\n\toption date_format '%F %R'\n\toption log_lines '300'\n\toption allow_local_ip '1'\n\toption log_dir '/var/log/ddns'\n\toption run_dir '/var/run/ddns'\n");
  t.match(cfg.global, { logLines: 300, allowPrivate: true });
  for (const o of ['date_format', 'log_lines', 'allow_local_ip', 'log_dir', 'run_dir']) t.ok(r.notes.some((n) => n.option === o), `${o} noted`);
  t.notMatch(JSON.stringify(r.notes), /not a global option ddnsd knows/);
});

t.test('7: a lookup_host without a dot is noted, never dropped silently', async (t) => {
  const { cfg, r } = clean(t, svc('h', "\toption service_name 'dyndns.org'\n\toption domain 'h.example.com'\n\toption lookup_host 'myhost'\n\toption username 'u'\n\toption password 'p'\n"));
  t.equal(cfg.services[0].lookupHost, undefined);
  t.match(r.notes, [{ option: 'lookup_host', message: /'myhost' is not a full DNS name/ }]);
});

t.test('8: Cloudflare with a plain name and param_opt zone_id', async (t) => {
  const { cfg } = clean(t, svc('cf', "\toption service_name 'cloudflare.com-v4'\n\toption domain 'home.example.com'\n\toption username 'Bearer'\n\toption password 'tok'\n\toption param_opt 'zone_id=023e105f4ecef8ad9ca31a8372d0c353'\n"));
  t.match(cfg.services[0], { provider: 'cloudflare', domains: ['home.example.com'], providerOptions: { zone_id: '023e105f4ecef8ad9ca31a8372d0c353' } });
});

t.test('9: fields per provider: namecheap host/domain; use_https of catalogue providers carried', async (t) => {
  const dir = t.testdir({});
  writeFileSync(join(dir, 'example-dyn.net.json'), JSON.stringify({ name: 'example-dyn.net', ipv4: { url: 'http://[USERNAME]:[PASSWORD]@example-dyn.net/u?h=[DOMAIN]&ip=[IP]' } }));
  const withList = [...PROVIDERS, ...loadCatalogue([dir], PROVIDERS)];
  const { cfg, r } = clean(t, svc('c', "\toption service_name 'example-dyn.net'\n\toption domain 'h.example.com'\n\toption username 'u'\n\toption password 'p'\n\toption use_https '0'\n"), withList);
  t.equal(cfg.services[0].providerOptions.use_https, '0', "the catalogue provider's own use_https field");
  t.notOk(r.notes.some((n) => n.option === 'use_https'), 'not reported as lost');
});

t.test('10: DuckDNS URL pairs differing in ip= / ipv6= become one service with update_url6', async (t) => {
  const pair = (p: string, six = '') => `\toption update_url 'https://www.duckdns.org/update?domains=[DOMAIN]&token=[PASSWORD]&${p}=[IP]'\n\toption domain 'box.duckdns.org'\n\toption password 'tok'\n${six}`;
  const { cfg, r } = clean(t, svc('d4', pair('ip')) + '\n' + svc('d6', pair('ipv6', "\toption use_ipv6 '1'\n")));
  t.equal(cfg.services.length, 1);
  const s = cfg.services[0];
  t.equal(s.ipVersion, 'both');
  t.equal(reveal(s.providerOptions.update_url), 'https://www.duckdns.org/update?domains=[DOMAIN]&token=[PASSWORD]&ip=[IP]');
  t.equal(reveal(s.providerOptions.update_url6), 'https://www.duckdns.org/update?domains=[DOMAIN]&token=[PASSWORD]&ipv6=[IP]');
  t.match(r.notes, [{ section: 'd6', message: /merged into d4/ }]);
  const other = run(svc('d4', pair('ip')) + '\n' + svc('d6', pair('ipv6', "\toption use_ipv6 '1'\n").replace('www.duckdns.org', 'other.example')));
  t.equal(other.cfg.services.length, 2, 'URLs that differ elsewhere stay apart');
});

t.test('11: no empty global section', async (t) => {
  const { r, out } = run("config ddns 'global'\n\toption use_curl '1'\n\toption ddns_dateformat '%F'\n\n" + svc('s', "\toption service_name 'dyndns.org'\n\toption domain 'h.example.com'\n\toption username 'u'\n\toption password 'p'\n"));
  t.notMatch(out, /config ddnsd/);
  t.match(r.notes, [{ section: 'global', option: 'use_curl' }, { section: 'global', option: 'ddns_dateformat' }]);
});

t.test('new options: force_ipversion, cacert (IGNORE → tls_insecure), bind_network; log settings', async (t) => {
  const body = "\toption service_name 'dyndns.org'\n\toption domain 'h.example.com'\n\toption username 'u'\n\toption password 'p'\n";
  const a = run(svc('a', `${body}\toption force_ipversion '1'\n\toption cacert '/etc/ssl/certs/my-ca.pem'\n\toption bind_network 'wanb'\n\toption use_syslog '3'\n\toption use_logfile '1'\n`));
  t.match(a.cfg.services[0], { forceIpVersion: true, cacert: '/etc/ssl/certs/my-ca.pem', bindNetwork: 'wanb' });
  t.equal(a.cfg.global.logLevel, 'warn', 'use_syslog 3 (warn) as the global level');
  t.match(a.r.notes, [{ option: 'use_syslog', message: /log level warn/ }, { option: 'use_logfile', message: /ddnsd log a/ }]);
  const b = run(svc('b', `${body}\toption cacert 'IGNORE'\n`));
  t.equal(b.cfg.services[0].tlsInsecure, true);
  t.match(b.cfg.problems, [{ option: 'tls_insecure', severity: 'warning', message: /^INSECURE/ }], 'check warns');
  const debugOne = run(svc('c', `${body}\toption use_syslog '1'\n`) + '\n' + svc('d', `${body.replace('h.example', 'i.example')}\toption use_syslog '4'\n`));
  t.equal(debugOne.cfg.global.logLevel, 'info', 'the most detailed level wins; info is the default, so nothing is written');
  t.notMatch(debugOne.out, /log_level/);
});
