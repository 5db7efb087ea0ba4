import { build } from './ddns-support';
import t from 'tap';
import { FakeHttp, type CannedReply, type ExpectedRequest } from '../support/fake-http';
import { gandi } from '../../src/providers/gandi';
import { Secret } from '../../src/util/secret';
import type { RecordUpdate } from '../../src/providers/types';
import { leaks, makeCtx, UA, runErrorCases, type ErrorCase } from './rest-support';

const TOKEN = 'gandi-pat-0123456789abcdef';
const HOME: RecordUpdate = { record: { name: 'home.example.net', type: 'A' }, address: '192.0.2.55' };
const APEX6: RecordUpdate = { record: { name: 'example.net', type: 'AAAA' }, address: '2001:db8::55' };

function provider(fake: FakeHttp, extra: Record<string, string> = {}) {
  return build(gandi, { api_token: new Secret(TOKEN), zone: 'example.net', endpoint: fake.url + '/v5/livedns', ...extra });
}
function put(name: string, type: string, ip: string, reply: CannedReply, auth = `Bearer ${TOKEN}`, ttl = 300): ExpectedRequest {
  return {
    method: 'PUT', path: `/v5/livedns/domains/example.net/records/${name}/${type}`,
    headers: { accept: 'application/json', 'user-agent': UA, 'content-type': 'application/json' }, auth,
    body: { rrset_values: [ip], rrset_ttl: ttl }, reply,
  };
}
const created: CannedReply = { status: 201, body: { message: 'DNS Record Created' } };

t.test('one PUT per change, no lookups: two changes cost two requests', async (t) => {
  const fake = await FakeHttp.start(t);
  const ctx = makeCtx();
  fake.expect(put('home', 'A', '192.0.2.55', created), put('home', 'A', '192.0.2.56', created));
  const r1 = await provider(fake).update([HOME], ctx);
  const r2 = await provider(fake).update([{ ...HOME, address: '192.0.2.56' }], ctx);
  t.match([...r1, ...r2], [{ outcome: 'ok', message: /192\.0\.2\.55/ }, { outcome: 'ok', message: /192\.0\.2\.56/ }]);
  // The PUT's reply does not say what the record holds, so no address is reported (verification reads it).
  t.same([...r1, ...r2].map((r) => r.address), [undefined, undefined]);
  t.equal(fake.received.length, 2);
  fake.assertDone(t);
  t.strictSame(leaks([TOKEN], r1, r2, ctx.lines), []);
});

t.test('apex is "@"; the legacy API key uses the Apikey scheme; TTL is sent', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(put('@', 'AAAA', '2001:db8::55', created, `Apikey ${TOKEN}`, 1800));
  t.match(await provider(fake, { auth_scheme: 'apikey', ttl: '1800' }).update([APEX6], makeCtx()), [{ outcome: 'ok' }]);
  fake.assertDone(t);
});

t.test('documented errors map to outcomes', async (t) => {
  const cases: ErrorCase[] = [
    { name: '401', reply: { status: 401, body: { code: 401, message: 'The server could not verify that you authorized to access the document you requested.', object: 'HTTPUnauthorized', cause: 'Unauthorized' } }, outcome: 'auth', msg: /HTTP 401: The server could not verify/ },
    { name: '403', reply: { status: 403, body: { code: 403, message: 'Access was denied to this resource.', object: 'HTTPForbidden', cause: 'Forbidden' } }, outcome: 'auth', msg: /Access was denied/ },
    { name: '404 domain', reply: { status: 404, body: { code: 404, message: 'The resource could not be found.', object: 'HTTPNotFound', cause: 'Not Found' } }, outcome: 'nohost', msg: /could not be found/ },
    { name: '400 validation', reply: { status: 400, body: { status: 'error', errors: [{ location: 'body', name: 'rrset_ttl', description: 'must be at least 300' }] } }, outcome: 'config', msg: /rrset_ttl: must be at least 300/ },
    { name: '429', reply: { status: 429, headers: { 'retry-after': '60' }, body: { code: 429, message: 'Too Many Requests', object: 'HTTPTooManyRequests', cause: 'Too Many Requests' } }, outcome: 'transient', msg: /Too Many Requests/, wait: 120_000 },
    { name: '503', reply: { status: 503, body: '<html><title>503 Service Unavailable</title></html>', headers: { 'content-type': 'text/html' } }, outcome: 'transient', msg: /503 Service Unavailable/, wait: 300_000 },
  ];
  await runErrorCases(t, cases, [TOKEN], (reply) => put('home', 'A', '192.0.2.55', reply), (fake, ctx) => provider(fake).update([HOME], ctx));
});

t.test('read (404 is no record) and credential test', async (t) => {
  const fake = await FakeHttp.start(t);
  const read = { headers: { accept: 'application/json', 'user-agent': UA }, auth: `Bearer ${TOKEN}`, absentHeaders: ['content-type'] };
  fake.expect(
    { method: 'GET', path: '/v5/livedns/domains/example.net/records/home/A', ...read,
      reply: { body: { rrset_name: 'home', rrset_type: 'A', rrset_ttl: 300, rrset_values: ['192.0.2.55'], rrset_href: 'x' } } },
    { method: 'GET', path: '/v5/livedns/domains/example.net/records/@/AAAA', ...read,
      reply: { status: 404, body: { code: 404, message: "Can't find the DNS record @/AAAA in the zone", object: 'dns-record', cause: 'Not Found' } } },
    { method: 'GET', path: '/v5/livedns/domains/example.net', ...read, reply: { body: { fqdn: 'example.net' } } },
  );
  t.same(await provider(fake).read!([HOME.record, APEX6.record], makeCtx()),
    [{ record: HOME.record, addresses: ['192.0.2.55'] }, { record: APEX6.record, addresses: [] }]);
  t.same(await provider(fake).test!(makeCtx()), { outcome: 'ok', message: 'Gandi LiveDNS: the credentials can read domain example.net' });
  fake.assertDone(t);
  const bad = await build(gandi, { api_token: TOKEN, zone: 'example.net', auth_scheme: 'basic' }).test!(makeCtx());
  t.match(bad, { outcome: 'config', message: /auth_scheme must be one of bearer, apikey/ });
});
