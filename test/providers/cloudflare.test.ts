import { build } from './ddns-support';
import t from 'tap';
import { FakeHttp, type CannedReply, type ExpectedRequest } from '../support/fake-http';
import { cloudflare } from '../../src/providers/cloudflare';
import { Secret } from '../../src/util/secret';
import type { RecordUpdate } from '../../src/providers/types';
import { recordedReply } from '../support/recorded';
import { leaks, makeCtx, MemCache, NOW, UA } from './rest-support';

const TOKEN = 'cf-api-token-Qm9vWv2xZ4k';
const ZID = '023e105f4ecef8ad9ca31a8372d0c353';
const RID = '372e67954025e0ba6aaa6d586b9e0b59';
const READ = { headers: { accept: 'application/json', 'user-agent': UA }, auth: `Bearer ${TOKEN}`, absentHeaders: ['content-type', 'x-auth-email', 'x-auth-key'] };
const WRITE = { headers: { accept: 'application/json', 'user-agent': UA, 'content-type': 'application/json' }, auth: `Bearer ${TOKEN}` };

const HOME: RecordUpdate = { record: { name: 'home.example.com', type: 'A' }, address: '198.51.100.4' };
const HOME6: RecordUpdate = { record: { name: 'home.example.com', type: 'AAAA' }, address: '2001:db8::4' };

function provider(fake: FakeHttp, extra: Record<string, string> = {}) {
  return build(cloudflare, { api_token: new Secret(TOKEN), zone: 'example.com', endpoint: fake.url + '/client/v4', ...extra });
}

const ok = (result: unknown): CannedReply => ({ body: { success: true, errors: [], messages: [], result } });
const fail = (status: number, ...errors: Array<[number, string]>): CannedReply =>
  ({ status, body: { success: false, errors: errors.map(([code, message]) => ({ code, message })), messages: [], result: null } });

function zones(reply: CannedReply = ok([{ id: ZID, name: 'example.com', status: 'active' }])): ExpectedRequest {
  return { method: 'GET', path: '/client/v4/zones', query: { name: 'example.com' }, ...READ, reply };
}
function records(type: string, reply: CannedReply, zid = ZID): ExpectedRequest {
  return { method: 'GET', path: `/client/v4/zones/${zid}/dns_records`, query: { type, name: 'home.example.com' }, ...READ, reply };
}
function rec(id: string, type: string, content: string) {
  return { id, type, name: 'home.example.com', content, proxied: true, ttl: 1, comment: 'router', tags: [] };
}
function patch(id: string, content: string, reply: CannedReply, zid = ZID): ExpectedRequest {
  // The body must be exactly {content}: no proxied, ttl or comment (they must survive).
  return { method: 'PATCH', path: `/client/v4/zones/${zid}/dns_records/${id}`, ...WRITE, body: { content }, reply };
}

t.test('zone and record lookup, PATCH with content only; the next change is one request', async (t) => {
  const fake = await FakeHttp.start(t);
  const ctx = makeCtx();
  fake.expect(zones(), records('A', ok([rec(RID, 'A', '198.51.100.1')])), patch(RID, '198.51.100.4', ok(rec(RID, 'A', '198.51.100.4'))));
  const r1 = await provider(fake).update([HOME], ctx);
  t.match(r1, [{ outcome: 'ok', address: '198.51.100.4', message: /set A home\.example\.com to 198\.51\.100\.4/ }]);
  fake.assertDone(t);
  fake.expect(patch(RID, '198.51.100.5', ok(rec(RID, 'A', '198.51.100.5'))));
  const r2 = await provider(fake).update([{ ...HOME, address: '198.51.100.5' }], ctx);
  t.match(r2, [{ outcome: 'ok', address: '198.51.100.5' }]);
  t.equal(fake.received.length, 4, 'second change: one request');
  fake.assertDone(t);
  t.strictSame(leaks([TOKEN], r1, r2, ctx.lines), []);
});

t.test('unchanged address: nochg, no write', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(zones(), records('AAAA', ok([rec(RID, 'AAAA', '2001:db8:0::4')])));
  t.match(await provider(fake).update([HOME6], makeCtx()), [{ outcome: 'nochg' }]);
  fake.assertDone(t);
});

t.test('missing record: nohost, or a POST with type, name, content, ttl, proxied when create is on', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(zones(), records('A', ok([])));
  t.match(await provider(fake).update([HOME], makeCtx()), [{ outcome: 'nohost', message: /no A record named home\.example\.com.*option create/ }]);
  fake.assertDone(t);

  fake.expect(zones(), records('A', ok([])), {
    method: 'POST', path: `/client/v4/zones/${ZID}/dns_records`, ...WRITE,
    body: { type: 'A', name: 'home.example.com', content: '198.51.100.4', ttl: 300, proxied: true },
    reply: ok(rec(RID, 'A', '198.51.100.4')),
  });
  const ctx = makeCtx();
  t.match(await provider(fake, { create: '1', ttl: '300', proxied: '1' }).update([HOME], ctx), [{ outcome: 'ok', message: /created/ }]);
  fake.assertDone(t);
  t.ok([...ctx.cache.map.values()].includes(RID), 'the new record id is remembered');
});

t.test('zone not visible: nohost', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(zones(ok([])));
  t.match(await provider(fake).update([HOME], makeCtx()), [{ outcome: 'nohost', message: /zone example\.com is not in this account/ }]);
  fake.assertDone(t);
});

t.test('API errors map to outcomes', async (t) => {
  const cases: Array<{ name: string; at: 'zones' | 'records' | 'patch'; reply: CannedReply; outcome: string; msg: RegExp; wait?: number }> = [
    { name: 'invalid token', at: 'zones', reply: fail(403, [9109, 'Invalid access token']), outcome: 'auth', msg: /HTTP 403: 9109 Invalid access token\); check the credentials/ },
    { name: 'malformed header', at: 'zones', reply: fail(400, [6003, 'Invalid request headers'], [6111, 'Invalid format for Authorization header']), outcome: 'auth', msg: /6003 Invalid request headers; 6111/ },
    { name: 'authentication error', at: 'records', reply: fail(403, [10000, 'Authentication error']), outcome: 'auth', msg: /10000 Authentication error/ },
    { name: 'success:false inside HTTP 200', at: 'patch', reply: { status: 200, body: { success: false, errors: [{ code: 10000, message: 'Authentication error' }], result: null } }, outcome: 'auth', msg: /HTTP 200: 10000/ },
    { name: 'rate limited', at: 'patch', reply: { ...fail(429, [971, 'Please wait and consider throttling your request speed']), headers: { 'retry-after': '300' } }, outcome: 'transient', msg: /971 Please wait/, wait: 300_000 },
    { name: 'validation', at: 'patch', reply: fail(400, [9005, 'Content for A record must be a valid IPv4 address.']), outcome: 'config', msg: /9005 Content for A record/ },
    { name: 'server error', at: 'records', reply: { status: 502, body: '<html><head><title>502 Bad Gateway</title></head></html>', headers: { 'content-type': 'text/html' } }, outcome: 'transient', msg: /HTTP 502: 502 Bad Gateway/, wait: 300_000 },
    { name: 'not JSON', at: 'zones', reply: { status: 200, body: 'upstream connect error' }, outcome: 'transient', msg: /not JSON/, wait: 1_800_000 },
  ];
  for (const c of cases) {
    const fake = await FakeHttp.start(t);
    const steps = [zones(c.at === 'zones' ? c.reply : undefined)];
    if (c.at !== 'zones') steps.push(records('A', c.at === 'records' ? c.reply : ok([rec(RID, 'A', '198.51.100.1')])));
    if (c.at === 'patch') steps.push(patch(RID, '198.51.100.4', c.reply));
    fake.expect(...steps);
    const ctx = makeCtx();
    const accountWide = c.outcome === 'auth' || c.reply.status === 429 || (c.reply.status ?? 200) >= 500;
    const r = await provider(fake).update(accountWide ? [HOME, HOME6] : [HOME], ctx);
    t.equal(r[0].outcome, c.outcome, `${c.name}: ${r[0].message}`);
    t.match(r[0].message, c.msg, c.name);
    t.equal(r[0].retryAfterMs, c.wait, `${c.name}: wait`);
    if (accountWide) t.same(r[1], { ...r[0], record: HOME6.record }, `${c.name}: not tried for the second record`);
    fake.assertDone(t, `${c.name}: requests`);
    t.strictSame(leaks([TOKEN], r, ctx.lines), [], `${c.name}: no token in results or logs`);
  }
});

t.test('a remembered record id that is gone (81044) and a zone id that is gone (7003) are looked up again', async (t) => {
  const fake = await FakeHttp.start(t);
  const ctx = makeCtx(new MemCache(), { now: () => NOW });
  fake.expect(zones(), records('A', ok([rec(RID, 'A', '198.51.100.1')])), patch(RID, '198.51.100.4', ok(rec(RID, 'A', '198.51.100.4'))));
  await provider(fake).update([HOME], ctx);
  fake.expect(
    patch(RID, '198.51.100.5', fail(404, [81044, 'Record does not exist.'])),
    records('A', ok([rec('new-id', 'A', '198.51.100.4')])),
    patch('new-id', '198.51.100.5', ok(rec('new-id', 'A', '198.51.100.5'))),
  );
  t.match(await provider(fake).update([{ ...HOME, address: '198.51.100.5' }], ctx), [{ outcome: 'ok' }]);
  fake.assertDone(t, 'record re-lookup');

  fake.expect(
    patch('new-id', '198.51.100.6', fail(400, [7003, 'Could not route to /zones/x/dns_records, perhaps your object identifier is invalid?']), ZID),
    zones(ok([{ id: 'zone-2', name: 'example.com' }])),
    records('A', ok([rec('rid-3', 'A', '198.51.100.5')]), 'zone-2'),
    patch('rid-3', '198.51.100.6', ok(rec('rid-3', 'A', '198.51.100.6')), 'zone-2'),
  );
  t.match(await provider(fake).update([{ ...HOME, address: '198.51.100.6' }], ctx), [{ outcome: 'ok' }]);
  fake.assertDone(t, 'zone re-lookup');
});

t.test('read goes through the API (proxied records show edge addresses in DNS)', async (t) => {
  t.equal(cloudflare.capabilities.read, true);
  t.equal(cloudflare.capabilities.proxied, true);
  const fake = await FakeHttp.start(t);
  fake.expect(zones(), records('A', ok([rec(RID, 'A', '198.51.100.4')])), records('AAAA', ok([])));
  t.same(await provider(fake).read!([HOME.record, HOME6.record], makeCtx()),
    [{ record: HOME.record, addresses: ['198.51.100.4'] }, { record: HOME6.record, addresses: [] }]);
  fake.assertDone(t);
});

t.test('credential test: the zone lookup', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(zones());
  t.same(await provider(fake).test!(makeCtx()), { outcome: 'ok', message: `Cloudflare: the token can reach zone example.com (id ${ZID})` });
  fake.expect(zones(fail(403, [9109, 'Invalid access token'])));
  t.match(await provider(fake).test!(makeCtx()), { outcome: 'auth' });
  fake.assertDone(t);
});

t.test('options: aliases, missing token', async (t) => {
  t.ok(cloudflare.aliases.includes('cloudflare.com-v4'));
  t.same(cloudflare.fields.map((f) => f.name), ['api_token', 'zone', 'zone_id', 'create', 'ttl', 'proxied']);
  const r = await build(cloudflare, { zone: 'example.com', ttl: '0' }).update([HOME], makeCtx());
  t.match(r, [{ outcome: 'config', message: /option api_token is required; option ttl must be a whole number from 1 to 86400/ }]);
});

// Error 81058 as the real API sent it (recorded session: a create of a record that existed).
t.test('81058 "identical record already exists": read again and carry on with that record, never block', async (t) => {
  const fake = await FakeHttp.start(t);
  const ctx = makeCtx();
  const post: ExpectedRequest = {
    method: 'POST', path: `/client/v4/zones/${ZID}/dns_records`, ...WRITE,
    body: { type: 'A', name: 'home.example.com', content: '198.51.100.4', ttl: 1, proxied: false },
    reply: recordedReply('cloudflare.create_dup_400'),
  };
  // The first lookup misses the record (made meanwhile elsewhere); the create says it exists; the re-read finds it.
  fake.expect(zones(), records('A', ok([])), post, records('A', ok([rec(RID, 'A', '198.51.100.4')])));
  const r = await provider(fake, { create: '1' }).update([HOME], ctx);
  t.match(r, [{ outcome: 'ok', address: '198.51.100.4', message: /A home\.example\.com already points to 198\.51\.100\.4/ }]);
  t.ok([...ctx.cache.map.values()].includes(RID), 'the existing record id is remembered');
  t.match(ctx.lines.join('\n'), /identical record already exists/);
  fake.assertDone(t);

  // A PATCH refused with 81058 (the cached record is another one): the same; no re-read match is only a retry.
  fake.expect(patch(RID, '198.51.100.9', recordedReply('cloudflare.create_dup_400')), records('A', ok([rec('other', 'A', '198.51.100.9')])));
  t.match(await provider(fake).update([{ ...HOME, address: '198.51.100.9' }], ctx), [{ outcome: 'ok', address: '198.51.100.9' }]);
  fake.expect(patch('other', '198.51.100.10', recordedReply('cloudflare.create_dup_400')), records('A', ok([rec('other', 'A', '198.51.100.9')])));
  t.match(await provider(fake).update([{ ...HOME, address: '198.51.100.10' }], ctx), [{ outcome: 'transient', message: /identical record already exists.*will try again/ }]);
  fake.assertDone(t);
  t.strictSame(leaks([TOKEN], r, ctx.lines), []);
});

t.test('zone_id (a token without Zone:Read): no zone lookup at all, zone name optional', async (t) => {
  // The fake refuses any request it was not told to expect: a GET /zones here would fail the test.
  const fake = await FakeHttp.start(t);
  const ctx = makeCtx();
  const byId = () => build(cloudflare, { api_token: new Secret(TOKEN), zone_id: ZID.toUpperCase(), endpoint: fake.url + '/client/v4' });
  fake.expect(records('A', ok([rec(RID, 'A', '198.51.100.1')])), patch(RID, '198.51.100.4', ok(rec(RID, 'A', '198.51.100.4'))));
  t.match(await byId().update([HOME], ctx), [{ outcome: 'ok', address: '198.51.100.4' }]);
  fake.assertDone(t);
  fake.expect(records('A', ok([])));
  t.match(await byId().update([HOME], makeCtx()), [{ outcome: 'nohost', message: new RegExp(`zone id ${ZID} has no A record`) }], 'messages name the zone by its id');
  fake.expect({ method: 'GET', path: `/client/v4/zones/${ZID}/dns_records`, query: { per_page: '1' }, ...READ, reply: ok([]) });
  t.same(await byId().test!(makeCtx()), { outcome: 'ok', message: `Cloudflare: the token can read the records of zone id ${ZID}` });
  fake.assertDone(t);
  const neither = await build(cloudflare, { api_token: new Secret(TOKEN) }).update([HOME], makeCtx());
  t.match(neither, [{ outcome: 'config', message: /option zone is required/ }]);
  t.match(cloudflare.fields.find((f) => f.name === 'zone'), { required: true, requiredUnless: 'zone_id' });
});
