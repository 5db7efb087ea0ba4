import { createSocket, type Socket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import t, { type Test } from 'tap';
import { dnsSource, parseDnsEntry, RESOLVERS, type QueryFn, type Resolver } from '../../src/detect/dns';
import { CLASS, TYPE } from '../../src/net/dns/constants';
import { DnsNetworkError } from '../../src/net/dns/errors';
import { decodeMessage, encodeMessage } from '../../src/net/dns/message';
import { query, type DnsResult, type QueryOptions } from '../../src/net/dns/query';
import { FakeClock } from '../../src/util/clock';
import { nullLogger } from '../../src/util/log';

const ctx = { log: nullLogger };

type Expect = { server: string; port?: number; name: string; type: string; class: string; reply: Partial<DnsResult> | Error };

/** A scripted `query`: every call must match the next expectation exactly. */
function scripted(t: Test, steps: Expect[], clock?: FakeClock) {
  const fn: QueryFn = async (q: QueryOptions) => {
    const step = steps.shift();
    if (!step) {
      t.fail(`unexpected query ${q.name} ${q.type} at ${q.server}`);
      throw new Error('unexpected');
    }
    t.same({ server: q.server, port: q.port, name: q.name, type: q.type, class: q.class },
      { server: step.server, port: step.port, name: step.name, type: step.type, class: step.class }, `query ${step.name} ${step.type}`);
    t.equal(q.timeoutMs, 5000);
    t.equal(q.clock, clock, 'the injected clock is passed on');
    if (step.reply instanceof Error) throw step.reply;
    return { rcode: 0, rcodeName: 'NOERROR', authoritative: false, answers: [], authority: [], additional: [], ...step.reply };
  };
  return { fn, left: () => steps.length };
}

const ans = (type: number, data: string) => ({ name: 'x', type, ttl: 0, data });

t.test('ip_dns entries', async (t) => {
  t.equal(parseDnsEntry('OpenDNS', RESOLVERS), RESOLVERS.opendns);
  t.same(parseDnsEntry('myip.example@192.0.2.53', RESOLVERS), { name: 'myip.example', txt: false, class: 'IN', servers: { 4: '192.0.2.53', 6: '192.0.2.53' }, port: undefined });
  t.same(parseDnsEntry('me@[2001:db8::53]:5353', RESOLVERS), { name: 'me', txt: false, class: 'IN', servers: { 4: '2001:db8::53', 6: '2001:db8::53' }, port: 5353 });
  t.same(parseDnsEntry('me@2001:db8::53', RESOLVERS), { name: 'me', txt: false, class: 'IN', servers: { 4: '2001:db8::53', 6: '2001:db8::53' }, port: undefined });
  t.same(parseDnsEntry('me@ns.example:53', RESOLVERS), { name: 'me', txt: false, class: 'IN', servers: { 4: 'ns.example', 6: 'ns.example' }, port: 53 });
  for (const bad of ['google', 'me@', '@1.2.3.4', 'me@1.2.3.4:0', 'me@1.2.3.4:70000', 'a b@1.2.3.4', 'me@x@y']) {
    t.equal(parseDnsEntry(bad, RESOLVERS), `ip_dns '${bad}' is not opendns, cloudflare or host@server[:port]`, bad);
  }
});

t.test('OpenDNS per family at the resolver address of that family; Cloudflare TXT CH as fallback', async (t) => {
  const clock = new FakeClock();
  const r = scripted(t, [
    { server: '208.67.222.222', name: 'myip.opendns.com', type: 'A', class: 'IN', reply: { answers: [ans(1, '198.51.100.8')] } },
    { server: '2620:119:35::35', name: 'myip.opendns.com', type: 'AAAA', class: 'IN', reply: new DnsNetworkError('timeout', 'no answer from [2620:119:35::35]:53 within 5000 ms') },
    { server: '2606:4700:4700::1111', name: 'whoami.cloudflare', type: 'TXT', class: 'CH', reply: { answers: [ans(16, '2001:db8:77::5')] } },
  ], clock);
  const src = dnsSource({ entries: [], allowPrivate: false }, { query: r.fn, clock });
  t.equal(src.kind, 'dns');
  t.equal(src.signalsChanges, false);
  const v4 = await src.detect(4, ctx);
  t.equal(v4.address, '198.51.100.8');
  t.same(v4.candidates, [{ address: '198.51.100.8', origin: 'dns:opendns', kept: true, reason: 'chosen: documentation (TEST-NET-2), stable, lifetime unknown (the only usable address)' }]);
  const v6 = await src.detect(6, ctx);
  t.equal(v6.address, '2001:db8:77::5');
  t.equal(v6.candidates[0].origin, 'dns:cloudflare');
  t.equal(r.left(), 0);
});

t.test('failures: rcode, empty answer, private answer, unusable text, bad entry', async (t) => {
  const r = scripted(t, [
    { server: '208.67.222.222', name: 'myip.opendns.com', type: 'A', class: 'IN', reply: { rcode: 3, rcodeName: 'NXDOMAIN' } },
    { server: '1.1.1.1', name: 'whoami.cloudflare', type: 'TXT', class: 'CH', reply: { answers: [ans(5, 'cname.example.')] } },
    { server: '192.0.2.53', port: 5353, name: 'me.example', type: 'A', class: 'IN', reply: { answers: [ans(1, '10.9.8.7'), ans(1, '100.64.0.9')] } },
    { server: '192.0.2.54', name: 'me.example', type: 'A', class: 'IN', reply: { answers: [ans(1, 'garbage')] } },
  ]);
  const src = dnsSource({ entries: ['opendns', 'cloudflare', 'me.example@192.0.2.53:5353', 'me.example@192.0.2.54'], allowPrivate: false }, { query: r.fn });
  const d = await src.detect(4, ctx);
  t.equal(d.address, undefined);
  t.equal(r.left(), 0);
  t.match(d.error, new RegExp([
    '^no DNS resolver gave a usable IPv4 address: ',
    'myip\\.opendns\\.com A at 208\\.67\\.222\\.222: the server answered NXDOMAIN; ',
    'whoami\\.cloudflare TXT CH at 1\\.1\\.1\\.1: no TXT record in the answer; ',
    'me\\.example A at 192\\.0\\.2\\.53:5353: 10\\.9\\.8\\.7 \\(private [^;]*\\); 100\\.64\\.0\\.9 \\(carrier-grade NAT [^;]*\\); ',
    'me\\.example A at 192\\.0\\.2\\.54: garbage \\(not an IP address\\)$',
  ].join('')));
  t.equal(d.candidates.length, 3);

  const bad = await dnsSource({ entries: ['nonsense'], allowPrivate: false }, { query: r.fn }).detect(4, ctx);
  t.equal(bad.error, "ip_dns 'nonsense' is not opendns, cloudflare or host@server[:port]");
});

/** A tiny DNS responder on loopback that checks each question and answers like the real resolvers. */
async function responder(t: Test, host: string, expect: { name: string; type: number; class: number; answer: Buffer }[]): Promise<number> {
  const sock: Socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => sock.bind(0, host, resolve));
  t.teardown(() => sock.close());
  sock.on('message', (buf, from) => {
    const q = decodeMessage(buf);
    const want = expect.shift();
    if (!want) return void t.fail(`unexpected DNS query ${q.questions[0]?.name}`);
    t.same(q.questions, [{ name: want.name, type: want.type, class: want.class }], `question at ${host}`);
    const reply = encodeMessage({
      header: { ...q.header, qr: true, ra: true },
      questions: q.questions,
      answers: [{ name: want.name, type: want.type, class: want.class, ttl: 0, rdata: want.answer }],
      authority: [], additional: [],
    });
    sock.send(reply, from.port, from.address);
  });
  return (sock.address()).port;
}

const txt = (s: string) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s)]);

t.test('the real DNS client against responders on 127.0.0.1 (and ::1)', async (t) => {
  const v4port = await responder(t, '127.0.0.1', [
    { name: 'myip.opendns.com', type: TYPE.A, class: CLASS.IN, answer: Buffer.from([198, 51, 100, 61]) },
    { name: 'whoami.cloudflare', type: TYPE.TXT, class: CLASS.CH, answer: txt('198.51.100.62') },
  ]);
  const local = (port: number, v6: string): Record<string, Resolver> => ({
    opendns: { ...RESOLVERS.opendns, servers: { 4: '127.0.0.1', 6: v6 }, port },
    cloudflare: { ...RESOLVERS.cloudflare, servers: { 4: '127.0.0.1', 6: v6 }, port },
  });
  const opendns = dnsSource({ entries: ['opendns'], allowPrivate: false, resolvers: local(v4port, '::1') }, { query });
  t.equal((await opendns.detect(4, ctx)).address, '198.51.100.61');
  const cf = dnsSource({ entries: ['cloudflare'], allowPrivate: false, resolvers: local(v4port, '::1') }, { query });
  t.equal((await cf.detect(4, ctx)).address, '198.51.100.62');

  const hasV6 = Object.values(networkInterfaces()).flat().some((i) => i?.internal && i.address === '::1');
  if (!hasV6) return void t.comment('no ::1 on this machine: IPv6 loopback part skipped');
  const v6port = await responder(t, '::1', [
    { name: 'myip.opendns.com', type: TYPE.AAAA, class: CLASS.IN, answer: Buffer.from('20010db8000900000000000000000063', 'hex') },
  ]);
  const six = dnsSource({ entries: ['opendns'], allowPrivate: false, resolvers: local(v6port, '::1') }, { query });
  t.equal((await six.detect(6, ctx)).address, '2001:db8:9::63');
});
