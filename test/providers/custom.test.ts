import t from 'tap';
import { FakeHttp, makeTestCert } from '../support/fake-http';
import { custom } from '../../src/providers/custom';
import { answerRegex, ddnsEncode, expand, literalTokens, unknownPlaceholders } from '../../src/providers/url-template';
import { AGENT, ctx, instance, leaked, upd } from './ddns-support';

const USER = 'me@example.org';
const PASS = 'p@ss w:rd!/[IP]';
const KEY = 'k&y=secret+1';
const V4 = '192.0.2.60';
const V6 = '2001:db8::60';

t.test('ddns-scripts encoding rules', async (t) => {
  t.equal(ddnsEncode('AZaz09-_.~'), 'AZaz09-_.~', 'unreserved characters stay');
  t.equal(ddnsEncode("a b&c/é!'()*"), 'a%20b%26c%2F%C3%A9%21%27%28%29%2A', 'everything else as %XX of UTF-8');
  const v = { username: 'u s', password: 'p&[DOMAIN]', domain: 'h.example.com', ip: V6, paramEnc: 'a/b', paramOpt: 'x=1&y=2' };
  t.equal(
    expand('u=[USERNAME]&p=[PASSWORD]&d=[DOMAIN]&i=[IP]&e=[PARAMENC]&o=[PARAMOPT]', v),
    'u=u%20s&p=p%26%5BDOMAIN%5D&d=h.example.com&i=2001:db8::60&e=a%2Fb&o=x=1&y=2',
    'USERNAME, PASSWORD, PARAMENC encoded; DOMAIN, IP, PARAMOPT raw; values are not expanded again',
  );
  t.strictSame(unknownPlaceholders('http://x/?h=[HOST]&i=[IP]&a=[2001:db8::1]'), ['HOST']);
  t.ok(answerRegex('good|nochg').test('GOOD 1.2.3.4'), 'case-insensitive');
  t.ok(answerRegex('^[[:digit:]]+ ok').test('200 OK'), 'POSIX classes of grep -E');
});

t.test('every placeholder filled; userinfo becomes Basic auth; answer regex matches', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({
    method: 'GET', path: '/nic/update',
    query: { hostname: 'home.example.com', myip: V4, key: KEY, opt: 'ttl=60' },
    auth: { user: USER, password: PASS }, headers: { 'user-agent': AGENT },
    reply: { body: 'GOOD 192.0.2.60' },
  });
  const tpl = `${fake.url.replace('//', '//[USERNAME]:[PASSWORD]@')}/nic/update?hostname=[DOMAIN]&myip=[IP]&key=[PARAMENC]&opt=[PARAMOPT]`;
  const cx = ctx();
  const res = await instance(custom, { update_url: tpl, answer: 'good|nochg', username: USER, password: PASS, param_enc: KEY, param_opt: 'ttl=60' })
    .update([upd('home.example.com', 'A', V4)], cx);
  t.equal(res[0].outcome, 'ok');
  t.notMatch(fake.received[0].url, /@/, 'no credentials in the request line');
  t.strictSame(leaked([PASS, KEY, ddnsEncode(PASS), ddnsEncode(KEY)], res, cx.lines), []);
  fake.assertDone(t);
});

t.test('IPv6 template, answer mismatch, statuses, no answer regex', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(
    { method: 'GET', path: '/v6', query: { h: 'home.example.com', ip: V6, t: PASS }, reply: { body: 'OK' } },
    { method: 'GET', path: '/v4', query: { h: 'home.example.com', ip: V4, t: PASS }, reply: { body: `badauth for token ${PASS}` } },
    { method: 'GET', path: '/v4', query: { h: 'home.example.com', ip: V4, t: PASS }, reply: { status: 401 } },
    { method: 'GET', path: '/v4', query: { h: 'home.example.com', ip: V4, t: PASS }, reply: { status: 503 } },
  );
  const opts = { update_url: `${fake.url}/v4?h=[DOMAIN]&ip=[IP]&t=[PASSWORD]`, update_url6: `${fake.url}/v6?h=[DOMAIN]&ip=[IP]&t=[PASSWORD]`, password: PASS, answer: '^ok' };
  const cx = ctx();
  const inst = instance(custom, opts);
  t.equal((await inst.update([upd('home.example.com', 'AAAA', V6)], cx))[0].outcome, 'ok');
  const bad = (await inst.update([upd('home.example.com', 'A', V4)], cx))[0];
  t.equal(bad.outcome, 'transient');
  t.equal(bad.retryAfterMs, 30 * 60_000);
  t.match(bad.message, /does not match the expected answer/);
  t.equal((await inst.update([upd('home.example.com', 'A', V4)], cx))[0].outcome, 'auth');
  t.equal((await inst.update([upd('home.example.com', 'A', V4)], cx))[0].outcome, 'transient');
  t.strictSame(leaked([PASS, ddnsEncode(PASS)], bad, cx.lines), [], 'a reply echoing the password is masked');
  fake.assertDone(t);

  const plain = await FakeHttp.start(t);
  plain.expect({ method: 'GET', path: '/u', query: { ip: V4 }, reply: { body: 'whatever' } });
  t.equal((await instance(custom, { update_url: `${plain.url}/u?ip=[IP]` }).update([upd('a.example.com', 'A', V4)], ctx()))[0].outcome, 'ok', 'no regex: any 2xx is success');
  plain.assertDone(t);
});

t.test('use_https rewrites http:// (seen as a TLS handshake, not a plain request)', async (t) => {
  const fake = await FakeHttp.start(t, { tls: makeTestCert() });
  const url = fake.url.replace('https:', 'http:');
  const [r] = await instance(custom, { update_url: `${url}/u?ip=[IP]`, use_https: '1' }).update([upd('a.example.com', 'A', V4)], ctx());
  t.equal(r.outcome, 'transient');
  t.match(r.message, /TLS/);
  fake.assertDone(t);
});

t.test('configuration errors', async (t) => {
  const one = async (o: Record<string, string>) => (await instance(custom, o).update([upd('a.example.com', 'A', V4)], ctx()))[0];
  t.match((await one({})).message, /option update_url is required/);
  t.match((await one({ update_url: 'ftp://x/[IP]' })).message, /must start with http/);
  t.match((await one({ update_url: 'https://x/?h=[HOST]&ip=[IP]' })).message, /unknown placeholder\(s\) \[HOST\]/);
  t.match((await one({ update_url: 'https://x/?ip=[IP]', answer: '(' })).message, /not a valid regular expression/);
  const r = await one({ update_url: 'https://x/?ip=[IP]', password: PASS, use_https: 'maybe' });
  t.equal(r.outcome, 'config');
  t.notMatch(r.message, /p@ss/);
});

t.test('hostile replies: a catastrophic answer regex is stopped; the update URL (it may carry a token) is never quoted', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({ method: 'GET', path: '/u', query: { ip: V4 }, reply: { body: 'a'.repeat(40) + '!' } });
  const [r] = await instance(custom, { update_url: `${fake.url}/u?ip=[IP]`, answer: '^(a+)+$' }).update([upd('a.example.com', 'A', V4)], ctx());
  t.equal(r.outcome, 'transient');
  t.match(r.message, /expected answer .* took too long/);
  fake.assertDone(t);
  // `http:host` is a URL to node but does not start with http://: the message must not quote it.
  const token = 'tok3n-in-the-path-9f8e7d';
  const [c] = await instance(custom, { update_url: `http:x.example/${token}/?ip=[IP]` }).update([upd('a.example.com', 'A', V4)], ctx());
  t.equal(c.outcome, 'config');
  t.match(c.message, /must start with http/);
  t.notMatch(c.message, /tok3n/);
});

t.test('tokens written literally into the update URL are masked in messages like the password', async (t) => {
  const fake = await FakeHttp.start(t);
  const pathToken = 'UrlT0kenInThePath9876';
  const queryKey = 'qk-5678abcd';
  fake.expect(
    { method: 'GET', path: `/dyn/${pathToken}/set`, query: { ip: V4, key: queryKey, fmt: 'json' }, reply: { status: 404, body: `no page /dyn/${pathToken}/set?key=${queryKey}` } },
    { method: 'GET', path: '/plain/update', query: { ip: V4 }, auth: { user: 'me', password: 'lit3ral-pw' }, reply: { status: 400, body: 'you are me:lit3ral-pw' } },
  );
  const cx = ctx();
  const [r] = await instance(custom, { update_url: `${fake.url}/dyn/${pathToken}/set?ip=[IP]&key=${queryKey}&fmt=json` }).update([upd('a.example.com', 'A', V4)], cx);
  t.equal(r.outcome, 'nohost', 'HTTP 404 is nohost for every provider (the failure table)');
  t.match(r.message, /no page \/dyn\/\*\*\*\/set\?key=\*\*\*/, 'the path and the query value are masked; the rest stays readable');
  const [r2] = await instance(custom, { update_url: `${fake.url.replace('//', '//me:lit3ral-pw@')}/plain/update?ip=[IP]` }).update([upd('a.example.com', 'A', V4)], cx);
  t.equal(r2.outcome, 'config');
  t.notMatch(r2.message, /lit3ral/);
  t.strictSame(leaked([pathToken, queryKey, 'lit3ral-pw'], r, cx.lines), []);
  fake.assertDone(t);
});

t.test('literalTokens: what of a template counts as a credential', async (t) => {
  t.strictSame(literalTokens('https://me:pw%21secret@h.example/dyn/abc123def/update?host=home.example.com&key=Zx9_long&ip=[IP]&fmt=json'),
    ['pw%21secret', 'pw!secret', 'abc123def', 'Zx9_long']);
  t.strictSame(literalTokens('https://h.example/nic/update?hostname=[DOMAIN]&myip=[IP]&pw=[PASSWORD]'), []);
  t.strictSame(literalTokens('https://h.example/u/averyveryverylongsegment/'), ['averyveryverylongsegment']);
});
