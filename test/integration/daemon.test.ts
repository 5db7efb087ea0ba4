import t from 'tap';
import { UbusClient } from '../../src/ubus';
import { configText, dyndnsStep, homeWorld, makeWorld, PASSWORD, quiesce, serviceSection, startDaemon, until, USER } from './world';
import { FakeDns } from '../engine/helpers';

/**
 * The daemon in-process against the real pieces: test broker (ubusd's protocol), the ubus
 * client, a fake netifd on the bus, the config loader, the dyndns2 provider and the netifd
 * source, with a fake dyndns2 server checking every request. Time is a fake clock.
 */

t.test('ifup with a new address: exactly one request carrying it; a burst of 20: one', async (t) => {
  const w = await homeWorld(t);
  const { daemon, clock } = await startDaemon(t, w);
  await until(() => w.fake.received.length === 1, 'the start-up update');
  await quiesce(daemon, clock);

  w.netifd.setAddress('wan', '198.51.100.23');
  w.fake.expect(dyndnsStep('home.example.com', '198.51.100.23', 'good 198.51.100.23'));
  await w.netifd.announce('wan');
  await until(() => w.fake.received.length === 2, 'the update after ifup');
  await quiesce(daemon, clock);
  t.equal(w.fake.received.length, 2, 'exactly one request for the new address');

  w.netifd.setAddress('wan', '198.51.100.99');
  w.fake.expect(dyndnsStep('home.example.com', '198.51.100.99', 'good 198.51.100.99'));
  const statusBefore = w.netifd.statusCalls;
  for (let i = 0; i < 20; i++) {
    await w.netifd.announce('wan');
    await clock.advance(5);
  }
  await until(() => w.fake.received.length === 3, 'the update after the burst');
  await quiesce(daemon, clock, 10);
  t.equal(w.fake.received.length, 3, '20 ifupdate events within 100 ms: one request');
  t.ok(w.netifd.statusCalls - statusBefore <= 20, `netifd asked ${w.netifd.statusCalls - statusBefore} times for 20 events`);

  await clock.advance(3600_000);
  await quiesce(daemon, clock);
  t.equal(w.fake.received.length, 3, 'a simulated hour with no event: zero requests');
  w.fake.assertDone(t);
});

t.test('restart with state: zero requests; no state and DNS right: verification only', async (t) => {
  const w = await homeWorld(t);
  const first = await startDaemon(t, w);
  await until(() => w.fake.received.length === 1, 'first update');
  await quiesce(first.daemon, first.clock);
  await first.daemon.stop();

  const second = await startDaemon(t, w);
  await quiesce(second.daemon, second.clock);
  t.equal(w.fake.received.length, 1, 'restart with state: no request');
  t.equal(second.daemon.status().services[0].records[0].registered, '203.0.113.7');
  await second.daemon.stop();

  const w2 = await makeWorld(t);
  w2.writeConfig(configText([serviceSection('home', w2.fake.url, { verify: '1' })]));
  const dns = new FakeDns();
  dns.records.set('home.example.com/A', ['203.0.113.7']);
  const third = await startDaemon(t, w2, { verifier: dns.verifier });
  await quiesce(third.daemon, third.clock);
  t.equal(w2.fake.received.length, 0, 'no state, DNS right: no update');
  t.equal(dns.lookups, 1, 'one verification');
  t.equal(third.daemon.status().services[0].records[0].verified, true);
  w.fake.assertDone(t);
  w2.fake.assertDone(t);
});

t.test('badauth blocks until the config changes; 911 waits the minimum; 500 backs off growing', async (t) => {
  const w = await makeWorld(t);
  w.writeConfig(configText([serviceSection('home', w.fake.url)]));
  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.7', 'badauth'));
  const { daemon, clock } = await startDaemon(t, w);
  await until(() => w.fake.received.length === 1, 'the badauth answer');
  await quiesce(daemon, clock);
  t.equal(daemon.status().services[0].state, 'blocked');
  t.match(daemon.status().services[0].records[0].last_result, /badauth.*\(blocked: no more requests until the configuration of home changes\)/);
  w.netifd.setAddress('wan', '198.51.100.5');
  await w.netifd.announce('wan');
  daemon.update(undefined, true);
  await daemon.reload();
  await clock.advance(24 * 3600_000);
  await quiesce(daemon, clock);
  t.equal(w.fake.received.length, 1, 'zero requests while blocked (events, forced update, unchanged reload, a day)');

  // The user fixes the password: the block lifts. This time the provider is down for maintenance.
  w.writeConfig(configText([serviceSection('home', w.fake.url, { retry_interval: '60s' })]));
  w.fake.expect(dyndnsStep('home.example.com', '198.51.100.5', '911'));
  await daemon.reload();
  await until(() => w.fake.received.length === 2, 'the request after the change');
  await quiesce(daemon, clock);
  const t911 = clock.now();
  t.equal(daemon.status().services[0].state, 'retrying');
  await w.netifd.announce('wan');
  await clock.advance(29 * 60_000);
  await quiesce(daemon, clock);
  t.equal(w.fake.received.length, 2, 'no request within 30 minutes of 911, events notwithstanding');

  w.fake.expect(dyndnsStep('home.example.com', '198.51.100.5', 'good 198.51.100.5'));
  await clock.advance(60_000);
  await until(() => w.fake.received.length === 3, 'the retry after 911');
  t.ok(clock.now() - t911 >= 30 * 60_000, `retry ${(clock.now() - t911) / 60_000} min after 911`);
  await quiesce(daemon, clock);
  t.equal(daemon.status().services[0].state, 'ok');

  // A new address while the provider answers HTTP 500 four times.
  w.netifd.setAddress('wan', '198.51.100.6');
  for (let i = 0; i < 4; i++) w.fake.expect(dyndnsStep('home.example.com', '198.51.100.6', 'oops', 500));
  w.fake.expect(dyndnsStep('home.example.com', '198.51.100.6', 'good 198.51.100.6'));
  await w.netifd.announce('wan');
  await until(() => w.fake.received.length === 4, 'the first 500');
  const times: number[] = [clock.now()];
  for (let i = 0; i < 1000 && w.fake.received.length < 8; i++) {
    const before = w.fake.received.length;
    await clock.advance(60_000);
    await quiesce(daemon, clock, 2);
    if (w.fake.received.length > before) times.push(clock.now());
  }
  t.equal(w.fake.received.length, 8, 'four 500s then success');
  const gaps = times.slice(1).map((x, i) => x - times[i]);
  t.ok(gaps.every((g, i) => i === 0 || g > gaps[i - 1]), `growing intervals: ${gaps.map((g) => g / 60_000).join(', ')} min`);
  t.equal(daemon.status().services[0].state, 'ok');
  w.fake.assertDone(t);
});

t.test('status over the bus: every contract field, no password anywhere; reload with a broken service', async (t) => {
  const w = await makeWorld(t);
  w.writeConfig(configText([serviceSection('a', w.fake.url), serviceSection('b', w.fake.url)]));
  w.fake.expect(dyndnsStep('a.example.com', '203.0.113.7', 'good 203.0.113.7'), dyndnsStep('b.example.com', '203.0.113.7', 'good 203.0.113.7'));
  const { daemon, clock } = await startDaemon(t, w);
  await until(() => w.fake.received.length === 2, 'two start-up updates');
  await quiesce(daemon, clock);

  const cli = await UbusClient.connect({ socketPath: w.broker.socketPath });
  t.teardown(() => cli.close());
  const st = (await cli.call('ddnsd', 'status', { ubus_rpc_session: '00000000000000000000000000000000' }))!;
  t.strictSame(Object.keys(st).sort(), ['errors', 'notify', 'services', 'uptime', 'version']);
  const services = st.services as Record<string, unknown>[];
  t.equal(services.length, 2);
  for (const s of services) {
    t.strictSame(Object.keys(s).sort(), ['active_interface', 'active_reason', 'detected', 'enabled', 'error', 'interface', 'interfaces', 'last_check', 'name', 'next_check', 'provider', 'records', 'source', 'state', 'wans', 'warnings']);
    t.match(s, { enabled: true, provider: 'dyndns2', interface: 'wan', source: 'network', state: 'ok', detected: { ipv4: '203.0.113.7', ipv6: '' }, error: '' });
    for (const r of s.records as Record<string, unknown>[]) {
      t.strictSame(Object.keys(r).sort(), ['detected', 'last_change', 'last_check', 'last_result', 'name', 'next_check', 'registered', 'state', 'type', 'verified']);
      t.match(r, { type: 'A', registered: '203.0.113.7', state: 'ok', verified: false });
      t.ok((r.last_change as number) > 1e9 && (r.last_change as number) < 1e11, 'Unix seconds');
    }
  }
  const bad = await cli.call('ddnsd', 'status', { service: 7 }).then(() => 0, (e: { status: number }) => e.status);
  t.equal(bad, 2, 'a known argument of the wrong type: INVALID_ARGUMENT');
  const missing = await cli.call('ddnsd', 'status', { service: 'zzz' }).then(() => 0, (e: { status: number }) => e.status);
  t.equal(missing, 4, 'an unknown service: NOT_FOUND');

  // Reload: b gets an unknown provider; a keeps its state and keeps updating.
  w.writeConfig(configText([serviceSection('a', w.fake.url), serviceSection('b', w.fake.url, { provider: 'no-such-provider' })]));
  const reload = (await cli.call('ddnsd', 'reload', {}))!;
  t.match(reload, { ok: true, unchanged: ['a'], rejected: [{ name: 'b' }] });
  const b = ((await cli.call('ddnsd', 'status', { service: 'b' }))!.services as Record<string, unknown>[])[0];
  t.equal(b.state, 'error');
  t.match(b.error, /unknown provider 'no-such-provider'/);
  w.netifd.setAddress('wan', '198.51.100.77');
  w.fake.expect(dyndnsStep('a.example.com', '198.51.100.77', 'good 198.51.100.77'));
  await cli.call('ddnsd', 'notify', { interface: 'wan', action: 'ifupdate', device: 'eth1' });
  await until(() => w.fake.received.length === 3, 'a updating after the reload');
  await quiesce(daemon, clock);
  t.equal(w.fake.received.length, 3, 'a updated, b sent nothing');

  const replies = [
    st, reload,
    await cli.call('ddnsd', 'status', {}),
    await cli.call('ddnsd', 'log', { lines: 1000 }),
    await cli.call('ddnsd', 'detect', {}),
    await cli.call('ddnsd', 'providers', {}),
    await cli.call('ddnsd', 'test', { service: 'a' }),
    await cli.call('ddnsd', 'update', { service: 'a' }),
  ];
  const text = JSON.stringify(replies) + '\n' + w.lines.join('\n');
  t.notOk(text.includes(PASSWORD), 'the password is in no reply and no log line');
  t.notOk(text.includes(Buffer.from(`${USER}:${PASSWORD}`).toString('base64')), 'nor its Basic-auth form');
  t.notOk(text.includes(encodeURIComponent(PASSWORD)), 'nor its URL-encoded form');
  const det = (replies[4] as { services: { detections: { address: string; candidates: unknown[] }[] }[] }).services[0].detections[0];
  t.equal(det.address, '198.51.100.77');
  t.ok(det.candidates.length >= 1, 'detect explains the candidates');
  w.fake.assertDone(t);
});

t.test('netifd starting after the daemon, and restarting: the subscription follows it', async (t) => {
  const w = await makeWorld(t, { netifd: false });
  w.writeConfig(configText([serviceSection('home', w.fake.url)]));
  const { daemon, clock } = await startDaemon(t, w);
  await quiesce(daemon, clock);
  t.equal(w.fake.received.length, 0, 'no netifd yet: nothing detected, nothing sent');
  t.match(daemon.status().services[0].records[0].last_result, /no IPv4 address/);

  const { FakeNetifd } = await import('./world');
  const netifd = await FakeNetifd.start(w.broker.socketPath);
  t.teardown(() => netifd.close());
  netifd.setAddress('wan', '203.0.113.50');
  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.50', 'good 203.0.113.50'));
  await until(() => w.lines.some((l) => /subscribed to network.interface/.test(l)), 'the late subscription');
  await netifd.announce('wan');
  await until(() => w.fake.received.length === 1, 'update after netifd appeared');

  await netifd.unpublish();
  await quiesce(daemon, clock);
  await netifd.publish(['wan']);
  netifd.setAddress('wan', '203.0.113.51');
  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.51', 'good 203.0.113.51'));
  // The client re-subscribes when the object comes back; give it the bus round trips it needs.
  for (let i = 0; i < 200 && w.fake.received.length < 2; i++) {
    await netifd.announce('wan');
    await quiesce(daemon, clock, 1);
  }
  t.equal(w.fake.received.length, 2, 'notifications reach the daemon after netifd restarted');
  w.fake.assertDone(t);
});

t.test('dual stack: both families in one request for No-IP; only the changed family triggers it', async (t) => {
  const w = await makeWorld(t);
  w.netifd.setAddress('wan', '203.0.113.7', ['2001:db8:1::7']);
  w.writeConfig(configText([serviceSection('home', w.fake.url, { provider: 'noip', ip_version: 'both' })]));
  const step = (myip: string) => ({ ...dyndnsStep('home.example.com', myip, `good ${myip}`), headers: { 'user-agent': /ddnsd/ } });
  w.fake.expect(step('203.0.113.7,2001:db8:1::7'));
  const { daemon, clock } = await startDaemon(t, w);
  await until(() => w.fake.received.length === 1, 'the dual-stack update');
  await quiesce(daemon, clock);
  w.netifd.setAddress('wan', '203.0.113.7', ['2001:db8:1::8']);
  w.fake.expect(step('203.0.113.7,2001:db8:1::8'));
  await w.netifd.announce('wan');
  await until(() => w.fake.received.length === 2, 'the IPv6 change');
  await quiesce(daemon, clock);
  t.equal(w.fake.received.length, 2, 'one request per change, carrying both families');
  const recs = daemon.status().services[0].records;
  t.same(recs.map((r) => `${r.type} ${r.registered} ${r.state}`), ['A 203.0.113.7 ok', 'AAAA 2001:db8:1::8 ok']);
  w.fake.assertDone(t);
});

t.test('a CGNAT address on the WAN: nothing sent, a warning the user can act on in status', async (t) => {
  const w = await makeWorld(t);
  w.netifd.setAddress('wan', '100.64.12.34');
  w.writeConfig(configText([serviceSection('home', w.fake.url)]));
  const { daemon, clock } = await startDaemon(t, w);
  await quiesce(daemon, clock);
  const s = daemon.status().services[0];
  t.equal(w.fake.received.length, 0);
  t.equal(s.state, 'error');
  t.ok(s.warnings.some((x) => /carrier-grade|CGNAT/i.test(x)), `warnings: ${JSON.stringify(s.warnings)}`);
  t.match(s.records[0].last_result, /no IPv4 address/);
});

t.test('ubusd restarting: the daemon reconnects, publishes ddnsd again and follows netifd', async (t) => {
  const { TestBroker } = await import('../support/ubus-broker');
  const { FakeNetifd } = await import('./world');
  const w = await homeWorld(t);
  const { daemon, clock } = await startDaemon(t, w);
  await until(() => w.fake.received.length === 1, 'start-up update');
  await quiesce(daemon, clock);

  const path = w.broker.socketPath;
  w.netifd.close();
  await w.broker.close();
  const broker = await TestBroker.start({ socketPath: path });
  t.teardown(() => broker.close());
  const netifd = await FakeNetifd.start(path);
  t.teardown(() => netifd.close());
  for (let i = 0; i < 600 && !broker.objectPaths().includes('ddnsd'); i++) {
    await clock.advance(1000);
    await new Promise((r) => setTimeout(r, 2));
  }
  t.ok(broker.objectPaths().includes('ddnsd'), 'ddnsd is on the new bus');
  netifd.setAddress('wan', '198.51.100.61');
  w.fake.expect(dyndnsStep('home.example.com', '198.51.100.61', 'good 198.51.100.61'));
  for (let i = 0; i < 100 && w.fake.received.length < 2; i++) {
    await netifd.announce('wan');
    await quiesce(daemon, clock, 1);
    await clock.advance(1000);
  }
  t.equal(w.fake.received.length, 2, 'a netifd event on the new bus leads to the update');
  const cli = await UbusClient.connect({ socketPath: path });
  t.teardown(() => cli.close());
  const st = (await cli.call('ddnsd', 'status', {}))!;
  t.equal((st.services as { records: { registered: string }[] }[])[0].records[0].registered, '198.51.100.61');
  w.fake.assertDone(t);
});
