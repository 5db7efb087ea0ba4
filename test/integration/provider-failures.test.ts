import t from 'tap';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { prng } from '../support/prng';
import { configText, makeWorld, quiesce, serviceSection, startDaemon } from './world';

/**
 * Two provider failures a router meets, through the whole daemon (real broker, netifd stand-in,
 * dyndns2 provider, HTTP client; a fake clock): a reply of random bytes is the provider's
 * fault (transient, with its minimum wait), so the netifd events that follow send nothing
 * (before: `network`, one request per event); a temporary redirect loop backs off and
 * recovers by itself once the provider is fixed (before: blocked until the configuration
 * changed). The classification itself is the provider kit's failure table.
 */

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The service's first record as `status` shows it. */
function record(daemon: { status(): unknown }): { state: string } {
  return (daemon.status() as { services: { records: { state: string }[] }[] }).services[0].records[0];
}

t.test('random bytes for a reply: transient with the minimum wait; netifd events send nothing meanwhile', async (t) => {
  const rnd = prng(7);
  let requests = 0;
  const server = createServer((sock) => {
    sock.once('data', () => {
      requests++;
      sock.end(Buffer.from(Array.from({ length: 512 }, () => Math.floor(rnd() * 256))));
    });
  });
  const url = await listen(server);
  t.teardown(() => server.close());
  const w = await makeWorld(t);
  w.writeConfig(configText([serviceSection('home', url)]));
  const { daemon, clock } = await startDaemon(t, w);
  await quiesce(daemon, clock);
  t.equal(requests, 1, 'the start-up request');
  const r = record(daemon);
  t.equal(r.state, 'retrying');
  t.match(w.lines.join('\n'), /\(transient\)/, 'classed transient, not network');
  for (let i = 0; i < 5; i++) {
    await w.netifd.announce('wan');
    await quiesce(daemon, clock);
  }
  t.equal(requests, 1, '5 events during the provider wait: no request (was one each)');
  await clock.advance(5 * 60_000 + 1000);
  await quiesce(daemon, clock);
  t.equal(requests, 2, 'retried once the provider wait (5 min) passed');
});

t.test('a redirect loop backs off and recovers when the provider is fixed; never blocked', async (t) => {
  let loop = true;
  let requests = 0;
  const server = createHttpServer((req, res) => {
    requests++;
    if (loop) {
      res.writeHead(302, { location: req.url ?? '/' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('good 203.0.113.7');
  });
  const url = await listen(server as unknown as Server);
  t.teardown(() => server.close());
  const w = await makeWorld(t);
  w.writeConfig(configText([serviceSection('home', url)]));
  const { daemon, clock } = await startDaemon(t, w);
  await quiesce(daemon, clock);
  const looped = requests;
  t.ok(looped > 1, `the redirects were followed (${looped} requests), then given up`);
  let r = record(daemon);
  t.equal(r.state, 'retrying', 'retrying, not blocked');
  t.notMatch(w.lines.join('\n'), /blocked: no more requests/);
  loop = false;
  // The provider wait for a loop is 5 min (the kit's serverFault row); step just past it, so
  // the bus timeouts on the same fake clock do not fire before the broker answers.
  await clock.advance(5 * 60_000 + 1000);
  await quiesce(daemon, clock);
  r = record(daemon);
  t.equal(r.state, 'ok', 'recovered by itself');
  t.equal(requests, looped + 1, 'one more request, answered good');
});
