// One source of truth for the general options: the configuration page builds its validators
// from the `options` (and each provider's `endpoint_type`) of the daemon's providers reply,
// and for every value below its verdict is the one `ddnsd check` gives on the same value.
// The page runs in the stand-in LuCI runtime (test/support/luci/runtime.ts); check runs
// in-process on a file (validateConfigFile, what `ddnsd check --json` runs).
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadView, type FakeMap } from '../support/luci/runtime';
import { providersReply } from '../../src/engine/providers-reply';
import { availableProviders } from '../../src/providers/registry';
import { validateConfigFile } from '../../src/cli/check';
import { OPTION_RULES } from '../../src/config/rules';
import { NOTIFY_RULES } from '../../src/config/notify';

type Section = 'ddnsd' | 'service' | 'notify';
const INDEX: Record<Section, number> = { ddnsd: 0, service: 1, notify: 2 };
const SID: Record<Section, string> = { ddnsd: 'global', service: 's', notify: 'n' };
const VIEWS = join(__dirname, '..', '..', 'luci-app/htdocs/luci-static/resources/view/ddnsd');
const REPLY = providersReply(availableProviders());
const DIR = mkdtempSync(join(tmpdir(), 'ddnsd-rules-'));
t.teardown(() => rmSync(DIR, { recursive: true, force: true }));

// A valid service per provider; the value under test is added to it.
const BASE: Record<string, string> = {
  cloudflare: "\toption api_token 'tok'\n\toption zone 'example.net'\n",
  rfc2136: "\toption server 'ns1.example.net'\n",
  duckdns: "\toption password 'token'\n",
  namecheap: "\toption password 'ddns-password'\n",
};

/** Whether `ddnsd check` accepts `value` for option `name` (no error names that option). */
function checkAccepts(section: Section, name: string, values: string[], extra = '', provider = 'cloudflare'): boolean {
  const opt = values.length > 1 || name === 'interface' || name === 'event' ? values.map((v) => `\tlist ${name} '${v}'\n`).join('') : `\toption ${name} '${values[0]}'\n`;
  const svc = `config service 's'\n\toption provider '${provider}'\n\tlist domain 'home.${provider === 'duckdns' ? 'duckdns.org' : 'example.net'}'\n${BASE[provider]}`;
  const notify = `config notify 'n'\n${extra || "\toption type 'ntfy'\n"}${name === 'url' ? '' : "\toption url 'https://ntfy.example.net/t'\n"}`;
  const text = section === 'ddnsd' ? `config ddnsd 'global'\n${opt}\n${svc}` : section === 'notify' ? `${svc}\n${notify}${opt}` : `${svc}${extra}${opt}`;
  const file = join(DIR, 'ddnsd');
  writeFileSync(file, text);
  let out = '';
  try {
    validateConfigFile(file, true, { out: (s) => void (out += s), err: () => undefined });
  } catch {
    // exit 1 when there are errors; the JSON was printed first
  }
  const problems = JSON.parse(out).problems as { section: string; option?: string; severity: string }[];
  return !problems.some((p) => p.severity === 'error' && p.option === name);
}

async function page(uci: Record<string, Record<string, unknown>>) {
  const v = loadView(join(VIEWS, 'config.js'), (object, method) => {
    if (object === 'ddnsd' && method === 'providers') return JSON.parse(JSON.stringify(REPLY));
    if (object === 'network.interface' && method === 'dump') return { interface: [{ interface: 'loopback' }, { interface: 'wan' }, { interface: 'wanb' }] };
    throw new Error(`unexpected call ${object}.${method}`);
  }, { ddnsd: uci });
  const map = (await v.view.render(await v.view.load())) as FakeMap;
  return map;
}

/** The page's verdict: a choice among the select's values, else the validator of every item. */
function pageAccepts(map: FakeMap, section: Section, name: string, values: string[]): boolean {
  const s = map.sections[INDEX[section]];
  const o = s.children.find((x) => x.option === name)!;
  if (o.kind === 'ListValue' || o.kind === 'MultiValue') return values.every((v) => o.keylist.includes(v));
  const validate = o.validate as ((sid: string, v: string) => true | string) | undefined;
  if (!validate) throw new Error(`${name} has no validator`);
  return values.every((v) => validate.call(o, SID[section], v) === true);
}

const CASES: [section: Section, name: string, values: string[][]][] = [
  ['ddnsd', 'log_lines', [['5'], ['10'], ['500'], ['100000'], ['100001'], ['abc'], ['10.5'], ['-1'], ['1e3']]],
  ['ddnsd', 'log_level', [['info'], ['debug'], ['loud'], ['INFO']]],
  ['service', 'check_interval', [['30s'], ['5s'], ['10s'], ['1h'], ['bad'], ['10'], ['0'], ['1.5h'], [' 5m '], ['5 m'], ['3d']]],
  ['service', 'force_interval', [['0'], ['72h'], ['bad'], ['1'], ['0s']]],
  ['service', 'retry_interval', [['0'], ['1s'], ['30'], ['0s'], ['-5m']]],
  ['service', 'holddown', [['0'], ['5s'], ['1h'], ['2h'], ['3601'], ['3600'], ['soon'], ['60m'], ['61m']]],
  ['service', 'retry_max_count', [['0'], ['5'], ['-1'], ['x'], ['1234567890']]],
  ['service', 'interface', [['wan'], ['wan', 'wanb'], ['wan', 'wan-b!'], ['wan_2'], ['a'.repeat(65)]]],
  ['service', 'bind_network', [['wanb'], ['bad name'], ['wan.1']]],
  ['service', 'ip_network', [['wan'], ['w/x']]],
  ['service', 'ip_interface', [['eth0'], ['@wan'], ['.'], ['..'], ['a'.repeat(16)], ['eth 0'], ['pppoe-wan']]],
  ['service', 'ip6_prefix_interface', [['lan'], ['l-an']]],
  ['service', 'ip_url', [['https://ip.example.net/'], ['ftp://x.example.net/'], ['http:x.com'], ['http://a b/'], ['http:///x.com'], ['http://[::1]:8080/ip']]],
  ['service', 'ip6_suffix', [['::1234'], ['::a:b:c:d'], ['1234'], ['::g'], ['::'], ['2001:db8::1']]],
  ['service', 'dns_server', [['192.0.2.1'], ['ns1.example.net:53'], ['[2001:db8::1]:53'], ['2001:db8::1'], ['host:0'], ['host:70000'], ['bad host'], ['fe80::1%eth0'], ['[fe80::1%eth0]:53'], ['-bad.example']]],
  ['service', 'lookup_host', [['home.example.net'], ['single'], ['*.example.net'], ['home.example.net.'], ['a..example.net']]],
  ['service', 'domain', [['home.example.net'], ['*.example.net'], ['x'], ['a..b.example.net'], ['home.example.net.']]],
  ['service', 'proxy', [['proxy.lan:3128'], ['user:pw@proxy.lan:3128'], ['proxy.lan'], ['[::1]:8080'], ['proxy.lan:99999']]],
  ['service', 'ip_version', [['4'], ['6'], ['both'], ['7']]],
  ['service', 'ip_source', [['network'], ['web'], ['dns'], ['ftp']]],
  ['service', 'ip6_mode', [['auto'], ['prefix'], ['manual']]],
  ['notify', 'type', [['webhook'], ['ntfy'], ['gotify'], ['pushover']]],
  ['notify', 'url', [['https://ntfy.example.net/t'], ['ntfy.example.net/t'], ['http:ntfy.example.net'], ['ftp://x.example.net/']]],
  ['notify', 'event', [['update'], ['update', 'blocked', 'unblocked'], ['fired']]],
];

t.test('every general option of the page has a rule from the daemon, and every rule an option', async (t) => {
  const map = await page({});
  for (const r of [...OPTION_RULES, ...NOTIFY_RULES]) {
    const s = map.sections[INDEX[r.section]];
    t.ok(s.children.some((o) => o.option === r.name), `${r.section}.${r.name} is on the page`);
  }
  const covered = new Set(CASES.map(([s, n]) => `${s}.${n}`));
  for (const r of [...OPTION_RULES, ...NOTIFY_RULES].filter((x) => x.type !== 'boolean' && x.name !== 'endpoint' && x.name !== 'priority')) t.ok(covered.has(`${r.section}.${r.name}`), `${r.section}.${r.name} is compared below`);
});

t.test("the page's verdict is check's, value by value", async (t) => {
  const map = await page({});
  for (const [section, name, values] of CASES) {
    for (const v of values) {
      const daemon = checkAccepts(section, name, v);
      t.equal(pageAccepts(map, section, name, v), daemon, `${section}.${name} ${JSON.stringify(v)}: check ${daemon ? 'accepts' : 'refuses'}`);
    }
  }
});

t.test('a plain number counts in the unit option, on the page as in check', async (t) => {
  for (const [unit, value] of [['seconds', '30'], ['seconds', '5'], ['hours', '1'], ['minutes', '1']] as const) {
    const map = await page({ s: { check_unit: unit } });
    const daemon = checkAccepts('service', 'check_interval', [value], `\toption check_unit '${unit}'\n`);
    t.equal(pageAccepts(map, 'service', 'check_interval', [value]), daemon, `check_interval '${value}' with check_unit ${unit}: check ${daemon ? 'accepts' : 'refuses'}`);
  }
});

t.test("a notify section's priority: the range of its type, on the page as in check", async (t) => {
  const map = await page({});
  for (const [type, values] of [['ntfy', ['1', '5', '0', '6', 'x', '05', '-1']], ['gotify', ['0', '10', '11', '7']]] as const) {
    map.formvalues.n = { type };
    for (const v of values) {
      const daemon = checkAccepts('notify', 'priority', [v], `\toption type '${type}'\n\toption token 'tk'\n`);
      t.equal(pageAccepts(map, 'notify', 'priority', [v]), daemon, `${type} priority '${v}': check ${daemon ? 'accepts' : 'refuses'}`);
    }
  }
});

t.test("endpoint: the provider's endpoint_type decides, on the page as in check", async (t) => {
  const map = await page({});
  const values = ['https://api.example.net/x', 'ns1.example.net:53', '[2001:db8::1]:53', 'ftp://x.example.net/', 'http:x.com', 'https://a b/', 'ns1.example.net:0', 'http://127.0.0.1:8080/'];
  const types = new Set<string>();
  for (const provider of Object.keys(BASE)) {
    const p = REPLY.providers.find((x) => x.id === provider)!;
    types.add(p.endpoint_type as string);
    map.formvalues.s = { provider };
    for (const v of values) {
      const daemon = checkAccepts('service', 'endpoint', [v], '', provider);
      t.equal(pageAccepts(map, 'service', 'endpoint', [v]), daemon, `${provider} (${p.endpoint_type}) endpoint '${v}': check ${daemon ? 'accepts' : 'refuses'}`);
    }
  }
  t.same([...types].sort(), ['endpoint', 'host_port', 'url'], 'the three endpoint types are compared');
});

t.test("ip_version: the families the provider can update (capabilities), on the page as in check", async (t) => {
  const map = await page({});
  const o = map.sections[INDEX.service].children.find((x) => x.option === 'ip_version')!;
  const validate = o.validate as (sid: string, v: string) => true | string;
  let refused = 0;
  for (const provider of Object.keys(BASE)) {
    map.formvalues.s = { provider };
    for (const v of ['4', '6', 'both']) {
      const daemon = checkAccepts('service', 'ip_version', [v], '', provider);
      const verdict = validate.call(o, SID.service, v);
      if (!daemon) refused++;
      t.equal(verdict === true, daemon, `${provider} ip_version '${v}': check ${daemon ? 'accepts' : 'refuses'}${verdict === true ? '' : ` (page: ${verdict})`}`);
    }
  }
  t.equal(refused, 2, 'namecheap refuses 6 and both, so both verdicts are exercised');
});

t.test('the messages say what check says is allowed', async (t) => {
  const map = await page({});
  const lines = map.sections[0].children.find((o) => o.option === 'log_lines')!;
  t.equal((lines.validate as (s: string, v: string) => unknown).call(lines, 'global', '100001'), 'Expecting a whole number from 10 to 100000');
  t.equal(lines.placeholder, '500', "the daemon's default");
  const hd = map.sections[1].children.find((o) => o.option === 'holddown')!;
  t.match((hd.validate as (s: string, v: string) => unknown).call(hd, 's', 'soon'), /^Expecting a whole number with s, m, h or d/);
});
