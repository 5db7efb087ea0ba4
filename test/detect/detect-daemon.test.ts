import t from 'tap';
import { UbusClient } from '../../src/ubus';
import { configText, makeWorld, serviceSection, startDaemon } from '../integration/world';

/**
 * IPv6 selection as the user sees it: `ubus call ddnsd detect` on the in-process daemon (real
 * broker, config loader and network source) over netifd status shapes, each choice with its
 * reasons. Services are disabled so nothing is sent to a provider; detect works on them anyway.
 */

const WAN6 = {
  up: true, pending: false, available: true, autostart: true, proto: 'dhcpv6', device: '@wan', l3_device: 'pppoe-wan',
  'ipv6-address': [
    { address: 'fe80::5', mask: 64 },
    { address: 'fd4c:9e1a:77::5', mask: 64, preferred: 86400, valid: 86400 },
    { address: '2001:db8:aaaa::5', mask: 64, preferred: 0, valid: 900 },
    { address: '2001:db8:bbbb::5', mask: 64, preferred: 1200, valid: 7200 },
    { address: '2001:db8:cccc::5', mask: 64, preferred: 3600, valid: 7200 },
  ],
  'ipv6-prefix': [
    { address: '2001:db8:aaaa:100::', mask: 56, preferred: 0, valid: 900, class: 'wan6', assigned: { lan: { address: '2001:db8:aaaa:100::', mask: 64 } } },
    { address: '2001:db8:cccc:100::', mask: 56, preferred: 3600, valid: 7200, class: 'wan6', assigned: { lan: { address: '2001:db8:cccc:10a::', mask: 64 } } },
  ],
};

const LAN = {
  up: true, pending: false, available: true, autostart: true, proto: 'static', device: 'br-lan', l3_device: 'br-lan',
  'ipv6-prefix-assignment': [
    { address: 'fd4c:9e1a:77::', mask: 60, 'local-address': { address: 'fd4c:9e1a:77::1', mask: 60 } },
    { address: '2001:db8:cccc:10a::', mask: 64, preferred: 3600, valid: 7200, 'local-address': { address: '2001:db8:cccc:10a::1', mask: 64 } },
  ],
};

interface Reply { services: { service: string; detections: { family: number; address: string; error: string; warnings: string[]; candidates: { address: string; kept: boolean; reason: string }[] }[] }[] }

t.test('detect over the bus explains the IPv6 choice for each netifd shape', async (t) => {
  const w = await makeWorld(t);
  w.netifd.setAddress('wan', '100.72.1.1');
  for (const [name, status] of [['wan6', WAN6], ['lan', LAN]] as const) {
    await w.netifd.client.addObject(`network.interface.${name}`, { status: { handler: () => status } });
  }
  const off = { enabled: '0', ip_network6: 'wan6' };
  w.writeConfig(configText([
    serviceSection('auto6', w.fake.url, { ...off, ip_version: '6' }),
    serviceSection('pd', w.fake.url, { ...off, ip_version: '6', ip6_mode: 'prefix', ip6_suffix: '::1234' }),
    serviceSection('lanhost', w.fake.url, { ...off, ip_version: '6', ip6_mode: 'prefix', ip6_prefix_interface: 'lan', ip6_suffix: '::be:ef' }),
    serviceSection('v4', w.fake.url, { ...off, ip_version: '4' }),
  ]));
  await startDaemon(t, w);
  const cli = await UbusClient.connect({ socketPath: w.broker.socketPath });
  t.teardown(() => cli.close());
  const detect = async (service: string) => ((await cli.call('ddnsd', 'detect', { service })) as unknown as Reply).services[0].detections[0];

  const auto = await detect('auto6');
  t.equal(auto.address, '2001:db8:cccc::5');
  t.same(auto.candidates.map((c) => [c.address, c.kept]), [
    ['fe80::5', false], ['fd4c:9e1a:77::5', false], ['2001:db8:aaaa::5', false], ['2001:db8:bbbb::5', false], ['2001:db8:cccc::5', true],
  ]);
  t.match(auto.candidates[0].reason, /link-local/);
  t.match(auto.candidates[1].reason, /ULA/);
  t.match(auto.candidates[2].reason, /deprecated/);
  t.match(auto.candidates[3].reason, /1200 s, shorter/);
  t.match(auto.candidates[4].reason, /^chosen: .*preferred lifetime 3600 s/);

  const pd = await detect('pd');
  t.equal(pd.address, '2001:db8:cccc:10a::1234');
  t.match(pd.candidates[0].reason, /^deprecated/);
  t.match(pd.candidates[1].reason, /^chosen: .*delegated prefix 2001:db8:cccc:100::\/56, assigned to lan, prefix 2001:db8:cccc:10a::\/64 \+ suffix ::1234/);

  const lanhost = await detect('lanhost');
  t.equal(lanhost.address, '2001:db8:cccc:10a::be:ef');
  t.same(lanhost.candidates.map((c) => c.kept), [false, true]);
  t.match(lanhost.candidates[0].reason, /ULA/);

  const v4 = await detect('v4');
  t.equal(v4.address, '');
  t.match(v4.error, /carrier-grade NAT/);
  t.match(v4.warnings[0], /^CGNAT: wan has 100\.72\.1\.1/);
  t.same(w.fake.received, [], 'nothing sent to the provider');
});
