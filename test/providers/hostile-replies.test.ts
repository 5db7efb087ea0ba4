import { build } from './ddns-support';
import t from 'tap';
import { FakeHttp, type CannedReply, type ExpectedRequest } from '../support/fake-http';
import { cloudflare } from '../../src/providers/cloudflare';
import { duckdns } from '../../src/providers/duckdns';
import { findProvider } from '../../src/providers/registry';
import type { ProviderInstance, RecordUpdate } from '../../src/providers/types';
import { Secret } from '../../src/util/secret';
import { makeCtx, UA } from './rest-support';

/**
 * What a broken, hijacked or hostile server may answer to the first request of a provider:
 * oversized, binary, HTML, JSON of the wrong shape, an error text of 200 kB. Every answer
 * must become one classified result per record (never a throw, never `ok`), with a message
 * that is short and printable.
 */

const TOKEN = 'hostile-T0ken-123';
const HOME: RecordUpdate = { record: { name: 'home.duckdns.org', type: 'A' }, address: '198.51.100.4' };

const BIG = 'A'.repeat(1024 * 1024 + 10);
const GARBAGE = Buffer.from([0, 1, 2, 0x1b, 0x5b, 0x32, 0x4a, 0xff, 0xfe, 0x9b, 0x0d, 0x0a, 0x07]).toString('latin1');
const LONG_ERRORS = { success: false, errors: Array.from({ length: 2000 }, (_, i) => ({ code: 1000 + i, message: `error \u001b[31m${'x'.repeat(100)}` })), messages: [], result: null };

const REPLIES: [string, CannedReply][] = [
  ['over 1 MiB', { body: BIG }],
  ['binary garbage with control characters', { body: GARBAGE }],
  ['an HTML page', { body: '<html><head><title>Captive portal</title></head><body><script>x()</script></body></html>' }],
  ['JSON null', { body: 'null', headers: { 'content-type': 'application/json' } }],
  ['a JSON array', { body: [] }],
  ['a JSON string', { body: '"ok"', headers: { 'content-type': 'application/json' } }],
  ['success with a result of the wrong type', { body: { success: true, errors: [], result: 'zone' } }],
  ['errors not a list', { status: 400, body: { success: false, errors: 'nope', result: null } }],
  ['2000 long error texts with escapes', { status: 400, body: LONG_ERRORS }],
  ['500 kB of "<" (tag stripping was quadratic)', { status: 400, body: '<'.repeat(500_000) }],
  ['one line of 500 kB', { body: 'x'.repeat(500_000) }],
  ['500 with a 200 kB body', { status: 500, body: 'E'.repeat(200_000) }],
];

interface Target {
  name: string;
  make(url: string): ProviderInstance;
  first: Omit<ExpectedRequest, 'reply'>;
}

const TARGETS: Target[] = [
  {
    name: 'cloudflare',
    make: (url) => build(cloudflare, { api_token: new Secret(TOKEN), zone: 'duckdns.org', endpoint: url }),
    first: { method: 'GET', path: '/zones', query: { name: 'duckdns.org' }, auth: `Bearer ${TOKEN}`, headers: { 'user-agent': UA } },
  },
  {
    name: 'dyndns2',
    make: (url) => build(findProvider('dyndns2')!, { username: 'u', password: new Secret(TOKEN), endpoint: `${url}/nic/update` }),
    first: { method: 'GET', path: '/nic/update', query: { hostname: HOME.record.name, myip: HOME.address }, auth: { user: 'u', password: TOKEN } },
  },
  {
    name: 'duckdns',
    make: (url) => build(duckdns, { password: new Secret(TOKEN), endpoint: `${url}/update` }),
    first: { method: 'GET', path: '/update', query: { domains: 'home', token: TOKEN, ip: HOME.address, verbose: 'true' } },
  },
];

for (const target of TARGETS) {
  t.test(`${target.name}: hostile first answers`, async (t) => {
    for (const [what, reply] of REPLIES) {
      const fake = await FakeHttp.start(t);
      fake.expect({ ...target.first, reply });
      const cx = makeCtx();
      const results = await target.make(fake.url).update([HOME], cx);
      t.equal(results.length, 1, `${what}: one result`);
      const r = results[0];
      t.notOk(r.outcome === 'ok' || r.outcome === 'nochg', `${what}: not taken for success (${r.outcome}: ${r.message.slice(0, 120)})`);
      t.ok(r.message.length <= 600, `${what}: a short message (${r.message.length} characters)`);
      // eslint-disable-next-line no-control-regex
      t.notMatch(r.message, /[\u0000-\u001f\u007f-\u009f]/, `${what}: printable`);
      t.notMatch(r.message + cx.lines.join('\n'), new RegExp(TOKEN), `${what}: no token`);
      fake.assertDone(t, `${what}: exactly the one request`);
    }
  });
}
