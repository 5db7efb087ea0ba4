import t, { type Test } from 'tap';
import { DEFAULT_ECHO_URLS, webSource, type RequestFn } from '../../src/detect/web';
import { HttpError, request, type HttpRequest, type HttpResponse } from '../../src/net/http';
import { nullLogger } from '../../src/util/log';
import { FakeHttp } from '../support/fake-http';

const ctx = { log: nullLogger };

type Step = { url: string; reply: Partial<HttpResponse> | HttpError };

/**
 * A scripted stand-in for net/http `request`: each call must be the next step's URL, a GET
 * with the family forced, a timeout and a body limit; anything else fails the test.
 */
function scripted(t: Test, family: 4 | 6, steps: Step[], timeoutMs = 10_000) {
  const seen: string[] = [];
  const fn: RequestFn = async (req: HttpRequest) => {
    seen.push(req.url);
    const step = steps.shift();
    if (!step) {
      t.fail(`unexpected request ${req.url}`);
      throw new Error('unexpected');
    }
    t.equal(req.url, step.url, 'URL in order');
    t.equal(req.method, 'GET');
    t.equal(req.family, family, 'connection family forced');
    t.equal(req.timeoutMs, timeoutMs, 'per-request timeout');
    t.equal(req.maxBodyBytes, 16 * 1024);
    t.same(req.headers, { accept: 'text/plain' });
    t.equal(req.body, undefined);
    if (step.reply instanceof HttpError) throw step.reply;
    return { status: 200, headers: {}, body: '', url: req.url, ...step.reply };
  };
  return { fn, seen, left: () => steps.length };
}

const base = { urls: [] as string[], allowPrivate: false };

t.test('built-in echo services are HTTPS and used in order; the first good answer ends the search', async (t) => {
  for (const family of [4, 6] as const) {
    t.ok(DEFAULT_ECHO_URLS[family].length >= 2);
    t.ok(DEFAULT_ECHO_URLS[family].every((u) => u.startsWith('https://')));
  }
  const answer = { 4: '198.51.100.9\n', 6: '2001:DB8::9\r\n' };
  for (const family of [4, 6] as const) {
    const [first, second] = DEFAULT_ECHO_URLS[family];
    const r = scripted(t, family, [
      { url: first, reply: new HttpError('timeout', 'no answer within 10000 ms') },
      { url: second, reply: { body: answer[family] } },
    ]);
    const d = await webSource(base, { request: r.fn }).detect(family, ctx);
    t.equal(d.address, family === 4 ? '198.51.100.9' : '2001:db8::9');
    t.same(d.candidates.map((c) => [c.address, c.origin, c.kept]), [[d.address, `web:${second}`, true]]);
    t.equal(r.left(), 0);
    t.equal(d.error, undefined);
  }
});

t.test('strict parsing: HTML, JSON, two addresses, private, wrong family and HTTP errors are no answer', async (t) => {
  const urls = ['https://a.test/', 'https://b.test/', 'https://c.test/', 'https://d.test/', 'https://e.test/', 'https://f.test/', 'https://g.test/', 'https://h.test/'];
  const r = scripted(t, 4, [
    { url: urls[0], reply: { body: '<html><body>502 Bad Gateway 1.2.3.4</body></html>' } },
    { url: urls[1], reply: { body: '{"ip":"198.51.100.1"}' } },
    { url: urls[2], reply: { body: '198.51.100.1\n198.51.100.2\n' } },
    { url: urls[3], reply: { body: '192.168.1.1' } },
    { url: urls[4], reply: { body: '2001:db8::1' } },
    { url: urls[5], reply: { status: 503, body: 'Service Unavailable' } },
    { url: urls[6], reply: { body: '' } },
    { url: urls[7], reply: { body: '100.64.9.9' } },
  ]);
  const d = await webSource({ ...base, urls }, { request: r.fn }).detect(4, ctx);
  t.equal(d.address, undefined);
  t.equal(r.left(), 0);
  const parts = d.error!.replace(/^no echo service gave a usable IPv4 address: /, '').split('; ');
  t.equal(parts.length, 8);
  t.match(parts[0], /^https:\/\/a\.test\/: the answer is not just an address: "<html><body>502 Bad Gateway 1\.2\.3\.4<\/bod…"$/);
  t.match(parts[1], /b\.test\/: the answer is not just an address: "\{\\"ip\\":/);
  t.match(parts[2], /c\.test\/: the answer is not just an address/);
  t.match(parts[3], /d\.test\/: answered 192\.168\.1\.1, private \(RFC 1918/);
  t.match(parts[4], /e\.test\/: answered 2001:db8::1, an IPv6 address, looking for IPv4/);
  t.match(parts[5], /f\.test\/: HTTP 503: "Service Unavailable"/);
  t.match(parts[6], /g\.test\/: the answer is not just an address: ""/);
  t.match(parts[7], /h\.test\/: answered 100\.64\.9\.9, carrier-grade NAT/);
  t.same(d.candidates.map((c) => [c.address, c.kept]), [['192.168.1.1', false], ['2001:db8::1', false], ['100.64.9.9', false]]);
});

t.test('transport failures name what happened', async (t) => {
  const r = scripted(t, 6, [
    { url: 'https://x.test/', reply: new HttpError('network', 'connect ECONNREFUSED') },
    { url: 'https://y.test/', reply: new HttpError('tls', 'certificate has expired') },
    { url: 'https://z.test/', reply: new HttpError('too-large', 'body over 16384 bytes') },
  ], 2500);
  const d = await webSource({ ...base, urls: ['https://x.test/', 'https://y.test/', 'https://z.test/'], timeoutMs: 2500 }, { request: r.fn }).detect(6, ctx);
  t.equal(d.error, 'no echo service gave a usable IPv6 address: https://x.test/: could not connect (connect ECONNREFUSED); ' +
    'https://y.test/: TLS failed (certificate has expired); https://z.test/: answer too large to be an address (body over 16384 bytes)');
});

t.test('ip_regex: the match (or its first group) must be an address', async (t) => {
  const page = '<html><head><title>Current IP Check</title></head><body>Current IP Address: 198.51.100.23</body></html>\r\n';
  const r = scripted(t, 4, [
    { url: 'http://checkip.test/', reply: { body: page } },
    { url: 'http://checkip.test/', reply: { body: page } },
    { url: 'http://checkip.test/', reply: { body: '<html>error</html>' } },
  ]);
  const grouped = webSource({ ...base, urls: ['http://checkip.test/'], regex: 'Address: ([0-9.]+)' }, { request: r.fn });
  t.equal((await grouped.detect(4, ctx)).address, '198.51.100.23');
  const whole = webSource({ ...base, urls: ['http://checkip.test/'], regex: '[0-9]+(\\.[0-9]+){3}' }, { request: r.fn });
  // Group 1 here is `.23`, not an address: the regex author gets told.
  t.match((await whole.detect(4, ctx)).error, /answered \.23, not an IP address/);
  t.match((await grouped.detect(4, ctx)).error, /ip_regex found nothing in the answer: "<html>error<\/html>"/);
  const broken = webSource({ ...base, urls: ['http://checkip.test/'], regex: '([0-9' }, { request: r.fn });
  t.match((await broken.detect(4, ctx)).error, /^ip_regex '\(\[0-9' is not a valid regular expression/);
  t.equal(r.left(), 0);
});

t.test('an aborted detection stops asking', async (t) => {
  const ac = new AbortController();
  const r = scripted(t, 4, [{ url: 'https://a.test/', reply: new HttpError('aborted', 'aborted') }]);
  const req: RequestFn = async (q) => {
    ac.abort();
    return r.fn(q);
  };
  const d = await webSource({ ...base, urls: ['https://a.test/', 'https://b.test/'] }, { request: req }).detect(4, { log: nullLogger, signal: ac.signal });
  t.match(d.error, /https:\/\/a\.test\/: aborted .*; aborted$/);
  t.equal(r.left(), 0);
});

t.test('the real HTTP client against echo servers on 127.0.0.1, with fallback', async (t) => {
  const broken = await FakeHttp.start(t);
  broken.expect({ method: 'GET', path: '/ip', headers: { accept: 'text/plain' }, reply: { status: 500, body: '<h1>oops</h1>' } });
  const good = await FakeHttp.start(t);
  good.expect({ method: 'GET', path: '/ip', headers: { accept: 'text/plain', 'user-agent': /^ddnsd\// }, reply: { body: '198.51.100.77\n' } });
  const d = await webSource({ ...base, urls: [`${broken.url}/ip`, `${good.url}/ip`], timeoutMs: 5000 }, { request }).detect(4, ctx);
  t.equal(d.address, '198.51.100.77');
  t.same(d.candidates, [{ address: '198.51.100.77', origin: `web:${good.url}/ip`, kept: true, reason: 'chosen: documentation (TEST-NET-2), stable, lifetime unknown (the only usable address)' }]);
  broken.assertDone(t);
  good.assertDone(t);
});

t.test('a catastrophic ip_regex on a hostile answer is stopped with a clear message; the next URL is asked', async (t) => {
  const r = scripted(t, 4, [
    { url: 'http://one.test/', reply: { body: 'a'.repeat(40) + '!' } },
    { url: 'http://two.test/', reply: { body: 'a198.51.100.4' } },
  ]);
  const src = webSource({ ...base, urls: ['http://one.test/', 'http://two.test/'], regex: '^(a+)+$|(\\d+\\.\\d+\\.\\d+\\.\\d+)' }, { request: r.fn });
  const d = await src.detect(4, ctx);
  t.equal(d.address, '198.51.100.4', 'the second echo service answered');
  t.equal(r.left(), 0);
  const r2 = scripted(t, 4, [{ url: 'http://one.test/', reply: { body: 'a'.repeat(40) + '!' } }]);
  const d2 = await webSource({ ...base, urls: ['http://one.test/'], regex: '^(a+)+$' }, { request: r2.fn }).detect(4, ctx);
  t.match(d2.error, /http:\/\/one\.test\/: ip_regex took too long on the answer and was stopped/);
});

t.test('credentials and query tokens in an ip_url never reach detection errors or candidates', async (t) => {
  const url = 'https://user:pa55word-x@echo.test/ip?token=t0ken-abc';
  const r = scripted(t, 4, [{ url, reply: { status: 403, body: 'no' } }]);
  const d = await webSource({ ...base, urls: [url] }, { request: r.fn }).detect(4, ctx);
  t.notMatch(JSON.stringify(d), /pa55word|t0ken/, 'neither the password nor the token');
  t.match(d.error, /https:\/\/echo\.test\/ip\?…: HTTP 403/);
  const ok = scripted(t, 4, [{ url, reply: { body: '198.51.100.5' } }]);
  const d2 = await webSource({ ...base, urls: [url] }, { request: ok.fn }).detect(4, ctx);
  t.equal(d2.address, '198.51.100.5');
  t.notMatch(JSON.stringify(d2), /pa55word|t0ken/);
});
