import t from 'tap';
import {
  classifyAddress,
  familyOf,
  formatAddress,
  inPrefix,
  joinPrefix,
  normalizeAddress,
  overlapsPrefix,
  parseAddress,
  sameAddress,
  type ParsedAddress,
} from '../../src/net/address';

const p = (s: string) => parseAddress(s) as ParsedAddress;

t.test('IPv4 parsing is strict', async (t) => {
  const good: [string, number[]][] = [
    ['0.0.0.0', [0, 0, 0, 0]],
    ['203.0.113.7', [203, 0, 113, 7]],
    ['255.255.255.255', [255, 255, 255, 255]],
  ];
  for (const [text, bytes] of good) t.same(parseAddress(text), { family: 4, bytes }, text);
  const bad = ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4 ', '1..3.4',
    '0x7f.0.0.1', '1.2.3.4/24', '<html>', '१.२.३.४'];
  for (const text of bad) t.equal(parseAddress(text), undefined, JSON.stringify(text));
});

t.test('IPv6 parsing and RFC 5952 formatting', async (t) => {
  const cases: [string, string][] = [
    ['::', '::'],
    ['::1', '::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group is not shortened
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run wins
    ['fe80::', 'fe80::'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::ffff:c000:0201', '::ffff:192.0.2.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1::', '1::'],
  ];
  for (const [text, canon] of cases) {
    t.equal(normalizeAddress(text), canon, text);
    t.equal(familyOf(text), 6);
  }
  const bad = [':', ':::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7::8:9',
    '::1.2.3', 'fe80::1%eth0', '2001:db8::/64', '1:2:3:4:5:6:7:8::'];
  for (const text of bad) t.equal(parseAddress(text), undefined, text);
  t.ok(sameAddress('2001:DB8:0::1', '2001:db8::0:1'));
  t.notOk(sameAddress('2001:db8::1', 'junk'));
});

t.test('prefix arithmetic', async (t) => {
  t.ok(inPrefix(p('2001:db8:100:7::1'), p('2001:db8:100::'), 56));
  t.notOk(inPrefix(p('2001:db8:101::1'), p('2001:db8:100::'), 56));
  t.ok(inPrefix(p('100.127.255.255'), p('100.64.0.0'), 10));
  t.notOk(inPrefix(p('100.128.0.0'), p('100.64.0.0'), 10));
  t.notOk(inPrefix(p('10.0.0.1'), p('::'), 0), 'families differ');
  t.equal(formatAddress(joinPrefix(p('2001:db8:100:0:aaaa::'), 64, p('::1234'))), '2001:db8:100::1234');
  t.equal(formatAddress(joinPrefix(p('2001:db8:100::'), 60, p('::3:0:0:0:1'))), '2001:db8:100:3::1', 'suffix carries subnet bits after /60');
  t.equal(formatAddress(joinPrefix(p('2001:db8:1ff:f0::'), 60, p('::ff:0:0:0:9'))), '2001:db8:1ff:ff::9', 'split inside a byte');
  t.notOk(overlapsPrefix(p('::1234'), 64));
  t.ok(overlapsPrefix(p('::1:0:0:0:1'), 64));
  t.notOk(overlapsPrefix(p('::1:0:0:0:1'), 48));
});

t.test('IPv4 classification table', async (t) => {
  const table: [string, string][] = [
    ['8.8.8.8', 'public'],
    ['100.63.255.255', 'public'],
    ['100.64.0.0', 'cgnat'],
    ['100.100.1.2', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.0', 'public'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.15.255.255', 'public'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.0', 'public'],
    ['192.168.1.1', 'private'],
    ['192.169.0.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.1', 'loopback'],
    ['169.254.10.20', 'link-local'],
    ['169.255.0.1', 'public'],
    ['0.0.0.0', 'this-network'],
    ['0.1.2.3', 'this-network'],
    ['192.0.0.2', 'protocol'],
    ['192.0.2.55', 'documentation'],
    ['198.51.100.1', 'documentation'],
    ['203.0.113.7', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.20.0.0', 'public'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['192.88.99.1', 'reserved'],
  ];
  for (const [addr, kind] of table) t.equal(classifyAddress(addr)?.kind, kind, addr);
  t.match(classifyAddress('100.64.1.1')?.label, /carrier-grade NAT/);
  t.match(classifyAddress('172.20.0.1')?.label, /RFC 1918/);
});

t.test('IPv6 classification table', async (t) => {
  const table: [string, string][] = [
    ['2a00:1450:4001:82b::200e', 'public'],
    ['2600::1', 'public'],
    ['3ffe::1', 'public'],
    ['2001:db8::1', 'documentation'],
    ['3fff:0:1::1', 'documentation'],
    ['2001:0:4136:e378::1', 'public'], // Teredo
    ['2002:cb00:7107::1', 'public'], // 6to4
    ['2001:2::5', 'benchmarking'],
    ['2001:10::1', 'reserved'],
    ['fd00::1', 'ula'],
    ['fc12:3456::1', 'ula'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::ffff:203.0.113.7', 'ipv4-mapped'],
    ['64:ff9b::198.51.100.1', 'nat64'],
    ['64:ff9b:1::1', 'nat64'],
    ['100::1', 'discard'],
    ['::203.0.113.7', 'reserved'], // deprecated IPv4-compatible
    ['4000::1', 'reserved'],
    ['e000::1', 'reserved'],
  ];
  for (const [addr, kind] of table) t.equal(classifyAddress(addr)?.kind, kind, addr);
  t.same(classifyAddress(' 2001:DB8::0001 '), {
    kind: 'documentation', label: 'documentation (2001:db8::/32)', family: 6, address: '2001:db8::1',
  });
  t.equal(classifyAddress('not an address'), undefined);
});
