import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UbusClient } from '../../src/ubus';
import { FakeHttp } from '../support/fake-http';
import { configText, dyndnsStep, makeWorld, PASSWORD, quiesce, serviceSection, startDaemon, USER } from './world';

/**
 * The daemon in this process with real providers whose servers misbehave in the ways that
 * make secrets travel: error pages that echo the request line (query tokens in form
 * encoding), the Authorization header, the path; a redirect to another host; a dead proxy
 * with credentials. Afterwards every reply of the `ddnsd` object, every log line and the
 * state file are searched for every form of every secret.
 */

const DUCK = 'duck-T0ken!42';
const FREE = 'Fr33dnsT0kenABCxyz';
const CHEAP = 'Cheap pass*(8)';
const CF = 'cf-Bearer-T0ken-77';
const URLTOKEN = 'UrlT0kenInThePath9876';
const PROXY_PW = 'Pr0xy-Pa55!';
const ADDR = '203.0.113.7';

/** Every text form a secret takes on the way out: raw, encodeURIComponent, form encoding, Basic auth. */
function forms(secret: string, user?: string): string[] {
  const out = new Set([secret, encodeURIComponent(secret), new URLSearchParams({ x: secret }).toString().slice(2)]);
  out.add(Buffer.from(secret).toString('base64'));
  if (user !== undefined) out.add(Buffer.from(`${user}:${secret}`).toString('base64'));
  return [...out];
}

function section(name: string, opts: Record<string, string>, domain: string): string {
  const all: Record<string, string> = { enabled: '1', interface: 'wan', ip_source: 'network', ip_version: '4', verify: '0', ...opts };
  return [`config service '${name}'`, ...Object.entries(all).map(([k, v]) => `\toption ${k} '${v}'`), `\tlist domain '${domain}'`, ''].join('\n');
}

t.test('no secret in any reply, log line or the state file after a run against hostile servers', async (t) => {
  const w = await makeWorld(t);
  const dyn = w.fake; // dyndns2: an error page quoting the Authorization header
  const basic = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  dyn.expect({ ...dyndnsStep('dyn.example.com', ADDR, `bad request; you sent Authorization: Basic ${basic}`), reply: { status: 400, body: `bad request; you sent Authorization: Basic ${basic}` } });

  const duck = await FakeHttp.start(t); // an unknown answer quoting the request line
  const duckQuery = new URLSearchParams({ domains: 'home', token: DUCK, ip: ADDR, verbose: 'true' }).toString();
  duck.expect({ method: 'GET', path: '/update', query: { domains: 'home', token: DUCK, ip: ADDR, verbose: 'true' }, reply: { body: `ERR what is /update?${duckQuery}` } });

  const cheap = await FakeHttp.start(t); // HTTP 500 quoting the query
  const cheapQuery = new URLSearchParams({ host: 'www', domain: 'example.net', password: CHEAP, ip: ADDR }).toString();
  cheap.expect({ method: 'GET', path: '/update', query: { host: 'www', domain: 'example.net', password: CHEAP, ip: ADDR }, reply: { status: 500, body: `internal error in ${cheapQuery}` } });

  const elsewhere = await FakeHttp.start(t); // FreeDNS redirects to another host: no credential follows
  elsewhere.expect({ method: 'GET', path: '/moved', absentHeaders: ['authorization'], reply: { status: 404, body: `nothing at /u/${FREE}/` } });
  const free = await FakeHttp.start(t);
  free.expect({ method: 'GET', path: `/u/${FREE}/`, query: { address: ADDR }, reply: { status: 302, headers: { location: `${elsewhere.url}/moved` } } });

  const cust = await FakeHttp.start(t); // a custom URL with a literal token in its path, answered 404 quoting the path
  cust.expect({ method: 'GET', path: `/dyn/${URLTOKEN}/set`, query: { ip: ADDR, pw: PASSWORD }, reply: { status: 404, body: `no such page /dyn/${URLTOKEN}/set` } });

  const cf = await FakeHttp.start(t); // a REST error quoting the bearer token
  cf.expect({
    method: 'GET', path: '/zones', query: { name: 'example.org' }, auth: `Bearer ${CF}`,
    reply: { status: 403, body: { success: false, errors: [{ code: 9109, message: `Invalid access token Bearer ${CF}` }], messages: [], result: null } },
  });

  w.writeConfig(configText([
    serviceSection('dyn', dyn.url),
    section('duck', { provider: 'duckdns', password: DUCK, endpoint: `${duck.url}/update` }, 'home.duckdns.org'),
    section('cheap', { provider: 'namecheap', password: CHEAP, endpoint: `${cheap.url}/update` }, 'www.example.net'),
    section('free', { provider: 'freedns', password: FREE, endpoint: free.url }, 'free.example.com'),
    section('cust', { provider: 'custom', update_url: `${cust.url}/dyn/${URLTOKEN}/set?ip=[IP]&pw=[PASSWORD]`, password: PASSWORD }, 'cust.example.com'),
    section('cf', { provider: 'cloudflare', api_token: CF, zone: 'example.org', endpoint: cf.url }, 'cf.example.org'),
    serviceSection('prox', 'http://127.0.0.1:1', { proxy: `puser:${PROXY_PW}@127.0.0.1:1` }),
  ]));
  const { daemon, clock } = await startDaemon(t, w);
  await quiesce(daemon, clock, 20);
  for (const f of [dyn, duck, cheap, free, elsewhere, cust, cf]) f.assertDone(t);

  const c = await UbusClient.connect({ socketPath: w.broker.socketPath });
  t.teardown(() => c.close());
  const replies: unknown[] = [
    await c.call('ddnsd', 'status', {}),
    await c.call('ddnsd', 'log', { lines: 10_000 }),
    await c.call('ddnsd', 'detect', {}),
    await c.call('ddnsd', 'providers', {}),
    await c.call('ddnsd', 'test', { service: 'prox' }),
  ];
  await daemon.idle();
  const state = readFileSync(join(w.stateDir, 'state.json'), 'utf8');
  const everything = [JSON.stringify(replies), w.lines.join('\n'), state].join('\n');

  const st = replies[0] as { services: { name: string; records: { state: string; last_result: string }[] }[] };
  t.equal(st.services.length, 7, 'every service ran');
  for (const s of st.services) t.not(s.records[0]?.last_result ?? '', '', `${s.name} has a result to show`);

  const secrets: [string, string[]][] = [
    ['dyndns2 password', forms(PASSWORD, USER)],
    ['DuckDNS token', forms(DUCK)],
    ['Namecheap password', forms(CHEAP)],
    ['FreeDNS token', forms(FREE)],
    ['token in the custom update URL', [URLTOKEN]],
    ['Cloudflare token', forms(CF)],
    ['proxy password', forms(PROXY_PW, 'puser')],
  ];
  for (const [what, list] of secrets) {
    const found = list.filter((f) => everything.includes(f));
    t.strictSame(found, [], `the ${what} appears nowhere`);
  }
});
