import t from 'tap';
import { decodeMessage, emptyHeader, encodeMessage } from '../../../src/net/dns/message';
import { RCODE } from '../../../src/net/dns/constants';
import { DnsFormatError } from '../../../src/net/dns/errors';
import { keyBytes, signMessage, tsigMac, verifyMessage, type TsigKey } from '../../../src/net/dns/tsig';
import { Secret } from '../../../src/util/secret';

// Vectors from miekg/dns tsig_test.go (a second, independent TSIG implementation).
const testSecret = 'NoTCJU+DMqFWywaPyxSijrDEA/eC3nK0xi3AMEZuPVk=';
const timeSigned = 1594855491;
const wireMsg = (time: number) => Buffer.from(
  'c60028000001000000010001076578616d706c6503636f6d00000600010161c00c0001000100000e100004c0000201077465' +
  '73746b65790000fa00ff00000000003d0b686d61632d73686132353600' +
  time.toString(16).padStart(12, '0') +
  '012c00208cf23e0081d915478a182edcea7ff48ad102948e6c7ef8e887536957d1fa5616c60000000000', 'hex');
const key: TsigKey = { name: 'testkey', algorithm: 'hmac-sha256', secret: new Secret(testSecret) };

t.test('verifies the signed UPDATE from miekg/dns', async (t) => {
  t.equal(verifyMessage(wireMsg(timeSigned), key, timeSigned).status, 'ok');
  t.equal(verifyMessage(wireMsg(timeSigned), { ...key, name: 'TestKey.' }, timeSigned).status, 'ok', 'key names compare case-insensitively');
  const moved = wireMsg(timeSigned);
  moved.writeUInt16BE(42, 0); // a forwarder may change the id: TSIG uses the original id
  t.equal(verifyMessage(moved, key, timeSigned).status, 'ok');
});

t.test('time outside the fudge is badtime; a bad MAC wins over a bad time', async (t) => {
  t.equal(verifyMessage(wireMsg(timeSigned), key, timeSigned + 301).status, 'badtime');
  t.equal(verifyMessage(wireMsg(timeSigned), key, timeSigned - 301).status, 'badtime');
  t.equal(verifyMessage(wireMsg(timeSigned), key, timeSigned + 300).status, 'ok', 'the fudge itself is inside');
  t.equal(verifyMessage(wireMsg(timeSigned + 301), key, timeSigned).status, 'badsig');
});

t.test('wrong key, wrong algorithm, flipped byte, no TSIG', async (t) => {
  t.equal(verifyMessage(wireMsg(timeSigned), { ...key, secret: new Secret('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=') }, timeSigned).status, 'badsig');
  t.equal(verifyMessage(wireMsg(timeSigned), { ...key, algorithm: 'hmac-sha512' }, timeSigned).status, 'badkey');
  t.equal(verifyMessage(wireMsg(timeSigned), { ...key, name: 'otherkey' }, timeSigned).status, 'badkey');
  const flipped = wireMsg(timeSigned);
  flipped[40] ^= 1; // inside the update's address
  t.equal(verifyMessage(flipped, key, timeSigned).status, 'badsig');
  const bogus = wireMsg(timeSigned);
  bogus.write('bogus', 67, 'latin1'); // the algorithm name, as miekg's test does
  t.equal(verifyMessage(bogus, key, timeSigned).status, 'badkey');
  const m = decodeMessage(wireMsg(timeSigned));
  const plain = encodeMessage({ ...m, additional: [] });
  t.equal(verifyMessage(plain, key, timeSigned).status, 'unsigned');
});

t.test('MACs equal miekg/dns TestTsigGenerate (request MAC, other data, error field)', async (t) => {
  const msg = encodeMessage({
    header: emptyHeader(42, 5), // miekg digests the message under the TSIG original id (42)
    questions: [{ name: 'example.com', type: 6, class: 1 }],
    answers: [], authority: [], additional: [],
  });
  const cases: [string, string, string][] = [
    ['3684c225', '', 'c110e3f62694755c10761dc8717462431ee34340b7c9d1eee09449150757c5b1'],
    ['', '', '385449a425c6d52b9bf2c65c0726eefa0ad8084cdaf488f24547e686605b9610'],
    ['3684c225', '666f6f', '15b91571ca80b3b410a77e2b44f8cc4f35ace22b26020138439dd94803e23b5d'],
  ];
  for (const [req, other, want] of cases) {
    const fields = { timeSigned, fudge: 300, error: RCODE.BADTIME, otherData: Buffer.from(other, 'hex') };
    t.equal(tsigMac(key, msg, fields, Buffer.from(req, 'hex')).toString('hex'), want, `request MAC "${req}", other "${other}"`);
  }
});

t.test('MACs equal miekg/dns for HMAC-SHA384 (and SHA224)', async (t) => {
  const msg = encodeMessage({
    header: emptyHeader(42, 5), // miekg digests the message under the TSIG original id (42)
    questions: [{ name: 'example.com', type: 6, class: 1 }],
    answers: [], authority: [], additional: [],
  });
  const fields = { timeSigned, fudge: 300, error: 0, otherData: Buffer.alloc(0) };
  const k384: TsigKey = { name: 'testkey', algorithm: 'hmac-sha384', secret: new Secret('Qjer2TL2lAdpq9w6Gjs98/ClCQx/L3vtgVHCmrZ8l/oKEPjqUUMFO18gMCRwd5H4') };
  t.equal(tsigMac(k384, msg, fields).toString('hex'),
    '89a48936d29187870c325cbdba5ad71609bd038d0459d6010c844d659c570e881d3650e4fe7310be53ebe5178d0d1001');
  const k224: TsigKey = { name: 'testkey', algorithm: 'hmac-sha224', secret: new Secret('hVEkQuAqnTmBuRrT9KF1Udr91gOMGWPw9LaTtw==') };
  t.equal(tsigMac(k224, msg, fields).toString('hex'), 'd6daf9ea189e48bc38f9aed63d6cc4140cdfa38a7a333ee2eefdbd31');
});

t.test('sign then verify, and a reply chained to the request MAC', async (t) => {
  for (const algorithm of ['hmac-md5', 'hmac-sha1', 'hmac-sha256', 'hmac-sha512'] as const) {
    const k: TsigKey = { ...key, algorithm };
    const msg = encodeMessage({ header: emptyHeader(7, 5), questions: [{ name: 'example.com', type: 6, class: 1 }], answers: [], authority: [], additional: [] });
    const req = signMessage(msg, k, 1_700_000_000);
    t.equal(decodeMessage(req.wire).additional.length, 1, `${algorithm}: TSIG counted in ARCOUNT`);
    t.equal(verifyMessage(req.wire, k, 1_700_000_010).status, 'ok', `${algorithm}: request verifies`);
    const reply = signMessage(msg, k, 1_700_000_001, req.mac);
    t.equal(verifyMessage(reply.wire, k, 1_700_000_010, req.mac).status, 'ok', `${algorithm}: reply verifies against the request MAC`);
    t.equal(verifyMessage(reply.wire, k, 1_700_000_010, Buffer.alloc(req.mac.length)).status, 'badsig', `${algorithm}: not against another MAC`);
  }
});

t.test('a bad secret is refused with a message that does not contain it', async (t) => {
  const bad = 'not base64!secretvalue';
  const err = (() => { try { keyBytes({ ...key, secret: new Secret(bad) }); } catch (e) { return e; } })();
  t.type(err, DnsFormatError);
  t.match((err as Error).message, /not valid base64/);
  t.notMatch((err as Error).message, /secretvalue/);
});
