import t from 'tap';
import { decodeMessage, encodeMessage } from '../../src/ubus/message';
import { FrameReader } from '../../src/ubus/framing';
import { loadAllFixtures } from '../support/ubus-fixtures';

const fixtures = loadAllFixtures();

t.test('every fixture message decodes and re-encodes to the same bytes', async (t) => {
  let checked = 0;
  for (const fx of fixtures) {
    for (const [i, m] of fx.messages.entries()) {
      const where = `${fx.name} message ${i + 1} (${m.header.typeName})`;
      const msg = decodeMessage(m.bytes);
      // the decoded header agrees with the transcript's own header line
      t.equal(msg.type, m.header.type, `${where}: type`);
      t.equal(msg.seq, m.header.seq, `${where}: seq`);
      t.equal(msg.peer, m.header.peer, `${where}: peer`);
      const again = encodeMessage(msg);
      if (!again.equals(m.bytes)) t.fail(`${where}: re-encoded bytes differ\n${again.toString('hex')}\n${m.bytes.toString('hex')}`);
      checked++;
    }
  }
  t.comment(`checked ${checked} messages in ${fixtures.length} files`);
  t.equal(fixtures.length, 16, 'all 16 transcripts present');
  t.equal(checked, 161, 'the README counts 161 messages');
});

t.test('the frame reader cuts a transcript stream at any chunk size', async (t) => {
  const stream = Buffer.concat(fixtures.flatMap((f) => f.messages.map((m) => m.bytes)));
  const expected = fixtures.flatMap((f) => f.messages.map((m) => m.bytes.toString('hex')));
  for (const size of [1, 3, 7, 12, 13, 64, 1000, stream.length]) {
    const r = new FrameReader();
    const got: string[] = [];
    for (let i = 0; i < stream.length; i += size) got.push(...r.push(stream.subarray(i, i + size)).map((b) => b.toString('hex')));
    t.same(got, expected, `chunks of ${size} bytes`);
    t.equal(r.buffered, 0, `nothing left over with chunks of ${size}`);
  }
});
