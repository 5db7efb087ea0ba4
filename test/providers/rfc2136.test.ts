import { build } from './ddns-support';
import t, { type Test } from 'tap';
import { CLASS, RCODE, TYPE } from '../../src/net/dns/constants';
import type { DecodedMessage } from '../../src/net/dns/message';
import { nameWire } from '../../src/net/dns/name';
import { addressRdata } from '../../src/net/dns/rdata';
import { parseTsigRdata, signMessage, TSIG_ALGORITHMS, verifyMessage, type TsigKey } from '../../src/net/dns/tsig';
import { findProvider } from '../../src/providers/registry';
import { createRfc2136, parseServer, rfc2136 } from '../../src/providers/rfc2136';
import type { ProviderOptions, RecordUpdate, UpdateResult } from '../../src/providers/types';
import { FakeClock } from '../../src/util/clock';
import { Secret } from '../../src/util/secret';
import { makeCtx, type TestContext } from './rest-support';
import { fakeDns, reply } from '../net/dns/fake-server';

// The provider against a scripted server on 127.0.0.1 that checks every request and signs
// its replies with the shared key (the real-BIND test is rfc2136.bind.test.ts).

const SECRET = Buffer.from('0123456789abcdef0123456789abcdef-very-secret').toString('base64');
const key: TsigKey = { name: 'router-key', algorithm: 'hmac-sha256', secret: new Secret(SECRET) };
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const contexts: TestContext[] = [];

/** A provider context whose log lines are kept for the secret check at the end. */
const context = (): TestContext => { const c = makeCtx(); contexts.push(c); return c; };

const upd = (name: string, type: 'A' | 'AAAA', address: string): RecordUpdate => ({ record: { name, type }, address });
const opts = (port: number, extra: Record<string, string | Secret> = {}): ProviderOptions =>
  ({ server: `127.0.0.1:${port}`, zone: 'example.com', key_name: 'router-key', key_secret: new Secret(SECRET), ...extra });

/** What a correct UPDATE for these records looks like: zone, no prerequisites, delete + add per RRset, TSIG verifying. */
function checkUpdate(t: Test, raw: Buffer, req: DecodedMessage, records: [string, number, string][], ttl = 300): void {
  t.equal(req.header.opcode, 5, 'opcode UPDATE');
  t.same(req.questions, [{ name: 'example.com', type: TYPE.SOA, class: CLASS.IN }], 'zone section');
  t.same(req.answers, [], 'no prerequisites');
  const expect = records.flatMap(([name, type, addr]) => [
    { name, type, class: CLASS.ANY, ttl: 0, rdata: Buffer.alloc(0) },
    { name, type, class: CLASS.IN, ttl, rdata: addressRdata(type === TYPE.A ? 'A' : 'AAAA', addr) },
  ]);
  t.same(req.authority, expect, 'delete RRset + add, per record');
  t.equal(verifyMessage(raw, key, NOW / 1000).status, 'ok', 'the request is signed with the key');
}

/** A reply signed with `k`, chained to the request's MAC. */
function signedReply(req: DecodedMessage, rcode: number, k: TsigKey = key): Buffer {
  const reqTsig = req.additional[req.additional.length - 1];
  const mac = parseTsigRdata(reqTsig.name, reqTsig.rdata).mac;
  return signMessage(reply(req, { rcode }), k, NOW / 1000 + 1, mac).wire;
}

/** A TSIG error reply the way a server answers a key it cannot use: error set, no MAC. */
function tsigErrorReply(req: DecodedMessage, error: number): Buffer {
  const alg = nameWire(TSIG_ALGORITHMS[key.algorithm].wire);
  const rdata = Buffer.concat([alg, Buffer.from([0, 0, 0x69, 0x20, 0, 0]), Buffer.from([0x01, 0x2c, 0, 0]),
    Buffer.from([req.header.id >> 8, req.header.id & 0xff, error >> 8, error & 0xff, 0, 0])]);
  return reply(req, { rcode: RCODE.NOTAUTH, additional: [{ name: 'router-key', type: TYPE.TSIG, class: CLASS.ANY, ttl: 0, rdata }] });
}

t.test('registry entry: id, alias, fields for LuCI, capabilities', async (t) => {
  t.equal(findProvider('bind-nsupdate'), rfc2136);
  t.equal(findProvider('rfc2136'), rfc2136);
  const f = Object.fromEntries(rfc2136.fields.map((x) => [x.name, x]));
  t.same(Object.keys(f), ['server', 'zone', 'key_name', 'key_algorithm', 'key_secret', 'ttl', 'tcp']);
  t.equal(f.server.required, true);
  t.equal(f.key_secret.secret, true);
  t.equal(f.key_algorithm.default, 'hmac-sha256');
  t.ok(f.key_algorithm.choices!.some((c) => c.value === 'hmac-sha512'));
  t.equal(f.ttl.default, '300');
  t.equal(f.tcp.type, 'boolean');
  t.match(rfc2136.capabilities, { ipv4: true, ipv6: true, read: true, credentialTest: true, ttl: true });
});

t.test('parseServer', async (t) => {
  t.same(parseServer('ns1.example.com'), { host: 'ns1.example.com', port: 53 });
  t.same(parseServer('192.0.2.1:5353'), { host: '192.0.2.1', port: 5353 });
  t.same(parseServer('2001:db8::53'), { host: '2001:db8::53', port: 53 });
  t.same(parseServer('[2001:db8::53]:5300'), { host: '2001:db8::53', port: 5300 });
  t.match(parseServer('host:99999'), /port outside/);
  t.match(parseServer('a:b:c'), /not a host name/);
});

t.test('every reply RCODE maps to its outcome; each request is checked', async (t) => {
  const cases: [number, UpdateResult['outcome'], RegExp][] = [
    [RCODE.NOERROR, 'ok', /^set home\.example\.com A to 192\.0\.2\.10$/],
    [RCODE.SERVFAIL, 'transient', /SERVFAIL/],
    [RCODE.NOTZONE, 'config', /NOTZONE.*option zone/],
    [RCODE.NXDOMAIN, 'config', /NXDOMAIN/],
    [RCODE.FORMERR, 'config', /FORMERR/],
    [RCODE.NOTIMP, 'config', /NOTIMP/],
    [RCODE.REFUSED, 'auth', /REFUSED/],
    [RCODE.NOTAUTH, 'auth', /NOTAUTH/],
    [RCODE.YXRRSET, 'transient', /YXRRSET/],
  ];
  for (const [rcode, outcome, re] of cases) {
    const srv = await fakeDns((req, raw) => {
      checkUpdate(t, raw, req, [['home.example.com', TYPE.A, '192.0.2.10']]);
      return [signedReply(req, rcode)];
    });
    const res = await createRfc2136(opts(srv.port), { now: () => NOW }).update([upd('home.example.com', 'A', '192.0.2.10')], context());
    await srv.close();
    t.equal(res[0].outcome, outcome, `rcode ${rcode}`);
    t.match(res[0].message, re);
    t.equal(srv.requests.length, 1, 'one request');
  }
});

t.test('TSIG errors from the server: BADSIG/BADKEY are auth, BADTIME is transient and says NTP', async (t) => {
  for (const [err, outcome, re] of [[RCODE.BADSIG, 'auth', /BADSIG.*key_secret/], [RCODE.BADKEY, 'auth', /BADKEY.*key_name/], [RCODE.BADTIME, 'transient', /clock is wrong.*NTP/]] as const) {
    const srv = await fakeDns((req) => [tsigErrorReply(req, err)]);
    const res = await createRfc2136(opts(srv.port), { now: () => NOW }).update([upd('home.example.com', 'A', '192.0.2.10')], context());
    await srv.close();
    t.equal(res[0].outcome, outcome, res[0].message);
    t.match(res[0].message, re);
  }
});

t.test('a success we cannot verify is not believed', async (t) => {
  const other: TsigKey = { ...key, secret: new Secret(Buffer.alloc(32, 3).toString('base64')) };
  const variants: [string, (req: DecodedMessage) => Buffer | { wire: Buffer }][] = [
    ['unsigned', (req) => reply(req)],
    ['signed with another secret', (req) => signedReply(req, 0, other)],
    ['not chained to our request', (req) => signMessage(reply(req), key, NOW / 1000)],
    ['signed an hour off', (req) => signMessage(reply(req), key, NOW / 1000 + 3600).wire],
  ];
  for (const [label, make] of variants) {
    const srv = await fakeDns((req) => {
      const out = make(req);
      return [Buffer.isBuffer(out) ? out : (out as { wire: Buffer }).wire];
    });
    const res = await createRfc2136(opts(srv.port), { now: () => NOW }).update([upd('home.example.com', 'A', '192.0.2.10')], context());
    await srv.close();
    t.equal(res[0].outcome, 'transient', `${label}: ${res[0].message}`);
    t.match(res[0].message, /TSIG|trust/);
  }
});

t.test('several records: one UPDATE per zone, RRsets grouped; large updates go over TCP', async (t) => {
  const names = Array.from({ length: 20 }, (_, i) => `host${i}.example.com`);
  const srv = await fakeDns((req, raw, via) => {
    t.equal(via, 'tcp', 'a request over 512 bytes uses TCP');
    checkUpdate(t, raw, req, names.flatMap((n, i) => [[n, TYPE.A, `198.51.100.${i}`], [n, TYPE.AAAA, `2001:db8::${i}`]] as [string, number, string][]), 120);
    return [signedReply(req, 0)];
  });
  t.teardown(() => srv.close());
  const updates = names.flatMap((n, i) => [upd(n, 'A', `198.51.100.${i}`), upd(n, 'AAAA', `2001:db8::${i}`)]);
  const res = await createRfc2136(opts(srv.port, { ttl: '120' }), { now: () => NOW }).update(updates, context());
  t.equal(res.filter((r) => r.outcome === 'ok').length, 40);
  t.equal(srv.requests.length, 1);
});

t.test('no key: an unsigned update', async (t) => {
  const srv = await fakeDns((req) => {
    t.equal(req.additional.length, 0, 'no TSIG');
    return [reply(req)];
  });
  t.teardown(() => srv.close());
  const res = await createRfc2136({ server: `127.0.0.1:${srv.port}`, zone: 'example.com' }).update([upd('h.example.com', 'A', '192.0.2.1')], context());
  t.equal(res[0].outcome, 'ok');
});

t.test('no answer is network (fake clock); a record outside the zone is config', async (t) => {
  const srv = await fakeDns(() => []);
  t.teardown(() => srv.close());
  const clock = new FakeClock();
  const p = createRfc2136(opts(srv.port), { now: () => NOW, clock, timeoutMs: 2000 }).update([upd('home.example.com', 'A', '192.0.2.10')], context());
  await srv.waitFor(1);
  await clock.advance(2000);
  const res = await p;
  t.equal(res[0].outcome, 'network');
  t.match(res[0].message, /no answer from 127\.0\.0\.1/);
  const outside = await createRfc2136(opts(srv.port)).update([upd('home.example.org', 'A', '192.0.2.10')], context());
  t.equal(outside[0].outcome, 'config');
  t.match(outside[0].message, /not inside zone example\.com/);
});

t.test('bad options are config results naming the option, never the secret', async (t) => {
  const cases: [ProviderOptions, RegExp][] = [
    [{}, /option server is required/],
    [{ server: 'ns:0' }, /port outside/],
    [{ server: 'ns', ttl: '5m' }, /option ttl "5m"/],
    [{ server: 'ns', key_name: 'k' }, /key_secret is not/],
    [{ server: 'ns', key_secret: new Secret(SECRET) }, /key_name is not/],
    [{ server: 'ns', key_name: 'k', key_secret: new Secret(SECRET), key_algorithm: 'hmac-sha3' }, /key_algorithm "hmac-sha3" is not one of/],
    [{ server: 'ns', key_name: 'k', key_secret: new Secret('%%not-base64%%' + SECRET) }, /key_secret: .*not valid base64/],
  ];
  for (const [o, re] of cases) {
    const p = build(rfc2136, o);
    const res = await p.update([upd('a.example.com', 'A', '192.0.2.1')], context());
    t.equal(res[0].outcome, 'config');
    t.match(res[0].message, re);
    t.notOk(res[0].message.includes(SECRET));
    t.equal((await p.test!(context())).outcome, 'config');
  }
});

t.test('test() sends a prerequisite-only UPDATE', async (t) => {
  const srv = await fakeDns((req, raw) => {
    t.same(req.answers, [{ name: 'example.com', type: TYPE.ANY, class: CLASS.ANY, ttl: 0, rdata: Buffer.alloc(0) }], 'prerequisite: the zone apex is in use');
    t.same(req.authority, [], 'no changes');
    t.equal(verifyMessage(raw, key, NOW / 1000).status, 'ok');
    return [signedReply(req, 0)];
  });
  t.teardown(() => srv.close());
  const r = await createRfc2136(opts(srv.port), { now: () => NOW }).test!(context());
  t.equal(r.outcome, 'ok', r.message);
});

t.test('the secret never reached a log line', async (t) => {
  const seen = contexts.flatMap((c) => c.lines);
  t.ok(seen.length > 10);
  t.notOk(seen.some((l) => l.includes(SECRET)));
  t.notOk(seen.some((l) => l.includes(Buffer.from(SECRET, 'base64').toString('latin1'))));
});
