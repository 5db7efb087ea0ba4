import t from 'tap';
import { inspect } from 'node:util';
import { errorsOf, formatProblem, loadConfig } from '../../src/config/schema';
import type { LoadedConfig } from '../../src/config/types';
import { Secret } from '../../src/util/secret';
import { DYN, loadTest, TEST_PROVIDERS } from './test-providers';

const load = loadTest;

function only(cfg: LoadedConfig, name: string) {
  const s = cfg.services.find((x) => x.name === name);
  if (!s) throw new Error(`service ${name} not loaded: ${cfg.problems.map((p) => formatProblem(p)).join('; ')}`);
  return s;
}

t.test('a minimal service gets the documented defaults', async (t) => {
  const cfg = load(DYN);
  t.same(cfg.problems, []);
  const s = only(cfg, 'home');
  t.match(s, {
    name: 'home',
    enabled: false,
    provider: 'dyn',
    domains: ['home.example.com'],
    ipVersion: '4',
    interface: 'wan',
    source: 'network',
    ipUrls: [],
    ipDns: [],
    ipv6: { mode: 'auto' },
    allowPrivate: false,
    forceIntervalMs: 72 * 3600_000,
    retryIntervalMs: 60_000,
    retryMaxCount: 0,
    checkIntervalMs: 600_000,
    verify: true,
  });
  t.equal(s.providerOptions.username, 'alice');
  t.ok(s.providerOptions.password instanceof Secret, 'password is a Secret');
  t.equal((s.providerOptions.password as Secret).reveal(), 'S3cr3t-pw!');
  t.match(s.fingerprint, /^[0-9a-f]{32}$/);
  t.same(cfg.global, { logLevel: 'info', allowPrivate: false, logLines: 500 });
});

t.test('the secret appears nowhere in the loaded config or its problems', async (t) => {
  const bad = DYN.replace("option domain 'home.example.com'", "option domain 'not a name'") + "\tlist password 'x'\n";
  for (const cfg of [load(DYN), load(bad)]) {
    const text = JSON.stringify(cfg) + inspect(cfg, { depth: 10 }) + cfg.problems.map((p) => formatProblem(p)).join('\n');
    t.notMatch(text, 'S3cr3t-pw!');
  }
  const listed = load(DYN.replace("option password 'S3cr3t-pw!'", "list password 'S3cr3t-pw!'"));
  t.equal(listed.services.length, 0);
  t.notMatch(JSON.stringify(listed.problems), 'S3cr3t-pw!');
  t.match(listed.problems, [{ section: 'home', option: 'password', message: /single value/ }]);
});

t.test('global section', async (t) => {
  const cfg = load(`config ddnsd 'global'\n\toption log_level 'debug'\n\toption upd_privateip '1'\n\toption log_lines 1000\n${DYN}`);
  t.same(cfg.global, { logLevel: 'debug', allowPrivate: true, logLines: 1000 });
  t.equal(only(cfg, 'home').allowPrivate, true, 'services inherit upd_privateip');
  const bad = load(`config ddnsd 'global'\n\toption log_level 'loud'\n\toption log_lines 3\n\toption color 1\n`);
  t.match(bad.problems, [
    { section: 'global', option: 'log_level', value: 'loud', message: "'loud' is not allowed; use error, warn, info, debug", line: 2 },
    { section: 'global', option: 'log_lines', value: '3', message: /10 to 100000/, line: 3 },
    { section: 'global', option: 'color', severity: 'warning', line: 4 },
  ]);
});

t.test('ddns-scripts spellings: service_name, lookup_host, use_ipv6, units, retry_count', async (t) => {
  const cfg = load(`
config service 'v6'
	option enabled '1'
	option service_name 'dyndns.org'
	option lookup_host 'host.example.com'
	option use_ipv6 '1'
	option username 'u'
	option password 'p'
	option check_interval '5'
	option check_unit 'minutes'
	option force_interval '3'
	option force_unit 'days'
	option retry_interval '2'
	option retry_unit 'minutes'
	option retry_count '7'
`);
  t.same(errorsOf(cfg.problems), []);
  const s = only(cfg, 'v6');
  t.match(s, { enabled: true, provider: 'dyn', domains: ['host.example.com'], ipVersion: '6' });
  t.equal(s.checkIntervalMs, 300_000);
  t.equal(s.forceIntervalMs, 3 * 86_400_000);
  t.equal(s.retryIntervalMs, 120_000);
  t.equal(s.retryMaxCount, 7);
});

t.test('domains: option, list, trailing dot, duplicates; ip_version wins over use_ipv6', async (t) => {
  const cfg = load(`
config service 'multi'
	option provider 'dyn'
	list domain 'a.example.com'
	list domain 'b.example.com.'
	list domain 'a.example.com'
	list domain '*.example.org'
	option lookup_host 'a.example.com'
	option ip_version 'both'
	option use_ipv6 '0'
	option username 'u'
	option password 'p'
`);
  t.same(cfg.problems, []);
  t.same(only(cfg, 'multi').domains, ['a.example.com', 'b.example.com', '*.example.org']);
  t.equal(only(cfg, 'multi').ipVersion, 'both');
  t.equal(only(cfg, 'multi').lookupHost, 'a.example.com', 'with several domains, lookup_host names the one name verification asks for');
});

t.test("lookup_host keeps ddns-scripts' meaning: the record stays domain, verification looks up lookup_host", async (t) => {
  const other = load(DYN.replace("'home.example.com'", "'abcdef.dynv6.net'\n\toption lookup_host 'ipv6.dynv6.com.'"));
  t.same(other.problems, [], 'no warning: it is a setting, not a mistake');
  t.match(only(other, 'home'), { domains: ['abcdef.dynv6.net'], lookupHost: 'ipv6.dynv6.com' });
  const same = only(load(DYN.replace("'home.example.com'", "'home.example.com'\n\toption lookup_host 'home.example.com'")), 'home');
  t.equal(same.lookupHost, undefined, 'the same name as the one domain changes nothing');
  const bad = load(DYN.replace("'home.example.com'", "'home.example.com'\n\toption lookup_host 'home'"));
  t.match(bad.problems, [{ option: 'lookup_host', value: 'home', message: /'home' is not a DNS name/ }]);
  t.equal(bad.services.length, 0);
});

t.test('transfer options: force_ipversion, cacert, tls_insecure (warned), bind_network', async (t) => {
  const cfg = load(DYN + "\toption force_ipversion '1'\n\toption cacert '/etc/ssl/certs/my-ca.crt'\n\toption bind_network 'wanb'\n");
  t.same(cfg.problems, []);
  t.match(only(cfg, 'home'), { forceIpVersion: true, cacert: '/etc/ssl/certs/my-ca.crt', bindNetwork: 'wanb' });
  t.equal(only(cfg, 'home').tlsInsecure, undefined);
  const insecure = load(DYN + "\toption tls_insecure '1'\n");
  t.equal(only(insecure, 'home').tlsInsecure, true);
  t.match(insecure.problems, [{ option: 'tls_insecure', severity: 'warning', message: /^INSECURE: the provider's TLS certificate is not checked/ }]);
  const table: [string, string, RegExp][] = [
    ["option cacert 'IGNORE'", 'cacert', /option tls_insecure '1'/],
    ["option cacert 'certs/ca.pem'", 'cacert', /absolute path/],
    ["option force_ipversion 'six'", 'force_ipversion', /'six' is not allowed/],
    ["option bind_network 'wan-b'", 'bind_network', /network name/],
  ];
  for (const [line, option, message] of table) {
    const bad = load(DYN + `\t${line}\n`);
    t.equal(bad.services.length, 0, line);
    t.match(bad.problems, [{ section: 'home', option, message }], line);
  }
  const dyn = TEST_PROVIDERS.find((p) => p.id === 'dyn')!;
  const oneRequest = [{ ...dyn, capabilities: { ...dyn.capabilities, dualStackOneRequest: true } }];
  const both = loadConfig(DYN + "\toption force_ipversion '1'\n\toption ip_version 'both'\n", { providers: oneRequest });
  t.equal(both.services.length, 1);
  t.match(both.problems, [{ option: 'force_ipversion', severity: 'warning', message: /takes both families in one request/ }]);
  t.same(loadConfig(DYN + "\toption force_ipversion '1'\n\toption ip_version '6'\n", { providers: oneRequest }).problems, [], 'one family: no warning');
});

t.test('import_problem refuses the service and says what to do', async (t) => {
  const cfg = load(DYN + "\toption import_problem 'ran /usr/lib/ddns/mine.sh, which ddnsd does not run'\n");
  t.same(cfg.services, []);
  t.match(cfg.rejected, [{ name: 'home', problems: [{ option: 'import_problem', message: /^ran \/usr\/lib\/ddns\/mine\.sh, which ddnsd does not run \(from ddnsd import; fix this, then delete option import_problem\)$/ }] }]);
});

t.test('a field required unless another option is set (Cloudflare zone or zone_id)', async (t) => {
  const cf = (extra: string) => load(`config service 'cf'\n\toption provider 'cloudflare'\n\toption domain 'home.example.com'\n\toption api_token 't'\n${extra}`);
  t.match(cf('').problems, [{ option: 'zone', message: 'required by provider cloudflare (Zone), unless zone_id is set' }]);
  t.same(cf("\toption zone_id '023e105f4ecef8ad9ca31a8372d0c353'\n").problems, []);
});

t.test('every bad value is named with section, option, value and what is allowed', async (t) => {
  const table: [string, string, RegExp][] = [
    ["option ip_version '7'", 'ip_version', /'7' is not allowed; use 4, 6, both/],
    ["option enabled 'maybe'", 'enabled', /'maybe' is not allowed; use 1 or 0/],
    ["option ip_source 'carrier-pigeon'", 'ip_source', /use network, interface, web, dns, script/],
    ["option interface 'wan-1'", 'interface', /network name/],
    ["option check_interval '10 minutes'", 'check_interval', /30s, 10m, 72h, 3d\), or a plain number, counted in minutes \(option check_unit\)$/],
    ["option force_interval 'often'\n\toption force_unit 'days'", 'force_interval', /or a plain number, counted in days \(option force_unit\)$/],
    ["option check_interval '5s'", 'check_interval', /too short; the minimum is 10s/],
    ["option check_unit 'fortnights'", 'check_unit', /seconds, minutes, hours or days/],
    ["option retry_max_count '-1'", 'retry_max_count', /whole number/],
    ["option dns_server 'bad server'", 'dns_server', /host or address/],
    ["option endpoint 'ftp://x'", 'endpoint', /http\(s\) URL/],
    ["option endpoint 'http://127.0.0.1/nic/update\r\nX-Evil: 1'", 'endpoint', /^'http:\/\/127\.0\.0\.1\/nic\/update\\r\\nX-Evil: 1' is not allowed; use an http\(s\) URL/],
    ["list ip_url 'https://ip.example.net/ ip'", 'ip_url', /http:\/\/ or https:\/\//],
    ["option proxy 'proxy.example.net'", 'proxy', /\[user:pass@\]host:port/],
    ["option ip6_mode 'random'", 'ip6_mode', /auto, prefix/],
    ["option ip6_suffix '1234'", 'ip6_suffix', /::1234/],
    ["list ip_url 'not-a-url'", 'ip_url', /http:\/\/ or https:\/\//],
    ["list ip_dns 'a@b@c'", 'ip_dns', /opendns, cloudflare or NAME@SERVER/],
    ["option ip_regex '(['", 'ip_regex', /regular expression/],
    ["option domain 'home@example.com'", 'domain', /host@zone form/],
    ["option ip_source 'script'\n\toption ip_script '/usr/bin/curl -s http://x/ | grep -o [0-9.]*'", 'ip_script', /uses shell syntax \(\|\), but ddnsd runs ip_script without a shell, split at spaces; put the command in an executable script file/],
    ["option ip_source 'script'\n\toption ip_script 'myip \"-4\"'", 'ip_script', /shell syntax \("\)/],
    ["option domain 'bücher.example.com'", 'domain', /'bücher\.example\.com' is not a DNS name; write a name with non-ASCII letters in its ASCII \(punycode\) form: xn--bcher-kva\.example\.com$/],
    ["list enabled '1'", 'enabled', /single value/],
  ];
  for (const [line, option, message] of table) {
    const text = DYN.replace("\toption password", `\t${line}\n\toption password`).replace(
      line.includes('domain') ? "\toption domain 'home.example.com'\n" : '\u0000',
      '',
    );
    const cfg = load(text + `\nconfig service 'other'\n\toption provider 'dyn'\n\toption domain 'o.example.com'\n\toption username 'u'\n\toption password 'p'\n`);
    t.same(cfg.services.map((s) => s.name), ['other'], `${option}: the bad service is skipped, the other loads`);
    t.equal(cfg.rejected[0]?.name, 'home');
    const p = cfg.problems.find((x) => x.option === option);
    t.ok(p, `${option} is named`);
    t.match(p?.message, message, line);
    t.equal(p?.section, 'home');
    t.ok((p?.line ?? 0) > 2, 'with a line number');
  }
});

t.test('sources need their options', async (t) => {
  const base = DYN + "\toption ip_source '%s'\n";
  t.match(load(base.replace('%s', 'interface')).problems, [{ option: 'ip_interface', message: /required with ip_source interface/ }]);
  t.match(load(base.replace('%s', 'script')).problems, [{ option: 'ip_script', message: /required with ip_source script/ }]);
  const script = only(load(base.replace('%s', 'script') + "\toption ip_script '/usr/bin/myip  -4 --quiet'\n"), 'home');
  t.same(script.ipScript, ['/usr/bin/myip', '-4', '--quiet']);
  const web = only(load(base.replace('%s', 'web') + "\tlist ip_url 'https://a.test/'\n\tlist ip_url 'http://b.test/ip'\n\toption ip_regex '\\d+'\n"), 'home');
  t.same(web.ipUrls, ['https://a.test/', 'http://b.test/ip']);
  t.equal(web.ipRegex, '\\d+');
  const dns = only(load(base.replace('%s', 'dns') + "\tlist ip_dns 'opendns'\n\tlist ip_dns 'myip.opendns.com@resolver1.opendns.com'\n"), 'home');
  t.same(dns.ipDns, ['opendns', 'myip.opendns.com@resolver1.opendns.com']);
  const stray = load(DYN + "\toption ip_url 'https://a.test/'\n");
  t.equal(stray.services.length, 1);
  t.match(stray.problems, [{ option: 'ip_url', severity: 'warning', message: /only used with ip_source web/ }]);
  const pd = only(load(DYN + "\toption ip6_mode 'prefix'\n\toption ip6_interface_id '::1:2:3:4'\n\toption ip6_prefix_interface 'lan'\n"), 'home');
  t.same(pd.ipv6, { mode: 'prefix', suffix: '::1:2:3:4', prefixInterface: 'lan' });
  t.match(load(DYN + "\toption ip6_mode 'prefix'\n").problems, [{ option: 'ip6_suffix', message: /required with ip6_mode prefix/ }]);
});

t.test('provider fields: required, choice, boolean, duration, list, defaults, secrets', async (t) => {
  const rfc = `
config service 'dns'
	option provider 'rfc2136'
	option domain 'h.example.com'
	option server 'ns1.example.com'
	option key_secret 'c2VjcmV0'
	option tcp 'yes'
	option wait '30s'
	list notify 'ns2.example.com'
	list notify 'ns3.example.com.'
`;
  const s = only(load(rfc), 'dns');
  t.equal(s.providerOptions.key_algorithm, 'hmac-sha256', 'default applied');
  t.equal(s.providerOptions.tcp, '1', 'boolean normalised');
  t.equal(s.providerOptions.wait, '30s');
  t.same(s.providerOptions.notify, ['ns2.example.com', 'ns3.example.com']);
  t.ok(s.providerOptions.key_secret instanceof Secret);
  const bad = load(rfc.replace("option server 'ns1.example.com'\n", '').replace("'yes'", "'sometimes'") + "\toption key_algorithm 'md5'\n\toption wait 'soon'\n");
  t.equal(bad.services.length, 0);
  t.match(bad.problems, [
    { option: 'server', message: 'required by provider rfc2136 (DNS server)' },
  ]);
  t.match(bad.problems.find((p) => p.option === 'key_algorithm'), { value: 'md5', message: /use hmac-sha256, hmac-sha512/ });
  t.match(bad.problems.find((p) => p.option === 'tcp'), { value: 'sometimes', message: /1 or 0/ });
  t.match(bad.problems.find((p) => p.option === 'wait'), { value: 'soon', message: /30s, 10m/ });
});

t.test('ttl on a provider that takes none is reported as an option it ignores', async (t) => {
  const cfg = load(DYN + "\toption ttl '0'\n");
  t.match(cfg.problems, [{ section: 'home', option: 'ttl', severity: 'warning', message: /unknown option for provider dyn; it is ignored/ }]);
});

t.test('provider-declared common options are checked once (dyndns2 endpoint)', async (t) => {
  const text = DYN.replace("'dyn'", "'dyndns2'") + "\toption endpoint 'ftp://dyn.example.net/'\n";
  const cfg = load(text);
  t.equal(cfg.problems.filter((p) => p.option === 'endpoint').length, 1);
  const good = only(load(DYN.replace("'dyn'", "'dyndns2'") + "\toption endpoint 'https://dyn.example.net/nic/update'\n"), 'home');
  t.equal(good.providerOptions.endpoint, 'https://dyn.example.net/nic/update');
});

t.test('unknown provider, missing provider, unnamed section, unknown option and section', async (t) => {
  const cfg = load(`
config service 'x'
	option provider 'nosuch'
	option domain 'x.example.com'

config service 'y'
	option domain 'y.example.com'

config service
	option provider 'dyn'
	option domain 'z.example.com'
	option username 'u'
	option password 'p'

config service 'w'
	option provider 'dyn'
	option domain 'w.example.com'
	option username 'u'
	option password 'p'
	option colour 'blue'

config servcie 'typo'
`);
  t.same(cfg.services.map((s) => s.name), ['w']);
  t.same(cfg.rejected.map((r) => r.name), ['x', 'y', 'cfg035996']);
  t.match(cfg.problems, [
    { section: 'x', option: 'provider', value: 'nosuch', message: /unknown provider 'nosuch' \(available: dyn, noip, dyndns2/ },
    { section: 'y', option: 'provider', message: /required/ },
    { section: 'cfg035996', message: /need a name/ },
    { section: 'w', option: 'colour', severity: 'warning', line: 20 },
    { section: 'typo', severity: 'warning', message: /unknown section type 'servcie'/, line: 22 },
  ]);
});

t.test('service_name and provider naming different providers', async (t) => {
  const cfg = load(DYN + "\toption service_name 'no-ip.com'\n");
  t.match(cfg.problems, [{ option: 'service_name', message: /another provider/ }]);
  t.equal(load(DYN + "\toption service_name 'dyndns.org'\n").services.length, 1, 'an alias of the same provider is fine');
});

t.test('a parse error is one problem with the line', async (t) => {
  const cfg = load("config service 'a'\n\toption provider 'dyn'\n\tbogus x\n");
  t.equal(cfg.services.length, 0);
  t.match(cfg.problems, [{ section: '', line: 3, message: /parse error \(invalid command\) at line 3, byte 1/ }]);
  t.equal(formatProblem(cfg.problems[0], '/etc/config/ddnsd'), '/etc/config/ddnsd: parse error (invalid command) at line 3, byte 1 (the file is not valid UCI; nothing was loaded)');
});

t.test('fingerprint: changes with any option, secrets included; stable under reordering', async (t) => {
  const fp = (text: string) => only(load(text), 'home').fingerprint;
  const base = fp(DYN);
  t.equal(fp(DYN), base, 'deterministic');
  t.not(fp(DYN.replace('S3cr3t-pw!', 'S3cr3t-pw?')), base, 'password change');
  t.not(fp(DYN.replace('alice', 'bob')), base, 'username change');
  t.not(fp(DYN + "\toption verify '0'\n"), base, 'new option');
  const reordered = "config service 'home'\n\toption password 'S3cr3t-pw!'\n\toption username 'alice'\n\toption domain 'home.example.com'\n\toption provider 'dyn'\n";
  t.equal(fp(reordered), base, 'order of lines does not matter');
});

t.test('two enabled services keeping the same record get a warning', async (t) => {
  const svc = (name: string, version: string, enabled = '1') =>
    `config service '${name}'\n\toption enabled '${enabled}'\n\toption provider 'dyn'\n\tlist domain 'a.example.com'\n\tlist domain 'B.example.com'\n\toption ip_version '${version}'\n\toption username 'u'\n\toption password 'p'\n`;
  const cfg = load(svc('one', '4') + svc('two', 'both') + svc('three', '6') + svc('off', '4', '0'));
  t.equal(cfg.services.length, 4, 'all load');
  t.same(
    cfg.problems.map((p) => [p.section, p.severity, p.message]),
    [
      ['two', 'warning', "record a.example.com (A) is also kept by service one; two services would undo each other's updates"],
      ['two', 'warning', "record B.example.com (A) is also kept by service one; two services would undo each other's updates"],
      ['three', 'warning', "record a.example.com (AAAA) is also kept by service two; two services would undo each other's updates"],
      ['three', 'warning', "record B.example.com (AAAA) is also kept by service two; two services would undo each other's updates"],
    ],
  );
});

t.test('a value with a newline or of great length is shown escaped and shortened in its problem', async (t) => {
  const long = `${'a'.repeat(5000)}.example.com`;
  const cfg = load(`${DYN}\tlist domain 'x.example.com\nevil: injected line'\n\nconfig service 'b'\n\toption provider 'dyn'\n\toption domain '${long}'\n\toption username 'u'\n\toption password 'p'\n`);
  const nl = cfg.problems.find((p) => p.section === 'home' && p.option === 'domain');
  t.match(nl?.message, /^'x\.example\.com\\nevil: injected line' is not a DNS name/);
  t.notMatch(formatProblem(nl!), /\n/, 'one problem, one line');
  t.equal(nl?.value, 'x.example.com\nevil: injected line', 'the value itself is kept for --json');
  const big = cfg.problems.find((p) => p.section === 'b' && p.option === 'domain');
  t.ok(big && big.message.length < 300, `short message (${big?.message.length} characters)`);
  t.match(big?.message, /^'a{60}…xample\.com \(5012 characters\)' is not a DNS name/);
});

t.test('a value that is not UTF-8 is an error naming the option, with a secret value not shown', async (t) => {
  const latin1 = Buffer.concat([Buffer.from(DYN.replace("'S3cr3t-pw!'", "'S3cr3t-")), Buffer.from([0xe9]), Buffer.from("'\n")]);
  const cfg = load(latin1 as unknown as string);
  t.same(cfg.rejected.map((r) => r.name), ['home'], 'not sent with an altered password');
  const p = cfg.problems.find((x) => x.option === 'password');
  t.match(p?.message, /is not valid UTF-8 text .*save the file as UTF-8/);
  t.equal(p?.value, undefined);
  t.equal(formatProblem(p!), `home.password: ${p!.message} (line 6)`);
  t.same(cfg.problems.length, 1, 'one problem, not also "required"');
});

t.test('an unknown option named like a field label points at the field', async (t) => {
  const duck = { ...TEST_PROVIDERS[0], id: 'duck', aliases: [], fields: [{ name: 'password', label: 'Token', type: 'password' as const, required: true, secret: true }] };
  const cfg = loadConfig(`config service 'd'\n\toption provider 'duck'\n\toption domain 'd.example.com'\n\toption password 'x'\n\toption token 'y'\n\toption colour 'blue'\n`, { providers: [duck] });
  t.match(cfg.problems, [
    { option: 'token', severity: 'warning', message: 'unknown option for provider duck; it is ignored (the Token goes in option password)' },
    { option: 'colour', severity: 'warning', message: /it is ignored \(`ddnsd providers` lists its options\)$/ },
  ]);
});

t.test('a web source URL whose host is an address of the other family is a warning', async (t) => {
  const cfg = load(`${DYN}\toption ip_version '6'\n\toption ip_source 'web'\n\tlist ip_url 'http://127.0.0.1:8080/ip'\n\tlist ip_url 'http://[2001:db8::1]/ip'\n`);
  t.same(cfg.services.map((s) => s.name), ['home'], 'a warning, not an error');
  t.match(cfg.problems, [{ option: 'ip_url', severity: 'warning', message: "'http://127.0.0.1:8080/ip' has an IPv4 address as its host; reached over IPv4, it can never tell this service's IPv6 address (ip_version 6)" }]);
  t.equal(cfg.problems.length, 1, 'the IPv6 literal is fine');
});
