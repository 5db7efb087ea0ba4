// luci-app-ddnsd: every file parses, menu and ACL match DESIGN.md, the views call only
// granted ubus methods with arguments the daemon's object declares, and both views run in
// a stand-in LuCI runtime (test/support/luci/runtime.ts) against a fake ubus backend: the
// status page shows every contract field and never puts daemon text into markup; the
// configuration page is drawn from the real registry's `providers` reply.
import t from 'tap';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { E, FakeElement, FakeMap, FakeText, findAll, loadView, textOf } from '../support/luci/runtime';
import { ddnsdMethods, type DaemonApi } from '../../src/engine/object';
import { providersReply } from '../../src/engine/providers-reply';
import { PROVIDERS } from '../../src/providers/registry';
import type { ServiceStatus, StatusReply } from '../../src/engine/status';
import { hookEnvironment } from '../../src/engine/hooks';
import { FAILOVER } from '../support/status-fixtures';
import { NOTIFY_EVENTS, NOTIFY_RULES, NOTIFY_TYPES } from '../../src/config/notify';

const APP = join(__dirname, '..', '..', 'luci-app');
const VIEWS = join(APP, 'htdocs/luci-static/resources/view/ddnsd');
const MENU = join(APP, 'root/usr/share/luci/menu.d/luci-app-ddnsd.json');
const ACL = join(APP, 'root/usr/share/rpcd/acl.d/luci-app-ddnsd.json');
const json = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

// The daemon's method table, with an api that is never called: only names and arg types matter.
const METHODS = ddnsdMethods(new Proxy({}, { get: () => () => undefined }) as unknown as DaemonApi);

t.test('every view passes node --check', async (t) => {
  const files = readdirSync(VIEWS).filter((f) => f.endsWith('.js'));
  t.same(files.sort(), ['config.js', 'status.js']);
  for (const f of files) {
    const r = spawnSync(process.execPath, ['--check', join(VIEWS, f)], { encoding: 'utf8' });
    t.equal(r.status, 0, `${f}: ${r.stderr}`);
  }
});

t.test('menu: admin/services/ddnsd, gated by the ACL and config ddnsd; every view exists', async (t) => {
  const menu = json(MENU);
  t.same(menu['admin/services/ddnsd'].depends, { acl: ['luci-app-ddnsd'], uci: { ddnsd: true } });
  t.same(menu['admin/services/ddnsd'].action, { type: 'alias', path: 'admin/services/ddnsd/status' });
  for (const [path, entry] of Object.entries(menu) as [string, { action: { type: string; path: string } }][]) {
    t.ok(path.startsWith('admin/services/ddnsd'), path);
    if (entry.action.type === 'view') t.ok(existsSync(join(APP, 'htdocs/luci-static/resources/view', entry.action.path + '.js')), entry.action.path);
    if (entry.action.type === 'alias') t.ok(menu[entry.action.path], `alias target ${entry.action.path} exists`);
  }
});

t.test('ACL: reads status, log, providers, detect; writes update, reload, test; uci ddnsd', async (t) => {
  const acl = json(ACL)['luci-app-ddnsd'];
  t.same(acl.read.ubus.ddnsd, ['status', 'log', 'providers', 'detect']);
  t.same(acl.write.ubus.ddnsd, ['update', 'reload', 'test']);
  t.same(acl.read.uci, ['ddnsd']);
  t.same(acl.write.uci, ['ddnsd']);
  const granted = [...acl.read.ubus.ddnsd, ...acl.write.ubus.ddnsd];
  t.notOk(granted.includes('notify'), 'notify (hotplug only) is not granted to LuCI');
  for (const m of granted) t.ok(METHODS[m], `the daemon has method ${m}`);
});

t.test('the views call only granted methods, with arguments the daemon declares', async (t) => {
  const acl = json(ACL)['luci-app-ddnsd'];
  for (const f of ['status.js', 'config.js']) {
    const src = readFileSync(join(VIEWS, f), 'utf8');
    const decls = [...src.matchAll(/rpc\.declare\(\{ object: '([^']+)', method: '([^']+)'(?:, params: \[([^\]]*)\])?/g)];
    t.ok(decls.length > 0, `${f} declares calls`);
    for (const [, object, method, params] of decls) {
      const ok = [acl.read.ubus, acl.write.ubus].some((scope: Record<string, string[]>) => scope[object]?.includes(method));
      t.ok(ok, `${f}: ${object}.${method} is granted`);
      for (const p of (params ?? '').split(',').map((s) => s.trim().replace(/'/g, '')).filter(Boolean)) {
        t.ok(METHODS[method]?.args && p in METHODS[method].args!, `${f}: ${method} takes ${p}`);
      }
    }
  }
});

// ---- the status page ----

const HOSTILE = '<img src=x onerror="alert(1)">';
const STATUS: StatusReply = {
  version: '0.1.0',
  uptime: 3725,
  errors: [],
  notify: [],
  services: [
    {
      name: 'home',
      enabled: true,
      provider: 'dyndns2',
      interface: 'wan',
      interfaces: ['wan'],
      active_interface: 'wan',
      active_reason: '',
      wans: [],
      source: 'network',
      state: 'ok',
      detected: { ipv4: '203.0.113.7', ipv6: '2001:db8::7' },
      warnings: ['The WAN address 100.64.1.2 is CGNAT: your provider shares it; ask for a public address.'],
      error: '',
      last_check: 1700000000,
      next_check: 1700000600,
      records: [
        { name: 'home.example.com', type: 'A', registered: '203.0.113.7', detected: '203.0.113.7', state: 'ok', last_check: 1700000000, last_change: 1699990000, last_result: 'good 203.0.113.7', next_check: 1700000600, verified: true },
        { name: 'home.example.com', type: 'AAAA', registered: '', detected: '2001:db8::7', state: 'blocked', last_check: 1700000000, last_change: 0, last_result: HOSTILE, next_check: 0, verified: false },
      ],
    },
    {
      name: 'office',
      enabled: false,
      provider: 'cloudflare',
      interface: 'wan',
      interfaces: ['wan'],
      active_interface: '',
      active_reason: '',
      wans: [],
      source: 'web',
      state: 'disabled',
      detected: { ipv4: '', ipv6: '' },
      warnings: [],
      error: 'office.zone: required option missing',
      last_check: 0,
      next_check: 0,
      records: [],
    },
  ],
};
const LOG = { lines: [{ id: 1, time: 1700000000, level: 'info', service: 'home', message: `updated ${HOSTILE}` }] };

const PROVIDERS_REPLY = providersReply(PROVIDERS);
const title = (id: string) => (PROVIDERS_REPLY.providers.find((p) => p.id === id) as { title: string }).title;
const LOG_LEVELS = { lines: [
  { id: 1, time: 1700000000, level: 'info', service: 'home', message: `updated ${HOSTILE}` },
  { id: 2, time: 1700000001, level: 'debug', service: 'home', message: 'debug detail' },
  { id: 3, time: 1700000002, level: 'warn', service: 'home', message: 'newest warning' },
] };

function statusBackend(state: { status: unknown; log: unknown }) {
  return (object: string, method: string, args: Record<string, unknown>) => {
    if (object !== 'ddnsd') throw new Error(`unexpected object ${object}`);
    if (method === 'status') return state.status;
    if (method === 'log') return state.log;
    if (method === 'providers') return PROVIDERS_REPLY;
    if (method === 'update') {
      const blocked = args.service === 'office';
      const warnings = args.force && args.service === 'home' ? [{ service: 'home', message: 'dyndns2 counts unchanged updates as abuse' }] : [];
      return { queued: args.service === 'home' ? ['home'] : [], blocked: blocked ? ['office'] : [], waiting: [], warnings };
    }
    if (method === 'test' && args.notify) return { notify: args.notify, ok: true, message: 'ntfy answered 200' };
    if (method === 'test') return { service: args.service, supported: true, outcome: 'ok', message: 'Cloudflare: the token works' };
    throw new Error(`unexpected method ${method}`);
  };
}

async function renderStatus(state: { status: unknown; log: unknown }, logLevel = 'info') {
  const v = loadView(join(VIEWS, 'status.js'), statusBackend(state), { ddnsd: { global: { log_level: logLevel } } });
  const data = await v.view.load();
  const root = v.view.render(data) as FakeElement;
  return { ...v, root };
}
const button = (root: FakeElement, label: string) => findAll(root, (e) => e.tag === 'button' && textOf(e) === label);

t.test('status page: an overview, one line per record, provider titles, warnings and errors', async (t) => {
  const { root, calls } = await renderStatus({ status: STATUS, log: LOG });
  const text = textOf(root);
  for (const s of ['home', 'office', title('dyndns2'), title('cloudflare'), 'home.example.com', '203.0.113.7', 'Up to date', 'Blocked', 'Disabled']) t.ok(text.includes(s), `shows ${s}`);
  t.ok(text.includes(STATUS.services[0].warnings[0]), 'the CGNAT warning');
  t.ok(text.includes('office.zone: required option missing'), 'a rejected service shows why');
  t.ok(text.includes('ddnsd 0.1.0, running for 1h 2m 5s.'));
  const overview = findAll(root, (e) => (e.attrs.class ?? '').includes('ddnsd-overview'))[0];
  t.same(findAll(overview, (e) => e.tag === 'th').map(textOf), ['Service', 'WAN', 'Record', 'Type', 'Address', 'State', 'Last change', '']);
  t.same(findAll(overview, (e) => e.tag === 'tr' && e.attrs['data-service'] !== undefined).map((e) => [e.attrs['data-service'], e.attrs['data-record']]),
    [['home', 'home.example.com/A'], ['home', 'home.example.com/AAAA'], ['office', '']], 'one line per record; a service without records gets one');
  t.same(calls.rpc.map((c) => [c.method, c.args]), [['status', {}], ['log', { lines: 200 }], ['providers', {}]]);
  t.same(calls.polls.map((p) => p.interval), [5], 'refreshed every 5 s');
});

t.test('status page: details on demand; a blocked record waits for a configuration change; Test only where the provider has one', async (t) => {
  const { root, calls } = await renderStatus({ status: STATUS, log: LOG });
  await button(root, 'Details')[0].fire();
  const modal = calls.modals.at(-1)!;
  t.equal(modal.title, 'home: details');
  t.same(findAll(modal.node, (e) => e.tag === 'th').map(textOf), ['Record', 'Type', 'Registered', 'Detected', 'State', 'Verified', 'Last check', 'Last change', 'Next check', 'Last result']);
  const aaaa = findAll(modal.node, (e) => e.attrs['data-record'] === 'home.example.com/AAAA')[0];
  t.match(textOf(aaaa), /when its configuration changes/);
  t.notMatch(textOf(aaaa), /on the next event/);
  t.same(button(modal.node, 'Test'), [], 'dyndns2 has no credential test: no Test button');
  t.equal(button(modal.node, 'Force update').length, 1);
  // A service of a provider with a credential test (enabled, so it shows): Cloudflare.
  const cf = { ...STATUS, services: [{ ...STATUS.services[1], enabled: true, state: 'ok' }] };
  const other = await renderStatus({ status: cf, log: LOG });
  await button(other.root, 'Details')[0].fire();
  const test = button(other.calls.modals.at(-1)!.node, 'Test')[0];
  await test.fire();
  t.same(other.calls.rpc.at(-1), { object: 'ddnsd', method: 'test', args: { service: 'office' } });
  t.match(other.calls.modals.at(-1)!.text, /The credentials work\. Cloudflare: the token works/);
});

t.test('status page: Update now is a check with a readable notification; force is separate, warned, and the daemon\'s warning shown', async (t) => {
  const { root, calls } = await renderStatus({ status: STATUS, log: LOG });
  const update = button(root, 'Update now');
  t.equal(update.length, 2);
  t.equal(update[1].attrs.disabled, '', 'no Update now for a disabled service');
  await update[0].fire();
  t.same(calls.rpc.at(-1), { object: 'ddnsd', method: 'update', args: { service: 'home', force: false } });
  const n = calls.notifications.at(-1)!;
  t.match(n.text, /A check of home is queued: only a changed address is sent/, 'the notification has its text (E() with a text node as 2nd argument left it empty)');
  t.same(n.classes, ['info']);
  await (root as unknown as { view?: unknown }, (await renderStatus({ status: STATUS, log: LOG })).view as { handleUpdate(n: string): Promise<void> }).handleUpdate('office');

  await button(root, 'Details')[0].fire();
  await button(calls.modals.at(-1)!.node, 'Force update')[0].fire();
  const confirm = calls.modals.at(-1)!;
  t.equal(confirm.title, 'Force an update of home');
  t.match(confirm.text, /counts an update that does not change the address as abuse/, "the daemon's force_warning for dyndns2");
  t.equal(calls.rpc.filter((c) => c.method === 'update').length, 1, 'nothing is forced before the user confirms');
  await button(confirm.node, 'Force update')[0].fire();
  t.same(calls.rpc.at(-1), { object: 'ddnsd', method: 'update', args: { service: 'home', force: true } });
  t.match(calls.notifications.map((x) => x.text).join('\n'), /A forced update of home is queued[\s\S]*dyndns2 counts unchanged updates as abuse/);
});

t.test('status page: daemon text never becomes markup', async (t) => {
  const { root } = await renderStatus({ status: STATUS, log: LOG });
  const html = findAll(root, (e) => e.innerHTML !== undefined).map((e) => e.innerHTML!);
  t.notOk(html.some((h) => h.includes('<img')), 'no innerHTML carries the hostile text');
  const log = findAll(root, (e) => e.attrs.id === 'ddnsd-log')[0];
  t.match(textOf(log), /info \[home\] updated <img/);
});

t.test('status page: the log box shows the configured level and up, newest first; the filter changes it', async (t) => {
  const { root } = await renderStatus({ status: STATUS, log: LOG_LEVELS }, 'info');
  const log = findAll(root, (e) => e.attrs.id === 'ddnsd-log')[0];
  const lines = () => textOf(log).split('\n');
  t.equal(lines().length, 2, 'the debug line is hidden at log level info');
  t.match(lines()[0], /warn \[home\] newest warning/, 'newest first');
  const select = findAll(root, (e) => e.attrs.id === 'ddnsd-log-level')[0];
  t.equal(findAll(select, (e) => e.tag === 'option' && e.attrs.selected !== undefined).map((e) => e.attrs.value)[0], 'info');
  for (const fn of select.listeners.change) await fn({ target: { value: 'debug' } });
  t.equal(lines().length, 3);
  for (const fn of select.listeners.change) await fn({ target: { value: 'warn' } });
  t.same(lines().length, 1);
});

t.test('status page: polling redraws; a stopped daemon is said plainly', async (t) => {
  const state: { status: unknown; log: unknown } = { status: STATUS, log: LOG };
  const { root, calls } = await renderStatus(state);
  state.status = { ...STATUS, services: [{ ...STATUS.services[0], state: 'retrying', records: [{ ...STATUS.services[0].records[0], state: 'retrying' }] }] };
  await calls.polls[0].fn();
  t.ok(textOf(root).includes('Retrying'));
  t.notOk(textOf(root).includes('office'));
  state.status = 4; // ubus status 4: object not found
  state.log = 4;
  await calls.polls[0].fn();
  t.match(textOf(root), /ddnsd is not running/);
  t.match(textOf(root), /No log lines at this level yet/);
});

// ---- the configuration page ----

interface ProviderInfo {
  id: string;
  title: string;
  fields: { name: string; type: string; secret: boolean; list: boolean; required: boolean; required_unless?: string; choices: { value: string }[] }[];
}

// Two made-up providers that share a field name, plus whatever the real registry holds.
const EXTRA: ProviderInfo[] = [
  { id: 'alpha', title: 'Alpha DNS', fields: [
    { name: 'username', type: 'string', secret: false, list: false, required: true, choices: [] },
    { name: 'password', type: 'password', secret: true, list: false, required: true, choices: [] },
    { name: 'mode', type: 'choice', secret: false, list: false, required: false, choices: [{ value: 'a' }, { value: 'b' }] },
  ] },
  { id: 'beta', title: 'Beta DNS', fields: [
    { name: 'username', type: 'string', secret: false, list: false, required: false, choices: [] },
    { name: 'servers', type: 'hostname', secret: false, list: true, required: false, choices: [] },
    { name: 'port', type: 'number', secret: false, list: false, required: false, choices: [] },
  ] },
];
const REAL = providersReply(PROVIDERS).providers as unknown as ProviderInfo[];
const ALL = [...REAL, ...EXTRA];

async function renderConfig(providers: unknown) {
  const v = loadView(join(VIEWS, 'config.js'), (object, method) => {
    if (object === 'ddnsd' && method === 'providers') return providers;
    if (object === 'network.interface' && method === 'dump') return { interface: [{ interface: 'loopback' }, { interface: 'wan' }, { interface: 'wanb' }] };
    throw new Error(`unexpected call ${object}.${method}`);
  });
  const map = (await v.view.render(await v.view.load())) as FakeMap;
  return { ...v, map };
}

t.test('config page: form.Map over ddnsd, provider fields drawn from the providers reply', async (t) => {
  const { map, calls } = await renderConfig({ providers: ALL });
  t.same(calls.rpc.map((c) => c.method), ['providers', 'dump'], "the providers reply and netifd's interfaces");
  t.equal(map.config, 'ddnsd');
  t.same(map.sections.map((s) => [s.kind, s.args]), [['NamedSection', ['global', 'ddnsd', 'General settings']], ['GridSection', ['service', 'Services']],
    ['GridSection', ['notify', 'Notifications', map.sections[2]?.args[2]]]]);
  const svc = map.sections[1];
  const provider = svc.children.find((o) => o.option === 'provider')!;
  t.same(provider.values.map(([k]) => k), ALL.map((p) => p.id), 'every provider is offered, in registry order');

  for (const p of ALL) {
    for (const f of p.fields) {
      const o = svc.children.find((x) => x.ucioption === f.name && x.depends_.some((d) => d.provider === p.id));
      t.ok(o, `${p.id}.${f.name} has an option`);
      if (!o) continue;
      t.equal(o.tab, 'provider');
      t.same(o.depends_, [{ provider: p.id }], `${p.id}.${f.name} shows only for ${p.id}`);
      const kind = f.type === 'boolean' ? 'Flag' : f.list ? 'DynamicList' : f.type === 'choice' ? 'ListValue' : 'Value';
      t.equal(o.kind, kind, `${p.id}.${f.name} is a ${kind}`);
      if (f.secret) t.equal(o.password, true, `${p.id}.${f.name} is masked`);
      t.equal(o.rmempty, !f.required || Boolean(f.required_unless), `${p.id}.${f.name} required=${f.required}${f.required_unless ? ` unless ${f.required_unless}` : ''}`);
      if (f.type === 'choice') t.same(o.values.map(([k]) => k).filter(Boolean), f.choices.map((c) => c.value));
      const range = f as { min?: number | null; max?: number | null };
      if (f.type === 'number') t.equal(o.datatype, range.min != null && range.max != null ? `range(${range.min},${range.max})` : 'uinteger', `${p.id}.${f.name}: the daemon's range`);
    }
  }
  // modalonly: true = dialog only, false = grid only (LuCI), unset = both.
  t.same(svc.children.filter((o) => o.modalonly !== true).map((o) => [o.option, o.modalonly]), [['enabled', undefined], ['provider', undefined], ['domain', undefined], ['ip_version', undefined]], 'grid columns also in the dialog; the rest only in the dialog');
  const usernames = svc.children.filter((o) => o.ucioption === 'username');
  t.ok(usernames.length >= 2, 'a shared field name gets one option per provider');
  t.equal(new Set(usernames.map((o) => o.option)).size, usernames.length, 'with distinct form ids');
});

t.test('config page: every UCI option is edited by one input at a time', async (t) => {
  const clash: ProviderInfo = { id: 'gamma', title: 'Gamma', fields: [
    { name: 'endpoint', type: 'url', secret: false, list: false, required: false, choices: [] },
    { name: 'proxy', type: 'string', secret: false, list: false, required: false, choices: [] },
    { name: 'key', type: 'password', secret: true, list: false, required: true, choices: [] },
  ] };
  const { map, calls } = await renderConfig({ providers: [...ALL, clash] });
  const svc = map.sections[1];
  const uciName = (o: { ucioption?: string; option: string }) => o.ucioption ?? o.option;
  for (const sid of ALL.concat(clash).map((p) => p.id)) {
    for (const source of ['network', 'web']) {
      map.formvalues.x = { provider: sid, ip_source: source, ip_version: 'both', ip6_mode: 'prefix' };
      const active = svc.children.filter((o) => o.isActive('x')).map(uciName);
      t.equal(new Set(active).size, active.length, `provider ${sid}, source ${source}: no UCI option has two active inputs`);
    }
  }
  // gamma declares endpoint and proxy: its fields replace the general ones while it is selected.
  map.formvalues.x = { provider: 'gamma', ip_source: 'web' };
  const activeEndpoint = svc.children.filter((o) => uciName(o) === 'endpoint' && o.isActive('x'));
  t.equal(activeEndpoint.length, 1);
  t.equal(activeEndpoint[0].providerField, true, "gamma's endpoint field");
  map.formvalues.x = { provider: 'alpha', ip_source: 'web' };
  t.equal(svc.children.filter((o) => uciName(o) === 'endpoint' && o.isActive('x'))[0].providerField, undefined, 'the general endpoint for alpha');
  t.ok(svc.children.find((o) => o.option === 'ip_url')!.isActive('x'), 'general conditions still hold (ip_url for web)');
  map.formvalues.x = { provider: 'alpha', ip_source: 'network' };
  t.notOk(svc.children.find((o) => o.option === 'ip_url')!.isActive('x'));
  // Switching gamma → alpha: the general endpoint is active again and owns the value.
  const gammaEndpoint = svc.children.find((o) => uciName(o) === 'endpoint' && o.providerField)!;
  (gammaEndpoint.remove as (sid: string) => void).call(gammaEndpoint, 'x');
  t.same(calls.unset, [], 'the inactive gamma endpoint leaves the value to the general option');
  const general = svc.children.find((o) => o.option === 'endpoint')!;
  map.formvalues.x = { provider: 'gamma' };
  (general.remove as (sid: string) => void).call(general, 'x');
  t.same(calls.unset, [], 'and the inactive general one leaves it to gamma');
});

t.test('config page: dyndns2 (real registry) gets its own required endpoint', { skip: !REAL.some((p) => p.id === 'dyndns2' && p.fields.some((f) => f.name === 'endpoint')) && 'dyndns2 has no endpoint field' }, async (t) => {
  const { map } = await renderConfig({ providers: REAL });
  const svc = map.sections[1];
  map.formvalues.x = { provider: 'dyndns2' };
  const active = svc.children.filter((o) => (o.ucioption ?? o.option) === 'endpoint' && o.isActive('x'));
  t.equal(active.length, 1);
  t.equal(active[0].rmempty, false, 'required');
  t.equal(active[0].providerField, true);
});

t.test('config page: an inactive provider option does not remove a value another provider owns', async (t) => {
  const { map, calls } = await renderConfig({ providers: EXTRA });
  const svc = map.sections[1];
  const [alphaUser, betaUser] = svc.children.filter((o) => o.ucioption === 'username');
  const betaPort = svc.children.find((o) => o.ucioption === 'port')!;
  map.formvalues.home = { provider: 'alpha' };
  t.ok(alphaUser.isActive('home'));
  t.notOk(betaUser.isActive('home'));
  (betaUser.remove as (sid: string) => void).call(betaUser, 'home');
  t.same(calls.unset, [], "beta's username keeps alpha's value");
  (betaPort.remove as (sid: string) => void).call(betaPort, 'home');
  t.same(calls.unset, [['ddnsd', 'home', 'port']], "beta's own field is cleaned up");
});

t.test('config page without a running daemon: says so, no provider options', async (t) => {
  const { map } = await renderConfig(4);
  t.match(map.description, /ddnsd is not running/);
  t.same(map.sections[1].children.filter((o) => o.tab === 'provider').map((o) => o.option), ['endpoint', 'allow_insecure_http', 'proxy', 'force_ipversion', 'cacert', 'tls_insecure']);
});

t.test('config.js has no provider-specific code', async (t) => {
  const src = readFileSync(join(VIEWS, 'config.js'), 'utf8').toLowerCase();
  const names = REAL.flatMap((p) => [p.id, ...((p as unknown as { aliases: string[] }).aliases ?? [])]).map((n) => n.toLowerCase());
  t.ok(names.length > 0, 'the registry has providers to look for');
  for (const n of names) t.notOk(new RegExp(`['"\`]${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"\`]`).test(src), `no literal ${n}`);
});

t.test('E() stand-in follows luci.js dom.create: a bare string is markup, array items text, a node as 2nd argument is taken for attributes', async (t) => {
  t.equal(E('p', '<b>x</b>').innerHTML, '<b>x</b>');
  t.equal(E('p', ['<b>x</b>']).innerHTML, undefined);
  t.equal(textOf(E('p', ['<b>x</b>'])), '<b>x</b>');
  t.equal(textOf(E('p', new FakeText('lost'))), '', 'E(tag, textNode): the node is the attributes, the element stays empty');
  t.equal(textOf(E('p', {}, new FakeText('kept'))), 'kept');
  t.equal(textOf(E('p', {}, [null, 'a'])), 'nulla', 'luci.js appends null array items as text');
  const el = E('button', { disabled: true, hidden: null, click: () => 1, data: { a: 1 } });
  t.same(el.attrs, { disabled: 'true', data: '{"a":1}' });
  t.equal(el.listeners.click.length, 1);
});

t.test('config page: the provider select is as wide as its longest title; plain http needs the explicit flag', async (t) => {
  const { map } = await renderConfig({ providers: REAL });
  const svc = map.sections[1];
  const provider = svc.children.find((o) => o.option === 'provider')!;
  const widget = (provider.renderWidget as (sid: string, i: number, v: string) => FakeElement).call(provider, 'x', 0, 'dyndns2');
  t.equal(widget.querySelector('select')!.style.width, 'auto', 'not cut off at the theme\'s fixed width');
  const endpoint = svc.children.find((o) => o.option === 'endpoint')!;
  const validate = (v: string) => (endpoint.validate as (sid: string, v: string) => unknown).call(endpoint, 'x', v);
  map.formvalues.x = { provider: 'cloudflare' };
  t.match(validate('http://dyn.example.net/nic/update'), /Plain http to dyn\.example\.net would send the credentials in clear/);
  t.equal(validate('https://dyn.example.net/nic/update'), true);
  t.equal(validate('http://127.0.0.1:8080/'), true, 'loopback is fine');
  t.equal(validate('http://[::1]/'), true);
  map.formvalues.x = { provider: 'cloudflare', allow_insecure_http: '1' };
  t.equal(validate('http://dyn.example.net/nic/update'), true, 'allowed explicitly');
  const flag = svc.children.find((o) => o.option === 'allow_insecure_http')!;
  t.equal(flag.kind, 'Flag');
  t.match(flag.description, /travels in clear/);
});

t.test('form stand-in: an option whose dependee is inactive is inactive (form.js isDependencySatisfied)', async (t) => {
  const { map } = await renderConfig({ providers: REAL });
  const svc = map.sections[1];
  const suffix = svc.children.find((o) => o.option === 'ip6_suffix')!;
  map.formvalues.x = { provider: 'cloudflare', ip_version: '4', ip6_mode: 'prefix' };
  t.notOk(suffix.isActive('x'), 'ip6_mode is hidden for IPv4 only, so its value does not count');
  map.formvalues.x = { provider: 'cloudflare', ip_version: 'both', ip6_mode: 'prefix' };
  t.ok(suffix.isActive('x'));
});

// ---- several WANs, binding, hooks (issue 15) ----

t.test('config page: the WAN tab: netifd interfaces in priority order, hold-down, binding; the hooks note', async (t) => {
  const { map } = await renderConfig(PROVIDERS_REPLY);
  const svc = map.sections[1];
  const opt = (name: string) => svc.children.find((o) => o.option === name)!;
  const wan = opt('interface');
  t.equal(wan.kind, 'DynamicList', 'an ordered list');
  t.equal(wan.tab, 'wan');
  t.same(wan.keylist, ['wan', 'wanb'], "netifd's interfaces from network.interface dump, loopback left out");
  const valid = (o: typeof wan, v: string) => (o.validate as (sid: string, v: string) => unknown).call(o, 'x', v);
  t.equal(valid(wan, 'wan_2'), true);
  t.match(valid(wan, 'wan-b!'), /^Expecting a network name/);
  const hold = opt('holddown');
  t.equal(hold.kind, 'Value');
  t.equal(hold.placeholder, '5s', "the daemon's default hold-down");
  t.equal(valid(hold, '30s'), true);
  t.match(valid(hold, '2h'), /^Expecting/);
  const bind = opt('bind_wan');
  t.equal(bind.kind, 'ListValue');
  t.same(bind.keylist, ['', '1', '0'], 'automatic (the daemon decides), on, off');
  const net = opt('bind_network');
  for (const [bindWan, active] of [['', true], ['0', true], ['1', false]] as const) {
    map.formvalues.x = { provider: 'cloudflare', bind_wan: bindWan };
    t.equal(net.isActive('x'), active, `bind_network ${active ? 'shown' : 'hidden'} with bind_wan '${bindWan}' (both together are an error in check)`);
  }
  const hooks = map.sections[0].children.find((o) => o.option === '_hooks')!;
  t.equal(hooks.kind, 'DummyValue');
  const note = (hooks.cfgvalue as () => string)();
  t.match(note, /\/etc\/hotplug\.d\/ddnsd\//);
  t.match(note, /ddnsd\.record/);
  const env = Object.keys(hookEnvironment({ action: 'update', service: 's', domain: 'd', type: 'A', old: '', new: '', state: 'ok', result: '', interface: 'wan' }));
  for (const name of env.filter((n) => n !== 'HOTPLUG_TYPE' && n !== 'PATH')) t.ok(note.includes(name), `the note names ${name}, which hooks get`);
});

const MULTI: ServiceStatus = {
  ...STATUS.services[0],
  name: 'multi',
  ...FAILOVER,
  records: [{ ...STATUS.services[0].records[0], registered: '198.51.100.9', detected: '198.51.100.9' }],
};

t.test('status page: the active WAN and why, in the overview and the details', async (t) => {
  const { root, calls } = await renderStatus({ status: { ...STATUS, services: [MULTI, STATUS.services[0]] }, log: LOG });
  const cells = findAll(root, (e) => e.attrs['data-wan'] !== undefined && e.tag === 'span');
  t.same(cells.map((c) => [textOf(c), c.attrs.title]), [['wanb (failover)', 'wan: down; wanb: up, 198.51.100.9']], 'several WANs: the active one, failover, the reason as tooltip');
  const home = findAll(root, (e) => e.tag === 'tr' && e.attrs['data-service'] === 'home')[0];
  t.equal(textOf(home.children[1]), 'wan', 'one WAN: its name');
  await button(root, 'Details')[0].fire();
  const modal = calls.modals.at(-1)!;
  t.match(modal.text, /Networks \(priority order\)wan, wanb/);
  t.match(modal.text, /Active WANwanb/);
  t.match(modal.text, /Whywan: down; wanb: up, 198\.51\.100\.9/);
  t.same(findAll(modal.node, (e) => e.attrs['data-wan'] !== undefined && e.tag === 'tr').map((e) => e.children.map(textOf)),
    [['wan', 'no', 'no', 'offline', 'down'], ['wanb', 'yes', 'yes', 'online', 'up, 198.51.100.9']]);
  const back = await renderStatus({ status: { ...STATUS, services: [{ ...MULTI, active_interface: 'wan', active_reason: 'first in priority order, up' }] }, log: LOG });
  t.equal(textOf(findAll(back.root, (e) => e.attrs['data-wan'] !== undefined)[0]), 'wan (first choice)', 'after failback');
});

// ---- notify sections (issue 15 item 4) ----

async function renderNotifyConfig(test: (args: Record<string, unknown>) => unknown) {
  const v = loadView(join(VIEWS, 'config.js'), (object, method, args) => {
    if (object === 'ddnsd' && method === 'providers') return PROVIDERS_REPLY;
    if (object === 'network.interface' && method === 'dump') return { interface: [] };
    if (object === 'ddnsd' && method === 'test') return test(args);
    throw new Error(`unexpected call ${object}.${method}`);
  }, { ddnsd: { global: { '.type': 'ddnsd' }, home: { '.type': 'service' }, office: { '.type': 'service' }, phone: { '.type': 'notify' } } });
  const map = (await v.view.render(await v.view.load())) as FakeMap;
  return { ...v, map };
}

t.test('config page: notify sections with form widgets, choices and ranges from the daemon', async (t) => {
  const { map } = await renderNotifyConfig(() => ({}));
  const s = map.sections[2];
  t.same([s.kind, s.args[0], s.addremove, s.anonymous], ['GridSection', 'notify', true, false]);
  const opt = (name: string) => s.children.find((o) => o.option === name)!;
  t.same(s.children.map((o) => [o.option, o.kind]), [
    ['enabled', 'Flag'], ['type', 'ListValue'], ['url', 'Value'], ['token', 'Value'], ['event', 'MultiValue'],
    ['service', 'DynamicList'], ['priority', 'Value'], ['allow_insecure_http', 'Flag'], ['_test', 'Button'],
  ]);
  t.equal(opt('enabled').default, '1');
  t.same(opt('type').keylist, [...NOTIFY_TYPES], "the daemon's types");
  t.same(opt('event').keylist, [...NOTIFY_EVENTS], "the daemon's events");
  t.same(opt('service').keylist, ['home', 'office'], 'the configured services');
  t.equal(opt('token').password, true, 'the token is masked');
  t.same(s.children.filter((o) => o.modalonly !== true).map((o) => o.option), ['enabled', 'type', 'url', '_test'], 'grid columns');
  const prio = opt('priority');
  t.same(prio.depends_, NOTIFY_RULES.filter((r) => r.name === 'priority').map((r) => r.depends), 'priority only for the types that have one');
  t.same(prio.depends_, [{ type: 'ntfy' }, { type: 'gotify' }]);
  const v = (o: typeof prio, value: string) => (o.validate as (sid: string, v: string) => unknown).call(o, 'phone', value);
  map.formvalues.phone = { type: 'ntfy' };
  t.equal(v(prio, '5'), true);
  t.match(v(prio, '6'), /^Expecting/);
  t.match(v(prio, '0'), /^Expecting/);
  map.formvalues.phone = { type: 'gotify' };
  t.equal(v(prio, '10'), true);
  t.equal(v(prio, '0'), true);
  const url = opt('url');
  map.formvalues.phone = { type: 'ntfy' };
  t.equal(v(url, 'http://ntfy.example.net/t'), true, 'plain http without a token carries no secret');
  t.equal(v(url, 'ntfy.example.net/t'), `Expecting ${NOTIFY_RULES.find((r) => r.name === 'url')!.help}`, "check's words");
  map.formvalues.phone = { type: 'ntfy', token: 'tk_x' };
  t.match(v(url, 'http://ntfy.example.net/t'), /Plain http to ntfy\.example\.net would send the credentials in clear/);
  t.equal(v(url, 'http://127.0.0.1:8080/t'), true, 'loopback');
  map.formvalues.phone = { type: 'ntfy', token: 'tk_x', allow_insecure_http: '1' };
  t.equal(v(url, 'http://ntfy.example.net/t'), true, 'allowed explicitly');
});

t.test('config page: "Send test notification" calls test {notify} and shows the answer', async (t) => {
  let reply: unknown = { notify: 'phone', ok: true, message: 'ntfy answered 200' };
  const { map, calls } = await renderNotifyConfig(() => reply);
  const button = map.sections[2].children.find((o) => o.option === '_test')!;
  t.equal(button.inputtitle, 'Send test notification');
  // Through the widget form.js draws: its click calls onclick(ev, section_id).
  const click = (sid: string) => findAll((button.renderWidget as (sid: string) => FakeElement).call(button, sid), (e) => e.tag === 'button')[0].fire();
  t.equal(textOf((button.renderWidget as (sid: string) => FakeElement).call(button, 'phone')), 'Send test notification');
  await click('phone');
  t.same(calls.rpc.at(-1), { object: 'ddnsd', method: 'test', args: { notify: 'phone' } });
  t.same([calls.notifications.at(-1)!.text, calls.notifications.at(-1)!.classes], ['Test notification sent by phone. ntfy answered 200', ['info']]);
  reply = { notify: 'phone', ok: false, message: 'ntfy answered 401 Unauthorized: check the token' };
  await click('phone');
  t.same([calls.notifications.at(-1)!.text, calls.notifications.at(-1)!.classes], ['The test notification of phone failed. ntfy answered 401 Unauthorized: check the token', ['warning']]);
  reply = 4; // ubus status 4: not found (a section not applied yet, or no daemon)
  await click('new');
  t.same([calls.notifications.at(-1)!.text, calls.notifications.at(-1)!.classes], ['ddnsd sent no test notification for new: is ddnsd running, and the section saved and applied?', ['warning']]);
});

const NOTIFY: StatusReply['notify'] = [
  { name: 'phone', type: 'ntfy', enabled: true, last_sent: 1700000000, last_error: '', queued: 0, next_try: 0, error: '' },
  { name: 'hook', type: 'webhook', enabled: true, last_sent: 0, last_error: 'webhook answered 500', queued: 2, next_try: 1700000300, error: '' },
  { name: 'bad', type: '', enabled: false, last_sent: 0, last_error: '', queued: 0, next_try: 0, error: 'bad.url: required' },
];

t.test('status page: the notify table (when there are notify sections) and its test button', async (t) => {
  const none = await renderStatus({ status: STATUS, log: LOG });
  t.same(findAll(none.root, (e) => (e.attrs.class ?? '') === 'ddnsd-notify'), [], 'no table without notify sections');
  const { root, calls } = await renderStatus({ status: { ...STATUS, notify: NOTIFY }, log: LOG });
  const table = findAll(root, (e) => (e.attrs.class ?? '') === 'ddnsd-notify')[0];
  t.same(findAll(table, (e) => e.tag === 'th').map(textOf), ['Notification', 'Type', 'Enabled', 'Last sent', 'Last error', 'Queued', '']);
  const rows = findAll(table, (e) => e.tag === 'tr' && e.attrs['data-notify'] !== undefined);
  t.same(rows.map((r) => r.children.slice(0, 6).map(textOf)), [
    ['phone', 'ntfy', 'yes', new Date(1700000000 * 1000).toLocaleString(), '', '0'],
    ['hook', 'webhook', 'yes', 'never', 'webhook answered 500', '2'],
    ['bad', '-', 'no', 'never', 'bad.url: required', '0'],
  ]);
  t.same(button(rows[2], 'Send test notification'), [], 'a rejected section has no test button');
  await button(rows[0], 'Send test notification')[0].fire();
  t.same(calls.rpc.at(-1), { object: 'ddnsd', method: 'test', args: { notify: 'phone' } });
  t.same([calls.notifications.at(-1)!.text, calls.notifications.at(-1)!.classes], ['Test notification sent by phone. ntfy answered 200', ['info']]);
});
