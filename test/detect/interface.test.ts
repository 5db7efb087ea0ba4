import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { interfaceSource, parseIfInet6 } from '../../src/detect/interface';
import { nullLogger } from '../../src/util/log';

const ctx = { log: nullLogger };
const dir = mkdtempSync(join(tmpdir(), 'ddnsd-if-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

// Lines in the kernel's format: address, ifindex, prefix length, scope, flags (u8), device.
const IF_INET6 = [
  'fe800000000000000211 22fffe334455 02 40 20 80 eth0', // broken line (space inside the address): skipped
  '00000000000000000000000000000001 01 80 10 80       lo',
  'fe80000000000000021122fffe334455 00000002 40 20 80     eth0',
  '20010db8000500000000000000000aaa 00000002 40 00 01     eth0', // temporary
  '20010db8000500000000000000000bbb 00000002 40 00 20     eth0', // deprecated
  '20010db8000500000211 22fffe334455 2 40 0 0 eth0',
  '20010db80005000002112233fffe4455 00000002 40 00 00     eth0', // stable SLAAC
  'fd000000000000000000000000000001 00000002 40 00 80     eth0', // ULA, static
  '20010db8000500000000000000000ccc 00000002 40 00 40     eth0', // tentative
  '20010db8000500000000000000000ddd 00000002 40 00 44     eth0', // tentative + optimistic: usable
  '20010db8000700000000000000000001 00000003 30 00 80     wlan0',
].join('\n');
const path = join(dir, 'if_inet6');
writeFileSync(path, IF_INET6);

const info = (address: string, family: 'IPv4' | 'IPv6', cidr: string): NetworkInterfaceInfo =>
  ({ address, family, cidr, netmask: '', mac: '00:11:22:33:44:55', internal: false, scopeid: 0 }) as NetworkInterfaceInfo;

const nics = () => ({
  eth0: [
    info('100.99.1.2', 'IPv4', '100.99.1.2/10'),
    info('2001:db8:5::aaa', 'IPv6', '2001:db8:5::aaa/64'),
    info('2001:db8:5::bbb', 'IPv6', '2001:db8:5::bbb/64'),
  ],
  eth1: [info('10.1.1.1', 'IPv4', '10.1.1.1/24'), info('198.51.100.20', 'IPv4', '198.51.100.20/24')],
  lo: [info('127.0.0.1', 'IPv4', '127.0.0.1/8')],
});

t.test('parseIfInet6 reads the kernel format and skips broken lines', async (t) => {
  const list = parseIfInet6(IF_INET6);
  t.equal(list.length, 9);
  t.same(list[0], { address: '::1', prefixLength: 128, flags: 0x80, device: 'lo' });
  t.same(list[8], { address: '2001:db8:7::1', prefixLength: 48, flags: 0x80, device: 'wlan0' });
  t.same(parseIfInet6('garbage\n\n1 2 3'), []);
});

t.test('IPv6 from kernel flags: temporary, deprecated, tentative, ULA and link-local lose', async (t) => {
  const src = interfaceSource({ device: 'eth0', allowPrivate: false, ipv6: { mode: 'auto' } }, { networkInterfaces: nics, ifInet6Path: path });
  t.equal(src.signalsChanges, false);
  const d = await src.detect(6, ctx);
  t.equal(d.address, '2001:db8:5:0:211:2233:fffe:4455');
  t.same(d.candidates.map((c) => [c.address, c.kept]), [
    ['fe80::211:22ff:fe33:4455', false],
    ['2001:db8:5::aaa', false],
    ['2001:db8:5::bbb', false],
    ['2001:db8:5:0:211:2233:fffe:4455', true],
    ['fd00::1', false],
    ['2001:db8:5::ccc', false],
    ['2001:db8:5::ddd', false],
  ]);
  const why = d.candidates.map((c) => c.reason);
  t.match(why[1], /temporary/);
  t.match(why[2], /deprecated/);
  t.match(why[3], /^chosen: .*stable, lifetime unknown/);
  t.match(why[4], /ULA.*configured statically/);
  t.match(why[5], /tentative/);
  t.match(why[6], /as good as the chosen address/, 'optimistic DAD counts as usable');
  t.ok(d.candidates.every((c) => c.origin === 'interface:eth0'));
});

t.test('IPv6 without /proc/net/if_inet6: os addresses, and the reason says flags are unknown', async (t) => {
  const src = interfaceSource({ device: 'eth0', allowPrivate: false, ipv6: { mode: 'auto' } }, { networkInterfaces: nics, ifInet6Path: join(dir, 'missing') });
  const d = await src.detect(6, ctx);
  t.equal(d.address, '2001:db8:5::aaa');
  t.match(d.candidates[0].reason, /kernel flags unknown/);
});

t.test('IPv6 prefix mode on a device: its prefix + the suffix', async (t) => {
  const src = interfaceSource({ device: 'wlan0', allowPrivate: false, ipv6: { mode: 'prefix', suffix: '::1:0:0:0:9' } }, { networkInterfaces: nics, ifInet6Path: path });
  const d = await src.detect(6, ctx);
  t.equal(d.address, '2001:db8:7:1::9');
  t.match(d.candidates[0].reason, /prefix 2001:db8:7::\/48 \+ suffix ::1:0:0:0:9/);
  const none = await interfaceSource({ device: 'wlan0', allowPrivate: false, ipv6: { mode: 'prefix' } }, { networkInterfaces: nics, ifInet6Path: path }).detect(6, ctx);
  t.match(none.error, /ip6_mode prefix needs ip6_suffix/);
});

t.test('IPv4: CGNAT device warns; public beats private; unknown device names the ones there are', async (t) => {
  const cg = await interfaceSource({ device: 'eth0', allowPrivate: false, ipv6: { mode: 'auto' } }, { networkInterfaces: nics, ifInet6Path: path }).detect(4, ctx);
  t.equal(cg.address, undefined);
  t.match(cg.error, /^no usable IPv4 address on device eth0: 100\.99\.1\.2 \(carrier-grade NAT/);
  t.match(cg.warnings[0], /^CGNAT: device eth0 has 100\.99\.1\.2/);
  const pub = await interfaceSource({ device: 'eth1', allowPrivate: false, ipv6: { mode: 'auto' } }, { networkInterfaces: nics }).detect(4, ctx);
  t.equal(pub.address, '198.51.100.20');
  t.same(pub.warnings, []);
  const missing = await interfaceSource({ device: 'eth9', allowPrivate: false, ipv6: { mode: 'auto' } }, { networkInterfaces: nics, ifInet6Path: path }).detect(6, ctx);
  t.equal(missing.error, "no network device 'eth9' on this system (devices: eth0, eth1, lo)");
});

t.test('the real loopback device: found, and refused as loopback', async (t) => {
  const d = await interfaceSource({ device: 'lo', allowPrivate: false, ipv6: { mode: 'auto' } }).detect(4, ctx);
  t.equal(d.address, undefined);
  t.match(d.error, /127\.0\.0\.1 \(loopback/);
  const allowed = await interfaceSource({ device: 'lo', allowPrivate: true, ipv6: { mode: 'auto' } }).detect(4, ctx);
  t.equal(allowed.address, '127.0.0.1');
});
