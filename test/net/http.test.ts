import t from 'tap';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { request, retryAfterMs, basicAuth, HttpError, parseProxy, type HttpResponse } from '../../src/net/http';
import { Secret } from '../../src/util/secret';
import { VERSION } from '../../src/version';
import { FakeHttp, makeTestCert } from '../support/fake-http';

async function rejection(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}

t.test('GET with default User-Agent, query and headers; response fields', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({
    method: 'GET', path: '/nic/update', query: { hostname: 'a.example', myip: '192.0.2.1' },
    headers: { 'user-agent': `ddnsd/${VERSION}`, accept: 'text/plain' },
    reply: { status: 200, headers: { 'x-test': 'yes' }, body: 'good 192.0.2.1' },
  });
  const res = await request({ method: 'get', url: `${fake.url}/nic/update?hostname=a.example&myip=192.0.2.1`, headers: { Accept: 'text/plain' } });
  t.equal(res.status, 200);
  t.equal(res.body, 'good 192.0.2.1');
  t.equal(res.headers['x-test'], 'yes');
  t.equal(res.url, `${fake.url}/nic/update?hostname=a.example&myip=192.0.2.1`);
  fake.assertDone(t);
});

t.test('POST body with content-length; custom user agent; non-2xx is returned, not thrown', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({
    method: 'POST', path: '/api', body: { a: 1 },
    headers: { 'content-type': 'application/json', 'content-length': '7', 'user-agent': 'ddnsd/1 contact' },
    reply: { status: 422, body: { error: 'bad' } },
  });
  const res = await request({ method: 'POST', url: `${fake.url}/api`, body: '{"a":1}', headers: { 'Content-Type': 'application/json' }, userAgent: 'ddnsd/1 contact' });
  t.equal(res.status, 422);
  t.same(JSON.parse(res.body), { error: 'bad' });
  fake.assertDone(t);
});

t.test('userinfo in the URL becomes Basic auth and is not left in the URL', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({ method: 'GET', path: '/x', auth: { user: 'me@example', password: 'p@ss:w/rd' }, reply: { body: 'ok' } });
  const res = await request({ method: 'GET', url: `${fake.url.replace('//', '//me%40example:p%40ss%3Aw%2Frd@')}/x` });
  t.equal(res.body, 'ok');
  t.notMatch(res.url, /p%40ss|me%40example/);
  fake.assertDone(t);
});

t.test('a malformed escape in userinfo is sent as written, not thrown', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({ method: 'GET', path: '/x', auth: { user: 'u', password: '%ZZ' }, reply: { body: 'ok' } });
  const res = await request({ method: 'GET', url: `${fake.url.replace('//', '//u:%ZZ@')}/x` });
  t.equal(res.body, 'ok');
  fake.assertDone(t);
});

t.test('basicAuth encodes user:password, accepting a Secret', async (t) => {
  t.equal(basicAuth('Aladdin', new Secret('open sesame')), 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
  t.equal(basicAuth('u', 'p'), 'Basic ' + Buffer.from('u:p').toString('base64'));
});

t.test('retryAfterMs reads seconds and HTTP dates', async (t) => {
  const res = (v?: string): HttpResponse => ({ status: 429, headers: v === undefined ? {} : { 'retry-after': v }, body: '', url: '' });
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  t.equal(retryAfterMs(res('120'), now), 120_000);
  t.equal(retryAfterMs(res(' 0 '), now), 0);
  t.equal(retryAfterMs(res('Thu, 01 Jan 2026 12:05:00 GMT'), now), 300_000);
  t.equal(retryAfterMs(res('Thu, 01 Jan 2026 11:00:00 GMT'), now), 0, 'a date in the past means no wait');
  t.equal(retryAfterMs(res('soon'), now), undefined);
  t.equal(retryAfterMs(res(), now), undefined);
});

t.test('a body over maxBodyBytes fails with too-large (declared and chunked)', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({ method: 'GET', path: '/big', reply: { body: 'x'.repeat(2000) } });
  const e = await rejection(request({ method: 'GET', url: `${fake.url}/big`, maxBodyBytes: 1000 }));
  t.equal(e.kind, 'too-large');
  t.match(e.message, /larger than 1000 bytes/);
  fake.assertDone(t);

  // A chunked answer has no Content-Length: the limit must hold while reading.
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('y'.repeat(800));
    res.end('y'.repeat(800));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  const port = (server.address() as AddressInfo).port;
  const e2 = await rejection(request({ method: 'GET', url: `http://127.0.0.1:${port}/`, maxBodyBytes: 1000 }));
  t.equal(e2.kind, 'too-large');
  const ok = await request({ method: 'GET', url: `http://127.0.0.1:${port}/`, maxBodyBytes: 1600 });
  t.equal(ok.body.length, 1600);
});

t.test('timeout when the server never answers', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({ method: 'GET', path: '/slow', reply: { hang: true } });
  const e = await rejection(request({ method: 'GET', url: `${fake.url}/slow`, timeoutMs: 200 }));
  t.equal(e.kind, 'timeout');
  t.match(e.message, /no answer from 127\.0\.0\.1:\d+/);
  fake.assertDone(t);
});

t.test('abort signal cancels a request in flight, and an already-aborted signal sends nothing', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({ method: 'GET', path: '/slow', reply: { hang: true } });
  const ac = new AbortController();
  const p = request({ method: 'GET', url: `${fake.url}/slow`, signal: ac.signal });
  while (fake.received.length === 0) await new Promise((r) => setImmediate(r));
  ac.abort();
  const e = await rejection(p);
  t.equal(e.kind, 'aborted');
  const e2 = await rejection(request({ method: 'GET', url: `${fake.url}/other`, signal: ac.signal }));
  t.equal(e2.kind, 'aborted');
  t.equal(fake.received.length, 1);
  fake.assertDone(t);
});

t.test('connection refused and a closed connection are network errors', async (t) => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const e = await rejection(request({ method: 'GET', url: `http://127.0.0.1:${port}/` }));
  t.equal(e.kind, 'network');
  t.match(e.message, /connection refused/);

  const fake = await FakeHttp.start(t);
  fake.expect({ method: 'GET', path: '/x', reply: { destroy: true } });
  const e2 = await rejection(request({ method: 'GET', url: `${fake.url}/x` }));
  t.equal(e2.kind, 'network');
  fake.assertDone(t);
});

t.test('not an http URL is a clear error that hides secrets', async (t) => {
  const e = await rejection(request({ method: 'GET', url: 'ftp://user:topsecret@example/x', secrets: [new Secret('topsecret')] }));
  t.equal(e.kind, 'network');
  t.notMatch(e.message, /topsecret/);
  t.match(e.message, /not an http\(s\) URL/);
});

t.test('family 6 connects over ::1, family 4 refuses a v6-only name', async (t) => {
  const fake = await FakeHttp.start(t, { host: '::1' });
  fake.expect({ method: 'GET', path: '/v6', reply: { body: 'six' } });
  const res = await request({ method: 'GET', url: `${fake.url}/v6`, family: 6 });
  t.equal(res.body, 'six');
  t.equal(fake.received[0].family, 'IPv6');
  const e = await rejection(request({ method: 'GET', url: `${fake.url}/v6`, family: 4 }));
  t.equal(e.kind, 'network', 'an IPv6 literal with family 4 cannot connect');
  t.match(e.message, /over IPv4: it is an IPv6 address/);
  fake.assertDone(t);
});

t.test('family is passed to the name lookup (localhost has only an A record here)', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect({ method: 'GET', path: '/v4', reply: { body: 'four' } });
  const url = `http://localhost:${fake.port}/v4`;
  t.equal((await request({ method: 'GET', url, family: 4 })).body, 'four');
  t.equal(fake.received[0].family, 'IPv4');
  const e = await rejection(request({ method: 'GET', url, family: 6 }));
  t.equal(e.kind, 'network', 'no IPv6 address for localhost');
  t.equal(fake.received.length, 1);
  fake.assertDone(t);
});

t.test('redirects', async (t) => {
  t.test('same host keeps Authorization and follows up to maxRedirects', async (t) => {
    const fake = await FakeHttp.start(t);
    fake.expect(
      { method: 'GET', path: '/a', auth: 'Bearer tok123', reply: { status: 301, headers: { location: '/b' } } },
      { method: 'GET', path: '/b', auth: 'Bearer tok123', reply: { status: 302, headers: { location: `${fake.url}/c?x=1` } } },
      { method: 'GET', path: '/c', query: { x: '1' }, auth: 'Bearer tok123', reply: { body: 'end' } },
    );
    const res = await request({ method: 'GET', url: `${fake.url}/a`, headers: { Authorization: 'Bearer tok123' } });
    t.equal(res.body, 'end');
    t.equal(res.url, `${fake.url}/c?x=1`);
    fake.assertDone(t);
  });

  t.test('another host gets no Authorization, no API-key header, no userinfo', async (t) => {
    const a = await FakeHttp.start(t);
    const b = await FakeHttp.start(t);
    a.expect({ method: 'GET', path: '/a', auth: { user: 'u', password: 'pw' }, headers: { 'x-api-key': 'k' }, reply: { status: 307, headers: { location: `${b.url}/b` } } });
    b.expect({ method: 'GET', path: '/b', absentHeaders: ['x-api-key', 'cookie'], headers: { 'user-agent': `ddnsd/${VERSION}` }, reply: { body: 'there' } });
    const res = await request({ method: 'GET', url: `${a.url.replace('//', '//u:pw@')}/a`, headers: { 'X-Api-Key': 'k', Cookie: 'c=1' } });
    t.equal(res.body, 'there');
    a.assertDone(t);
    b.assertDone(t);
  });

  t.test('303 turns POST into GET without body; 307 keeps method and body on the same host', async (t) => {
    const fake = await FakeHttp.start(t);
    fake.expect(
      { method: 'POST', path: '/p', body: 'a=1', reply: { status: 307, headers: { location: '/q' } } },
      { method: 'POST', path: '/q', body: 'a=1', reply: { status: 303, headers: { location: '/r' } } },
      { method: 'GET', path: '/r', absentHeaders: ['content-length', 'content-type'], reply: { body: 'done' } },
    );
    const res = await request({ method: 'POST', url: `${fake.url}/p`, body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    t.equal(res.body, 'done');
    fake.assertDone(t);
  });

  t.test('a body is not resent to another host', async (t) => {
    const a = await FakeHttp.start(t);
    const b = await FakeHttp.start(t);
    a.expect({ method: 'POST', path: '/p', body: 'secret=1', reply: { status: 308, headers: { location: `${b.url}/p` } } });
    const e = await rejection(request({ method: 'POST', url: `${a.url}/p`, body: 'secret=1' }));
    t.equal(e.kind, 'redirect');
    a.assertDone(t);
    b.assertDone(t);
  });

  t.test('too many redirects', async (t) => {
    const fake = await FakeHttp.start(t);
    const loop = { method: 'GET', path: '/l', reply: { status: 302, headers: { location: '/l' } } };
    fake.expect(loop, loop, loop);
    const e = await rejection(request({ method: 'GET', url: `${fake.url}/l`, maxRedirects: 2 }));
    t.equal(e.kind, 'redirect');
    t.match(e.message, /more than 2 times/);
    fake.assertDone(t);
  });

  t.test('a redirect without Location is returned as the answer', async (t) => {
    const fake = await FakeHttp.start(t);
    fake.expect({ method: 'GET', path: '/n', reply: { status: 302, body: 'moved?' } });
    const res = await request({ method: 'GET', url: `${fake.url}/n` });
    t.equal(res.status, 302);
    fake.assertDone(t);
  });
});

t.test('HTTPS with a trusted private CA, and a tls error without it', async (t) => {
  const cert = makeTestCert();
  const fake = await FakeHttp.start(t, { tls: cert });
  t.match(fake.url, /^https:\/\/127\.0\.0\.1:/);
  fake.expect({ method: 'GET', path: '/s', reply: { body: 'secure' } });
  const res = await request({ method: 'GET', url: `${fake.url}/s`, ca: cert.cert });
  t.equal(res.body, 'secure');
  const e = await rejection(request({ method: 'GET', url: `${fake.url}/s` }));
  t.equal(e.kind, 'tls');
  t.match(e.message, /TLS with 127\.0\.0\.1:\d+ failed/);
  fake.assertDone(t);
});

t.test('HTTPS: one TLS context per CA list, made once and used for every connection', async (t) => {
  const cert = makeTestCert();
  const fake = await FakeHttp.start(t, { tls: cert });
  // The module object http.ts loads on first use: count the contexts it makes.
  const tlsMod = require('node:tls') as typeof import('node:tls');
  const real = tlsMod.createSecureContext;
  let made = 0;
  tlsMod.createSecureContext = (o) => {
    made++;
    return real(o);
  };
  t.teardown(() => {
    tlsMod.createSecureContext = real;
  });
  const list = [cert.cert];
  for (let i = 0; i < 3; i++) fake.expect({ method: 'GET', path: '/s', reply: { body: `n${i}` } });
  const bodies: string[] = [];
  for (let i = 0; i < 3; i++) bodies.push((await request({ method: 'GET', url: `${fake.url}/s`, ca: list })).body);
  t.same(bodies, ['n0', 'n1', 'n2'], 'three requests, three connections (no keep-alive), all trusted');
  t.equal(made, 1, 'one context made for the three');
  const other = [cert.cert];
  fake.expect({ method: 'GET', path: '/s', reply: { body: 'o' } });
  t.equal((await request({ method: 'GET', url: `${fake.url}/s`, ca: other })).body, 'o');
  t.equal(made, 2, 'another list, its own context');
  fake.assertDone(t);
});

t.test('HTTPS refuses to follow a redirect to plain HTTP', async (t) => {
  const cert = makeTestCert();
  const fake = await FakeHttp.start(t, { tls: cert });
  const plain = await FakeHttp.start(t);
  fake.expect({ method: 'GET', path: '/s', reply: { status: 302, headers: { location: `${plain.url}/s` } } });
  const e = await rejection(request({ method: 'GET', url: `${fake.url}/s`, ca: cert.cert }));
  t.equal(e.kind, 'redirect');
  t.match(e.message, /HTTPS to plain HTTP/);
  fake.assertDone(t);
  plain.assertDone(t);
});

/** A small forward proxy: absolute-URI GETs and CONNECT tunnels, with optional Basic auth. */
async function startProxy(t: { teardown(fn: () => unknown): void }, auth?: string) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (auth && req.headers['proxy-authorization'] !== auth) return res.writeHead(407).end();
    const u = new URL(req.url ?? '');
    const up = http.request({ hostname: u.hostname, port: u.port, path: u.pathname + u.search, method: req.method, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    req.pipe(up);
  });
  const tunnels = new Set<net.Socket>();
  server.on('connect', (req, socket, head) => {
    tunnels.add(socket as net.Socket);
    seen.push(`CONNECT ${req.url}`);
    if (auth && req.headers['proxy-authorization'] !== auth) {
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
      return;
    }
    const [host, port] = [req.url!.slice(0, req.url!.lastIndexOf(':')), Number(req.url!.slice(req.url!.lastIndexOf(':') + 1))];
    const up = net.connect(port, host, () => {
      tunnels.add(up);
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => {
    for (const s of tunnels) s.destroy();
    server.closeAllConnections();
    server.close(() => r());
  }));
  return { port: (server.address() as AddressInfo).port, seen };
}

t.test('proxy: plain http with an absolute URI, https through CONNECT, proxy credentials', async (t) => {
  const auth = basicAuth('pu', 'pp!');
  const proxy = await startProxy(t, auth);
  const plain = await FakeHttp.start(t);
  plain.expect({ method: 'GET', path: '/p', query: { a: 'b' }, headers: { host: `127.0.0.1:${plain.port}` }, reply: { body: 'via proxy' } });
  const res = await request({ method: 'GET', url: `${plain.url}/p?a=b`, proxy: `pu:pp!@127.0.0.1:${proxy.port}` });
  t.equal(res.body, 'via proxy');
  plain.assertDone(t);

  const cert = makeTestCert();
  const secure = await FakeHttp.start(t, { tls: cert });
  secure.expect({ method: 'GET', path: '/s', auth: 'Bearer x', reply: { body: 'tunnelled' } });
  const res2 = await request({ method: 'GET', url: `${secure.url}/s`, proxy: `http://pu:pp!@127.0.0.1:${proxy.port}`, ca: cert.cert, headers: { authorization: 'Bearer x' } });
  t.equal(res2.body, 'tunnelled');
  secure.assertDone(t);
  t.same(proxy.seen, [`GET ${plain.url}/p?a=b`, `CONNECT 127.0.0.1:${secure.port}`]);

  const e = await rejection(request({ method: 'GET', url: `${secure.url}/s`, proxy: `pu:wrongpass@127.0.0.1:${proxy.port}`, ca: cert.cert }));
  t.equal(e.kind, 'network');
  t.match(e.message, /407/);
  t.notMatch(e.message, /wrongpass/);
});

t.test('parseProxy accepts ddns-scripts forms and rejects junk', async (t) => {
  t.match(parseProxy('10.0.0.1:3128'), { host: '10.0.0.1', port: 3128, auth: undefined });
  t.match(parseProxy('user:pass@proxy.lan:8080'), { host: 'proxy.lan', port: 8080, auth: basicAuth('user', 'pass'), password: 'pass' });
  t.match(parseProxy('http://[fd00::1]:3128/'), { host: 'fd00::1', port: 3128 });
  t.equal(parseProxy('proxy.lan'), undefined);
  t.equal(parseProxy('proxy.lan:99999'), undefined);
  const e = await rejection(request({ method: 'GET', url: 'http://127.0.0.1:1/', proxy: 'nonsense' }));
  t.match(e.message, /proxy must look like/);
});

t.test('a body dripped a byte at a time is cut by the timeout of the whole exchange', async (t) => {
  const seen: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(200, { 'content-type': 'text/plain' });
    const tick = setInterval(() => res.write('a'), 20);
    timers.add(tick);
    res.on('close', () => clearInterval(tick));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const x of timers) clearInterval(x);
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  const e = await rejection(request({ method: 'GET', url: `http://127.0.0.1:${port}/drip`, timeoutMs: 300 }));
  t.equal(e.kind, 'timeout', 'an answer that never ends is a timeout, not a hang');
  t.strictSame(seen, ['GET /drip '], 'one plain GET');
});
