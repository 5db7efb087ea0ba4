import t from 'tap';
import { FakeHttp } from '../support/fake-http';
import { desec } from '../../src/providers/desec';
import { AGENT, ctx, instance, leaked, upd, type TapTest } from './ddns-support';

const TOKEN = 'tok-deSEC-9f8e7d';
const V4 = '192.0.2.10';
const V6 = '2001:db8::10';

async function setup(t: TapTest) {
  const fake = await FakeHttp.start(t);
  return { fake, inst: instance(desec, { endpoint: fake.url, password: TOKEN }) };
}

t.test('both families in one request; the family not managed is preserved', async (t) => {
  const { fake, inst } = await setup(t);
  fake.expect(
    {
      method: 'GET', path: '/', query: { hostname: 'home.dedyn.io', myipv4: V4, myipv6: V6 },
      auth: { user: 'home.dedyn.io', password: TOKEN }, headers: { 'user-agent': AGENT }, reply: { body: 'good' },
    },
    { method: 'GET', path: '/', query: { hostname: 'v4.example.com', myipv4: V4, myipv6: 'preserve' }, auth: { user: 'v4.example.com', password: TOKEN }, reply: { body: 'good\n' } },
    { method: 'GET', path: '/', query: { hostname: 'v6.example.com', myipv4: 'preserve', myipv6: V6 }, auth: { user: 'v6.example.com', password: TOKEN }, reply: { body: 'good' } },
  );
  const cx = ctx();
  const r1 = await inst.update([upd('home.dedyn.io', 'A', V4), upd('home.dedyn.io', 'AAAA', V6)], cx);
  t.strictSame(r1.map((r) => r.outcome), ['ok', 'ok']);
  t.match(r1[1].message, /home\.dedyn\.io AAAA to 2001:db8::10/);
  const r2 = await inst.update([upd('v4.example.com', 'A', V4), upd('v6.example.com', 'AAAA', V6)], cx);
  t.strictSame(r2.map((r) => r.outcome), ['ok', 'ok']);
  t.strictSame(leaked([TOKEN], r1, r2, cx.lines), []);
  fake.assertDone(t);
});

t.test('a configured login is used for every name', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({ method: 'GET', path: '/', query: { hostname: 'www.example.com', myipv4: V4, myipv6: 'preserve' }, auth: { user: 'example.com', password: TOKEN }, reply: { body: 'good' } });
  const res = await instance(desec, { endpoint: fake.url, password: TOKEN, username: 'example.com' }).update([upd('www.example.com', 'A', V4)], ctx());
  t.equal(res[0].outcome, 'ok');
  fake.assertDone(t);
});

t.test('documented errors: 401, 403, 404, 429 with Retry-After, 5xx, unexpected body', async (t) => {
  const cases: [number, string, Record<string, string>, string, number?][] = [
    [401, 'badauth', {}, 'auth'],
    [403, 'This hostname is not eligible', {}, 'nohost'],
    [404, 'nohost', {}, 'nohost'],
    [429, 'Request was throttled', { 'retry-after': '300' }, 'transient', 300_000],
    [429, 'Request was throttled', { 'retry-after': '10' }, 'transient', 120_000],
    [502, '', {}, 'transient', 300_000],
    [200, 'something else', {}, 'transient', 1_800_000],
  ];
  for (const [status, body, headers, outcome, wait] of cases) {
    const { fake, inst } = await setup(t);
    fake.expect({ method: 'GET', path: '/', query: { hostname: 'a.example.com', myipv4: V4, myipv6: 'preserve' }, auth: { user: 'a.example.com', password: TOKEN }, reply: { status, body, headers } });
    const cx = ctx();
    const [r] = await inst.update([upd('a.example.com', 'A', V4)], cx);
    t.equal(r.outcome, outcome, `HTTP ${status} ${body}`);
    if (wait !== undefined) t.equal(r.retryAfterMs, wait, `HTTP ${status}: waits ${wait} ms`);
    t.strictSame(leaked([TOKEN], r, cx.lines), []);
    fake.assertDone(t);
  }
});

t.test('an account-wide failure is not repeated for the next name', async (t) => {
  const { fake, inst } = await setup(t);
  fake.expect({ method: 'GET', path: '/', query: { hostname: 'a.example.com', myipv4: V4, myipv6: 'preserve' }, auth: { user: 'a.example.com', password: TOKEN }, reply: { status: 401 } });
  const res = await inst.update([upd('a.example.com', 'A', V4), upd('b.example.com', 'A', V4)], ctx());
  t.strictSame(res.map((r) => r.outcome), ['auth', 'auth']);
  fake.assertDone(t);
});

t.test('metadata and a missing token', async (t) => {
  t.equal(desec.capabilities.dualStackOneRequest, true);
  t.equal(desec.defaultEndpoint, 'https://update.dedyn.io/');
  t.ok(desec.fields.find((f) => f.name === 'password')?.secret);
  const [r] = await instance(desec, {}).update([upd('a.example.com', 'A', V4)], ctx());
  t.equal(r.outcome, 'config');
  t.match(r.message, /option password is required/);
});
