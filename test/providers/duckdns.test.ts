import t from 'tap';
import { FakeHttp } from '../support/fake-http';
import { duckdns, subName } from '../../src/providers/duckdns';
import { AGENT, ctx, instance, leaked, upd } from './ddns-support';

const TOKEN = 'a7c4d1e2-0000-4b5b-9c3d-123456789abc';
const V4 = '192.0.2.20';
const V6 = '2001:db8::20';

t.test('sub-names', async (t) => {
  t.equal(subName('home.duckdns.org'), 'home');
  t.equal(subName('HOME.duckdns.org.'), 'home');
  t.equal(subName('www.home.duckdns.org'), 'home');
  t.equal(subName('home.example.com'), undefined);
  t.equal(subName('duckdns.org'), undefined);
});

t.test('several names and both families in one verbose request', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({
    method: 'GET', path: '/update',
    query: { domains: 'home,cabin', token: TOKEN, ip: V4, ipv6: V6, verbose: 'true' },
    headers: { 'user-agent': AGENT },
    reply: { body: `OK\n${V4}\n${V6}\nUPDATED` },
  });
  const cx = ctx();
  const updates = [upd('home.duckdns.org', 'A', V4), upd('home.duckdns.org', 'AAAA', V6), upd('cabin.duckdns.org', 'A', V4), upd('cabin.duckdns.org', 'AAAA', V6)];
  const res = await instance(duckdns, { endpoint: fake.url, password: TOKEN }).update(updates, cx);
  t.strictSame(res.map((r) => [r.outcome, r.address]), [['ok', V4], ['ok', V6], ['ok', V4], ['ok', V6]]);
  t.strictSame(leaked([TOKEN], res, cx.lines), [], 'the token (in the URL) never shows');
  fake.assertDone(t);
});

t.test('IPv6 only sends ipv6 and no ip (so the server does not guess IPv4); NOCHANGE is nochg', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({ method: 'GET', path: '/update', query: { domains: 'home', token: TOKEN, ipv6: V6, verbose: 'true' }, reply: { body: `OK\n\n${V6}\nNOCHANGE` } });
  const res = await instance(duckdns, { endpoint: fake.url, password: TOKEN }).update([upd('home.duckdns.org', 'AAAA', V6)], ctx());
  t.equal(res[0].outcome, 'nochg');
  fake.assertDone(t);
});

t.test('KO blocks (bad token or name), other answers and statuses', async (t) => {
  const cases: [number, string, string, number?][] = [
    [200, 'KO', 'auth'],
    [200, 'OK', 'ok'],
    [200, '<html>maintenance</html>', 'transient', 1_800_000],
    [401, '', 'auth'],
    [503, '', 'transient', 300_000],
  ];
  for (const [status, body, outcome, wait] of cases) {
    const fake = await FakeHttp.start(t);
    fake.expect({ method: 'GET', path: '/update', query: { domains: 'home', token: TOKEN, ip: V4, verbose: 'true' }, reply: { status, body } });
    const cx = ctx();
    const [r] = await instance(duckdns, { endpoint: fake.url, password: TOKEN }).update([upd('home.duckdns.org', 'A', V4)], cx);
    t.equal(r.outcome, outcome, `${status} ${body}`);
    if (wait) t.equal(r.retryAfterMs, wait);
    t.strictSame(leaked([TOKEN], r, cx.lines), []);
    fake.assertDone(t);
  }
});

t.test('a name outside duckdns.org is a config error and is not sent', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({ method: 'GET', path: '/update', query: { domains: 'home', token: TOKEN, ip: V4, verbose: 'true' }, reply: { body: 'OK' } });
  const res = await instance(duckdns, { endpoint: fake.url, password: TOKEN }).update([upd('www.example.com', 'A', V4), upd('home.duckdns.org', 'A', V4)], ctx());
  t.strictSame(res.map((r) => r.outcome), ['config', 'ok']);
  t.match(res[0].message, /only serves names under duckdns\.org/);
  fake.assertDone(t);
});

t.test('more than 20 names are split', async (t) => {
  const fake = await FakeHttp.start(t);
  const names = Array.from({ length: 21 }, (_, i) => `n${i}`);
  fake.expect(
    { method: 'GET', path: '/update', query: { domains: names.slice(0, 20).join(','), token: TOKEN, ip: V4, verbose: 'true' }, reply: { body: 'OK' } },
    { method: 'GET', path: '/update', query: { domains: 'n20', token: TOKEN, ip: V4, verbose: 'true' }, reply: { body: 'OK' } },
  );
  const res = await instance(duckdns, { endpoint: fake.url, password: TOKEN }).update(names.map((n) => upd(`${n}.duckdns.org`, 'A', V4)), ctx());
  t.equal(res.filter((r) => r.outcome === 'ok').length, 21);
  fake.assertDone(t);
});
