import t from 'tap';
import { applySuffix, parseSuffix, refusal, selectAddress, wanWarnings, type AddressFacts } from '../../src/detect/select';
import { classifyAddress } from '../../src/net/address';

const strict = { allowPrivate: false };
const loose = { allowPrivate: true };
const f = (address: string, more: Partial<AddressFacts> = {}): AddressFacts => ({ address, origin: 'test', ...more });

t.test('which IPv4 kinds may be published', async (t) => {
  const table: [string, boolean, boolean][] = [
    // address, allowed by default, allowed with upd_privateip
    ['8.8.8.8', true, true],
    ['203.0.113.7', true, true], // documentation: accepted so examples and tests work
    ['10.1.2.3', false, true],
    ['172.16.5.4', false, true],
    ['192.168.1.2', false, true],
    ['100.64.0.1', false, true],
    ['127.0.0.1', false, true],
    ['169.254.3.4', false, true],
    ['192.0.0.2', false, true],
    ['198.18.0.9', false, true],
    ['0.0.0.0', false, false],
    ['224.0.0.1', false, false],
    ['255.255.255.255', false, false],
    ['240.1.2.3', false, false],
  ];
  for (const [a, byDefault, withPrivate] of table) {
    const c = classifyAddress(a)!;
    t.equal(refusal(4, c, strict) === undefined, byDefault, `${a} default`);
    t.equal(refusal(4, c, loose) === undefined, withPrivate, `${a} upd_privateip`);
  }
  t.match(refusal(4, classifyAddress('100.64.0.1')!, strict), /carrier-grade NAT.*upd_privateip/);
});

t.test('which IPv6 kinds may be published', async (t) => {
  const table: [string, boolean, boolean][] = [
    ['2a01:4f8::1', true, true],
    ['2001:db8::1', true, true],
    ['fd12::1', false, true],
    ['fe80::1', false, false], // meaningless without its interface
    ['::1', false, true],
    ['ff02::1', false, false],
    ['::', false, false],
    ['::ffff:198.51.100.1', false, false],
    ['64:ff9b::1.2.3.4', false, false],
  ];
  for (const [a, byDefault, withPrivate] of table) {
    const c = classifyAddress(a)!;
    t.equal(refusal(6, c, strict) === undefined, byDefault, `${a} default`);
    t.equal(refusal(6, c, loose) === undefined, withPrivate, `${a} upd_privateip`);
  }
});

t.test('IPv6 ranking: stable, then not deprecated, then the longest preferred lifetime', async (t) => {
  const sel = selectAddress(6, [
    f('fe80::1'),
    f('fd00::1', { preferred: Infinity }),
    f('2001:db8::a', { temporary: true, preferred: 86400 }),
    f('2001:db8::b', { preferred: 0 }),
    f('2001:db8::c', { preferred: 1200 }),
    f('2001:db8::d', { preferred: 3600 }),
    f('2001:db8::e', { preferred: 3600 }),
    f('2001:db8:0::d', { preferred: 9999 }),
    f('2001:db8::f', { tentative: true }),
    f('2001:db8::9', { dadFailed: true }),
    f('not-an-address'),
    f('192.0.2.1'),
  ], strict);
  t.equal(sel.address, '2001:db8::d');
  t.same(sel.candidates.map((c) => [c.address, c.kept]), [
    ['fe80::1', false], ['fd00::1', false], ['2001:db8::a', false], ['2001:db8::b', false], ['2001:db8::c', false],
    ['2001:db8::d', true], ['2001:db8::e', false], ['2001:db8::d', false], ['2001:db8::f', false], ['2001:db8::9', false],
    ['not-an-address', false], ['192.0.2.1', false],
  ]);
  const why = sel.candidates.map((c) => c.reason);
  t.match(why[0], /link-local.*never published/);
  t.match(why[1], /ULA.*not reachable from the Internet/);
  t.match(why[2], /temporary.*a stable address is preferred/);
  t.match(why[3], /deprecated.*a stable address is preferred/);
  t.match(why[4], /preferred lifetime 1200 s, shorter than the chosen address's preferred lifetime 3600 s/);
  t.match(why[5], /^chosen: documentation.*stable, preferred lifetime 3600 s/);
  t.match(why[6], /as good as the chosen address, which came first/);
  t.equal(why[7], 'listed twice');
  t.match(why[8], /tentative/);
  t.match(why[9], /duplicate address detection failed/);
  t.equal(why[10], 'not an IP address');
  t.match(why[11], /an IPv4 address, looking for IPv6/);
});

t.test('no expiry beats any finite lifetime; unknown lifetimes tie in list order', async (t) => {
  t.equal(selectAddress(6, [f('2001:db8::1', { preferred: 99999 }), f('2001:db8::2', { preferred: Infinity })], strict).address, '2001:db8::2');
  const unknown = selectAddress(6, [f('2001:db8::1'), f('2001:db8::2')], strict);
  t.equal(unknown.address, '2001:db8::1');
  t.match(unknown.candidates[0].reason, /lifetime unknown/);
  t.match(unknown.candidates[1].reason, /as good as the chosen address/);
});

t.test('a temporary or deprecated address is used when nothing better exists', async (t) => {
  const tmp = selectAddress(6, [f('fd00::5'), f('2001:db8::7', { temporary: true, preferred: 600 })], strict);
  t.equal(tmp.address, '2001:db8::7');
  t.match(tmp.candidates[1].reason, /no stable address available/);
  const dep = selectAddress(6, [f('2001:db8::8', { preferred: 0, valid: 100 })], strict);
  t.equal(dep.address, '2001:db8::8');
  t.match(dep.candidates[0].reason, /deprecated.*only usable address/);
});

t.test('IPv4: public beats private even when private ones are allowed', async (t) => {
  const sel = selectAddress(4, [f('10.0.0.2'), f('198.51.100.4'), f('198.51.100.5')], loose);
  t.equal(sel.address, '198.51.100.4');
  t.match(sel.candidates[0].reason, /private \(RFC 1918.*a public address is preferred/);
  const only = selectAddress(4, [f('10.0.0.2'), f('100.64.1.1')], loose);
  t.equal(only.address, '10.0.0.2');
  const none = selectAddress(4, [f('10.0.0.2'), f('100.64.1.1')], strict);
  t.equal(none.address, undefined);
  t.notOk(none.candidates.some((c) => c.kept));
});

t.test('WAN warnings: sentences for CGNAT, private and DS-Lite, none with a public address', async (t) => {
  const cg = wanWarnings('wan', 4, [f('100.72.3.4')]);
  t.equal(cg.length, 1);
  t.match(cg[0], /^CGNAT: wan has 100\.72\.3\.4, a carrier-grade NAT address.*incoming IPv4 connections cannot reach you.*Ask your ISP.*ip_version 6/);
  t.match(wanWarnings('wan', 4, [f('192.168.0.10')])[0], /^Private WAN address: wan has 192\.168\.0\.10.*bridge mode.*ip_source web or dns/);
  t.match(wanWarnings('wan', 4, [f('192.0.0.2')])[0], /^DS-Lite: wan has 192\.0\.0\.2/);
  t.same(wanWarnings('wan', 4, [f('100.72.3.4'), f('198.51.100.9')]), []);
  t.same(wanWarnings('wan', 4, []), []);
  t.same(wanWarnings('wan6', 6, [f('fd00::1')]), []);
});

t.test('suffixes and interface ids', async (t) => {
  t.equal(parseSuffix('::1234')?.bytes[15], 0x34);
  t.same(parseSuffix('a:b:c:d')?.bytes.slice(8), [0, 0xa, 0, 0xb, 0, 0xc, 0, 0xd]);
  t.equal(parseSuffix('::1:2:3:4:5:6:7:8:9'), undefined);
  t.equal(parseSuffix('zz'), undefined);
  t.equal(applySuffix([], 'zz'), "ip6_suffix 'zz' is not an IPv6 host part (write it as ::1234 or a:b:c:d)");
  const out = applySuffix([
    f('2001:db8:100::', { prefixLength: 64, preferred: 100, temporary: true }),
    f('2001:db8:100::', { prefixLength: 64 + 64 }),
    f('2001:db8:100::'),
    f('2001:db8:200::', { prefixLength: 56 }),
  ], '::1:0:0:0:abcd') as AddressFacts[];
  t.same(out.map((x) => [x.address, x.invalid]), [
    ['2001:db8:100::/64', 'suffix ::1:0:0:0:abcd has bits inside the prefix 2001:db8:100::/64: it would change the network part'],
    ['2001:db8:100::/128', 'suffix ::1:0:0:0:abcd has bits inside the prefix 2001:db8:100::/128: it would change the network part'],
    ['2001:db8:100::/?', '2001:db8:100::/? is not a usable IPv6 prefix'],
    ['2001:db8:200:1::abcd', undefined],
  ]);
  t.equal(out[3].note, 'prefix 2001:db8:200::/56 + suffix ::1:0:0:0:abcd');
  const one = applySuffix([f('2001:db8:100::', { prefixLength: 64, preferred: 100, temporary: true })], 'a:b:c:d') as AddressFacts[];
  t.same([one[0].address, one[0].temporary, one[0].preferred], ['2001:db8:100:0:a:b:c:d', false, 100]);
});
