import t from 'tap';
import { createSocket } from 'node:dgram';
import { CLASS, TYPE } from '../../../src/net/dns/constants';
import { DnsFormatError, DnsNetworkError } from '../../../src/net/dns/errors';
import { query } from '../../../src/net/dns/query';
import { addressRdata } from '../../../src/net/dns/rdata';
import { FakeClock } from '../../../src/util/clock';
import { freePort } from '../../support/bind';
import { fakeDns, reply } from './fake-server';

const A = (name: string, ip: string, ttl = 60) => ({ name, type: TYPE.A, class: CLASS.IN, ttl, rdata: addressRdata('A', ip) });
const txt = (...parts: string[]) => Buffer.concat(parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p)])));

t.test('an A query: the request is exactly one question with RD; the answer comes back as text', async (t) => {
  const srv = await fakeDns((req) => {
    t.same({ qr: req.header.qr, opcode: req.header.opcode, rd: req.header.rd }, { qr: false, opcode: 0, rd: true });
    t.same(req.questions, [{ name: 'home.example.com', type: TYPE.A, class: CLASS.IN }]);
    t.same([req.answers.length, req.authority.length, req.additional.length], [0, 0, 0]);
    return [reply(req, {
      answers: [A('home.example.com', '192.0.2.5', 120), { name: 'home.example.com', type: TYPE.AAAA, class: CLASS.IN, ttl: 5, rdata: addressRdata('AAAA', '2001:db8:0:0:0:0:0:5') }],
    })];
  });
  t.teardown(() => srv.close());
  const r = await query({ server: '127.0.0.1', port: srv.port, name: 'home.example.com', type: 'A' });
  t.same(r, {
    rcode: 0, rcodeName: 'NOERROR', authoritative: true,
    answers: [{ name: 'home.example.com', type: 1, ttl: 120, data: '192.0.2.5' }, { name: 'home.example.com', type: 28, ttl: 5, data: '2001:db8::5' }],
    authority: [], additional: [],
  });
  t.equal(srv.requests.length, 1);
});

t.test('TXT in class CH (whoami.cloudflare style), strings joined; recursion off when asked', async (t) => {
  const srv = await fakeDns((req) => {
    t.same(req.questions, [{ name: 'whoami.cloudflare', type: TYPE.TXT, class: CLASS.CH }]);
    t.equal(req.header.rd, false);
    return [reply(req, { answers: [{ name: 'whoami.cloudflare', type: TYPE.TXT, class: CLASS.CH, ttl: 0, rdata: txt('203.0.', '113.4') }] })];
  });
  t.teardown(() => srv.close());
  const r = await query({ server: '127.0.0.1', port: srv.port, name: 'whoami.cloudflare', type: 'TXT', class: 'CH', recursion: false });
  t.equal(r.answers[0].data, '203.0.113.4');
});

t.test('replies with another id, another question or from another port are ignored', async (t) => {
  const spoofer = createSocket('udp4');
  await new Promise<void>((r) => spoofer.bind(0, '127.0.0.1', r));
  const srv = await fakeDns((req, _raw, _via, peer) => {
    // A spoofer on another port races the real server with a perfect-looking answer.
    spoofer.send(reply(req, { answers: [A('x.example', '6.6.6.8')] }), peer!.port, peer!.address);
    return [
      reply(req, { id: (req.header.id + 1) & 0xffff, answers: [A('x.example', '6.6.6.6')] }),
      reply(req, { questions: [{ name: 'y.example', type: TYPE.A, class: CLASS.IN }], answers: [A('y.example', '6.6.6.7')] }),
      Buffer.from('garbage that is not DNS'),
      reply(req, { answers: [A('x.example', '192.0.2.1')] }),
    ];
  });
  t.teardown(async () => { spoofer.close(); await srv.close(); });
  const r = await query({ server: '127.0.0.1', port: srv.port, name: 'x.example', type: 'A' });
  t.same(r.answers.map((a) => a.data), ['192.0.2.1']);
});

t.test('a truncated UDP reply is asked again over TCP', async (t) => {
  const many = Array.from({ length: 60 }, (_, i) => A('big.example', `198.51.100.${i + 1}`));
  const srv = await fakeDns((req, _raw, via) => {
    t.same(req.questions, [{ name: 'big.example', type: TYPE.A, class: CLASS.IN }], `${via} request`);
    return via === 'udp' ? [reply(req, { tc: true })] : [reply(req, { answers: many })];
  });
  t.teardown(() => srv.close());
  const r = await query({ server: '127.0.0.1', port: srv.port, name: 'big.example', type: 'A' });
  t.equal(r.answers.length, 60);
  t.same(srv.requests.map((q) => q.via), ['udp', 'tcp']);
  t.equal(srv.requests[0].msg.header.id, srv.requests[1].msg.header.id, 'the same request is repeated');
});

t.test('tcp: true goes straight to TCP', async (t) => {
  const srv = await fakeDns((req) => [reply(req, { answers: [A('t.example', '192.0.2.9')] })]);
  t.teardown(() => srv.close());
  const r = await query({ server: '127.0.0.1', port: srv.port, name: 't.example', type: 'A', tcp: true });
  t.same(r.answers.map((a) => a.data), ['192.0.2.9']);
  t.same(srv.requests.map((q) => q.via), ['tcp']);
});

t.test('a silent server: one retransmission halfway, then a timeout (fake clock)', async (t) => {
  const srv = await fakeDns(() => []);
  t.teardown(() => srv.close());
  const clock = new FakeClock();
  const p = query({ server: '127.0.0.1', port: srv.port, name: 's.example', type: 'A', timeoutMs: 4000, clock });
  const outcome = p.then(() => 'resolved', (e) => e);
  await srv.waitFor(1);
  await clock.advance(2000);
  await srv.waitFor(2);
  t.equal(srv.requests[1].raw.toString('hex'), srv.requests[0].raw.toString('hex'), 'the retransmission is the same datagram');
  await clock.advance(1999);
  t.equal(clock.pendingCount, 1, 'still waiting just before the timeout');
  await clock.advance(1);
  const e = await outcome;
  t.type(e, DnsNetworkError);
  t.equal(e.code, 'timeout');
  t.match(e.message, /no answer from 127\.0\.0\.1:\d+ over UDP within 4000 ms/);
});

t.test('nothing listening: refused over UDP and TCP', async (t) => {
  const port = await freePort();
  for (const tcp of [false, true]) {
    const e = await query({ server: '127.0.0.1', port, name: 'r.example', type: 'A', tcp, timeoutMs: 3000 }).catch((err) => err);
    t.type(e, DnsNetworkError);
    t.equal(e.code, 'refused', e.message);
  }
});

t.test('an abort signal cancels the request', async (t) => {
  const srv = await fakeDns(() => []);
  t.teardown(() => srv.close());
  const ac = new AbortController();
  const p = query({ server: '127.0.0.1', port: srv.port, name: 'a.example', type: 'A', signal: ac.signal, clock: new FakeClock() });
  await srv.waitFor(1);
  ac.abort();
  const e = await p.catch((err) => err);
  t.equal(e.code, 'aborted');
  const pre = await query({ server: '127.0.0.1', port: srv.port, name: 'a.example', type: 'A', signal: ac.signal }).catch((err) => err);
  t.equal(pre.code, 'aborted', 'an already aborted signal sends nothing');
});

t.test('over TCP a malformed reply is a format error', async (t) => {
  const srv = await fakeDns((req) => [Buffer.concat([reply(req).subarray(0, 12), Buffer.from([0x05, 0x61])])]);
  t.teardown(() => srv.close());
  const e = await query({ server: '127.0.0.1', port: srv.port, name: 'm.example', type: 'A', tcp: true }).catch((err) => err);
  t.type(e, DnsFormatError);
  t.match(e.message, /malformed reply/);
});
