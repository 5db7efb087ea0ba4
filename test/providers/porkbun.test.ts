import { build } from './ddns-support';
import t from 'tap';
import { FakeHttp, type CannedReply, type ExpectedRequest } from '../support/fake-http';
import { porkbun } from '../../src/providers/porkbun';
import { Secret } from '../../src/util/secret';
import type { RecordUpdate } from '../../src/providers/types';
import { recordedReply } from '../support/recorded';
import { leaks, makeCtx, UA, runErrorCases, type ErrorCase } from './rest-support';

const KEY = 'pk1_4f2a9e0c7b1d3e5f';
const SECRET = 'sk1_9b8a7c6d5e4f3a2b';
const KEYS = { secretapikey: SECRET, apikey: KEY };
const HDRS = { headers: { accept: 'application/json', 'user-agent': UA, 'content-type': 'application/json' } };

const HOME: RecordUpdate = { record: { name: 'home.example.org', type: 'A' }, address: '192.0.2.77' };
const APEX: RecordUpdate = { record: { name: 'example.org', type: 'A' }, address: '192.0.2.77' };

function provider(fake: FakeHttp, extra: Record<string, string> = {}) {
  return build(porkbun, { api_key: new Secret(KEY), secret_api_key: new Secret(SECRET), zone: 'example.org', endpoint: fake.url + '/api/json/v3', ...extra });
}
function call(path: string, extra: object, reply: CannedReply): ExpectedRequest {
  // No Authorization header: the keys travel in the body only.
  return { method: 'POST', path: `/api/json/v3${path}`, ...HDRS, body: { ...KEYS, ...extra }, reply };
}
const retrieve = (path: string, records: unknown[]) => call(`/dns/retrieveByNameType/${path}`, {}, { body: { status: 'SUCCESS', records } });
const edit = (path: string, content: string, reply: CannedReply = { body: { status: 'SUCCESS' } }) =>
  call(`/dns/editByNameType/${path}`, { content, ttl: '600' }, reply);
const rec = (id: string, name: string, content: string) => ({ id, name, type: 'A', content, ttl: '600', prio: '0', notes: '' });

t.test('first change reads then edits; the second change is one editByNameType', async (t) => {
  const fake = await FakeHttp.start(t);
  const ctx = makeCtx();
  fake.expect(retrieve('example.org/A/home', [rec('106926652', 'home.example.org', '192.0.2.1')]), edit('example.org/A/home', '192.0.2.77'));
  const r1 = await provider(fake).update([HOME], ctx);
  fake.expect(edit('example.org/A/home', '192.0.2.78'));
  const r2 = await provider(fake).update([{ ...HOME, address: '192.0.2.78' }], ctx);
  t.match([...r1, ...r2], [{ outcome: 'ok' }, { outcome: 'ok', message: /192\.0\.2\.78/ }]);
  // The edit's reply does not say what the record holds, so no address is reported (verification reads it).
  t.same([...r1, ...r2].map((r) => r.address), [undefined, undefined]);
  t.equal(fake.received.length, 3, 'second change: one request');
  fake.assertDone(t);
  t.strictSame(leaks([KEY, SECRET], r1, r2, ctx.lines), []);
});

t.test('apex path has no subdomain part; unchanged is nochg', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(retrieve('example.org/A', [rec('1', 'example.org', '192.0.2.77')]));
  t.match(await provider(fake).update([APEX], makeCtx()), [{ outcome: 'nochg' }]);
  fake.assertDone(t);
});

t.test('missing record: nohost, or create with name, type, content, ttl', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(retrieve('example.org/A/home', []));
  t.match(await provider(fake).update([HOME], makeCtx()), [{ outcome: 'nohost', message: /option create/ }]);
  fake.expect(retrieve('example.org/A/home', []),
    call('/dns/create/example.org', { name: 'home', type: 'A', content: '192.0.2.77', ttl: '600' }, { body: { status: 'SUCCESS', id: 106926659 } }));
  const ctx = makeCtx();
  t.match(await provider(fake, { create: '1' }).update([HOME], ctx), [{ outcome: 'ok', message: /created A home\.example\.org/ }]);
  t.ok([...ctx.cache.map.values()].includes('106926659'));
  fake.expect(retrieve('example.org/A', []),
    call('/dns/create/example.org', { name: '', type: 'A', content: '192.0.2.77', ttl: '600' },
      { status: 400, body: { status: 'ERROR', message: 'Could not add the DNS record: there is an ALIAS record at this name.' } }));
  t.match(await provider(fake, { create: '1' }).update([APEX], makeCtx()), [{ outcome: 'config', message: /pixie\.porkbun\.com/ }]);
  fake.assertDone(t);
});

t.test('a record removed by hand: the cached edit fails, the record is looked up again', async (t) => {
  const fake = await FakeHttp.start(t);
  const ctx = makeCtx();
  fake.expect(retrieve('example.org/A/home', [rec('1', 'home.example.org', '192.0.2.1')]), edit('example.org/A/home', '192.0.2.77'));
  await provider(fake).update([HOME], ctx);
  fake.expect(edit('example.org/A/home', '192.0.2.79', { status: 400, body: { status: 'ERROR', message: 'Edit error: We were unable to edit the DNS record.' } }),
    retrieve('example.org/A/home', []));
  t.match(await provider(fake).update([{ ...HOME, address: '192.0.2.79' }], ctx), [{ outcome: 'nohost' }]);
  fake.assertDone(t);
});

t.test('documented errors map to outcomes', async (t) => {
  const cases: ErrorCase[] = [
    { name: 'bad keys (403)', reply: { status: 403, body: { status: 'ERROR', message: 'Invalid API key. (002)' } }, outcome: 'auth', msg: /HTTP 403: Invalid API key\. \(002\)/ },
    { name: 'bad keys (400)', reply: { status: 400, body: { status: 'ERROR', message: 'Invalid API key. (001)' } }, outcome: 'auth', msg: /Invalid API key/ },
    { name: 'API access off', reply: { status: 400, body: { status: 'ERROR', message: 'Domain is not opted in to API access.' } }, outcome: 'config', msg: /not opted in/ },
    { name: 'unknown domain', reply: { status: 400, body: { status: 'ERROR', message: 'Invalid domain.' } }, outcome: 'nohost', msg: /Invalid domain/ },
    { name: 'ERROR in HTTP 200', reply: { status: 200, body: { status: 'ERROR', message: 'Invalid API key. (002)' } }, outcome: 'auth', msg: /HTTP 200: Invalid API key/ },
    { name: '503', reply: { status: 503, body: '<title>503 Service Temporarily Unavailable</title>', headers: { 'content-type': 'text/html' } }, outcome: 'transient', msg: /503 Service Temporarily Unavailable/, wait: 300_000 },
  ];
  await runErrorCases(t, cases, [KEY, SECRET], (reply) => call('/dns/retrieveByNameType/example.org/A/home', {}, reply), (fake, ctx) => provider(fake).update([HOME], ctx));
});

t.test('read and credential test (ping, then the zone)', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(retrieve('example.org/A/home', [rec('1', 'home.example.org', '192.0.2.77')]),
    call('/ping', {}, { body: { status: 'SUCCESS', yourIp: '192.0.2.77' } }),
    call('/dns/retrieve/example.org', {}, { body: { status: 'SUCCESS', records: [rec('1', 'home.example.org', '192.0.2.77')] } }),
    call('/ping', {}, { status: 403, body: { status: 'ERROR', message: 'Invalid API key. (002)' } }));
  t.same(await provider(fake).read!([HOME.record], makeCtx()), [{ record: HOME.record, addresses: ['192.0.2.77'] }]);
  t.same(await provider(fake).test!(makeCtx()), { outcome: 'ok', message: 'Porkbun: the API keys can read domain example.org (Porkbun sees this router as 192.0.2.77)' });
  const bad = await provider(fake).test!(makeCtx());
  t.match(bad, { outcome: 'auth' });
  t.strictSame(leaks([KEY, SECRET], bad), []);
  fake.assertDone(t);
  t.ok(porkbun.aliases.includes('porkbun.com-v3'));
});

t.test('credential test of a domain the account does not hold (recorded session): the keys work, the zone does not', async (t) => {
  // The real API answered this session's ping with SUCCESS and the domain read with 400 "Invalid domain.".
  const fake = await FakeHttp.start(t);
  fake.expect(call('/ping', {}, recordedReply('porkbun.ping')), call('/dns/retrieve/example.org', {}, recordedReply('porkbun.invalid_domain_400')));
  const r = await provider(fake).test!(makeCtx());
  t.equal(r.outcome, 'nohost');
  t.match(r.message, /API keys work, but not for domain example\.org \(.*Invalid domain\.\).*API Access/);
  fake.assertDone(t);
  t.strictSame(leaks([KEY, SECRET], r), []);
});
