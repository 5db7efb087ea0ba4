import t from 'tap';
import { FakeHttp, type ExpectedRequest } from '../support/fake-http';
import { ionos } from '../../src/providers/ionos';
import { AGENT, Cache, ctx, instance, leaked, upd } from './ddns-support';

const KEY = 'pubprefix.SeCrEtPaRtOfTheKey';
const Q = 'dGVzdC50ZXN0LXNlY3JldC11cGRhdGUtdG9rZW4';
const V4 = '192.0.2.50';
const V6 = '2001:db8::50';

function activation(names: string[], reply: ExpectedRequest['reply']): ExpectedRequest {
  return {
    method: 'POST', path: '/dns/v1/dyndns',
    headers: { 'x-api-key': KEY, 'content-type': 'application/json', accept: 'application/json', 'user-agent': AGENT },
    body: { domains: names, description: 'ddnsd' },
    reply,
  };
}

function granted(fake: FakeHttp, names: string[], q = Q) {
  return { status: 200, body: { bulkId: '22af3414-abbe-9e11-5df5-66fbe8e334b4', updateUrl: `${fake.url}/dns/v1/dyndns?q=${q}`, domains: names, description: 'ddnsd' } };
}

t.test('first update activates and caches the URL; the next costs one GET', async (t) => {
  const fake = await FakeHttp.start(t);
  const names = ['example.com', 'www.example.com'];
  fake.expect(
    activation(names, granted(fake, names)),
    { method: 'GET', path: '/dns/v1/dyndns', query: { q: Q, ipv4: V4, ipv6: V6 }, absentHeaders: ['x-api-key'], reply: { status: 200, body: '' } },
    { method: 'GET', path: '/dns/v1/dyndns', query: { q: Q, ipv4: '198.51.100.9' }, absentHeaders: ['x-api-key'], reply: { status: 200, body: '' } },
  );
  const cache = new Cache();
  const cx = ctx(cache);
  const inst = instance(ionos, { endpoint: fake.url, api_key: KEY });
  const r1 = await inst.update([upd('www.example.com', 'A', V4), upd('www.example.com', 'AAAA', V6), upd('example.com', 'A', V4), upd('example.com', 'AAAA', V6)], cx);
  t.strictSame(r1.map((r) => r.outcome), ['ok', 'ok', 'ok', 'ok']);
  t.equal(cache.map.size, 1, 'the update URL is cached');
  const r2 = await inst.update([upd('www.example.com', 'A', '198.51.100.9'), upd('example.com', 'A', '198.51.100.9')], cx);
  t.strictSame(r2.map((r) => r.outcome), ['ok', 'ok']);
  t.strictSame(leaked([KEY, Q], r1, r2, cx.lines), [], 'neither the key nor the URL token shows');
  fake.assertDone(t);
});

t.test('a refused cached URL is replaced once', async (t) => {
  const fake = await FakeHttp.start(t);
  const names = ['home.example.com'];
  fake.expect(
    { method: 'GET', path: '/dns/v1/dyndns', query: { q: 'old-token-123', ipv4: V4 }, reply: { status: 401, body: '' } },
    activation(names, granted(fake, names, 'new-token-456')),
    { method: 'GET', path: '/dns/v1/dyndns', query: { q: 'new-token-456', ipv4: V4 }, reply: { status: 200 } },
  );
  const cache = new Cache();
  cache.set('ionos|update-url|home.example.com', `${fake.url}/dns/v1/dyndns?q=old-token-123`);
  const cx = ctx(cache);
  const [r] = await instance(ionos, { endpoint: fake.url, api_key: KEY }).update([upd('home.example.com', 'A', V4)], cx);
  t.equal(r.outcome, 'ok');
  t.equal(cache.get('ionos|update-url|home.example.com'), `${fake.url}/dns/v1/dyndns?q=new-token-456`);
  t.strictSame(leaked([KEY, 'old-token-123', 'new-token-456'], r, cx.lines), []);
  fake.assertDone(t);
});

t.test('activation errors', async (t) => {
  const cases: [number, unknown, string, Record<string, string>?][] = [
    [401, [{ code: 'UNAUTHORIZED', message: 'The customer is not authorized to do this operation.' }], 'auth'],
    [400, [{ code: 'INVALID_DOMAIN_NAME', message: 'Domain is missing/invalid or its tld is not supported yet.' }], 'nohost'],
    [400, [{ code: 'INVALID_DATA', message: 'The request body is invalid or not supported by the endpoint.' }], 'config'],
    [429, '', 'transient', { 'retry-after': '60' }],
    [500, [{ code: 'INTERNAL_SERVER_ERROR' }], 'transient'],
    [200, { bulkId: 'x' }, 'transient'],
    [200, { updateUrl: 'ftp://example/x' }, 'transient'],
  ];
  for (const [status, body, outcome, headers] of cases) {
    const fake = await FakeHttp.start(t);
    fake.expect(activation(['a.example.com'], { status, body, headers }));
    const cx = ctx();
    const [r] = await instance(ionos, { endpoint: fake.url, api_key: KEY }).update([upd('a.example.com', 'A', V4)], cx);
    t.equal(r.outcome, outcome, `HTTP ${status} ${JSON.stringify(body).slice(0, 50)}`);
    if (status === 429) t.equal(r.retryAfterMs, 120_000, 'at least 2 minutes (quota: 2 per minute)');
    t.strictSame(leaked([KEY], r, cx.lines), []);
    t.equal(cx.cache.map.size, 0, 'nothing cached');
    fake.assertDone(t);
  }
});

t.test('update URL answers 5xx: transient, URL kept', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({ method: 'GET', path: '/dns/v1/dyndns', query: { q: Q, ipv6: V6 }, reply: { status: 503, body: `error for q=${Q}` } });
  const cache = new Cache();
  cache.set('ionos|update-url|a.example.com', `${fake.url}/dns/v1/dyndns?q=${Q}`);
  const cx = ctx(cache);
  const [r] = await instance(ionos, { endpoint: fake.url, api_key: KEY }).update([upd('a.example.com', 'AAAA', V6)], cx);
  t.equal(r.outcome, 'transient');
  t.equal(cache.map.size, 1);
  t.strictSame(leaked([Q], r, cx.lines), [], 'a body echoing the token is masked');
  fake.assertDone(t);
});

t.test('credential test lists zones', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(
    { method: 'GET', path: '/dns/v1/zones', headers: { 'x-api-key': KEY, accept: 'application/json' }, reply: { body: [{ id: 'z', name: 'example.com', type: 'NATIVE' }] } },
    { method: 'GET', path: '/dns/v1/zones', headers: { 'x-api-key': KEY }, reply: { status: 401, body: [{ code: 'UNAUTHORIZED', message: 'no' }] } },
  );
  const inst = instance(ionos, { endpoint: fake.url, api_key: KEY });
  t.equal((await inst.test!(ctx())).outcome, 'ok');
  const bad = await inst.test!(ctx());
  t.equal(bad.outcome, 'auth');
  t.notMatch(bad.message, /SeCrEt/);
  fake.assertDone(t);
});

t.test('a key that is not prefix.secret is a config error', async (t) => {
  const [r] = await instance(ionos, { api_key: 'justonepart' }).update([upd('a.example.com', 'A', V4)], ctx());
  t.equal(r.outcome, 'config');
  t.notMatch(r.message, /justonepart/);
});

t.test('ddns-scripts style: the update URL token in option password, no API key', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(
    { method: 'GET', path: '/dns/v1/dyndns', query: { q: Q, ipv4: V4, ipv6: V6 }, absentHeaders: ['x-api-key'], reply: { status: 200 } },
    { method: 'GET', path: '/dns/v1/dyndns', query: { q: Q, ipv4: V4 }, reply: { status: 401 } },
  );
  const cx = ctx();
  const inst = instance(ionos, { endpoint: fake.url, password: Q });
  const r1 = await inst.update([upd('a.example.com', 'A', V4), upd('a.example.com', 'AAAA', V6)], cx);
  t.strictSame(r1.map((r) => r.outcome), ['ok', 'ok']);
  const [r2] = await inst.update([upd('a.example.com', 'A', V4)], cx);
  t.equal(r2.outcome, 'auth', 'a revoked token cannot be renewed without an API key');
  t.equal(cx.cache.map.size, 0, 'nothing to cache');
  t.equal((await inst.test!(cx)).outcome, 'config');
  t.strictSame(leaked([Q], r1, r2, cx.lines), []);
  fake.assertDone(t);
  const [none] = await instance(ionos, {}).update([upd('a.example.com', 'A', V4)], ctx());
  t.match(none.message, /option api_key \(or the update URL token in option password\) is required/);
});
