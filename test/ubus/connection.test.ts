/**
 * The connection layer against a scripted fake ubusd: greeting split or glued to other
 * messages, malformed replies, garbage, and backpressure when ubusd does not read.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { UbusClient, UbusStatus } from '../../src/ubus';
import { Attr, MsgType } from '../../src/ubus/constants';
import { FrameReader } from '../../src/ubus/framing';
import { at, decodeMessage, encodeMessage, type UbusMessage } from '../../src/ubus/message';
import { settle } from '../../src/util/clock';
import { LogSink } from '../../src/util/log';

const HELLO = encodeMessage({ type: MsgType.HELLO, seq: 0, peer: 0x11223344, attrs: [] });

/** A fake ubusd on a fresh socket; `onClient` gets each accepted socket. */
async function fakeUbusd(t: tap.Test, onClient: (sock: Socket) => void): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ubus-conn-'));
  const path = join(dir, 'ubus.sock');
  const sockets: Socket[] = [];
  const server = createServer((s) => { sockets.push(s); s.on('error', () => {}); onClient(s); });
  await new Promise<void>((r) => server.listen(path, r));
  t.teardown(() => new Promise<void>((r) => {
    for (const s of sockets) s.destroy();
    server.close(() => { rmSync(dir, { recursive: true, force: true }); r(); });
  }));
  return path;
}

function messages(sock: Socket, fn: (m: UbusMessage) => void): void {
  const r = new FrameReader();
  sock.on('data', (c: Buffer) => { for (const f of r.push(c)) fn(decodeMessage(f)); });
}

function logs() {
  const lines: string[] = [];
  const sink = new LogSink({ write: () => {} });
  sink.onEntry((e) => lines.push(e.message));
  return { lines, log: sink.logger('ubus') };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000 && !cond(); i++) await settle();
  if (!cond()) throw new Error(`gave up waiting for ${what}`);
}

t.test('HELLO split byte by byte, and HELLO glued to an INVOKE', async (t) => {
  const invoke = encodeMessage({ type: MsgType.INVOKE, seq: 9, peer: 0x55, attrs: [at.u32(Attr.OBJID, 0xabcdef01), at.str(Attr.METHOD, 'x'), at.blobmsg(Attr.DATA, [])] });
  const replies: UbusMessage[] = [];
  let n = 0;
  const path = await fakeUbusd(t, (s) => {
    messages(s, (m) => replies.push(m));
    if (n++ === 0) {
      for (const b of HELLO) s.write(Buffer.from([b]));
    } else s.write(Buffer.concat([HELLO, invoke]));
  });
  const a = await UbusClient.connect({ socketPath: path });
  t.equal(a.clientId, 0x11223344, 'client id from a HELLO that arrived one byte at a time');
  const b = await UbusClient.connect({ socketPath: path });
  await until(() => replies.length === 1, 'the reply to the glued INVOKE');
  t.match(replies[0], { type: MsgType.STATUS, seq: 9, peer: 0x55 }, 'unknown object answered, seq and peer echoed');
  t.same(replies[0]!.attrs.map((x) => [x.id, x.value]), [[Attr.STATUS, UbusStatus.NOT_FOUND], [Attr.OBJID, 0xabcdef01]]);
  a.close();
  b.close();
});

t.test('a malformed DATA fails its request with PARSE_ERROR and keeps the connection', async (t) => {
  const path = await fakeUbusd(t, (s) => {
    s.write(HELLO);
    messages(s, (m) => {
      if (m.type === MsgType.LOOKUP) {
        const bad = encodeMessage({ type: MsgType.DATA, seq: m.seq, peer: 0, attrs: [at.str(Attr.OBJPATH, 'x')] });
        bad[17] = 0x41; // the path loses its NUL (header 12 + attr header 4 + 'x')
        s.write(Buffer.concat([bad, encodeMessage({ type: MsgType.STATUS, seq: m.seq, peer: 0, attrs: [at.i32(Attr.STATUS, 0)] })]));
      } else if (m.type === MsgType.PING) {
        s.write(encodeMessage({ type: MsgType.STATUS, seq: m.seq, peer: 0, attrs: [at.i32(Attr.STATUS, 0)] }));
      }
    });
  });
  const { lines, log } = logs();
  const c = await UbusClient.connect({ socketPath: path, log });
  const err = await c.lookup('x').then(() => undefined, (e: unknown) => e);
  t.match(err, { status: UbusStatus.PARSE_ERROR, statusName: 'PARSE_ERROR' });
  t.ok(lines.some((l) => /dropped a malformed ubus DATA message: attribute 2 is not a NUL-terminated string/.test(l)), 'a log line says what was wrong');
  await c.ping();
  t.ok(c.connected, 'still connected');
  c.close();
});

t.test('garbage closes the connection with a log line and fails pending requests', async (t) => {
  const path = await fakeUbusd(t, (s) => {
    s.write(HELLO);
    messages(s, () => s.write(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')));
  });
  const { lines, log } = logs();
  const c = await UbusClient.connect({ socketPath: path, log });
  let down = 0;
  c.on('disconnected', () => down++);
  const err = await c.ping().then(() => undefined, (e: unknown) => e);
  t.match(err, { status: UbusStatus.CONNECTION_FAILED });
  t.equal(down, 1);
  t.ok(lines.some((l) => /closing the ubus connection: garbage on the socket \(unsupported message version 72/.test(l)), 'log line');
  t.notOk(c.connected);
});

t.test('backpressure: messages queue in order while ubusd does not read, with a cap', async (t) => {
  let server: Socket | undefined;
  const seqs: number[] = [];
  const path = await fakeUbusd(t, (s) => {
    server = s;
    s.write(HELLO);
    messages(s, (m) => seqs.push(m.seq));
  });
  const c = await UbusClient.connect({ socketPath: path, timeoutMs: 0 });
  await until(() => server !== undefined, 'the server socket');
  server!.pause();
  const big = 'x'.repeat(512 * 1024);
  const outcomes: string[] = [];
  for (let i = 0; i < 40; i++) void c.send('bulk', { big }).then(() => outcomes.push('ok'), (e: { statusName?: string }) => outcomes.push(e.statusName ?? 'error'));
  await settle();
  const refused = outcomes.filter((v) => v === 'NO_MEMORY').length;
  t.ok(refused > 0 && refused < 40, `${refused} of 40 sends of 512 KiB refused with NO_MEMORY beyond the queue cap`);
  server!.resume();
  const accepted = 40 - refused;
  await until(() => seqs.length === accepted, 'every accepted message to arrive');
  t.same(seqs, [...seqs].sort((a, b) => a - b), 'in order');
  c.close();
});

t.test('no ubusd at the path: the error says so in words, with the code for searching', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ubus-none-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const none = join(dir, 'ubus.sock');
  await t.rejects(UbusClient.connect({ socketPath: none }), {
    status: UbusStatus.CONNECTION_FAILED,
    message: `cannot connect to ubus at ${none}: no socket there; is ubusd running? (ENOENT)`,
  });
  const plain = join(dir, 'file');
  writeFileSync(plain, '');
  await t.rejects(UbusClient.connect({ socketPath: plain }), { message: /: nothing accepts connections there; is ubusd running\? \(ECONNREFUSED\)$/ });
});

t.test('no message lives in a slice of Node\'s shared Buffer pool (the status soak\'s growth)', async (t) => {
  // A pool slab referenced across two young-generation collections moves to V8's old
  // generation and waits for a full collection: encoded and framed messages get their own memory.
  const small = encodeMessage({ type: MsgType.STATUS, seq: 1, peer: 2, attrs: [at.i32(Attr.STATUS, 0)] });
  t.equal(small.buffer.byteLength, small.length, 'an encoded message owns its memory');
  const other = encodeMessage({ type: MsgType.STATUS, seq: 2, peer: 2, attrs: [at.i32(Attr.STATUS, 0)] });
  t.not(other.buffer, small.buffer, 'each message its own');
  // A chunk as the socket gives it: its own memory (Buffer.concat would take it from the pool).
  const chunk = Buffer.allocUnsafeSlow(small.length + other.length + 6);
  Buffer.concat([small, other, HELLO.subarray(0, 6)]).copy(chunk);
  const r = new FrameReader();
  const whole = r.push(chunk);
  t.equal(whole.length, 2);
  t.ok(whole.every((f) => f.buffer === chunk.buffer), 'messages whole in a chunk are views of it, not copies');
  t.same(whole.map((f) => decodeMessage(f).seq), [1, 2]);
  const [spanning] = r.push(HELLO.subarray(6));
  t.equal(spanning.buffer.byteLength, HELLO.length, 'a message spanning chunks gets a buffer of its own');
  t.same(spanning, HELLO);
});
