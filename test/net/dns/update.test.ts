import t from 'tap';
import { TYPE } from '../../../src/net/dns/constants';
import { decodeMessage, encodeMessage } from '../../../src/net/dns/message';
import { addressRdata } from '../../../src/net/dns/rdata';
import {
  absent, addRecord, deleteRRset, deleteValue, present, presentValue, replaceRRset, updateMessage,
} from '../../../src/net/dns/update';

// dnspython tests/test_update.py `goodhex`: an UPDATE built by another implementation.
const goodhex =
  '0001 2800 0001 0005 0007 0000' +
  '076578616d706c6500 0006 0001' +
  '03666f6fc00c 00ff 00ff 00000000 0000' +
  'c019 0001 00ff 00000000 0000' +
  '03626172c00c 0001 0001 00000000 0004 0a000005' +
  '05626c617a32c00c 00ff 00fe 00000000 0000' +
  'c049 0001 00fe 00000000 0000' +
  'c019 0001 00ff 00000000 0000' +
  'c019 0001 0001 0000012c 0004 0a000001' +
  'c019 0001 0001 0000012c 0004 0a000002' +
  'c035 0001 0001 0000012c 0004 0a000003' +
  'c035 0001 00fe 00000000 0004 0a000004' +
  '04626c617ac00c 0001 00ff 00000000 0000' +
  'c049 00ff 00ff 00000000 0000';
const goodwire = Buffer.from(goodhex.replace(/ /g, ''), 'hex');

const a = (ip: string) => addressRdata('A', ip);

function dnspythonUpdate() {
  return updateMessage(1, 'example',
    [
      present('foo.example'),
      present('foo.example', TYPE.A),
      presentValue('bar.example', TYPE.A, a('10.0.0.5')),
      absent('blaz2.example'),
      absent('blaz2.example', TYPE.A),
    ],
    [
      ...replaceRRset('foo.example', TYPE.A, 300, [a('10.0.0.1'), a('10.0.0.2')]),
      addRecord('bar.example', TYPE.A, 300, a('10.0.0.3')),
      deleteValue('bar.example', TYPE.A, a('10.0.0.4')),
      deleteRRset('blaz.example', TYPE.A),
      deleteRRset('blaz2.example'),
    ]);
}

t.test('encodes the same bytes as dnspython (goodhex), compression included', async (t) => {
  t.equal(encodeMessage(dnspythonUpdate()).toString('hex'), goodwire.toString('hex'));
});

t.test('decodes goodhex into the records it was built from', async (t) => {
  const m = decodeMessage(goodwire);
  t.same(m.header, { id: 1, qr: false, opcode: 5, aa: false, tc: false, rd: false, ra: false, ad: false, cd: false, rcode: 0 });
  const built = dnspythonUpdate();
  t.same(m.questions, built.questions);
  t.same(m.answers, built.answers);
  t.same(m.authority, built.authority);
  t.same(m.additional, []);
  t.equal(encodeMessage(m).toString('hex'), goodwire.toString('hex'), 're-encodes to the same bytes');
});

t.test('replaceRRset deletes the RRset, then adds each value', async (t) => {
  const rrs = replaceRRset('h.example.com', TYPE.AAAA, 60, [addressRdata('AAAA', '2001:db8::1')]);
  t.same(rrs.map((r) => [r.class, r.ttl, r.rdata.length]), [[255, 0, 0], [1, 60, 16]]);
});
