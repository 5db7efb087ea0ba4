import t from 'tap';
import { Mwan3Watch, readNetifd, WanFollower, type NetifdView, type RouterDeps } from '../../src/engine/wan';
import { UbusError } from '../../src/ubus/errors';
import { UbusStatus } from '../../src/ubus/status';
import { FakeClock } from '../../src/util/clock';
import { nullLogger } from '../../src/util/log';
import { makeService } from './helpers';
import type { Detection, Family } from '../../src/detect/types';

/** The WAN choice alone: priority order, mwan3's verdicts, hold-down. The end-to-end runs are in test/integration/multiwan.test.ts. */

function setup(holddownMs = 5000, source: 'network' | 'web' = 'network') {
  const clock = new FakeClock();
  const netifd = new Map<string, NetifdView>([
    ['wan', { up: true, addresses: { 4: '192.0.2.1' } }],
    ['wanb', { up: true, addresses: { 4: '192.0.2.2' } }],
  ]);
  const mwan3 = new Map<string, string>();
  const wakes: string[] = [];
  const deps: RouterDeps = {
    clock,
    log: nullLogger,
    netifd: async (n) => netifd.get(n) ?? { up: false, addresses: {}, error: `netifd has no network '${n}'` },
    mwan3: async () => mwan3,
    sourceFor: (iface) => ({
      kind: 'network',
      signalsChanges: true,
      detect: async (family: Family): Promise<Detection> => {
        const a = netifd.get(iface)?.addresses[family];
        return { family, address: netifd.get(iface)?.up ? a : undefined, candidates: [], warnings: [], error: a ? undefined : `no IPv${family} address on network ${iface}` };
      },
    }),
    wake: (why) => wakes.push(why),
  };
  const service = makeService({ interfaces: ['wan', 'wanb'], holddownMs, source, bindWan: true });
  return { clock, netifd, mwan3, wakes, f: new WanFollower(service, deps) };
}

t.test('priority order, then hold-down between switches', async (t) => {
  const { clock, netifd, wakes, f } = setup();
  let r = await f.route([4]);
  t.same([r.interface, r.bind?.[4]], ['wan', '192.0.2.1']);
  t.equal((await r.source!.detect(4, { log: nullLogger })).address, '192.0.2.1', 'the check reuses the probe');
  netifd.set('wan', { up: false, addresses: {}, error: 'down' });
  r = await f.route([4]);
  t.same([r.interface, r.bind?.[4]], ['wanb', '192.0.2.2'], 'failover at once');
  t.match(f.status(), { active: 'wanb', reason: 'wan: down; wanb: up, 192.0.2.2', since: clock.now() });
  await clock.advance(1000);
  netifd.set('wan', { up: true, addresses: { 4: '192.0.2.1' } });
  r = await f.route([4]);
  t.equal(r.interface, 'wanb', 'back within the hold-down: stays');
  t.match(f.status().reason, /^hold-down: wan is wanted/);
  await clock.advance(3999);
  t.same(wakes, []);
  await clock.advance(1);
  t.same(wakes, ['hold-down over'], 'woken when the hold-down ends');
  t.equal((await f.route([4])).interface, 'wan');
  netifd.set('wan', { up: false, addresses: {} });
  netifd.set('wanb', { up: false, addresses: {} });
  await clock.advance(10_000);
  r = await f.route([4]);
  t.equal(r.interface, 'wan', 'nothing usable: keeps the active one');
  t.match(f.status().reason, /^no WAN is usable/);
  t.match(r.bind, { missing: /WAN wan has no address/ }, 'binding says why instead of leaving unbound');
  f.stop();
});

t.test('a wanted switch that becomes unwanted cancels the wake-up', async (t) => {
  const { clock, netifd, wakes, f } = setup();
  await f.route([4]);
  netifd.set('wan', { up: false, addresses: {} });
  await f.route([4]);
  netifd.set('wan', { up: true, addresses: { 4: '192.0.2.1' } });
  await f.route([4]);
  netifd.set('wan', { up: false, addresses: {} });
  await f.route([4]);
  await clock.advance(60_000);
  t.same(wakes, [], 'wan went down again before the hold-down ended');
});

t.test("mwan3's states", async (t) => {
  const { mwan3, f, clock } = setup(0);
  for (const [state, usable] of [['online', true], ['disconnecting', true], ['offline', false], ['connecting', false], ['disabled', true], ['unknown', true], ['', true]] as const) {
    mwan3.set('wan', state);
    await clock.advance(1);
    const r = await f.route([4]);
    t.equal(r.interface === 'wan', usable, `${state || 'not tracked'}: ${usable ? 'usable' : 'not usable'}`);
  }
});

t.test('other sources: up with an address is usable; the source is left alone', async (t) => {
  const { netifd, f } = setup(5000, 'web');
  netifd.set('wan', { up: true, addresses: {} });
  const r = await f.route([4]);
  t.same([r.interface, r.source], ['wanb', undefined]);
  t.match(f.status().wans, [{ name: 'wan', usable: false, reason: 'up but without an address' }, { name: 'wanb', usable: true, active: true }]);
});

t.test('Mwan3Watch: the ubus status wins; events when mwan3 is not on the bus', async (t) => {
  const events = new Mwan3Watch(async () => {
    throw new UbusError(UbusStatus.NOT_FOUND);
  });
  events.note('wan', 'disconnected');
  events.note('wanb', 'connected');
  events.note('wanb', 'ifup');
  t.same([...(await events.statuses())], [['wan', 'offline'], ['wanb', 'online']]);
  const asked: unknown[] = [];
  const status = new Mwan3Watch(async (o, m, a) => {
    asked.push([o, m, a]);
    return { interfaces: { wan: { status: 'online', enabled: true }, wanb: { status: 'offline', enabled: false }, x: 'junk' } };
  });
  status.note('wan', 'disconnected');
  t.same([...(await status.statuses())], [['wan', 'online']], 'disabled interfaces and junk are left out');
  t.same(asked, [['mwan3', 'status', { section: 'interfaces' }]]);
});

t.test('readNetifd', async (t) => {
  t.same(await readNetifd(async () => ({ up: true, 'ipv4-address': [{ address: '192.0.2.9', mask: 24 }], 'ipv6-address': [] }), 'wan'), { up: true, addresses: { 4: '192.0.2.9', 6: undefined } });
  t.match(await readNetifd(async () => {
    throw new UbusError(UbusStatus.NOT_FOUND);
  }, 'wanc'), { up: false, error: "netifd has no network 'wanc'" });
  t.match(await readNetifd(async () => ({ up: false }), 'wan'), { up: false, error: 'down' });
});
