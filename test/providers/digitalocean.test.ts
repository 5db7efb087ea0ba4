import { build } from './ddns-support';
import t from 'tap';
import { FakeHttp, type CannedReply, type ExpectedRequest } from '../support/fake-http';
import { digitalocean } from '../../src/providers/digitalocean';
import { Secret } from '../../src/util/secret';
import type { RecordUpdate } from '../../src/providers/types';
import { leaks, makeCtx, NOW, UA, runErrorCases, type ErrorCase } from './rest-support';

const TOKEN = 'dop_v1_9f8e7d6c5b4a39281706';
const READ = { headers: { accept: 'application/json', 'user-agent': UA }, auth: `Bearer ${TOKEN}`, absentHeaders: ['content-type'] };
const WRITE = { headers: { accept: 'application/json', 'user-agent': UA, 'content-type': 'application/json' }, auth: `Bearer ${TOKEN}` };

const HOME: RecordUpdate = { record: { name: 'home.example.com', type: 'A' }, address: '203.0.113.7' };
const APEX6: RecordUpdate = { record: { name: 'example.com', type: 'AAAA' }, address: '2001:db8::7' };

function provider(fake: FakeHttp, extra: Record<string, string> = {}) {
  return build(digitalocean, { api_token: new Secret(TOKEN), zone: 'example.com', endpoint: fake.url + '/v2', ...extra });
}
function rec(id: number, type: string, name: string, data: string) {
  return { id, type, name, data, priority: null, port: null, ttl: 1800, weight: null, flags: null, tag: null };
}
function lookup(type: string, name: string, records: unknown[] | CannedReply): ExpectedRequest {
  const reply = Array.isArray(records) ? { body: { domain_records: records, links: {}, meta: { total: records.length } } } : records;
  return { method: 'GET', path: '/v2/domains/example.com/records', query: { type, name, per_page: '200' }, ...READ, reply };
}
function patch(id: number, type: string, data: string, reply: CannedReply): ExpectedRequest {
  return { method: 'PATCH', path: `/v2/domains/example.com/records/${id}`, ...WRITE, body: { type, data }, reply };
}

t.test('lookup by type and full name, PATCH data; the second change is one request', async (t) => {
  const fake = await FakeHttp.start(t);
  const ctx = makeCtx();
  fake.expect(lookup('A', 'home.example.com', [rec(3352896, 'A', 'home', '203.0.113.1')]),
    patch(3352896, 'A', '203.0.113.7', { body: { domain_record: rec(3352896, 'A', 'home', '203.0.113.7') } }));
  const r1 = await provider(fake).update([HOME], ctx);
  t.match(r1, [{ outcome: 'ok', address: '203.0.113.7' }]);
  fake.expect(patch(3352896, 'A', '203.0.113.8', { body: { domain_record: rec(3352896, 'A', 'home', '203.0.113.8') } }));
  const r2 = await provider(fake).update([{ ...HOME, address: '203.0.113.8' }], ctx);
  t.match(r2, [{ outcome: 'ok', address: '203.0.113.8' }]);
  t.equal(fake.received.length, 3, 'second change: one request');
  fake.assertDone(t);
  t.strictSame(leaks([TOKEN], r1, r2, ctx.lines), []);
});

t.test('apex is "@"; unchanged is nochg; missing is nohost or a POST when create is on', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(lookup('AAAA', 'example.com', [rec(5, 'AAAA', '@', '2001:db8:0:0::7'), rec(6, 'AAAA', 'www', '2001:db8::9')]));
  t.match(await provider(fake).update([APEX6], makeCtx()), [{ outcome: 'nochg' }]);
  fake.expect(lookup('A', 'home.example.com', []));
  t.match(await provider(fake).update([HOME], makeCtx()), [{ outcome: 'nohost', message: /option create/ }]);
  fake.expect(lookup('AAAA', 'example.com', []), {
    method: 'POST', path: '/v2/domains/example.com/records', ...WRITE,
    body: { type: 'AAAA', name: '@', data: '2001:db8::7', ttl: 60 }, reply: { status: 201, body: { domain_record: rec(77, 'AAAA', '@', '2001:db8::7') } },
  });
  const ctx = makeCtx();
  t.match(await provider(fake, { create: '1', ttl: '60' }).update([APEX6], ctx), [{ outcome: 'ok', message: /created AAAA example\.com/ }]);
  t.ok([...ctx.cache.map.values()].includes('77'));
  fake.assertDone(t);
});

t.test('a remembered id that is gone is looked up again', async (t) => {
  const fake = await FakeHttp.start(t);
  const ctx = makeCtx();
  fake.expect(lookup('A', 'home.example.com', [rec(1, 'A', 'home', '203.0.113.1')]), patch(1, 'A', '203.0.113.7', { body: { domain_record: rec(1, 'A', 'home', '203.0.113.7') } }));
  await provider(fake).update([HOME], ctx);
  fake.expect(
    patch(1, 'A', '203.0.113.9', { status: 404, body: { id: 'not_found', message: 'The resource you were accessing could not be found.' } }),
    lookup('A', 'home.example.com', [rec(2, 'A', 'home', '203.0.113.7')]),
    patch(2, 'A', '203.0.113.9', { body: { domain_record: rec(2, 'A', 'home', '203.0.113.9') } }),
  );
  t.match(await provider(fake).update([{ ...HOME, address: '203.0.113.9' }], ctx), [{ outcome: 'ok' }]);
  fake.assertDone(t);
});

t.test('documented errors map to outcomes', async (t) => {
  const reset = Math.floor(NOW / 1000) + 42;
  const cases: ErrorCase[] = [
    { name: '401', reply: { status: 401, body: { id: 'unauthorized', message: 'Unable to authenticate you' } }, outcome: 'auth', msg: /HTTP 401: unauthorized: Unable to authenticate you/ },
    { name: '403', reply: { status: 403, body: { id: 'forbidden', message: 'You do not have access for the attempted action.' } }, outcome: 'auth', msg: /forbidden/ },
    { name: '404 domain', reply: { status: 404, body: { id: 'not_found', message: 'The resource you were accessing could not be found.' } }, outcome: 'nohost', msg: /not_found/ },
    { name: '422', reply: { status: 422, body: { id: 'unprocessable_entity', message: 'Data needs to end with a dot (.)' } }, outcome: 'config', msg: /unprocessable_entity/ },
    {
      name: '429', reply: { status: 429, headers: { 'ratelimit-limit': '5000', 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset) }, body: { id: 'too_many_requests', message: 'API Rate limit exceeded.' } },
      outcome: 'transient', msg: /too_many_requests/, wait: Math.max(reset * 1000 - NOW, 120_000),
    },
    { name: '500', reply: { status: 500, body: { id: 'server_error', message: 'Unexpected server-side error' } }, outcome: 'transient', msg: /server_error/, wait: 300_000 },
  ];
  await runErrorCases(t, cases, [TOKEN], (reply) => lookup('A', 'home.example.com', reply), (fake, ctx) => provider(fake).update([HOME], ctx));
});

t.test('read and credential test', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(lookup('A', 'home.example.com', [rec(1, 'A', 'home', '203.0.113.7')]),
    { method: 'GET', path: '/v2/domains/example.com', ...READ, reply: { body: { domain: { name: 'example.com', ttl: 1800, zone_file: '' } } } },
    { method: 'GET', path: '/v2/domains/example.com', ...READ, reply: { status: 401, body: { id: 'unauthorized', message: 'Unable to authenticate you' } } });
  t.same(await provider(fake).read!([HOME.record], makeCtx()), [{ record: HOME.record, addresses: ['203.0.113.7'] }]);
  t.same(await provider(fake).test!(makeCtx()), { outcome: 'ok', message: 'DigitalOcean: the token can read domain example.com' });
  t.match(await provider(fake).test!(makeCtx()), { outcome: 'auth' });
  fake.assertDone(t);
  t.ok(digitalocean.aliases.includes('digitalocean.com-v2'));
});
