import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendSections, convertDdnsScripts, ImportResult } from '../../src/config/import';
import { errorsOf, formatProblem, loadConfig } from '../../src/config/schema';
import { parseUci } from '../../src/config/uci';
import { Secret } from '../../src/util/secret';
import { TEST_PROVIDERS } from './test-providers';
import { UCI_CASES } from './uci-fixtures';

const providers = TEST_PROVIDERS;
const convert = (text: string, existing?: string) =>
  convertDdnsScripts(text, { providers, existing: existing === undefined ? undefined : parseUci(existing, 'ddnsd') });

/** Import, then load the result as `ddnsd check` would: no errors and no warnings allowed. */
function importAndLoad(t: Test, text: string) {
  const r = convert(text);
  const out = appendSections('', r.sections);
  const cfg = loadConfig(out, { providers });
  t.same(cfg.problems.map((p) => formatProblem(p)), [], 'the imported config loads without problems');
  return { r, cfg, out };
}

/**
 * Where each ddns-scripts option goes. Every option of the source must either land in the
 * output under one of these names or be named in a note: nothing is dropped silently.
 */
const MAPPED: Record<string, string[]> = {
  enabled: ['enabled'],
  service_name: ['provider'],
  update_url: ['update_url'],
  domain: ['domain'],
  lookup_host: ['domain', 'lookup_host'],
  force_ipversion: ['force_ipversion'],
  bind_network: ['bind_network'],
  cacert: ['cacert', 'tls_insecure'],
  zone_id: ['zone_id'],
  username: ['username', 'api_token'],
  password: ['password', 'api_token'],
  use_ipv6: ['ip_version'],
  interface: ['interface'],
  ip_source: ['ip_source'],
  ip_network: ['ip_network'],
  ip_interface: ['ip_interface'],
  ip_url: ['ip_url'],
  ip_script: ['ip_script'],
  check_interval: ['check_interval'],
  check_unit: ['check_interval'],
  force_interval: ['force_interval'],
  force_unit: ['force_interval'],
  retry_interval: ['retry_interval'],
  retry_unit: ['retry_interval'],
  retry_count: ['retry_max_count'],
  retry_max_count: ['retry_max_count'],
  dns_server: ['dns_server'],
  proxy: ['proxy'],
  upd_privateip: ['upd_privateip'],
  ddns_loglines: ['log_lines'],
};

function nothingDropped(t: Test, text: string, r: ImportResult) {
  const src = parseUci(text, 'ddns');
  for (const s of src.sections) {
    const skipped = r.skipped.some((x) => x.name === s.name);
    const out = r.sections.find((x) => x.name === s.name || (s.type === 'ddns' && x.type === 'ddnsd'));
    for (const o of s.options) {
      const noted = r.notes.some((n) => n.section === s.name && n.option === o.name);
      const landed = out !== undefined && (MAPPED[o.name] ?? []).some((m) => out.options.some((x) => x.name === m));
      t.ok(skipped || noted || landed, `${s.name}.${o.name} is imported or reported`);
    }
  }
}

t.test("ddns-scripts' default config (fixture 82)", async (t) => {
  const text = readFileSync(join(UCI_CASES, '82-ddns-default.conf'), 'utf8');
  const { r, cfg } = importAndLoad(t, text);
  t.same(r.imported, [
    { name: 'myddns_ipv4', provider: 'dyn', enabled: false, sourceEnabled: false, problems: [] },
    { name: 'myddns_ipv6', provider: 'custom', enabled: false, sourceEnabled: false, problems: [] },
  ]);
  t.same(r.skipped, []);
  t.same(cfg.services.map((s) => [s.name, s.enabled, s.provider, s.domains, s.ipVersion, s.interface, s.source, s.ipNetwork]), [
    ['myddns_ipv4', false, 'dyn', ['yourhost.example.com'], '4', 'wan', 'network', 'wan'],
    ['myddns_ipv6', false, 'custom', ['yourhost.example.com'], '6', 'wan6', 'network', 'wan6'],
  ]);
  const v6 = cfg.services[1].providerOptions;
  t.ok(v6.update_url instanceof Secret);
  t.equal((v6.update_url as Secret).reveal(), 'http://[USERNAME]:[PASSWORD]@your.provider.net/nic/update?hostname=[DOMAIN]&myip=[IP]');
  t.equal(cfg.global.logLines, 250);
  t.match(r.notes, [{ section: 'global', option: 'ddns_dateformat' }, { section: 'myddns_ipv4', option: 'use_api_check' }, { section: 'myddns_ipv6', option: 'use_api_check' }]);
  nothingDropped(t, text, r);
  t.notMatch(JSON.stringify(r.notes), 'your_password', 'notes never quote a password');
});

const service = (body: string) => `config service 'svc'\n\toption enabled '1'\n\toption service_name 'dyndns.org'\n\toption domain 'h.example.com'\n\toption username 'u'\n\toption password 'pw-123456'\n${body}`;

t.test('one config per ip_source variant', async (t) => {
  const variants: [string, string, (s: ReturnType<typeof loadConfig>['services'][0]) => unknown, unknown][] = [
    ['network', "\toption ip_source 'network'\n\toption ip_network 'wan'\n", (s) => s.ipNetwork, 'wan'],
    ['interface', "\toption ip_source 'interface'\n\toption ip_interface 'pppoe-wan'\n", (s) => s.ipInterface, 'pppoe-wan'],
    ['web', "\toption ip_source 'web'\n\toption ip_url 'http://checkip.dyndns.com'\n", (s) => s.ipUrls, ['http://checkip.dyndns.com']],
    ['script', "\toption ip_source 'script'\n\toption ip_script '/usr/bin/myip -4'\n", (s) => s.ipScript, ['/usr/bin/myip', '-4']],
    ['(default)', '', (s) => s.source, 'network'],
  ];
  for (const [name, body, pick, want] of variants) {
    const stray = name === 'web' ? "\toption ip_interface 'eth9'\n" : "\toption ip_url 'http://stray.example/'\n";
    const text = service(body + stray);
    const { r, cfg } = importAndLoad(t, text);
    t.equal(cfg.services.length, 1, name);
    t.equal(cfg.services[0].source, name === '(default)' ? 'network' : name);
    t.same(pick(cfg.services[0]), want, `${name}: its option carried over`);
    t.equal(cfg.services[0].enabled, true);
    nothingDropped(t, text, r);
    const [option, needs] = name === 'web' ? ['ip_interface', 'interface'] : ['ip_url', 'web'];
    t.match(r.notes, [{ option, message: new RegExp(`only used with ip_source ${needs}`) }], `${name}: the other source's option is reported`);
  }
});

t.test('one config per interval unit', async (t) => {
  const units: [string, number][] = [['seconds', 1000], ['minutes', 60_000], ['hours', 3_600_000], ['days', 86_400_000]];
  for (const [unit, ms] of units) {
    const text = service(
      `\toption check_interval '30'\n\toption check_unit '${unit}'\n\toption force_interval '40'\n\toption force_unit '${unit}'\n` +
        `\toption retry_interval '50'\n\toption retry_unit '${unit}'\n`,
    );
    const { r, cfg } = importAndLoad(t, text);
    const s = cfg.services[0];
    t.same([s.checkIntervalMs, s.forceIntervalMs, s.retryIntervalMs], [30 * ms, 40 * ms, 50 * ms], unit);
    nothingDropped(t, text, r);
  }
  const defaults = importAndLoad(t, service("\toption check_interval '15'\n\toption force_interval '24'\n\toption retry_interval '90'\n")).cfg.services[0];
  t.same([defaults.checkIntervalMs, defaults.forceIntervalMs, defaults.retryIntervalMs], [15 * 60_000, 24 * 3_600_000, 90_000], "ddns-scripts' default units");
  const unitOnly = importAndLoad(t, service("\toption check_unit 'hours'\n")).cfg.services[0];
  t.equal(unitOnly.checkIntervalMs, 10 * 3_600_000, "a unit alone applies to ddns-scripts' default of 10");
  const bad = convert(service("\toption check_unit 'weeks'\n\toption retry_interval 'soon'\n"));
  t.match(bad.notes, [{ option: 'check_unit', message: /'weeks' is not seconds/ }, { option: 'retry_interval', message: /not a whole number/ }]);
  const once = convert(service("\toption force_interval '0'\n"));
  t.match(once.notes, [{ option: 'force_interval', message: /updated once and exited/ }]);
});

t.test('retry_count becomes retry_max_count; use_ipv6 becomes ip_version; proxy, dns_server carried', async (t) => {
  const { cfg } = importAndLoad(t, service("\toption retry_count '5'\n\toption use_ipv6 '1'\n\toption dns_server '9.9.9.9'\n\toption proxy 'proxy.lan:3128'\n"));
  t.match(cfg.services[0], { retryMaxCount: 5, ipVersion: '6', dnsServer: '9.9.9.9', proxy: 'proxy.lan:3128' });
});

t.test('Cloudflare script provider: Bearer token, host@zone, param_opt zone_id', async (t) => {
  const ZID = '023e105f4ecef8ad9ca31a8372d0c353';
  const cf = (domain: string, user = 'Bearer', opt = `zone_id=${ZID}`) =>
    `config service 'cf'\n\toption service_name 'cloudflare.com-v4'\n\toption domain '${domain}'\n\toption lookup_host 'ignored.example.net'\n` +
    `\toption username '${user}'\n\toption password 'tok-ABCDEFG'\n\toption param_opt '${opt}'\n\toption use_api_check '1'\n`;
  const { r, cfg } = importAndLoad(t, cf('home@example.com'));
  const s = cfg.services[0];
  t.match(s, { provider: 'cloudflare', domains: ['home.example.com'] });
  t.equal(s.lookupHost, undefined, 'use_api_check read the record through the API: lookup_host is not carried');
  t.equal(s.providerOptions.zone, 'example.com');
  t.equal(s.providerOptions.zone_id, ZID);
  t.equal((s.providerOptions.api_token as Secret).reveal(), 'tok-ABCDEFG');
  t.match(r.notes, [{ option: 'lookup_host', message: /use_api_check/ }, { option: 'use_api_check' }]);
  t.same(importAndLoad(t, cf('@example.com')).cfg.services[0].domains, ['example.com'], 'apex');
  t.same(importAndLoad(t, cf('a.b@example.com')).cfg.services[0].domains, ['a.b.example.com'], 'deeper host');
  const plain = importAndLoad(t, cf('home.example.com')).cfg.services[0];
  t.match(plain, { domains: ['home.example.com'], providerOptions: { zone_id: ZID } }, 'a plain domain with zone_id: no zone needed');
  t.equal(plain.providerOptions.zone, undefined);
  const noId = importAndLoad(t, cf('example.com', 'Bearer', 'dns_record_id=0123')).cfg.services[0];
  t.match(noId.providerOptions, { zone: 'example.com' }, "a plain domain without zone_id is the zone itself, as ddns-scripts' script took it");
  const legacy = convert(cf('home@example.com', 'me@example.com'));
  t.match(legacy.imported, [{ name: 'cf', enabled: false, problems: [/import_problem: ddns-scripts used the Cloudflare global API key.*api_token/, /api_token: required/] }]);
  t.notMatch(JSON.stringify(legacy), 'tok-ABCDEFG', 'the global key is not written anywhere');
});

t.test('custom update_url with use_https and answer; unknown names and scripts are imported disabled with the reason', async (t) => {
  const custom = "config service 'c'\n\toption update_url 'http://[USERNAME]:[PASSWORD]@dyn.example.net/u?h=[DOMAIN]&ip=[IP]'\n\toption use_https '1'\n\toption answer 'good|nochg'\n\toption domain 'c.example.com'\n\toption username 'u'\n\toption password 'p'\n";
  const { cfg } = importAndLoad(t, custom);
  const o = cfg.services[0].providerOptions;
  t.equal((o.update_url as Secret).reveal(), 'https://[USERNAME]:[PASSWORD]@dyn.example.net/u?h=[DOMAIN]&ip=[IP]');
  t.equal(o.answer, 'good|nochg');
  const unknown = convert("config service 'x'\n\toption enabled '1'\n\toption service_name 'example-catalogue.net'\n\toption domain 'x.example.com'\n\toption param_enc 'abc'\n");
  t.match(unknown.imported, [{ name: 'x', provider: 'example-catalogue.net', enabled: false, sourceEnabled: true, problems: [/service list .* has no file for it/, /unknown provider/] }]);
  t.ok(unknown.sections[0].options.some((x) => x.name === 'param_enc'), 'its fields are kept for whichever provider the user picks');
  const script = convert("config service 's'\n\toption update_script '/usr/lib/ddns/mine.sh'\n\toption domain 's.example.com'\n");
  t.match(script.imported, [{ name: 's', enabled: false, problems: [/shell script \/usr\/lib\/ddns\/mine\.sh/, /provider: required/] }]);
  const none = convert("config service 'n'\n\toption domain 'n.example.com'\n");
  t.match(none.imported, [{ name: 'n', problems: [/neither service_name nor update_url/, /provider: required/] }]);
  t.same([unknown, script, none].map((x) => x.skipped), [[], [], []], 'nothing is skipped any more');
});

t.test('existing services are never overwritten; the target global section is kept', async (t) => {
  const text = service('') + "\nconfig ddns 'global'\n\toption upd_privateip '1'\n\nconfig service 'fresh'\n\toption service_name 'no-ip.com'\n\toption domain 'f.example.com'\n\toption username 'u'\n\toption password 'p'\n";
  const existing = "# mine\nconfig ddnsd 'global'\n\toption log_level 'debug'\n\nconfig service 'svc'\n\toption provider 'noip'\n\toption domain 'keep.example.com'\n\toption username 'k'\n\toption password 'k'\n";
  const r = convert(text, existing);
  t.same(r.imported.map((x) => x.name), ['fresh']);
  t.match(r.skipped, [{ name: 'svc', reason: /already has a section of this name/ }]);
  t.match(r.notes, [{ section: 'global', message: /already has a global section/ }]);
  const out = appendSections(existing.trimEnd(), r.sections);
  t.ok(out.startsWith(existing.trimEnd() + '\n'), 'the existing text is kept byte for byte');
  const cfg = loadConfig(out, { providers });
  t.same(errorsOf(cfg.problems), []);
  t.same(cfg.services.map((s) => [s.name, s.domains[0]]), [['svc', 'keep.example.com'], ['fresh', 'f.example.com']]);
  t.equal(cfg.global.logLevel, 'debug');
});

t.test('anonymous ddns-scripts sections get stable names; other section types are reported', async (t) => {
  const r = convert("config service\n\toption service_name 'dyn.com'\n\toption domain 'a.example.com'\n\toption username 'u'\n\toption password 'p'\nconfig other 'o'\n");
  t.same(r.imported.map((x) => x.name), ['service_1']);
  t.match(r.skipped, [{ name: 'o', reason: /not a ddns-scripts service/ }]);
});

t.test('unknown options are reported, not copied', async (t) => {
  const text = service("\toption frobnicate 'yes'\n");
  const { r } = importAndLoad(t, text);
  t.match(r.notes, [{ option: 'frobnicate', message: /not a ddns-scripts option/ }]);
  nothingDropped(t, text, r);
});

t.test('IPv4 and IPv6 sections of the same record become one dual-stack service', async (t) => {
  const pair = (v6extra = '') =>
    "config service 'h_v4'\n\toption enabled '1'\n\toption service_name 'dyndns.org'\n\toption domain 'h.example.com'\n\toption username 'u'\n\toption password 'p'\n\toption interface 'wan'\n\toption ip_network 'wan'\n\n" +
    "config service 'h_v6'\n\toption enabled '1'\n\toption service_name 'dyndns.org'\n\toption domain 'h.example.com'\n\toption username 'u'\n\toption password 'p'\n\toption use_ipv6 '1'\n\toption interface 'wan6'\n\toption ip_network 'wan6'\n" +
    v6extra;
  const { r, cfg } = importAndLoad(t, pair());
  t.same(r.imported, [{ name: 'h_v4', provider: 'dyn', enabled: true, sourceEnabled: true, problems: [] }]);
  t.match(r.notes, [{ section: 'h_v6', message: /merged into h_v4/ }]);
  t.match(cfg.services, [{ name: 'h_v4', ipVersion: 'both', interface: 'wan', interface6: 'wan6', ipNetwork: 'wan', ipNetwork6: 'wan6', domains: ['h.example.com'] }]);
  t.equal(cfg.services.length, 1);
  const different = convert(pair("\toption password 'other'\n"));
  t.same(different.imported.map((x) => x.name), ['h_v4', 'h_v6'], 'different credentials stay apart');
  const off = convertDdnsScripts(pair(), { providers, mergeDualStack: false });
  t.same(off.imported.map((x) => x.name), ['h_v4', 'h_v6'], 'merging can be turned off');
});
