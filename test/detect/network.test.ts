import t, { type Test } from 'tap';
import type { Ipv6Selection } from '../../src/config/types';
import type { KernelAddress } from '../../src/detect/interface';
import { networkSource, type UbusCall } from '../../src/detect/network';
import type { Detection } from '../../src/detect/types';
import { nullLogger } from '../../src/util/log';

/**
 * Table tests over netifd `status` shapes (openwrt-integration.md §2.3). The fake bus answers
 * only `status` on `network.interface.<name>` with no arguments, fails the test on anything
 * else, and records every call so each case also checks which networks were asked.
 */

type Statuses = Record<string, unknown>;

function fakeBus(t: Test, statuses: Statuses) {
  const calls: string[] = [];
  const call: UbusCall = async (object, method, args) => {
    calls.push(object);
    t.equal(method, 'status', `method on ${object}`);
    t.same(args, {}, `args to ${object}`);
    const name = object.replace(/^network\.interface\./, '');
    if (!object.startsWith('network.interface.') || !(name in statuses)) {
      throw Object.assign(new Error('Not found'), { status: 4 });
    }
    const s = statuses[name];
    if (s instanceof Error) throw s;
    return s as Record<string, unknown>;
  };
  return { call, calls };
}

const up = (fields: Record<string, unknown>) => ({
  up: true, pending: false, available: true, autostart: true, dynamic: false, uptime: 86400,
  proto: 'dhcpv6', device: 'eth1', l3_device: 'eth1', ...fields,
});

const auto: Ipv6Selection = { mode: 'auto' };
const k = (address: string, flags: number, device = 'eth1', prefixLength = 64): KernelAddress => ({ address, flags, device, prefixLength });

interface Case {
  name: string;
  statuses: Statuses;
  family: 4 | 6;
  ipv6?: Ipv6Selection;
  allowPrivate?: boolean;
  kernel?: KernelAddress[];
  asked: string[];
  address?: string;
  /** [address, kept, reason pattern] for every candidate, in order. */
  candidates?: [string, boolean, RegExp][];
  error?: RegExp;
  warnings?: RegExp[];
}

const cases: Case[] = [
  {
    name: 'PPPoE IPv4 from the reference shape',
    family: 4,
    statuses: {
      wan: up({ proto: 'pppoe', device: 'eth1', l3_device: 'pppoe-wan', 'ipv4-address': [{ address: '203.0.113.7', mask: 32, ptpaddress: '198.51.100.1' }] }),
    },
    asked: ['network.interface.wan'],
    address: '203.0.113.7',
    candidates: [['203.0.113.7', true, /^chosen: documentation.*only usable address/]],
    warnings: [],
  },
  {
    name: 'CGNAT WAN: no address, a warning the user can act on',
    family: 4,
    statuses: { wan: up({ proto: 'dhcp', 'ipv4-address': [{ address: '100.80.1.2', mask: 10 }] }) },
    asked: ['network.interface.wan'],
    candidates: [['100.80.1.2', false, /carrier-grade NAT.*upd_privateip/]],
    error: /^no usable IPv4 address on network wan: 100\.80\.1\.2 \(carrier-grade NAT/,
    warnings: [/^CGNAT: wan has 100\.80\.1\.2.*Ask your ISP for a public IPv4 address/],
  },
  {
    name: 'CGNAT WAN with upd_privateip: published, still warned',
    family: 4,
    allowPrivate: true,
    statuses: { wan: up({ proto: 'dhcp', 'ipv4-address': [{ address: '100.80.1.2', mask: 10 }] }) },
    asked: ['network.interface.wan'],
    address: '100.80.1.2',
    warnings: [/^CGNAT:/],
  },
  {
    name: 'double NAT: private WAN address',
    family: 4,
    statuses: { wan: up({ proto: 'dhcp', 'ipv4-address': [{ address: '192.168.178.20', mask: 24 }] }) },
    asked: ['network.interface.wan'],
    error: /private \(RFC 1918/,
    warnings: [/^Private WAN address: wan has 192\.168\.178\.20/],
  },
  {
    name: 'public and private on one WAN: public, no warning',
    family: 4,
    statuses: { wan: up({ proto: 'static', 'ipv4-address': [{ address: '10.0.0.2', mask: 8 }, { address: '198.51.100.77', mask: 24 }] }) },
    asked: ['network.interface.wan'],
    address: '198.51.100.77',
    candidates: [['10.0.0.2', false, /private/], ['198.51.100.77', true, /^chosen/]],
    warnings: [],
  },
  {
    name: 'down interface',
    family: 4,
    statuses: { wan: { up: false, pending: true, available: true, autostart: true, proto: 'pppoe', device: 'eth1', errors: [{ subsystem: 'pppoe', code: 'AUTH_FAILED' }] } },
    asked: ['network.interface.wan'],
    error: /^network wan is down \(proto pppoe, still connecting\) netifd reports: AUTH_FAILED$/,
  },
  {
    name: 'no such network',
    family: 4,
    statuses: {},
    asked: ['network.interface.wan'],
    error: /^netifd has no network 'wan' \(no ubus object network\.interface\.wan\)$/,
  },
  {
    name: 'bus failure',
    family: 4,
    statuses: { wan: new Error('connection reset') },
    asked: ['network.interface.wan'],
    error: /^ubus call network\.interface\.wan status failed: connection reset$/,
  },
  {
    name: 'garbage: status is a list',
    family: 4,
    statuses: { wan: [1, 2] },
    asked: ['network.interface.wan'],
    error: /status returned a list, not an object/,
  },
  {
    name: 'garbage: no up field',
    family: 4,
    statuses: { wan: { proto: 'dhcp' } },
    asked: ['network.interface.wan'],
    error: /has no true\/false 'up' field/,
  },
  {
    name: 'up as 0/1 (a blobmsg bool mapped to a number) is understood',
    family: 4,
    statuses: { wan: { ...up({ 'ipv4-address': [{ address: '198.51.100.8', mask: 24 }] }), up: 1 }, wan6: { up: 0 } },
    asked: ['network.interface.wan'],
    address: '198.51.100.8',
  },
  {
    name: 'garbage: up is a string',
    family: 4,
    statuses: { wan: { up: 'yes' } },
    asked: ['network.interface.wan'],
    error: /has no true\/false 'up' field/,
  },
  {
    name: 'garbage: ipv4-address is a string',
    family: 4,
    statuses: { wan: up({ 'ipv4-address': '203.0.113.1' }) },
    asked: ['network.interface.wan'],
    error: /^network\.interface\.wan status: 'ipv4-address' is string, not a list$/,
  },
  {
    name: 'garbage entries are dropped with a reason, good ones still used',
    family: 4,
    statuses: { wan: up({ 'ipv4-address': [42, { mask: 24 }, { address: 7 }, { address: '198.51.100.3' }] }) },
    asked: ['network.interface.wan'],
    address: '198.51.100.3',
    candidates: [['42', false, /malformed ipv4-address entry/], ['{"mask":24}', false, /malformed/], ['{"address":7}', false, /malformed/], ['198.51.100.3', true, /chosen/]],
  },
  {
    name: 'up but no address list at all',
    family: 4,
    statuses: { wan: up({}) },
    asked: ['network.interface.wan'],
    error: /^no usable IPv4 address on network wan: none found$/,
  },
  // ---- IPv6, mode auto: wan6's own addresses ----
  {
    name: 'IPv6: ULA and link-local skipped, global chosen',
    family: 6,
    statuses: {
      wan6: up({ 'ipv6-address': [
        { address: 'fd4c:9e1a:77::1', mask: 64, preferred: 7200, valid: 7200 },
        { address: 'fe80::1', mask: 64 },
        { address: '2001:db8:5::17', mask: 128, preferred: 1800, valid: 3600 },
      ] }),
    },
    asked: ['network.interface.wan6'],
    address: '2001:db8:5::17',
    candidates: [['fd4c:9e1a:77::1', false, /ULA/], ['fe80::1', false, /link-local/], ['2001:db8:5::17', true, /^chosen:.*stable, preferred lifetime 1800 s/]],
  },
  {
    name: 'IPv6: temporary address (kernel flag on the L3 device) loses to the stable one',
    family: 6,
    kernel: [k('2001:db8:5::aaaa', 0x01), k('2001:db8:5::17', 0x00)],
    statuses: {
      wan6: up({ 'ipv6-address': [
        { address: '2001:db8:5::aaaa', mask: 64, preferred: 86400, valid: 86400 },
        { address: '2001:db8:5::17', mask: 64, preferred: 3600, valid: 7200 },
      ] }),
    },
    asked: ['network.interface.wan6'],
    address: '2001:db8:5::17',
    candidates: [['2001:db8:5::aaaa', false, /temporary \(privacy\) address: a stable address is preferred/], ['2001:db8:5::17', true, /chosen/]],
  },
  {
    name: 'IPv6 over PPPoE: flags come from l3_device pppoe-wan, not device eth1',
    family: 6,
    kernel: [k('2001:db8:6::aaaa', 0x00, 'eth1'), k('2001:db8:6::aaaa', 0x01, 'pppoe-wan'), k('2001:db8:6::1', 0x00, 'pppoe-wan')],
    statuses: {
      wan6: up({ proto: 'dhcpv6', device: '@wan', l3_device: 'pppoe-wan', 'ipv6-address': [
        { address: '2001:db8:6::aaaa', mask: 64, preferred: 3000 },
        { address: '2001:db8:6::1', mask: 64, preferred: 1000 },
      ] }),
    },
    asked: ['network.interface.wan6'],
    address: '2001:db8:6::1',
    candidates: [['2001:db8:6::aaaa', false, /temporary/], ['2001:db8:6::1', true, /chosen/]],
  },
  {
    name: 'IPv6: deprecated address (preferred 0, old prefix after renumbering) loses',
    family: 6,
    statuses: {
      wan6: up({ 'ipv6-address': [
        { address: '2001:db8:1::5', mask: 64, preferred: 0, valid: 5000 },
        { address: '2001:db8:2::5', mask: 64, preferred: 600, valid: 5000 },
      ] }),
    },
    asked: ['network.interface.wan6'],
    address: '2001:db8:2::5',
    candidates: [['2001:db8:1::5', false, /^deprecated \(preferred lifetime 0\): a stable address is preferred/], ['2001:db8:2::5', true, /chosen/]],
  },
  {
    name: 'IPv6: several global addresses, the longest preferred lifetime wins; no expiry beats all',
    family: 6,
    statuses: {
      wan6: up({ 'ipv6-address': [
        { address: '2001:db8:1::5', mask: 64, preferred: 1200, valid: 5000 },
        { address: '2001:db8:2::5', mask: 64, preferred: 4000, valid: 5000 },
        { address: '2001:db8:3::5', mask: 64 },
      ] }),
    },
    asked: ['network.interface.wan6'],
    address: '2001:db8:3::5',
    candidates: [['2001:db8:1::5', false, /1200 s, shorter than.*no expiry/], ['2001:db8:2::5', false, /4000 s, shorter/], ['2001:db8:3::5', true, /no expiry/]],
  },
  {
    name: 'IPv6 auto with only a delegated prefix: hint to use prefix mode',
    family: 6,
    statuses: {
      wan6: up({ 'ipv6-address': [], 'ipv6-prefix': [{ address: '2001:db8:100::', mask: 56, preferred: 3500, valid: 7100, class: 'wan6', assigned: { lan: { address: '2001:db8:100::', mask: 64 } } }] }),
    },
    asked: ['network.interface.wan6'],
    error: /^no usable IPv6 address on network wan6: none found\. wan6 has a delegated prefix but no global address of its own: set ip6_mode prefix/,
  },
  {
    name: 'IPv6 down',
    family: 6,
    statuses: { wan6: { up: false, pending: false, available: true, autostart: true, proto: 'dhcpv6' } },
    asked: ['network.interface.wan6'],
    error: /^network wan6 is down \(proto dhcpv6\)$/,
  },
  // ---- IPv6, mode prefix: a LAN host behind the router ----
  {
    name: 'delegated prefix + suffix: the part assigned to lan, plus ::1234',
    family: 6,
    ipv6: { mode: 'prefix', suffix: '::1234' },
    statuses: {
      wan6: up({ 'ipv6-prefix': [{ address: '2001:db8:100::', mask: 56, preferred: 3500, valid: 7100, class: 'wan6', assigned: { lan: { address: '2001:db8:100:10::', mask: 64 } } }] }),
    },
    asked: ['network.interface.wan6'],
    address: '2001:db8:100:10::1234',
    candidates: [['2001:db8:100:10::1234', true, /^chosen:.*preferred lifetime 3500 s.*delegated prefix 2001:db8:100::\/56, assigned to lan, prefix 2001:db8:100:10::\/64 \+ suffix ::1234/]],
  },
  {
    name: 'delegated prefix without assignment + interface id with a subnet part',
    family: 6,
    ipv6: { mode: 'prefix', suffix: '::3:0:0:0:42' },
    statuses: { wan6: up({ 'ipv6-prefix': [{ address: '2001:db8:100::', mask: 56, preferred: 3500, valid: 7100, class: 'wan6' }] }) },
    asked: ['network.interface.wan6'],
    address: '2001:db8:100:3::42',
  },
  {
    name: 'several delegated prefixes: the deprecated old one loses to the new one',
    family: 6,
    ipv6: { mode: 'prefix', suffix: 'a:b:c:d' },
    statuses: {
      wan6: up({ 'ipv6-prefix': [
        { address: '2001:db8:aaaa::', mask: 56, preferred: 0, valid: 3000, class: 'wan6', assigned: { lan: { address: '2001:db8:aaaa::', mask: 64 } } },
        { address: '2001:db8:bbbb::', mask: 56, preferred: 3500, valid: 7100, class: 'wan6', assigned: { lan: { address: '2001:db8:bbbb::', mask: 64 } } },
      ] }),
    },
    asked: ['network.interface.wan6'],
    address: '2001:db8:bbbb:0:a:b:c:d',
    candidates: [['2001:db8:aaaa:0:a:b:c:d', false, /^deprecated/], ['2001:db8:bbbb:0:a:b:c:d', true, /chosen/]],
  },
  {
    name: 'lan assignments, no suffix: the router\'s own global address; ULA assignment skipped',
    family: 6,
    ipv6: { mode: 'prefix', prefixInterface: 'lan' },
    statuses: {
      lan: up({ proto: 'static', device: 'br-lan', l3_device: 'br-lan', 'ipv6-prefix-assignment': [
        { address: 'fd4c:9e1a:77::', mask: 60, 'local-address': { address: 'fd4c:9e1a:77::1', mask: 60 } },
        { address: '2001:db8:100::', mask: 64, preferred: 3500, valid: 7100, 'local-address': { address: '2001:db8:100::1', mask: 64 } },
      ] }),
    },
    asked: ['network.interface.lan'],
    address: '2001:db8:100::1',
    candidates: [['fd4c:9e1a:77::1', false, /ULA/], ['2001:db8:100::1', true, /chosen:.*the router's own address in prefix 2001:db8:100::\/64/]],
  },
  {
    name: 'lan assignment not enabled yet (empty local-address): dropped with a reason',
    family: 6,
    ipv6: { mode: 'prefix', prefixInterface: 'lan' },
    statuses: { lan: up({ 'ipv6-prefix-assignment': [{ address: '2001:db8:100::', mask: 64, preferred: 10, valid: 20, 'local-address': {} }] }) },
    asked: ['network.interface.lan'],
    candidates: [['2001:db8:100::/64', false, /^prefix 2001:db8:100::\/64 has no local-address/]],
    error: /^no usable IPv6 address from the prefixes of network lan/,
  },
  {
    name: 'lan assignment + suffix',
    family: 6,
    ipv6: { mode: 'prefix', prefixInterface: 'lan', suffix: '::be:ef' },
    statuses: {
      lan: up({ device: 'br-lan', 'ipv6-prefix-assignment': [
        { address: '2001:db8:100::', mask: 64, preferred: 3500, valid: 7100, 'local-address': { address: '2001:db8:100::1', mask: 64 } },
      ] }),
    },
    asked: ['network.interface.lan'],
    address: '2001:db8:100::be:ef',
  },
  {
    name: 'suffix overlapping the prefix is refused with a reason',
    family: 6,
    ipv6: { mode: 'prefix', suffix: '::1:0:0:0:1' },
    statuses: { wan6: up({ 'ipv6-prefix': [{ address: '2001:db8:100::', mask: 64, preferred: 1, valid: 1, assigned: {} }] }) },
    asked: ['network.interface.wan6'],
    candidates: [['2001:db8:100::/64', false, /suffix ::1:0:0:0:1 has bits inside the prefix/]],
    error: /^no usable IPv6 address from the prefixes of network wan6/,
  },
  {
    name: 'prefix mode without suffix or LAN network: configuration error, nothing asked',
    family: 6,
    ipv6: { mode: 'prefix' },
    statuses: {},
    asked: [],
    error: /ip6_mode prefix needs ip6_suffix/,
  },
  {
    name: 'no delegated prefix',
    family: 6,
    ipv6: { mode: 'prefix', suffix: '::1' },
    statuses: { wan6: up({ 'ipv6-prefix': [] }) },
    asked: ['network.interface.wan6'],
    error: /^network wan6 has no delegated prefix/,
  },
  {
    name: 'lan without assignment',
    family: 6,
    ipv6: { mode: 'prefix', prefixInterface: 'lan' },
    statuses: { lan: up({}) },
    asked: ['network.interface.lan'],
    error: /^network lan has no IPv6 prefix assigned.*ip6assign/,
  },
  {
    name: 'garbage prefix list',
    family: 6,
    ipv6: { mode: 'prefix', suffix: '::1' },
    statuses: { wan6: up({ 'ipv6-prefix': { address: '2001:db8::' } }) },
    asked: ['network.interface.wan6'],
    error: /'ipv6-prefix' is object, not a list/,
  },
  {
    name: 'bad suffix text',
    family: 6,
    ipv6: { mode: 'prefix', suffix: 'host' },
    statuses: { wan6: up({ 'ipv6-prefix': [{ address: '2001:db8:100::', mask: 56 }] }) },
    asked: ['network.interface.wan6'],
    error: /^ip6_suffix 'host' is not an IPv6 host part/,
  },
];

function check(t: Test, c: Case, d: Detection) {
  t.equal(d.family, c.family);
  t.equal(d.address, c.address, 'address');
  if (c.address) t.notOk(d.error, 'no error with an address');
  if (c.error) t.match(d.error, c.error, 'error');
  else t.equal(d.error, undefined, 'no error');
  if (c.candidates) {
    t.same(d.candidates.map((x) => [x.address, x.kept]), c.candidates.map(([a, kept]) => [a, kept]), 'candidates');
    c.candidates.forEach(([, , re], i) => t.match(d.candidates[i]?.reason, re, `reason ${i}`));
    for (const x of d.candidates) t.match(x.origin, /^network:(wan6?|lan)$/);
  }
  if (c.warnings) {
    t.equal(d.warnings.length, c.warnings.length, 'warning count');
    c.warnings.forEach((re, i) => t.match(d.warnings[i], re));
  }
}

for (const c of cases) {
  t.test(c.name, async (t) => {
    const bus = fakeBus(t, c.statuses);
    const src = networkSource(
      { network: 'wan', network6: 'wan6', allowPrivate: c.allowPrivate ?? false, ipv6: c.ipv6 ?? auto },
      { call: bus.call, kernelAddresses: async () => c.kernel },
    );
    t.equal(src.kind, 'network');
    t.equal(src.signalsChanges, true);
    check(t, c, await src.detect(c.family, { log: nullLogger }));
    t.same(bus.calls, c.asked, 'networks asked');
  });
}

t.test('without kernel flags the temporary address cannot be told apart (first-listed wins ties only by lifetime)', async (t) => {
  const bus = fakeBus(t, { wan6: up({ 'ipv6-address': [{ address: '2001:db8:5::aaaa', preferred: 86400 }, { address: '2001:db8:5::17', preferred: 3600 }] }) });
  const src = networkSource({ network: 'wan', network6: 'wan6', allowPrivate: false, ipv6: auto }, { call: bus.call, kernelAddresses: async () => undefined });
  t.equal((await src.detect(6, { log: nullLogger })).address, '2001:db8:5::aaaa');
});
