import t from 'tap';
import { FakeHttp } from '../support/fake-http';
import { freedns } from '../../src/providers/freedns';
import { AGENT, ctx, instance, leaked, upd } from './ddns-support';

const TOKEN = 'Zx9TokEnQ1w2E3r4';
const V4 = '192.0.2.30';
const V6 = '2001:db8::30';

t.test('one request per family; the token in the path; names never sent', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(
    { method: 'GET', path: `/u/${TOKEN}/`, query: { address: V4 }, headers: { 'user-agent': AGENT }, reply: { body: 'Updated 2 host(s) home.example.com, www.example.com to 192.0.2.30 in 0.2 seconds' } },
    { method: 'GET', path: `/u/${TOKEN}/`, query: { address: V6 }, reply: { body: 'No IP change detected for home.example.com with IP 2001:db8::30, skipping update' } },
  );
  const cx = ctx();
  const res = await instance(freedns, { endpoint: fake.url, password: TOKEN })
    .update([upd('home.example.com', 'A', V4), upd('home.example.com', 'AAAA', V6), upd('www.example.com', 'A', V4)], cx);
  t.strictSame(res.map((r) => r.outcome), ['ok', 'nochg', 'ok']);
  t.strictSame(leaked([TOKEN], res, cx.lines), [], 'the token never shows');
  fake.assertDone(t);
});

t.test('errors', async (t) => {
  const cases: [number, string, string, number?][] = [
    [200, 'ERROR: Unable to locate this record (token invalid?)', 'auth'],
    [200, 'ERROR: Address 300.1.1.1 is not valid', 'config'],
    [200, 'Something new', 'transient', 1_800_000],
    [404, 'not found', 'auth'],
    [500, '', 'transient', 300_000],
  ];
  for (const [status, body, outcome, wait] of cases) {
    const fake = await FakeHttp.start(t);
    fake.expect({ method: 'GET', path: `/u/${TOKEN}/`, query: { address: V4 }, reply: { status, body } });
    const cx = ctx();
    const [r] = await instance(freedns, { endpoint: fake.url, password: TOKEN }).update([upd('home.example.com', 'A', V4)], cx);
    t.equal(r.outcome, outcome, `${status} ${body}`);
    if (wait) t.equal(r.retryAfterMs, wait);
    t.strictSame(leaked([TOKEN], r, cx.lines), []);
    fake.assertDone(t);
  }
});

t.test('default endpoints and a token given as a URL', async (t) => {
  t.equal(freedns.defaultEndpoint, 'https://sync.afraid.org/');
  const [r] = await instance(freedns, { password: `https://sync.afraid.org/u/${TOKEN}/` }).update([upd('a.example.com', 'A', V4)], ctx());
  t.equal(r.outcome, 'config');
  t.match(r.message, /update token alone/);
  t.notMatch(r.message, new RegExp(TOKEN));
});
