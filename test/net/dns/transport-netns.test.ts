import t from 'tap';
import { DnsLookupError, DnsNetworkError } from '../../../src/net/dns/errors';
import { lookupRecord } from '../../../src/net/dns/lookup';
import { query } from '../../../src/net/dns/query';
import { dnsVerifier } from '../../../src/engine/verify';
import { createRfc2136 } from '../../../src/providers/rfc2136';
import { FakeClock } from '../../../src/util/clock';
import { HttpError, request } from '../../../src/net/http';
import { transportFailure } from '../../../src/providers/kit/failure';
import { webSource } from '../../../src/detect/web';
import { nullLogger } from '../../../src/util/log';
import { blackHole, insideNetns, ip, runInNetns, vethPair } from '../../support/netns';

/**
 * Every way a DNS socket can fail on a real kernel, in a network namespace made by the test:
 * no route at all (connect fails with ENETUNREACH), a blackhole route (EINVAL), a route that
 * disappears between the first datagram and the retransmission (send fails), a resolver
 * whose packets vanish (timeout), over UDP, TCP and IPv6. Each ends as a typed
 * DnsNetworkError, and the process is still here to count them (a connect callback that
 * ignored its error once threw "Port should be > 0" and ended the daemon). The other sockets
 * the daemon opens towards the network (HTTP client, web source) get the same conditions.
 */

if (!insideNetns) {
  runInNetns(t, __filename, 'DNS sockets on a real kernel with no route, a blackhole and a vanishing resolver');
} else {
  const q = (server: string, extra: Record<string, unknown> = {}) =>
    query({ server, name: 'home.example.com', type: 'A', timeoutMs: 5000, ...extra }).then(
      () => new Error('answered'),
      (e: unknown) => e,
    );

  t.before(async () => {
    await vethPair();
    await ip('addr', 'add', '10.99.0.1/24', 'dev', 'va');
    await ip('route', 'add', 'blackhole', '10.98.0.0/16');
    await blackHole('va', '10.99.0.53');
  });

  t.test('no route to the server: unreachable over UDP (connect) and TCP, IPv4 and IPv6', async (t) => {
    for (const [server, tcp] of [['10.255.255.53', false], ['10.255.255.53', true], ['2001:db8:ffff::53', false], ['2001:db8:ffff::53', true]] as const) {
      const e = (await q(server, { tcp })) as DnsNetworkError;
      t.type(e, DnsNetworkError, `${server} ${tcp ? 'TCP' : 'UDP'}`);
      t.equal(e.code, 'unreachable');
      t.match(e.message, /cannot be reached \(ENETUNREACH\) over (UDP|TCP)/);
    }
  });

  t.test('a blackhole route: connect says EINVAL, still a network error', async (t) => {
    for (const tcp of [false, true]) {
      const e = (await q('10.98.0.53', { tcp })) as DnsNetworkError;
      t.type(e, DnsNetworkError);
      t.equal(e.code, 'unreachable');
      t.match(e.message, /EINVAL/);
    }
  });

  t.test('packets that vanish: a timeout, over UDP and TCP (the clock is a fake one)', async (t) => {
    for (const tcp of [false, true]) {
      const clock = new FakeClock();
      const p = q('10.99.0.53', { tcp, clock });
      await clock.advance(5000);
      const e = (await p) as DnsNetworkError;
      t.type(e, DnsNetworkError);
      t.equal(e.code, 'timeout', e.message);
    }
  });

  t.test('the route goes away before the retransmission: send fails, reported as unreachable', async (t) => {
    await ip('addr', 'add', '10.97.0.1/24', 'dev', 'va');
    await blackHole('va', '10.97.0.53');
    const clock = new FakeClock();
    const p = q('10.97.0.53', { clock });
    // The first datagram has left once the connect callback ran; no answer will come.
    await clock.advance(0);
    await ip('addr', 'del', '10.97.0.1/24', 'dev', 'va');
    await clock.advance(2500);
    const e = (await p) as DnsNetworkError;
    t.type(e, DnsNetworkError);
    t.equal(e.code, 'unreachable', e.message);
    t.match(e.message, /ENETUNREACH/);
  });

  t.test('the callers: lookup, verifier and RFC 2136 turn it into their own network answers', async (t) => {
    const look = await lookupRecord('home.example.com', 'A', { resolver: '10.255.255.53', timeoutMs: 5000 }).catch((e: unknown) => e);
    t.type(look, DnsNetworkError, 'finding the zone through an unreachable resolver');
    const viaServer = await lookupRecord('home.example.com', 'A', { server: '10.255.255.53', timeoutMs: 5000 }).catch((e: unknown) => e);
    t.type(viaServer, DnsLookupError, 'asking dns_server: no server answered');
    t.match((viaServer as Error).message, /ENETUNREACH/);

    const found = await dnsVerifier('10.255.255.53')([{ name: 'home.example.com', type: 'A' }]);
    t.equal(found.size, 0, 'the verifier does not know: neither trusted nor distrusted');

    const provider = createRfc2136({ server: '10.255.255.53', zone: 'example.com' }, { timeoutMs: 5000 });
    const results = await provider.update([{ record: { name: 'home.example.com', type: 'A' }, address: '192.0.2.1' }], {
      log: nullLogger, userAgent: 'test', cache: { get: () => undefined, set: () => undefined, delete: () => undefined }, now: () => Date.now(), force: false,
    } as never);
    t.equal(results[0].outcome, 'network', results[0].message);
  });

  t.test('the same audit for the HTTP client and the web source: no route is a network failure, not a crash', async (t) => {
    for (const url of ['http://10.255.255.80/nic/update', 'https://[2001:db8:ffff::80]/x', 'http://10.98.0.80/']) {
      const e = await request({ method: 'GET', url, timeoutMs: 5000 }).then(() => new Error('answered'), (err: unknown) => err);
      t.type(e, HttpError, url);
      t.equal((e as HttpError).kind, 'network', (e as Error).message);
      t.equal(transportFailure(e, 'dyndns2', 'update').outcome, 'network', 'the provider kit: network');
    }
    const web = webSource({ urls: ['http://10.255.255.80/ip'], allowPrivate: false }, { request });
    const d = await web.detect(4, { log: nullLogger });
    t.equal(d.address, undefined);
    t.match(d.error, /could not connect .*ENETUNREACH|could not connect .*unreachable/i);
  });
}
