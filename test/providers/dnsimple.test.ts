import { build } from './ddns-support';
import t from 'tap';
import { createServer, type AddressInfo } from 'node:net';
import { FakeHttp, type ExpectedRequest } from '../support/fake-http';
import { fixtureReply, listFixtures, usedFixtures } from '../support/dnsimple-fixtures';
import { dnsimple } from '../../src/providers/dnsimple';
import { Secret } from '../../src/util/secret';
import type { RecordUpdate, UpdateResult } from '../../src/providers/types';
import { leaks, makeCtx, MemCache, NOW, UA, type Asserts } from './rest-support';

const TOKEN = 'dnsimple-account-token-7f3a9c';
const BEARER = `Bearer ${TOKEN}`;
const READ = { headers: { accept: 'application/json', 'user-agent': UA }, auth: BEARER, absentHeaders: ['content-type'] };
const WRITE = { headers: { accept: 'application/json', 'user-agent': UA, 'content-type': 'application/json' }, auth: BEARER };

const WWW: RecordUpdate = { record: { name: 'www.example.com', type: 'A' }, address: '127.0.0.1' };
const HOME: RecordUpdate = { record: { name: 'home.example.com', type: 'A' }, address: '192.0.2.10' };
const HOME6: RecordUpdate = { record: { name: 'home.example.com', type: 'AAAA' }, address: '2001:db8::10' };

function provider(fake: FakeHttp, extra: Record<string, string> = {}) {
  return build(dnsimple, { api_token: new Secret(TOKEN), zone: 'example.com', endpoint: fake.url + '/v2', ...extra });
}

function whoami(reply = fixtureReply('whoami/success.http')): ExpectedRequest {
  return { method: 'GET', path: '/v2/whoami', ...READ, reply };
}

function lookup(name: string, type: string, reply: ExpectedRequest['reply'], page?: number, account = '1'): ExpectedRequest {
  const query: Record<string, string> = { name, type, per_page: '100' };
  if (page) query.page = String(page);
  return { method: 'GET', path: `/v2/${account}/zones/example.com/records`, query, ...READ, reply };
}

/** A record list in the shape of the official listZoneRecords reply. */
function list(...records: Array<{ id: number; name: string; type: string; content: string }>) {
  return {
    body: {
      data: records.map((r) => ({ zone_id: 'example.com', parent_id: null, ttl: 3600, priority: null, regions: ['global'], system_record: false, ...r })),
      pagination: { current_page: 1, per_page: 100, total_entries: records.length, total_pages: 1 },
    },
  };
}

function patch(id: string, content: string, reply: ExpectedRequest['reply'], account = '1'): ExpectedRequest {
  return { method: 'PATCH', path: `/v2/${account}/zones/example.com/records/${id}`, ...WRITE, body: { content }, reply };
}

function noLeak(t: Asserts, ...things: unknown[]) {
  t.strictSame(leaks([TOKEN], ...things), [], 'the token appears in no result, message or log line');
}

function one(t: Asserts, results: UpdateResult[], outcome: string, pattern?: RegExp) {
  t.equal(results.length, 1);
  t.equal(results[0].outcome, outcome, results[0].message);
  if (pattern) t.match(results[0].message, pattern);
}

t.test('account token: whoami, lookup, PATCH content only; the second change is one request', async (t) => {
  const fake = await FakeHttp.start(t);
  const ctx = makeCtx();
  fake.expect(
    whoami(),
    lookup('home', 'A', list({ id: 42, name: 'home', type: 'A', content: '192.0.2.1' })),
    patch('42', '192.0.2.10', fixtureReply('updateZoneRecord/success.http')),
  );
  const r1 = await provider(fake).update([HOME], ctx);
  one(t, r1, 'ok', /set A home\.example\.com to 192\.0\.2\.10/);
  t.equal(r1[0].address, 'mxb.example.com', 'the address is what DNSimple reports for the record');
  fake.assertDone(t);
  t.equal(fake.received.length, 3);

  fake.expect(patch('42', '192.0.2.11', { body: { data: { id: 42, name: 'home', type: 'A', content: '192.0.2.11' } } }));
  const r2 = await provider(fake).update([{ ...HOME, address: '192.0.2.11' }], ctx);
  one(t, r2, 'ok');
  t.equal(r2[0].address, '192.0.2.11');
  t.equal(fake.received.length, 4, 'steady state: one request per change');
  fake.assertDone(t);
  noLeak(t, r1, r2, ctx.lines);
});

t.test('an unchanged address found by the lookup is nochg without a write, unless forced', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(whoami(), lookup('home', 'AAAA', list({ id: 7, name: 'home', type: 'AAAA', content: '2001:0db8:0:0:0:0:0:10' })));
  one(t, await provider(fake).update([HOME6], makeCtx()), 'nochg');
  fake.assertDone(t);

  fake.expect(whoami(), lookup('home', 'AAAA', list({ id: 7, name: 'home', type: 'AAAA', content: '2001:db8::10' })),
    patch('7', '2001:db8::10', { body: { data: { id: 7, name: 'home', type: 'AAAA', content: '2001:db8::10' } } }));
  one(t, await provider(fake).update([HOME6], makeCtx(new MemCache(), { force: true })), 'ok');
  fake.assertDone(t);
});

t.test('missing record: nohost unless create is on; create POSTs name, type, content, ttl', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(whoami(), lookup('www', 'A', fixtureReply('listZoneRecords/success.http')));
  one(t, await provider(fake).update([WWW], makeCtx()), 'nohost', /no A record named www\.example\.com.*option create/);
  fake.assertDone(t);

  const ctx = makeCtx();
  fake.expect(whoami(), lookup('www', 'A', fixtureReply('listZoneRecords/success.http')), {
    method: 'POST', path: '/v2/1/zones/example.com/records', ...WRITE,
    body: { name: 'www', type: 'A', content: '127.0.0.1', ttl: 600 }, reply: fixtureReply('createZoneRecord/created.http'),
  });
  const r = await provider(fake, { create: '1', ttl: '600' }).update([WWW], ctx);
  one(t, r, 'ok', /created A www\.example\.com/);
  t.equal(r[0].address, '127.0.0.1');
  fake.assertDone(t);
  t.ok([...ctx.cache.map.values()].includes('1'), 'the new record id is remembered');
});

t.test('apex record: name "" in the lookup and in the create', async (t) => {
  const fake = await FakeHttp.start(t);
  const apex: RecordUpdate = { record: { name: 'example.com', type: 'A' }, address: '127.0.0.1' };
  fake.expect(whoami(), lookup('', 'A', list()), {
    method: 'POST', path: '/v2/1/zones/example.com/records', ...WRITE,
    body: { name: '', type: 'A', content: '127.0.0.1', ttl: 3600 }, reply: fixtureReply('createZoneRecord/created-apex.http'),
  });
  one(t, await provider(fake, { create: '1' }).update([apex], makeCtx()), 'ok');
  fake.assertDone(t);
});

t.test('user token: the only account is used; several accounts need option account', async (t) => {
  const fake = await FakeHttp.start(t);
  const accounts = (...ids: number[]) => ({ body: { data: ids.map((id) => ({ id, email: `a${id}@example.com` })) } });
  fake.expect(
    whoami(fixtureReply('whoami/success-user.http')),
    { method: 'GET', path: '/v2/accounts', ...READ, reply: accounts(1010) },
    lookup('home', 'A', list({ id: 9, name: 'home', type: 'A', content: '192.0.2.1' }), undefined, '1010'),
    patch('9', '192.0.2.10', { body: { data: { id: 9, content: '192.0.2.10' } } }, '1010'),
  );
  one(t, await provider(fake).update([HOME], makeCtx()), 'ok');
  fake.assertDone(t);

  fake.expect(whoami(fixtureReply('whoami/success-user.http')), { method: 'GET', path: '/v2/accounts', ...READ, reply: accounts(1010, 2020) });
  one(t, await provider(fake).update([HOME], makeCtx()), 'config', /2 accounts \(1010, 2020\); set option account/);
  fake.assertDone(t);

  fake.expect(lookup('home', 'A', list({ id: 9, name: 'home', type: 'A', content: '192.0.2.10' }), undefined, '2020'));
  one(t, await provider(fake, { account: '2020' }).update([HOME], makeCtx()), 'nochg');
  fake.assertDone(t, 'option account skips whoami');
});

t.test('whoami also accepts the success-account reply', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(whoami(fixtureReply('whoami/success-account.http')), lookup('home', 'A', list({ id: 3, name: 'home', type: 'A', content: '192.0.2.10' })));
  one(t, await provider(fake).update([HOME], makeCtx()), 'nochg');
  fake.assertDone(t);
});

t.test('a token that resolves to no account is a config error', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(whoami(fixtureReply('response.http')));
  one(t, await provider(fake).update([HOME], makeCtx()), 'config', /belongs to no account/);
  fake.assertDone(t);
});

t.test('the lookup follows every page', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(whoami(), lookup('home', 'A', fixtureReply('pages-1of3.http')), lookup('home', 'A', fixtureReply('pages-2of3.http'), 2),
    lookup('home', 'A', fixtureReply('pages-3of3.http'), 3));
  // The generic pagination fixtures carry ids only: all five count as matches, which is ambiguous.
  one(t, await provider(fake).update([HOME], makeCtx()), 'config', /5 A records named home\.example\.com exist \(ids 1, 2, 3, 4, 5\)/);
  fake.assertDone(t);
});

t.test('a remembered id that is gone (404 record) is looked up again in the same update', async (t) => {
  const fake = await FakeHttp.start(t);
  const ctx = makeCtx();
  fake.expect(whoami(), lookup('home', 'A', list({ id: 42, name: 'home', type: 'A', content: '192.0.2.1' })),
    patch('42', '192.0.2.10', { body: { data: { id: 42, content: '192.0.2.10' } } }));
  await provider(fake).update([HOME], ctx);
  fake.expect(
    patch('42', '192.0.2.20', fixtureReply('notfound-record.http')),
    lookup('home', 'A', list({ id: 43, name: 'home', type: 'A', content: '192.0.2.10' })),
    patch('43', '192.0.2.20', { body: { data: { id: 43, content: '192.0.2.20' } } }),
  );
  one(t, await provider(fake).update([{ ...HOME, address: '192.0.2.20' }], ctx), 'ok');
  fake.assertDone(t);
  t.match(ctx.lines.join('\n'), /no longer valid; looking the record up again/);
});

t.test('official error replies map to outcomes', async (t) => {
  const cases: Array<{ file: string; at: 'whoami' | 'lookup' | 'patch'; outcome: string; msg: RegExp; wait?: number }> = [
    { file: 'notfound-zone.http', at: 'lookup', outcome: 'nohost', msg: /HTTP 404: Zone `0` not found/ },
    { file: 'validation-error.http', at: 'patch', outcome: 'config', msg: /HTTP 400: Validation failed: address1 can't be blank/ },
    { file: 'badgateway.http', at: 'whoami', outcome: 'transient', msg: /HTTP 502: 502 Bad Gateway\); will retry/, wait: 300_000 },
    { file: 'method-not-allowed.http', at: 'patch', outcome: 'config', msg: /HTTP 405\b/ },
    { file: 'success-with-malformed-json.http', at: 'patch', outcome: 'transient', msg: /answered HTTP 200 .* not JSON \(text\/html: 200 OK\); will retry/, wait: 1_800_000 },
    { file: 'success-with-malformed-json.http', at: 'whoami', outcome: 'transient', msg: /not JSON/, wait: 1_800_000 },
    { file: 'listCharges/fail-403.http', at: 'lookup', outcome: 'auth', msg: /HTTP 403: Permission Denied\. Required Scope/ },
    {
      file: 'getDomainsResearchStatus/cap-exceeded.http', at: 'patch', outcome: 'transient', msg: /HTTP 429: Monthly request cap reached/,
      wait: Date.parse('Mon, 01 Jun 2026 00:00:00 GMT') - NOW,
    },
  ];
  for (const c of cases) {
    const fake = await FakeHttp.start(t);
    const reply = fixtureReply(c.file);
    const steps: ExpectedRequest[] = [whoami(c.at === 'whoami' ? reply : undefined)];
    if (c.at !== 'whoami') steps.push(lookup('home', 'A', c.at === 'lookup' ? reply : list({ id: 42, name: 'home', type: 'A', content: '192.0.2.1' })));
    if (c.at === 'patch') steps.push(patch('42', '192.0.2.10', reply));
    fake.expect(...steps);
    const ctx = makeCtx();
    const r = await provider(fake).update([HOME], ctx);
    t.equal(r[0].outcome, c.outcome, `${c.file} at ${c.at}: ${r[0].message}`);
    t.match(r[0].message, c.msg);
    t.equal(r[0].retryAfterMs, c.wait, `${c.file}: minimum wait`);
    fake.assertDone(t, `${c.file}: requests`);
    noLeak(t, r, ctx.lines);
  }
});

t.test('429 without Retry-After but with the quota spent waits for x-ratelimit-reset', async (t) => {
  const fake = await FakeHttp.start(t);
  const reply = fixtureReply('getDomainsResearchStatus/cap-exceeded.http', (h) => {
    delete h['retry-after'];
    h['x-ratelimit-remaining'] = '0';
  });
  fake.expect(whoami(reply));
  const r = await provider(fake).update([HOME, HOME6], makeCtx());
  t.equal(r[0].outcome, 'transient');
  t.equal(r[0].retryAfterMs, 1779976938 * 1000 - NOW, 'waits until the reset time');
  t.same(r[1], { ...r[0], record: HOME6.record }, 'the rate limit holds for the second record too, without a request');
  fake.assertDone(t);
});

t.test('401 is auth, and the other records are not tried', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(whoami({ status: 401, body: { message: 'Authentication failed' } }));
  const ctx = makeCtx();
  const r = await provider(fake).update([HOME, HOME6], ctx);
  t.same(r.map((x) => x.outcome), ['auth', 'auth']);
  t.match(r[0].message, /HTTP 401: Authentication failed\); check the credentials/);
  fake.assertDone(t);
  noLeak(t, r, ctx.lines);
});

t.test('credential test: whoami and the zone; a missing zone lists the zones the account has', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(whoami(), { method: 'GET', path: '/v2/1/zones/example.com', ...READ, reply: fixtureReply('getZone/success.http') });
  const ok = await provider(fake).test!(makeCtx());
  t.same(ok, { outcome: 'ok', message: 'DNSimple: the token works for account 1 and zone example.com exists' });
  fake.assertDone(t);

  fake.expect(whoami(), { method: 'GET', path: '/v2/1/zones/example.com', ...READ, reply: fixtureReply('notfound-zone.http') },
    { method: 'GET', path: '/v2/1/zones', query: { per_page: '100' }, ...READ, reply: fixtureReply('listZones/success.http') });
  const missing = await provider(fake).test!(makeCtx());
  t.equal(missing.outcome, 'nohost');
  t.match(missing.message, /no zone example\.com; it has example-alpha\.com, example-beta\.com/);
  fake.assertDone(t);
});

t.test('read: a remembered id is read directly; if it now holds another record, look up by name', async (t) => {
  const fake = await FakeHttp.start(t);
  const ctx = makeCtx();
  fake.expect(whoami(), lookup('home', 'A', list({ id: 5, name: 'home', type: 'A', content: '192.0.2.10' })));
  t.same(await provider(fake).read!([HOME.record], ctx), [{ record: HOME.record, addresses: ['192.0.2.10'] }]);
  fake.expect(
    { method: 'GET', path: '/v2/1/zones/example.com/records/5', ...READ, reply: fixtureReply('getZoneRecord/success.http') },
    lookup('home', 'A', list({ id: 6, name: 'home', type: 'A', content: '192.0.2.11' })),
  );
  t.same(await provider(fake).read!([HOME.record], ctx), [{ record: HOME.record, addresses: ['192.0.2.11'] }],
    'id 5 is now an MX record (official fixture), so the A record is found by name');
  fake.expect({ method: 'GET', path: '/v2/1/zones/example.com/records/6', ...READ,
    reply: { body: { data: { id: 6, name: 'home', type: 'A', content: '192.0.2.11' } } } });
  t.same(await provider(fake).read!([HOME.record], ctx), [{ record: HOME.record, addresses: ['192.0.2.11'] }], 'one request with the id');
  fake.assertDone(t);
});

t.test('sandbox option and endpoint; bad options are config results, not crashes', async (t) => {
  t.equal(dnsimple.defaultEndpoint, 'https://api.dnsimple.com/v2');
  const bad = build(dnsimple, { zone: 'example.com', account: 'abc', ttl: 'x' });
  const r = await bad.update([HOME], makeCtx());
  t.equal(r[0].outcome, 'config');
  t.match(r[0].message, /option api_token is required.*option account must be the numeric.*option ttl/);
  const outside = await build(dnsimple, { api_token: TOKEN, zone: 'example.org', account: '1', endpoint: 'http://127.0.0.1:9/v2' })
    .update([HOME], makeCtx());
  t.match(outside[0], { outcome: 'config', message: /home\.example\.com is not inside the zone example\.org/ });
});

t.test('no server: network', async (t) => {
  const fake = await FakeHttp.start(t);
  const url = fake.url;
  await fake.close();
  const r = await build(dnsimple, { api_token: TOKEN, zone: 'example.com', endpoint: url + '/v2' }).update([HOME, HOME6], makeCtx());
  t.same(r.map((x) => x.outcome), ['network', 'network']);
  t.match(r[0].message, /could not identify the token \(whoami\): cannot reach 127\.0\.0\.1/);
});

t.test('every official fixture file was used above with an expected outcome', async (t) => {
  t.strictSame(usedFixtures(), listFixtures());
});

t.test('sandbox: the requests go to the sandbox API (seen by a loopback proxy that refuses every CONNECT)', async (t) => {
  const targets: string[] = [];
  const proxy = createServer((sock) => {
    sock.once('data', (d) => {
      targets.push(d.toString('latin1').split('\r\n')[0]);
      sock.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
  const port = (proxy.address() as AddressInfo).port;
  const r = await build(dnsimple, { api_token: TOKEN, zone: 'example.com', sandbox: '1', proxy: `127.0.0.1:${port}` }).update([HOME], makeCtx());
  t.equal(targets.length, 1);
  t.match(targets[0], /^CONNECT api\.sandbox\.dnsimple\.com(:443)? HTTP\/1\.1$/);
  t.match(r, [{ outcome: 'network', message: /proxy answered 403 to CONNECT for api\.sandbox\.dnsimple\.com/ }]);
});
