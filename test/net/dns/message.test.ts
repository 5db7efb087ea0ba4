import t from 'tap';
import { CLASS, rcodeName, TYPE, typeName } from '../../../src/net/dns/constants';
import { DnsFormatError } from '../../../src/net/dns/errors';
import { decodeMessage, emptyHeader, encodeMessage, type Message } from '../../../src/net/dns/message';
import { isSubdomain, nameToLabels, nameWire, parentName, sameName } from '../../../src/net/dns/name';
import { addressRdata, rdataText, soaFields } from '../../../src/net/dns/rdata';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const formatError = (fn: () => unknown) => { try { fn(); } catch (e) { return e instanceof DnsFormatError ? e.message : `WRONG TYPE ${e}`; } return 'no error'; };

t.test('header flags round trip', async (t) => {
  const h = { id: 0xbeef, qr: true, opcode: 5, aa: true, tc: false, rd: true, ra: true, ad: false, cd: true, rcode: 9 };
  const m: Message = { header: h, questions: [], answers: [], authority: [], additional: [] };
  const wire = encodeMessage(m);
  t.equal(wire.toString('hex'), 'beef' + 'ad99' + '0000000000000000');
  t.same(decodeMessage(wire).header, h);
});

t.test('a reply with compressed names everywhere decodes to standalone records', async (t) => {
  // Question example.com SOA; answer SOA whose MNAME/RNAME point back into the question.
  // The SOA rdata starts at offset 41, so "ns1.example.com" can be pointed at as c029.
  const wire = hex(`
    1234 8580 0001 0001 0001 0000
    076578616d706c6503636f6d00 0006 0001
    c00c 0006 0001 00000e10 0027
      036e7331c00c 0a686f73746d6173746572c00c 00000007 00000e10 00000258 00093a80 0000003c
    c00c 0002 0001 00000e10 0002 c029`);
  const m = decodeMessage(wire);
  t.equal(m.answers[0].name, 'example.com');
  t.equal(rdataText(TYPE.SOA, m.answers[0].rdata), 'ns1.example.com hostmaster.example.com 7 3600 600 604800 60');
  t.same(soaFields(m.answers[0].rdata), { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 7 });
  t.equal(rdataText(TYPE.NS, m.authority[0].rdata), 'ns1.example.com', 'a pointer into another record\'s rdata');
  const again = decodeMessage(encodeMessage(m));
  t.same(again.answers, m.answers, 'expanded rdata re-encodes and decodes the same');
});

t.test('malformed input gives DnsFormatError with a reason', async (t) => {
  const q = encodeMessage({ header: emptyHeader(1), questions: [{ name: 'a.example', type: 1, class: 1 }], answers: [], authority: [], additional: [] });
  const cases: [string, Buffer, RegExp][] = [
    ['short header', hex('0001 0000 0001'), /ends inside the header/],
    ['question cut off', q.subarray(0, q.length - 2), /ends inside a question/],
    ['trailing bytes', Buffer.concat([q, hex('00')]), /1 bytes follow/],
    ['pointer loop', hex('0001 0000 0001 0000 0000 0000 c00c 0001 0001'), /does not point backwards/],
    ['forward pointer', hex('0001 0000 0001 0000 0000 0000 c00e 0001 0001 00'), /does not point backwards/],
    ['label type 01', hex('0001 0000 0001 0000 0000 0000 4100 0001 0001'), /unsupported label type/],
    ['label past the end', hex('0001 0000 0001 0000 0000 0000 0561'), /ends inside a label/],
    ['A with 5 bytes', hex('0001 8000 0000 0001 0000 0000 00 0001 0001 00000000 0005 0102030405'), /expected 4/],
    ['rdata past the end', hex('0001 8000 0000 0001 0000 0000 00 0010 0001 00000000 0009 0102'), /ends inside the data/],
    ['name in rdata overruns', hex('0001 8000 0000 0001 0000 0000 00 0002 0001 00000000 0001 0361626300'), /past the end of its record data|wrong length/],
    ['TSIG not last', hex('0001 8000 0000 0000 0000 0002 00 00fa 00ff 00000000 0000 00 0001 0001 00000000 0004 01020304'), /not the last record/],
  ];
  for (const [label, buf, re] of cases) t.match(formatError(() => decodeMessage(buf)), re, label);
  const longName = Array.from({ length: 5 }, () => '3f' + '61'.repeat(63)).join('') + '00';
  t.match(formatError(() => decodeMessage(hex('0001 0000 0001 0000 0000 0000' + longName + '00010001'))), /longer than 255/);
});

t.test('names: escapes, limits, helpers', async (t) => {
  t.same(nameWire('a\\.b.example.').toString('hex'), '03612e62076578616d706c6500');
  t.equal(decodeMessage(encodeMessage({ header: emptyHeader(1), questions: [{ name: 'a\\.b\\032c.example', type: 1, class: 1 }], answers: [], authority: [], additional: [] })).questions[0].name, 'a\\.b\\032c.example');
  t.match(formatError(() => nameToLabels('a..b')), /empty label/);
  t.match(formatError(() => nameToLabels('x'.repeat(64) + '.com')), /longer than 63/);
  t.match(formatError(() => nameToLabels(Array(130).fill('a').join('.'))), /longer than 255/);
  t.same(nameToLabels(''), []);
  t.ok(sameName('Home.Example.COM.', 'home.example.com'));
  t.equal(parentName('a.b.c'), 'b.c');
  t.equal(parentName('c'), '');
  t.equal(parentName(''), undefined);
  t.ok(isSubdomain('a.example.com', 'Example.com'));
  t.notOk(isSubdomain('aexample.com', 'example.com'));
});

t.test('rdata text', async (t) => {
  t.equal(rdataText(TYPE.TXT, Buffer.from('\x03abc\x00\x02de', 'latin1')), 'abcde');
  t.equal(rdataText(TYPE.MX, Buffer.concat([hex('000a'), nameWire('mx.example')])), '10 mx.example');
  t.equal(rdataText(99, hex('0102')), '\\# 2 0102');
  t.equal(rdataText(TYPE.A, Buffer.alloc(0)), '\\# 0');
  t.match(formatError(() => rdataText(TYPE.TXT, hex('05 6162'))), /TXT string/);
  t.match(formatError(() => addressRdata('A', '1.2.3')), /not an IPv4 address/);
  t.match(formatError(() => addressRdata('AAAA', '1.2.3.4')), /not an IPv6 address/);
  t.equal(typeName(28), 'AAAA');
  t.equal(typeName(999), 'TYPE999');
  t.equal(rcodeName(18), 'BADTIME');
  t.equal(rcodeName(42), 'RCODE42');
  t.equal(CLASS.CH, 3);
});

// Address text itself is src/net/address.ts (tested there); here: that DNS data goes through it both ways.
const ipv6Bytes = (s: string) => addressRdata('AAAA', s);
const ipv6Text = (b: Buffer) => rdataText(TYPE.AAAA, b);

t.test('AAAA data text follows RFC 5952 and agrees with the WHATWG URL parser on 2,000 random addresses', async (t) => {
  const cases: [string, string][] = [
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::1', '::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['fe80::', 'fe80::'],
  ];
  for (const [input, want] of cases) t.equal(ipv6Text(ipv6Bytes(input)), want, input);
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xffff;
  let agree = 0;
  for (let i = 0; i < 2000; i++) {
    // Mostly zeros, so that runs of zero words (the interesting part) are common.
    const words = Array.from({ length: 8 }, () => (rnd() % 3 === 0 ? rnd() : 0));
    const text = words.map((w) => w.toString(16)).join(':');
    const ours = ipv6Text(ipv6Bytes(text));
    const theirs = new URL(`http://[${text}]/`).hostname.slice(1, -1);
    if (ours === theirs && ipv6Bytes(ours).equals(ipv6Bytes(text))) agree++;
    else t.fail(`${text}: ours ${ours}, URL ${theirs}`);
  }
  t.equal(agree, 2000);
});
