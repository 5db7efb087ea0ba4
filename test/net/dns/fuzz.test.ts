import { prng } from '../../support/prng';
import t from 'tap';
import { CLASS, TYPE } from '../../../src/net/dns/constants';
import { DnsFormatError } from '../../../src/net/dns/errors';
import { decodeMessage, emptyHeader, encodeMessage } from '../../../src/net/dns/message';
import { nameWire } from '../../../src/net/dns/name';
import { addressRdata, rdataText } from '../../../src/net/dns/rdata';
import { signMessage, verifyMessage, type TsigKey } from '../../../src/net/dns/tsig';
import { Secret } from '../../../src/util/secret';

// 10,000 mutated messages: the decoder (and everything that reads its output) may only
// ever throw DnsFormatError; whatever decodes must re-encode to something that decodes
// to the same records.

const COUNT = 10_000;
const key: TsigKey = { name: 'fuzz-key', algorithm: 'hmac-sha256', secret: new Secret(Buffer.alloc(32, 9).toString('base64')) };

function seeds(): Buffer[] {
  const goodhex = '0001280000010005000700000765786' +
    '16d706c65000006000103666f6fc00c00ff00ff000000000000c019000100ff00000000000003626172c00c00010001000000000004' +
    '0a00000505626c617a32c00c00ff00fe000000000000c049000100fe000000000000c019000100ff000000000000c0190001000100' +
    '00012c00040a000001c019000100010000012c00040a000002c035000100010000012c00040a000003c035000100fe000000000004' +
    '0a00000404626c617ac00c000100ff000000000000c04900ff00ff000000000000';
  const reply = encodeMessage({
    header: { ...emptyHeader(77), qr: true, aa: true },
    questions: [{ name: 'home.example.com', type: TYPE.A, class: CLASS.IN }],
    answers: [
      { name: 'home.example.com', type: TYPE.A, class: CLASS.IN, ttl: 60, rdata: addressRdata('A', '192.0.2.1') },
      { name: 'home.example.com', type: TYPE.AAAA, class: CLASS.IN, ttl: 60, rdata: addressRdata('AAAA', '2001:db8::1') },
      { name: 'home.example.com', type: TYPE.TXT, class: CLASS.IN, ttl: 60, rdata: Buffer.from('\x05hello\x03abc', 'latin1') },
    ],
    authority: [
      { name: 'example.com', type: TYPE.NS, class: CLASS.IN, ttl: 60, rdata: nameWire('ns1.example.com') },
      { name: 'example.com', type: TYPE.SOA, class: CLASS.IN, ttl: 60,
        rdata: Buffer.concat([nameWire('ns1.example.com'), nameWire('hostmaster.example.com'), Buffer.alloc(20, 1)]) },
    ],
    additional: [{ name: 'ns1.example.com', type: TYPE.A, class: CLASS.IN, ttl: 60, rdata: addressRdata('A', '192.0.2.53') }],
  });
  const signed = signMessage(reply, key, 1_700_000_000).wire;
  const mx = Buffer.concat([Buffer.from([0, 10]), nameWire('mx.example.com')]);
  const withMx = encodeMessage({ ...decodeMessage(reply), answers: [{ name: 'example.com', type: TYPE.MX, class: CLASS.IN, ttl: 1, rdata: mx }] });
  return [Buffer.from(goodhex, 'hex'), reply, signed, withMx];
}


function mutate(src: Buffer, r: () => number): Buffer {
  let b = Buffer.from(src);
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * b.length);
    switch (Math.floor(r() * 7)) {
      case 0: b[at] ^= 1 << Math.floor(r() * 8); break; // bit flip
      case 1: b[at] = Math.floor(r() * 256); break; // random byte
      case 2: b = b.subarray(0, at); break; // truncate
      case 3: b = Buffer.concat([b.subarray(0, at), Buffer.from([Math.floor(r() * 256)]), b.subarray(at)]); break; // insert
      case 4: b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + Math.floor(r() * 8)))]); break; // delete
      case 5: if (at + 1 < b.length) { b[at] = 0xc0 | Math.floor(r() * 4); b[at + 1] = Math.floor(r() * 256); } break; // a pointer
      default: if (at >= 4 && at < 12) b[at] = Math.floor(r() * 256); break; // a section count
    }
  }
  return b;
}

t.test(`${COUNT} mutated messages: only DnsFormatError, and what decodes round-trips`, async (t) => {
  const r = prng(20261122);
  const base = seeds();
  const stats = { decoded: 0, rejected: 0, verified: 0 };
  const reasons = new Map<string, number>();
  for (let i = 0; i < COUNT; i++) {
    const input = mutate(base[i % base.length], r);
    try {
      const m = decodeMessage(input);
      for (const rr of [...m.answers, ...m.authority, ...m.additional]) {
        try { rdataText(rr.type, rr.rdata); } catch (e) { if (!(e instanceof DnsFormatError)) throw e; }
      }
      try { verifyMessage(input, key, 1_700_000_000); stats.verified++; } catch (e) { if (!(e instanceof DnsFormatError)) throw e; }
      let again;
      try {
        again = decodeMessage(encodeMessage(m));
      } catch (e) {
        // Decoding is more lenient than encoding only for names we could not write back (an empty label can't occur).
        if (!(e instanceof DnsFormatError)) throw e;
        t.fail(`case ${i}: decoded but does not re-encode: ${(e as Error).message}`);
        continue;
      }
      const strip = (x: typeof m) => ({ ...x, tsigOffset: undefined });
      if (JSON.stringify(strip(again)) !== JSON.stringify(strip(m))) t.fail(`case ${i}: round trip changed the message (${input.toString('hex')})`);
      stats.decoded++;
    } catch (e) {
      if (!(e instanceof DnsFormatError)) {
        t.fail(`case ${i}: ${(e as Error)?.constructor?.name}: ${(e as Error).message} (${input.toString('hex')})`);
        continue;
      }
      stats.rejected++;
      const reason = e.message.replace(/\d+/g, 'N').replace(/"[^"]*"/g, '"…"');
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  t.equal(stats.decoded + stats.rejected, COUNT, `every case ended in a decode or a DnsFormatError (${JSON.stringify(stats)})`);
  t.ok(stats.decoded > 500 && stats.rejected > 500, 'the mutations exercise both paths');
  t.comment(`top reasons: ${[...reasons].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${v}× ${k}`).join('; ')}`);
});
