import t from 'tap';
import { networkSource } from '../../src/detect/network';
import { UbusClient } from '../../src/ubus';
import { nullLogger } from '../../src/util/log';
import { TestBroker } from '../support/ubus-broker';

/**
 * The network source over the real ubus wire: a fake netifd publishes `network.interface.*`
 * objects on the test broker, and the source asks through a real UbusClient. This checks the
 * shapes survive blobmsg (bools, u32 masks and lifetimes, nested tables) and that a missing
 * object becomes the sentence the user sees.
 */

const STATUS: Record<string, Record<string, unknown>> = {
  wan: {
    up: true, pending: false, available: true, autostart: true, dynamic: false, uptime: 86400,
    l3_device: 'pppoe-wan', proto: 'pppoe', device: 'eth1', metric: 0,
    'ipv4-address': [{ address: '100.72.5.6', mask: 32, ptpaddress: '100.64.0.1' }],
    data: { zone: 'wan' },
  },
  wan6: {
    up: true, pending: false, available: true, autostart: true, l3_device: 'pppoe-wan', proto: 'dhcpv6', device: '@wan',
    'ipv6-address': [{ address: 'fe80::1', mask: 64 }],
    'ipv6-prefix': [{ address: '2001:db8:100::', mask: 56, preferred: 3500, valid: 7100, class: 'wan6', assigned: { lan: { address: '2001:db8:100:20::', mask: 64 } } }],
  },
  lan: { up: false, pending: false, available: true, autostart: true, proto: 'static', device: 'br-lan' },
};

t.test('network source through the test broker', async (t) => {
  const broker = await TestBroker.start();
  t.teardown(() => broker.close());
  const netifd = await UbusClient.connect({ socketPath: broker.socketPath });
  const ddnsd = await UbusClient.connect({ socketPath: broker.socketPath });
  t.teardown(() => { netifd.close(); ddnsd.close(); });
  const asked: string[] = [];
  for (const [name, status] of Object.entries(STATUS)) {
    await netifd.addObject(`network.interface.${name}`, {
      status: {
        handler: (args) => {
          asked.push(name);
          t.same(args, {}, 'status takes no arguments');
          return status;
        },
      },
    });
  }
  const call = (o: string, m: string, a: Record<string, unknown>) => ddnsd.call(o, m, a);
  const ctx = { log: nullLogger };
  const src = (over: Partial<Parameters<typeof networkSource>[0]> = {}) =>
    networkSource({ network: 'wan', network6: 'wan6', allowPrivate: false, ipv6: { mode: 'auto' }, ...over }, { call, kernelAddresses: async () => undefined });

  const v4 = await src().detect(4, ctx);
  t.equal(v4.address, undefined);
  t.match(v4.warnings[0], /^CGNAT: wan has 100\.72\.5\.6/);

  const auto6 = await src().detect(6, ctx);
  t.match(auto6.error, /fe80::1 \(link-local.*set ip6_mode prefix/);

  const pd = await src({ ipv6: { mode: 'prefix', suffix: '::abc' } }).detect(6, ctx);
  t.equal(pd.address, '2001:db8:100:20::abc');
  t.match(pd.candidates[0].reason, /preferred lifetime 3500 s.*assigned to lan/);

  const down = await src({ ipv6: { mode: 'prefix', prefixInterface: 'lan' } }).detect(6, ctx);
  t.equal(down.error, 'network lan is down (proto static)');

  const missing = await src({ network: 'wan9' }).detect(4, ctx);
  t.equal(missing.error, "netifd has no network 'wan9' (no ubus object network.interface.wan9)");
  t.same(asked, ['wan', 'wan6', 'wan6', 'lan']);
});
