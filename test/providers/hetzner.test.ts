import { build } from './ddns-support';
import t from 'tap';
import { FakeHttp, type CannedReply, type ExpectedRequest } from '../support/fake-http';
import { hetzner } from '../../src/providers/hetzner';
import { Secret } from '../../src/util/secret';
import type { RecordUpdate } from '../../src/providers/types';
import { recordedJson, recordedReply } from '../support/recorded';
import { ACTION_POLLS } from '../../src/providers/hetzner';
import { leaks, makeCtx, NOW, UA, runErrorCases, type ErrorCase } from './rest-support';

const TOKEN = 'hcloud-token-ZXhhbXBsZQ-42';
const READ = { headers: { accept: 'application/json', 'user-agent': UA }, auth: `Bearer ${TOKEN}`, absentHeaders: ['content-type', 'auth-api-token'] };
const WRITE = { headers: { accept: 'application/json', 'user-agent': UA, 'content-type': 'application/json' }, auth: `Bearer ${TOKEN}`, absentHeaders: ['auth-api-token'] };

const HOME: RecordUpdate = { record: { name: 'home.example.de', type: 'A' }, address: '198.51.100.20' };
const APEX6: RecordUpdate = { record: { name: 'example.de', type: 'AAAA' }, address: '2001:db8::20' };

function provider(fake: FakeHttp, extra: Record<string, string> = {}) {
  return build(hetzner, { api_token: new Secret(TOKEN), zone: 'example.de', endpoint: fake.url + '/v1', ...extra });
}
function action(status = 'running', error: unknown = null) {
  return { id: 13, command: 'set_rrset_records', status, progress: 0, started: '2026-05-25T14:22:18+00:00', finished: null, resources: [{ id: 42, type: 'zone' }], error };
}
function setRecords(name: string, type: string, value: string, reply: CannedReply): ExpectedRequest {
  return { method: 'POST', path: `/v1/zones/example.de/rrsets/${name}/${type}/actions/set_records`, ...WRITE, body: { records: [{ value }] }, reply };
}
const notFound: CannedReply = { status: 404, body: { error: { code: 'not_found', message: 'RRSet not found', details: {} } } };

t.test('one set_records action per change: two changes, two requests', async (t) => {
  const fake = await FakeHttp.start(t);
  const ctx = makeCtx();
  fake.expect(setRecords('home', 'A', '198.51.100.20', { status: 201, body: { action: action('success') } }),
    setRecords('home', 'A', '198.51.100.21', { status: 201, body: { action: action('success') } }));
  const r1 = await provider(fake).update([HOME], ctx);
  const r2 = await provider(fake).update([{ ...HOME, address: '198.51.100.21' }], ctx);
  t.match([...r1, ...r2], [{ outcome: 'ok', message: /set A home\.example\.de to 198\.51\.100\.20/ }, { outcome: 'ok' }]);
  t.equal(fake.received.length, 2);
  fake.assertDone(t);
  t.strictSame(leaks([TOKEN], r1, r2, ctx.lines), []);
});

t.test('missing set: nohost, or created with name "@", type, ttl, records when create is on', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(setRecords('@', 'AAAA', '2001:db8::20', notFound));
  t.match(await provider(fake).update([APEX6], makeCtx()), [{ outcome: 'nohost', message: /no AAAA record named example\.de.*option create.*RRSet not found/ }]);
  fake.expect(setRecords('@', 'AAAA', '2001:db8::20', notFound), {
    method: 'POST', path: '/v1/zones/example.de/rrsets', ...WRITE,
    body: { name: '@', type: 'AAAA', ttl: 300, records: [{ value: '2001:db8::20' }] },
    reply: { status: 201, body: { rrset: { id: '@/AAAA', name: '@', type: 'AAAA', ttl: 300, records: [{ value: '2001:db8::20', comment: '' }] }, action: action('success') } },
  });
  t.match(await provider(fake, { create: '1', ttl: '300' }).update([APEX6], makeCtx()), [{ outcome: 'ok', message: /created AAAA example\.de/ }]);
  fake.assertDone(t);
});

t.test('documented errors map to outcomes', async (t) => {
  const reset = Math.floor(NOW / 1000) + 90;
  const err = (status: number, code: string, message: string, headers?: Record<string, string>): CannedReply =>
    ({ status, headers, body: { error: { code, message, details: {} } } });
  const cases: ErrorCase[] = [
    { name: 'unauthorized', reply: err(401, 'unauthorized', 'unable to authenticate'), outcome: 'auth', msg: /HTTP 401: unauthorized: unable to authenticate/ },
    { name: 'forbidden', reply: err(403, 'forbidden', 'insufficient permissions for this request'), outcome: 'auth', msg: /forbidden/ },
    { name: 'invalid input', reply: err(422, 'invalid_input', 'invalid input in field records'), outcome: 'config', msg: /invalid_input/ },
    { name: 'secondary zone', reply: err(422, 'incorrect_zone_mode', "This operation is not supported for this Zone's mode."), outcome: 'config', msg: /incorrect_zone_mode/ },
    { name: 'locked', reply: err(423, 'locked', 'zone is locked'), outcome: 'transient', msg: /locked/ },
    { name: 'rate limit', reply: err(429, 'rate_limit_exceeded', 'limit of 3600 requests per hour reached', { 'ratelimit-limit': '3600', 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset) }), outcome: 'transient', msg: /rate_limit_exceeded/, wait: 120_000 },
    { name: 'maintenance', reply: err(503, 'maintenance', 'maintenance'), outcome: 'transient', msg: /maintenance/, wait: 300_000 },
    { name: 'failed action', reply: { status: 201, body: { action: action('error', { code: 'action_failed', message: 'Action failed' }) } }, outcome: 'transient', msg: /the action failed \(action_failed: Action failed\)/ },
  ];
  await runErrorCases(t, cases, [TOKEN], (reply) => setRecords('home', 'A', '198.51.100.20', reply), (fake, ctx) => provider(fake).update([HOME], ctx));
});

t.test('read (404: no record) and credential test', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(
    { method: 'GET', path: '/v1/zones/example.de/rrsets/home/A', ...READ,
      reply: { body: { rrset: { id: 'home/A', name: 'home', type: 'A', ttl: 60, records: [{ value: '198.51.100.20', comment: 'router' }] } } } },
    { method: 'GET', path: '/v1/zones/example.de/rrsets/@/AAAA', ...READ, reply: notFound },
    { method: 'GET', path: '/v1/zones/example.de', ...READ, reply: { body: { zone: { id: 42, name: 'example.de', mode: 'primary' } } } },
  );
  t.same(await provider(fake).read!([HOME.record, APEX6.record], makeCtx()),
    [{ record: HOME.record, addresses: ['198.51.100.20'] }, { record: APEX6.record, addresses: [] }]);
  t.same(await provider(fake).test!(makeCtx()), { outcome: 'ok', message: 'Hetzner DNS: the token can read zone example.de' });
  fake.assertDone(t);
  t.ok(hetzner.aliases.includes('hetzner.cloud'));
});

// The recorded session: set_records answered 201 with the action still "running"; the same action needed 8 polls to end.
const RECORDED = recordedJson('hetzner.set_records_201').action as Record<string, unknown>;
const poll = (status: string, error: unknown = null): ExpectedRequest => ({
  method: 'GET', path: `/v1/zones/actions/${RECORDED.id}`, ...READ,
  reply: { body: { action: { ...RECORDED, status, error, progress: status === 'running' ? 50 : 100 } } },
});

t.test('a running action (recorded reply) is followed to its end with growing pauses on the engine clock', async (t) => {
  const fake = await FakeHttp.start(t);
  const waits: number[] = [];
  const ctx = makeCtx(undefined, { sleep: async (ms) => void waits.push(ms) });
  fake.expect(setRecords('home', 'A', '198.51.100.20', recordedReply('hetzner.set_records_201')),
    ...Array.from({ length: 7 }, () => poll('running')), poll('success'));
  const r = await provider(fake).update([HOME], ctx);
  t.match(r, [{ outcome: 'ok', message: /set A home\.example\.de to 198\.51\.100\.20$/ }]);
  t.same(waits, ACTION_POLLS.slice(0, 8), 'one pause before each of the 8 polls, growing');
  t.ok(waits.every((w, i) => i === 0 || w >= waits[i - 1]), 'never shorter than the one before');
  fake.assertDone(t);
  t.strictSame(leaks([TOKEN], r, ctx.lines), []);
});

t.test('an action that ends in "error" is a failure; one still running after the last poll is left to verification', async (t) => {
  const fake = await FakeHttp.start(t);
  const ctx = makeCtx(undefined, { sleep: async () => undefined });
  fake.expect(setRecords('home', 'A', '198.51.100.20', recordedReply('hetzner.set_records_201')),
    poll('running'), poll('error', { code: 'action_failed', message: 'Action failed' }));
  t.match(await provider(fake).update([HOME], ctx), [{ outcome: 'transient', message: /the action failed \(action_failed: Action failed\)/ }]);
  fake.assertDone(t);

  fake.expect(setRecords('home', 'A', '198.51.100.20', recordedReply('hetzner.set_records_201')), ...ACTION_POLLS.map(() => poll('running')));
  t.match(await provider(fake).update([HOME], ctx), [{ outcome: 'ok', message: /still running after 56 s, verification will tell/ }]);
  fake.assertDone(t);
});

t.test('a cancelled update stops following the action', async (t) => {
  const fake = await FakeHttp.start(t);
  const ac = new AbortController();
  const ctx = makeCtx(undefined, { signal: ac.signal, sleep: async () => void ac.abort() });
  fake.expect(setRecords('home', 'A', '198.51.100.20', recordedReply('hetzner.set_records_201')));
  t.match(await provider(fake).update([HOME], ctx), [{ outcome: 'network', message: /cancelled/ }]);
  fake.assertDone(t);
});
