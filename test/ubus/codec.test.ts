/** Table tests for the blob/blobmsg codec, the JSON mapping and the strict decoder's errors. */
import t from 'tap';
import { BlobWriter } from '../../src/ubus/blob';
import { decodeBlobmsgList, encodeBlobmsgList, type BlobmsgNode } from '../../src/ubus/blobmsg';
import { DecodeError, EncodeError } from '../../src/ubus/errors';
import { blobmsgToTable, tableToBlobmsg, typed } from '../../src/ubus/json';
import { decodeMessage, encodeMessage } from '../../src/ubus/message';
import { statusName, statusText, UbusStatus } from '../../src/ubus/status';
import { Secret } from '../../src/util/secret';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function encodeList(nodes: BlobmsgNode[]): Buffer {
  const w = new BlobWriter();
  encodeBlobmsgList(w, nodes);
  return Buffer.from(w.finish());
}

t.test('JSON values map to blobmsg types as libubox maps them', async (t) => {
  const cases: [unknown, string][] = [
    ['hi', '83 00 00 0b 00 01 76 00 68 69 00 00'],
    [true, '87 00 00 09 00 01 76 00 01 00 00 00'],
    [false, '87 00 00 09 00 01 76 00 00 00 00 00'],
    [-2, '85 00 00 0c 00 01 76 00 ff ff ff fe'],
    [2147483647, '85 00 00 0c 00 01 76 00 7f ff ff ff'],
    [2147483648, '84 00 00 10 00 01 76 00 00 00 00 00 80 00 00 00'],
    [-2147483649, '84 00 00 10 00 01 76 00 ff ff ff ff 7f ff ff ff'],
    [72623859790382856n, '84 00 00 10 00 01 76 00 01 02 03 04 05 06 07 08'],
    [1.5, '88 00 00 10 00 01 76 00 3f f8 00 00 00 00 00 00'],
    [null, '80 00 00 08 00 01 76 00'],
    [[1, 'x'], '81 00 00 20 00 01 76 00 85 00 00 0c 00 00 00 00 00 00 00 01 83 00 00 0a 00 00 00 00 78 00 00 00'],
    [{ f: false }, '82 00 00 14 00 01 76 00 87 00 00 09 00 01 66 00 00 00 00 00'],
  ];
  for (const [v, want] of cases) {
    const bytes = encodeList(tableToBlobmsg({ v }));
    t.equal(bytes.toString('hex'), hex(want).toString('hex'), `encode ${typeof v === 'bigint' ? `${v}n` : JSON.stringify(v)}`);
    t.same(blobmsgToTable(decodeBlobmsgList(bytes, 0, bytes.length)), { v }, `decode ${typeof v === 'bigint' ? `${v}n` : JSON.stringify(v)}`);
  }
  t.same(tableToBlobmsg({ gone: undefined }), [], 'undefined members are dropped, as JSON.stringify does');
});

t.test('typed values choose the wire type', async (t) => {
  const nodes = tableToBlobmsg({ a: typed('int64', 5), b: typed('int16', -1), c: typed('double', 3), d: typed('bool', 1), e: typed('int32', 0xfffffffe) });
  t.same(nodes.map((n) => n.type), [4, 6, 8, 7, 5]);
  t.same(blobmsgToTable(nodes), { a: 5, b: -1, c: 3, d: true, e: -2 }, 'u32 ids read back as int32, as ubus does');
  t.throws(() => tableToBlobmsg({ x: typed('string', 1) }), EncodeError);
  t.throws(() => tableToBlobmsg({ x: 2n ** 64n }), EncodeError);
  t.throws(() => tableToBlobmsg({ f: () => 1 }), /cannot be sent over ubus/);
});

t.test('objects with toJSON go over the wire as JSON.stringify would send them', async (t) => {
  const back = blobmsgToTable(tableToBlobmsg({ password: new Secret('hunter2'), when: new Date(0) }));
  t.same(back, { password: '***', when: '1970-01-01T00:00:00.000Z' });
  t.notMatch(JSON.stringify(back), /hunter2/, 'a Secret in a reply shows only its mask');
});

t.test('names that are object keys elsewhere stay plain data', async (t) => {
  const bytes = encodeList(tableToBlobmsg({ ['__proto__']: 1, constructor: 'x' } as Record<string, unknown>));
  const back = blobmsgToTable(decodeBlobmsgList(bytes, 0, bytes.length));
  t.equal(Object.getPrototypeOf(back), Object.prototype, 'prototype untouched');
  t.same(Object.keys(back).sort(), ['__proto__', 'constructor']);
});

t.test('name header is pad4(3 + namelen): 0-1 chars → 4 bytes, 2-5 → 8, 6-9 → 12', async (t) => {
  for (const [name, hdr] of [['', 4], ['a', 4], ['ab', 8], ['abcde', 8], ['abcdef', 12], ['abcdefghi', 12], ['abcdefghij', 16]] as const) {
    const bytes = encodeList([{ type: 0, name }]);
    t.equal(bytes.readUInt32BE(0) & 0xffffff, 4 + hdr, `name '${name}'`);
  }
});

t.test('the strict decoder refuses malformed input with a DecodeError', async (t) => {
  const msg = (body: string) => {
    const b = hex(body);
    const h = Buffer.alloc(12);
    h[1] = 2;
    h.writeUInt32BE(4 + b.length, 8);
    return Buffer.concat([h, b]);
  };
  const cases: [string, Buffer, RegExp][] = [
    ['version 1', hex('01 00 00 00 00 00 00 00 00 00 00 04'), /version 1/],
    ['root shorter than its header', hex('00 00 00 00 00 00 00 00 00 00 00 03'), /shorter than its header/],
    ['root length beyond the bytes', hex('00 00 00 00 00 00 00 00 00 00 00 08'), /does not match/],
    ['root with an id', hex('00 00 00 00 00 00 00 00 01 00 00 04'), /id 0/],
    ['attribute length past the end', msg('03 00 00 10 00 00 00 01'), /runs past the end/],
    ['attribute length under 4', msg('03 00 00 02 00 00 00 00'), /shorter than its header/],
    ['non-zero padding', msg('0a 00 00 05 01 00 01 00'), /non-zero padding/],
    ['OBJID of 3 bytes', msg('03 00 00 07 00 00 01 00'), /3 bytes, expected 4/],
    ['unterminated OBJPATH', msg('02 00 00 08 61 62 63 64'), /NUL-terminated/],
    ['extended top-level attribute', msg('83 00 00 08 00 00 00 01'), /extended bit/],
    ['unknown blobmsg type', msg('07 00 00 0c 89 00 00 08 00 00 00 00'), /unknown blobmsg type 9/],
    ['blobmsg name past the attribute', msg('07 00 00 0c 83 00 00 08 00 09 61 00'), /name length 9/],
    ['unterminated blobmsg name', msg('07 00 00 10 83 00 00 0c 00 01 61 62 63 00 00 00'), /name is not NUL-terminated/],
    ['non-zero name padding', msg('07 00 00 14 83 00 00 0e 00 02 61 62 00 07 00 00 78 00 00 00'), /name padding/],
    ['unterminated string value', msg('07 00 00 10 83 00 00 0c 00 01 61 00 78 78 78 78'), /NUL-terminated/],
    ['int32 of 2 bytes', msg('07 00 00 10 85 00 00 0a 00 01 61 00 00 01 00 00'), /2 bytes, expected 4/],
    ['double of 4 bytes', msg('07 00 00 10 88 00 00 0c 00 01 61 00 00 00 00 00'), /expected 8/],
  ];
  for (const [what, bytes, re] of cases) {
    let err: unknown;
    try {
      decodeMessage(bytes);
    } catch (e) {
      err = e;
    }
    t.type(err, DecodeError, what);
    t.match((err as Error)?.message, re, what);
  }
});

t.test('the encoder refuses a message over 1 MiB', async (t) => {
  t.throws(() => encodeMessage({ type: 2, seq: 1, peer: 0, attrs: [{ id: 7, kind: 'blobmsg', value: [{ type: 3, name: 's', value: 'x'.repeat(1024 * 1024) }] }] }), /exceeds ubus's limit/);
});

t.test('status names and texts', async (t) => {
  t.equal(UbusStatus.CONNECTION_FAILED, 10);
  t.equal(statusName(4), 'NOT_FOUND');
  t.equal(statusText(3), 'Method not found');
  t.equal(statusName(99), 'STATUS_99');
});
