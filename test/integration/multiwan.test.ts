import t from 'tap';
import { FakeMwan3 } from '../support/mwan3';
import { configText, dyndnsStep, makeWorld, quiesce, serviceSection, startDaemon, until, type World } from './world';
import type { Daemon } from '../../src/engine/daemon';
import type { FakeClock } from '../../src/util/clock';

/**
 * Several WANs per service, end to end: the daemon in-process on the test broker, the fake
 * netifd holding two WANs (wan 127.0.0.2, wanb 127.0.0.3), a stand-in for mwan3 (its ubus
 * status and its hotplug events, test/support/mwan3.ts), the dyndns2 provider against a fake
 * server that checks every request and the address it came from (requests leave from the
 * active WAN's address: bind_wan is on by default with several WANs). The clock is fake: "on the event" means no simulated time
 * passes between the event and the request.
 */

type TapLike = Parameters<typeof makeWorld>[0];

// Loopback addresses, so requests bound to the active WAN's address (bind_wan, on by default here) can leave from them.
const WAN = '127.0.0.2';
const WANB = '127.0.0.3';

async function twoWans(t: TapLike, extra: Record<string, string> = {}, mwan3 = true): Promise<{ w: World; m: FakeMwan3; daemon: Daemon; clock: FakeClock }> {
  const w = await makeWorld(t, { networks: ['wan', 'wanb'] });
  w.netifd.setAddress('wan', WAN);
  w.netifd.setAddress('wanb', WANB);
  const m = await FakeMwan3.start(w.broker.socketPath, ['wan', 'wanb'], mwan3);
  t.teardown(() => m.close());
  const section = serviceSection('home', w.fake.url, { holddown: '5s', upd_privateip: '1', ...extra }).replace("\toption interface 'wan'\n", "\tlist interface 'wan'\n\tlist interface 'wanb'\n");
  w.writeConfig(configText([section]));
  w.fake.expect(dyndnsStep('home.example.com', WAN, `good ${WAN}`));
  const { daemon, clock } = await startDaemon(t, w);
  await until(() => w.fake.received.length === 1, 'the start-up update');
  await quiesce(daemon, clock);
  return { w, m, daemon, clock };
}

/** The address each request carried (dyndns2 myip), checked against the address it came from. */
function sent(w: World): string[] {
  return w.fake.received.map((r) => {
    const myip = r.query.get('myip') ?? '';
    return r.remote === myip ? myip : `${myip} sent from ${r.remote}`;
  });
}

t.test('mwan3: wan offline → one request with wanb on the event; wan online → one with wan', async (t) => {
  const { w, m, daemon, clock } = await twoWans(t);
  let st = daemon.status().services[0];
  t.equal(st.active_interface, 'wan');
  t.same(st.interfaces, ['wan', 'wanb']);
  t.match(st.wans, [{ name: 'wan', active: true, usable: true, mwan3: 'online' }, { name: 'wanb', active: false, usable: true }]);

  w.fake.expect(dyndnsStep('home.example.com', WANB, `good ${WANB}`));
  const at = clock.now();
  await m.track('wan', false);
  await until(() => w.fake.received.length === 2, 'the failover request');
  t.equal(clock.now(), at, 'sent on the event: no simulated time passed');
  await quiesce(daemon, clock);
  t.same(sent(w), [WAN, WANB], 'exactly one request, with wanb\'s address');
  st = daemon.status().services[0];
  t.equal(st.active_interface, 'wanb');
  t.match(st.active_reason, /wan: offline \(mwan3\); wanb: up, 127\.0\.0\.3/);
  t.match(st.records[0], { registered: WANB, state: 'ok' });

  await clock.advance(60_000);
  await quiesce(daemon, clock);
  t.equal(w.fake.received.length, 2, 'a minute later: nothing more');

  w.fake.expect(dyndnsStep('home.example.com', WAN, `good ${WAN}`));
  const back = clock.now();
  await m.track('wan', true);
  await until(() => w.fake.received.length === 3, 'the failback request');
  t.equal(clock.now(), back, 'failback on the event too');
  await quiesce(daemon, clock);
  t.same(sent(w), [WAN, WANB, WAN], 'one request with wan\'s address');
  t.equal(daemon.status().services[0].active_interface, 'wan');
  w.fake.assertDone(t);
});

t.test('10 down/up flaps a second for 5 s cost at most 2 requests', async (t) => {
  const { w, m, daemon, clock } = await twoWans(t);
  w.fake.expect(dyndnsStep('home.example.com', WANB, `good ${WANB}`), dyndnsStep('home.example.com', WAN, `good ${WAN}`));
  for (let i = 0; i < 50; i++) {
    await m.track('wan', false);
    await quiesce(daemon, clock, 1);
    await clock.advance(50);
    await m.track('wan', true);
    await quiesce(daemon, clock, 1);
    await clock.advance(50);
  }
  // The hold-down ended with the last step: let that check finish before time jumps (ubus timeouts run on this clock).
  await quiesce(daemon, clock);
  await clock.advance(60_000);
  await quiesce(daemon, clock);
  const flapRequests = w.fake.received.length - 1;
  t.ok(flapRequests <= 2, `${flapRequests} requests for 100 events`);
  t.same(sent(w).slice(1), [WANB, WAN], 'failover at the first flap, failback when the hold-down ended');
  t.equal(daemon.status().services[0].active_interface, 'wan', 'wan is active again at the end');
  t.equal(daemon.status().services[0].records[0].registered, WAN);
});

t.test('without mwan3: netifd ifdown fails over, ifup fails back', async (t) => {
  const { w, daemon, clock } = await twoWans(t, {}, false);
  w.fake.expect(dyndnsStep('home.example.com', WANB, `good ${WANB}`));
  w.netifd.setDown('wan');
  await w.netifd.announce('wan', 'interface.down');
  await until(() => w.fake.received.length === 2, 'the failover request');
  await quiesce(daemon, clock);
  t.match(daemon.status().services[0].active_reason, /wan: down/);
  await clock.advance(10_000);
  w.fake.expect(dyndnsStep('home.example.com', WAN, `good ${WAN}`));
  w.netifd.setAddress('wan', WAN);
  await w.netifd.announce('wan');
  await until(() => w.fake.received.length === 3, 'the failback request');
  await quiesce(daemon, clock);
  t.same(sent(w), [WAN, WANB, WAN]);
  w.fake.assertDone(t);
});

t.test('hotplug events alone (no mwan3 object on the bus) are followed', async (t) => {
  const { w, m, daemon, clock } = await twoWans(t, {}, false);
  w.fake.expect(dyndnsStep('home.example.com', WANB, `good ${WANB}`));
  await m.hotplugEvent('wan', 'disconnected');
  await until(() => w.fake.received.length === 2, 'the failover request');
  await quiesce(daemon, clock);
  t.equal(daemon.status().services[0].active_interface, 'wanb');
  w.fake.assertDone(t);
});

t.test('a service with one interface behaves as before', async (t) => {
  const w = await makeWorld(t);
  const m = await FakeMwan3.start(w.broker.socketPath, ['wan']);
  t.teardown(() => m.close());
  w.writeConfig(configText([serviceSection('home', w.fake.url)]));
  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.7', 'good 203.0.113.7'));
  const { daemon, clock } = await startDaemon(t, w);
  await until(() => w.fake.received.length === 1, 'the start-up update');
  await quiesce(daemon, clock);
  t.equal(w.fake.received[0].remote, '127.0.0.1', 'not bound: one interface and no bind option');
  const calls = m.statusCalls;
  await m.track('wan', false);
  w.netifd.setDown('wan');
  await w.netifd.announce('wan', 'interface.down');
  await quiesce(daemon, clock);
  await clock.advance(3600_000);
  await quiesce(daemon, clock);
  t.equal(w.fake.received.length, 1, 'disconnected, ifdown and an hour: no request');
  t.equal(m.statusCalls, calls, 'mwan3 is never asked');
  const st = daemon.status().services[0];
  t.same([st.interfaces, st.active_interface, st.wans, st.active_reason], [['wan'], 'wan', [], '']);
  t.notOk(w.lines.some((l) => /active WAN/.test(l)), 'no WAN choice in the log');
  w.fake.assertDone(t);
});
