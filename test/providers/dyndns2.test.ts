import t from 'tap';
import { FakeHttp, makeTestCert, type ExpectedRequest } from '../support/fake-http';
import { DYNDNS2_PROVIDERS } from '../../src/providers/dyndns2-presets';
import { findProvider } from '../../src/providers/registry';
import type { Outcome, ProviderDef, UpdateResult } from '../../src/providers/types';
import { AGENT, ctx, instance, leaked, upd, type TapTest } from './ddns-support';
import { loadCases, type Action, type Case } from './dyndns2-cases';
import { VERSION } from '../../src/version';

const USER = 'user@example.org';
const PASS = 'pw-S3cret!x';
const V4 = '192.0.2.1';
const V6 = '2001:db8::1';

function def(id: string): ProviderDef {
  const d = DYNDNS2_PROVIDERS.find((p) => p.id === id);
  if (!d) throw new Error(`no provider ${id}`);
  return d;
}

/** What each "stop" row must be, by the code it answers (or the HTTP status). */
const STOP: Record<string, Outcome> = {
  badauth: 'auth', '!donator': 'config', notfqdn: 'nohost', nohost: 'nohost', '!yours': 'nohost', '!active': 'nohost',
  numhost: 'config', abuse: 'abuse', badagent: 'abuse', badsys: 'config', badrequest: 'config',
  'HTTP 401': 'auth', 'HTTP 403': 'nohost', 'HTTP 404': 'nohost',
};

function check(t: TapTest, r: UpdateResult, a: Action, key: string, where: string): void {
  switch (a.kind) {
    case 'success':
      t.equal(r.outcome, 'ok', `${where}: ok`);
      break;
    case 'nochg':
      t.equal(r.outcome, 'nochg', `${where}: nochg`);
      break;
    case 'stop':
      t.equal(r.outcome, STOP[key], `${where}: ${key} stops as ${STOP[key]}`);
      break;
    case 'transient':
      t.equal(r.outcome, 'transient', `${where}: transient`);
      t.ok((r.retryAfterMs ?? 0) >= a.minMinutes * 60_000, `${where}: waits at least ${a.minMinutes} min (got ${r.retryAfterMs})`);
      break;
  }
}

const cases = loadCases();

t.test('cases.md: rows 1 to 35, none skipped', async (t) => {
  t.strictSame(cases.map((c) => c.row), Array.from({ length: 35 }, (_, i) => i + 1));
});

for (const c of cases) {
  t.test(`cases.md row ${c.row}: ${c.text.split('|')[2].trim()}`, async (t) => {
    for (const reply of c.replies) await walk(t, c, reply);
  });
}

async function walk(t: TapTest, c: Case, reply: Case['replies'][number]): Promise<void> {
  const hosts = c.section === 'multi' ? ['h1.example.com', 'h2.example.com', 'h3.example.com'].slice(0, c.actions.length) : ['h1.example.com'];
  const updates = c.section === 'dual' ? [upd(hosts[0], 'A', V4), upd(hosts[0], 'AAAA', V6)] : hosts.map((h) => upd(h, 'A', V4));
  // Single-host rows go through the generic provider; dual and multi-host rows need Dyn's batching.
  const useDyn = c.section !== 'single';
  if (reply.transport === 'tls') {
    const fake = await FakeHttp.start(t, { tls: makeTestCert() });
    const inst = instance(def('dyndns2'), { endpoint: `${fake.url}/nic/update`, username: USER, password: PASS });
    const cx = ctx();
    const res = await inst.update(updates, cx);
    for (const r of res) check(t, r, c.actions[0], '', `TLS failure`);
    t.strictSame(leaked([PASS], res, cx.lines), []);
    fake.assertDone(t);
    return;
  }
  const fake = await FakeHttp.start(t);
  const step: ExpectedRequest = {
    method: 'GET', path: useDyn ? '/v3/update' : '/nic/update',
    query: { hostname: hosts.join(','), myip: c.section === 'dual' ? `${V4},${V6}` : V4 },
    auth: { user: USER, password: PASS },
    headers: { 'user-agent': useDyn ? `ddnsd - OpenWrt router - ${VERSION}` : AGENT },
    reply: { status: reply.status, headers: reply.headers, body: reply.body },
  };
  fake.expect(step);
  const inst = useDyn
    ? instance(def('dyn'), { endpoint: fake.url, username: USER, password: PASS })
    : instance(def('dyndns2'), { endpoint: `${fake.url}/nic/update`, username: USER, password: PASS });
  const cx = ctx();
  const res = await inst.update(updates, cx);
  t.equal(res.length, updates.length, 'one result per record');
  const lines = reply.body.split('\n').filter(Boolean);
  res.forEach((r, i) => {
    const host = c.section === 'dual' ? 0 : i;
    t.strictSame(r.record, updates[i].record, 'results in input order');
    const key = reply.status !== 200 ? `HTTP ${reply.status}` : (lines.length === 1 ? lines[0] : lines[host] ?? '').split(' ')[0];
    check(t, r, c.actions[host], key, `${r.record.name} ${r.record.type}`);
  });
  t.strictSame(leaked([PASS], res, cx.lines), [], 'no password in results or logs');
  fake.assertDone(t);
}

t.test('row 29 details: messages name the host and the code; warnings are logged', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({
    method: 'GET', path: '/v3/update', query: { hostname: 'a.example.com,b.example.com,c.example.com', myip: V4 },
    auth: { user: USER, password: PASS }, reply: { body: 'good 192.0.2.1\nnochg\n' },
  });
  const cx = ctx();
  const res = await instance(def('dyn'), { endpoint: fake.url, username: USER, password: PASS })
    .update(['a', 'b', 'c'].map((h) => upd(`${h}.example.com`, 'A', V4)), cx);
  t.strictSame(res.map((r) => r.outcome), ['ok', 'nochg', 'transient']);
  t.equal(res[0].address, V4, 'the echoed address is reported');
  t.match(res[0].message, /a\.example\.com A to 192\.0\.2\.1/);
  t.match(res[2].message, /no result for this name/);
  t.ok(cx.lines.some((l) => /2 answer lines for 3 names/.test(l)), 'line count mismatch logged');
  t.ok(cx.lines.some((l) => /nochg/.test(l) && l.startsWith('warn')), 'nochg logged as a warning');
  fake.assertDone(t);
});

t.test('Dyn: up to 20 names per request, both families in one request', async (t) => {
  const fake = await FakeHttp.start(t);
  const names = Array.from({ length: 23 }, (_, i) => `h${i}.example.com`);
  const first = names.slice(0, 20);
  const rest = names.slice(20);
  fake.expect(
    { method: 'GET', path: '/v3/update', query: { hostname: first.join(','), myip: `${V4},${V6}` }, auth: { user: USER, password: PASS }, reply: { body: first.map(() => 'good').join('\n') } },
    { method: 'GET', path: '/v3/update', query: { hostname: rest.join(','), myip: `${V4},${V6}` }, auth: { user: USER, password: PASS }, reply: { body: 'good\ngood\ngood\n' } },
  );
  const updates = names.flatMap((n) => [upd(n, 'A', V4), upd(n, 'AAAA', V6)]);
  const res = await instance(def('dyn'), { endpoint: fake.url, username: USER, password: PASS }).update(updates, ctx());
  t.equal(res.length, 46);
  t.ok(res.every((r) => r.outcome === 'ok'));
  fake.assertDone(t);
});

t.test('names with different addresses go in different requests', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(
    { method: 'GET', path: '/v3/update', query: { hostname: 'a.example.com,c.example.com', myip: V4 }, auth: { user: USER, password: PASS }, reply: { body: 'good\ngood' } },
    { method: 'GET', path: '/v3/update', query: { hostname: 'b.example.com', myip: '198.51.100.7' }, auth: { user: USER, password: PASS }, reply: { body: 'badauth' } },
  );
  const res = await instance(def('dyn'), { endpoint: fake.url, username: USER, password: PASS })
    .update([upd('a.example.com', 'A', V4), upd('b.example.com', 'A', '198.51.100.7'), upd('c.example.com', 'A', V4)], ctx());
  t.strictSame(res.map((r) => r.outcome), ['ok', 'auth', 'ok']);
  fake.assertDone(t);
});

t.test('a bad password stops the remaining requests of the call', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({ method: 'GET', path: '/nic/update', query: { hostname: 'a.example.com', myip: V4 }, auth: { user: USER, password: PASS }, reply: { status: 401 } });
  const res = await instance(def('dyndns2'), { endpoint: `${fake.url}/nic/update`, username: USER, password: PASS })
    .update([upd('a.example.com', 'A', V4), upd('b.example.com', 'A', V4)], ctx());
  t.strictSame(res.map((r) => r.outcome), ['auth', 'auth']);
  fake.assertDone(t);
});

t.test('No-IP: contact in the User-Agent, myip=v4,v6', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({
    method: 'GET', path: '/nic/update', query: { hostname: 'me.ddns.net', myip: `${V4},${V6}` },
    auth: { user: USER, password: PASS }, headers: { 'user-agent': `${AGENT} admin@example.org` },
    reply: { body: `good ${V4},${V6}` },
  });
  const res = await instance(def('noip'), { endpoint: fake.url, username: USER, password: PASS, contact: 'admin@example.org' })
    .update([upd('me.ddns.net', 'A', V4), upd('me.ddns.net', 'AAAA', V6)], ctx());
  t.strictSame(res.map((r) => [r.outcome, r.address]), [['ok', V4], ['ok', V6]]);
  fake.assertDone(t);
});

t.test('Dynu: myip/myipv6, "no" for the family left alone', async (t) => {
  const fake = await FakeHttp.start(t);
  const auth = { user: USER, password: PASS };
  fake.expect(
    { method: 'GET', path: '/nic/update', query: { hostname: 'x.dynu.net', myip: V4, myipv6: V6 }, auth, reply: { body: 'good' } },
    { method: 'GET', path: '/nic/update', query: { hostname: 'y.dynu.net', myip: 'no', myipv6: V6 }, auth, reply: { body: 'nochg' } },
    { method: 'GET', path: '/nic/update', query: { hostname: 'z.dynu.net', myip: V4, myipv6: 'no' }, auth, reply: { body: 'servererror' } },
  );
  const inst = instance(def('dynu'), { endpoint: fake.url, username: USER, password: PASS });
  t.strictSame((await inst.update([upd('x.dynu.net', 'A', V4), upd('x.dynu.net', 'AAAA', V6)], ctx())).map((r) => r.outcome), ['ok', 'ok']);
  t.strictSame((await inst.update([upd('y.dynu.net', 'AAAA', V6)], ctx())).map((r) => r.outcome), ['nochg']);
  const z = await inst.update([upd('z.dynu.net', 'A', V4)], ctx());
  t.equal(z[0].outcome, 'transient');
  t.ok(z[0].retryAfterMs! >= 10 * 60_000, 'servererror waits at least 10 minutes');
  fake.assertDone(t);
});

t.test('Hurricane Electric: user is the record name, one request per family', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(
    { method: 'GET', path: '/nic/update', query: { hostname: 'home.example.com', myip: V4 }, auth: { user: 'home.example.com', password: PASS }, reply: { body: `good ${V4}` } },
    { method: 'GET', path: '/nic/update', query: { hostname: 'home.example.com', myip: V6 }, auth: { user: 'home.example.com', password: PASS }, reply: { body: 'nohost' } },
  );
  const res = await instance(def('he'), { endpoint: fake.url, password: PASS })
    .update([upd('home.example.com', 'A', V4), upd('home.example.com', 'AAAA', V6)], ctx());
  t.strictSame(res.map((r) => r.outcome), ['ok', 'nohost']);
  fake.assertDone(t);
});

t.test('OVH: system=dyndns; DNS-O-Matic and STRATO paths; default endpoints are https', async (t) => {
  const fake = await FakeHttp.start(t);
  const auth = { user: USER, password: PASS };
  fake.expect(
    { method: 'GET', path: '/nic/update', query: { system: 'dyndns', hostname: 'dyn.example.com', myip: V4 }, auth, reply: { body: 'good' } },
    { method: 'GET', path: '/nic/update', query: { hostname: 'all.dnsomatic.com', myip: V4 }, auth, reply: { body: 'good' } },
    { method: 'GET', path: '/nic/update', query: { hostname: 'example.de', myip: `${V4},${V6}` }, auth, reply: { body: 'good' } },
  );
  for (const [id, name, both] of [['ovh', 'dyn.example.com', false], ['dnsomatic', 'all.dnsomatic.com', false], ['strato', 'example.de', true]] as const) {
    const updates = both ? [upd(name, 'A', V4), upd(name, 'AAAA', V6)] : [upd(name, 'A', V4)];
    const res = await instance(def(id), { endpoint: fake.url, username: USER, password: PASS }).update(updates, ctx());
    t.ok(res.every((r) => r.outcome === 'ok'), id);
  }
  fake.assertDone(t);
  for (const d of DYNDNS2_PROVIDERS) {
    if (d.defaultEndpoint) t.match(d.defaultEndpoint, /^https:\/\//, `${d.id} uses HTTPS`);
  }
});

t.test('the engine\'s User-Agent is used as given', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({ method: 'GET', path: '/nic/update', query: { hostname: 'a.example.com', myip: V4 }, auth: { user: USER, password: PASS }, headers: { 'user-agent': 'ddnsd/9.9.9' }, reply: { body: 'good' } });
  const cx = { ...ctx(), userAgent: 'ddnsd/9.9.9' };
  const [r] = await instance(def('dyndns2'), { endpoint: `${fake.url}/nic/update`, username: USER, password: PASS }).update([upd('a.example.com', 'A', V4)], cx);
  t.equal(r.outcome, 'ok');
  fake.assertDone(t);
});

t.test('configuration problems are reported without a request', async (t) => {
  const cx = ctx();
  const r1 = await instance(def('dyndns2'), { username: USER, password: PASS }).update([upd('a.example.com', 'A', V4)], cx);
  t.equal(r1[0].outcome, 'config');
  t.match(r1[0].message, /option endpoint is required/);
  const r2 = await instance(def('dyn'), { password: PASS }).update([upd('a.example.com', 'A', V4)], cx);
  t.match(r2[0].message, /option username is required/);
  const r3 = await instance(def('dyndns2'), { endpoint: 'ftp://x', username: USER, password: PASS }).update([upd('a.example.com', 'A', V4)], cx);
  t.match(r3[0].message, /endpoint must be an http/);
});

t.test('connection refused is a network failure; nothing leaks', async (t) => {
  const fake = await FakeHttp.start(t);
  const url = fake.url;
  await fake.close();
  const cx = ctx();
  const res = await instance(def('dyndns2'), { endpoint: `${url}/nic/update`, username: USER, password: PASS }).update([upd('a.example.com', 'A', V4)], cx);
  t.equal(res[0].outcome, 'network');
  t.match(res[0].message, /connection refused/);
  t.strictSame(leaked([PASS], res, cx.lines), []);
});

t.test('registry metadata: aliases resolve, fields are complete', async (t) => {
  t.equal(findProvider('dyndns.org', DYNDNS2_PROVIDERS)?.id, 'dyn');
  t.equal(findProvider('No-IP.com', DYNDNS2_PROVIDERS)?.id, 'noip');
  t.equal(findProvider('he.net', DYNDNS2_PROVIDERS)?.id, 'he');
  for (const d of DYNDNS2_PROVIDERS) {
    t.ok(d.fields.length >= 2, `${d.id} has fields`);
    for (const f of d.fields) t.ok(f.name && f.label && f.type, `${d.id}.${f.name} is described`);
    t.ok(d.fields.some((f) => f.name === 'password' && f.secret), `${d.id} password is secret`);
  }
  t.equal(def('dyn').capabilities.hostsPerRequest, 20);
  t.equal(def('dyn').capabilities.dualStackOneRequest, true);
  t.equal(def('dnsomatic').capabilities.ipv6, false);
});
